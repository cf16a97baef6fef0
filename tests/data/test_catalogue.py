"""The advice catalogue: shipped content is complete; bad files fail with file and line, old one stays."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from data.catalogue import (
    DEFAULT_CATALOGUE_FILE,
    CatalogueError,
    load_catalogue,
    parse_catalogue,
    reset_catalogue_cache,
    seed_advice_modules,
)
from models.db import session_scope
from models.migrate import upgrade
from models.tables import AdviceModule

REQUIRED = {
    "broaden_occupations", "broaden_radius", "spontaneous_applications", "personal_network", "cv_documents",
    "interview_preparation", "further_training_voucher", "recognition_foreign_qualification", "job_german_course",
    "driving_licence_budget", "temporary_agency_work", "einstiegsgeld", "childcare_support", "debt_counselling",
    "addiction_counselling", "coaching_voucher_avgs", "subsidised_employment", "shortage_occupations", "salary_check",
}

_MODULE = """
  - id: {id}
    title: {{de: "Titel", en: "Title"}}
    text: {{de: "Text", en: "Text"}}
    obstacle: search_method
    needs_counsellor_approval: {approval}
    legal_basis: {basis}
    effort: low
    evidence: "test"
{extra}"""


def _catalogue(*modules: str) -> str:
    return 'version: "t1"\nmodules:' + "".join(modules)


def _module(id: str = "a", approval: str = "false", basis: str = "null", extra: str = "") -> str:
    return _MODULE.format(id=id, approval=approval, basis=basis, extra=extra)


def test_shipped_catalogue_covers_the_required_modules_in_both_languages() -> None:
    catalogue = load_catalogue(DEFAULT_CATALOGUE_FILE)
    assert len(catalogue.modules) >= 20
    assert set(catalogue.ids) >= REQUIRED
    for module in catalogue.modules:
        assert module.title.de and module.title.en and module.text.de and module.text.en


@pytest.mark.parametrize("module_id", ["further_training_voucher", "driving_licence_budget", "einstiegsgeld",
                                       "childcare_support", "coaching_voucher_avgs", "subsidised_employment"])
def test_benefit_modules_need_counsellor_approval_with_legal_basis(module_id: str) -> None:
    module = load_catalogue(DEFAULT_CATALOGUE_FILE).get(module_id)
    assert module.needs_counsellor_approval
    assert module.legal_basis and "§" in module.legal_basis


def test_duplicate_module_ids_fail_with_file_and_line() -> None:
    text = _catalogue(_module("a"), _module("a"))
    with pytest.raises(CatalogueError, match=r"cat\.yaml, line 12: .*'a' appears more than once"):
        parse_catalogue(text, file="cat.yaml")


def test_rule_on_unknown_field_fails_with_file_and_line() -> None:
    rule = ("    eligibility:\n      - {id: r, field: shoe_size, op: present, "
            "reason_de: x, reason_en: x}\n")
    with pytest.raises(CatalogueError, match=r"c\.yaml, line 12: .*'shoe_size' is unknown"):
        parse_catalogue(_catalogue(_module("a", extra=rule)), file="c.yaml")


def test_reference_to_unknown_module_id_fails() -> None:
    with pytest.raises(CatalogueError, match="unknown module id 'ghost'"):
        parse_catalogue(_catalogue(_module("a", extra="    excludes: [ghost]\n")), file="c.yaml")


def test_funded_measure_without_approval_flag_is_refused() -> None:
    text = _catalogue(_module("a", approval="false", basis='"§ 16b SGB II"'))
    with pytest.raises(CatalogueError, match="needs_counsellor_approval must be true"):
        parse_catalogue(text, file="c.yaml")


def test_age_rule_without_legal_basis_is_refused() -> None:
    rule = ("    eligibility:\n      - {id: young, field: eligibility.birth_year, op: age_under, value: 25, "
            "reason_de: x, reason_en: x}\n")
    with pytest.raises(CatalogueError, match="must name its legal_basis"):
        parse_catalogue(_catalogue(_module("a", extra=rule)), file="c.yaml")


def test_bad_file_keeps_the_previously_active_catalogue(tmp_path: Path) -> None:
    reset_catalogue_cache()
    before = load_catalogue()
    bad = tmp_path / "bad.yaml"
    bad.write_text(_catalogue(_module("a"), _module("a")), encoding="utf-8")
    with pytest.raises(CatalogueError, match="bad.yaml"):
        load_catalogue(bad)
    assert load_catalogue() is before


def test_seed_upserts_advice_module_rows_idempotently(sqlite_engine) -> None:  # type: ignore[no-untyped-def]
    upgrade(sqlite_engine)
    with session_scope(sqlite_engine) as session:
        first = seed_advice_modules(session)
    with session_scope(sqlite_engine) as session:
        second = seed_advice_modules(session)
        rows = session.exec(select(AdviceModule)).all()
    assert f"{len(load_catalogue().ids)} module(s) added, 0 updated" in first
    assert "0 module(s) added, 0 updated" in second
    assert {r.id for r in rows} == set(load_catalogue().ids)
