"""Jobsuche exports (v4 and v6, shaped like real responses): pages add up by refnr, --replace replaces,
empty files are refused, postings are counted by KldB and Kreis with a placed/not-placed report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from api.cli.data import EMPTY_JOBSUCHE
from data.errors import ImportFileError
from data.importers.jobsuche_records import parse_jobsuche
from data.jobsuche import store_postings
from data.places import AMBIGUOUS_PLACE, NO_LOCATION
from models.db import session_scope
from models.market import ImportedJobPosting, JobPostingCount
from tests.data.importers.import_cli import fake_classify, invoke_import, snapshot

FIXTURES = Path(__file__).parent / "fixtures"
PAGE_1, PAGE_2 = FIXTURES / "jobsuche_v4.json", FIXTURES / "jobsuche_v4_page2.json"
_CODES = {"Verkäufer/in": "62102", "Fachkraft - Lagerlogistik": "51312", "Staplerfahrer (m/w/d)": "52122"}


def _classify(text: str) -> str | None:
    return _CODES.get(text)


def test_v4_response_with_string_postcodes_and_missing_fields_is_read() -> None:
    postings = parse_jobsuche(FIXTURES / "jobsuche_v4.json")
    assert [p.version for p in postings] == ["v4"] * 3
    assert postings[0].postcodes == ("93047",) and postings[1].postcodes == ()
    assert postings[0].occupation_text == "Verkäufer/in"


def test_v6_response_with_several_locations_is_read() -> None:
    postings = parse_jobsuche(FIXTURES / "jobsuche_v6.json")
    assert postings[0].refnr == "12345-0000000001-S"
    assert postings[0].places == ("Regensburg", "Hamburg")
    assert postings[1].occupation_text == "Erzieherin in Teilzeit"  # no beruf field: the title is used


def _counts(engine: Engine) -> dict[tuple[str, str], int]:
    with Session(engine) as session:
        return {(r.kldb5, r.ags): r.postings for r in session.exec(select(JobPostingCount))}


def test_postings_count_per_kreis_and_nationally(engine: Engine) -> None:
    with session_scope(engine) as session:
        store_postings(session, parse_jobsuche(FIXTURES / "jobsuche_v4.json"), _classify, source="test")
    counts = _counts(engine)
    assert counts[("62102", "DG")] == 2 and counts[("62102", "09362")] == 1
    assert counts[("51312", "11000")] == 1
    with session_scope(engine) as session:
        store_postings(session, parse_jobsuche(FIXTURES / "jobsuche_v6.json"), _classify, source="test")
    counts = _counts(engine)
    assert counts[("52122", "09362")] == 1 and counts[("52122", "02000")] == 1 and counts[("52122", "DG")] == 1


def test_dry_run_reports_the_diff_and_changes_nothing(engine: Engine) -> None:
    postings = parse_jobsuche(FIXTURES / "jobsuche_v4.json")
    with session_scope(engine) as session:
        stored = store_postings(session, postings, _classify, source="test", dry_run=True)
    assert stored.diff.added == 3 and stored.postings == 3
    assert _counts(engine) == {}


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ({"jobs": []}, "neither a Jobsuche v4"),
        ({"stellenangebote": {"a": 1}}, "must be a list"),
        ({"ergebnisliste": [{"stellenangebotsTitel": "Koch"}]}, "no 'referenznummer'"),
        ({"stellenangebote": [{"refnr": "1"}]}, "neither an occupation"),
    ],
)
def test_file_that_is_not_a_jobsuche_response_is_refused(tmp_path: Path, content: object, fragment: str) -> None:
    path = tmp_path / "export.json"
    path.write_text(json.dumps(content), encoding="utf-8")
    with pytest.raises(ImportFileError, match=fragment):
        parse_jobsuche(path)


def test_broken_json_is_reported_with_line_number(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{\n  "stellenangebote": [\n    {"refnr": }\n  ]\n}\n', encoding="utf-8")
    with pytest.raises(ImportFileError) as caught:
        parse_jobsuche(path)
    assert caught.value.problems[0].line == 3


def _stored(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return sorted(p.refnr for p in session.exec(select(ImportedJobPosting)))


def test_second_page_adds_to_the_first_and_reimport_changes_nothing(engine: Engine) -> None:
    for page in (PAGE_1, PAGE_2):
        with session_scope(engine) as session:
            store_postings(session, parse_jobsuche(page), fake_classify, source="test")
    assert len(_stored(engine)) == 9
    counts = _counts(engine)
    assert counts[("29302", "DG")] == 2 and counts[("29302", "09161")] == 1 and counts[("29302", "09176")] == 1
    assert counts[("62102", "DG")] == 4 and counts[("62102", "09564")] == 1
    with session_scope(engine) as session:
        again = store_postings(session, parse_jobsuche(PAGE_1), fake_classify, source="test")
    assert (again.diff.added, again.diff.removed, again.diff.changed, again.diff.unchanged) == (0, 0, 0, 3)
    assert _counts(engine) == counts


def test_replace_keeps_only_the_postings_of_the_file(engine: Engine) -> None:
    with session_scope(engine) as session:
        store_postings(session, parse_jobsuche(PAGE_1), fake_classify, source="test")
    with session_scope(engine) as session:
        result = store_postings(session, parse_jobsuche(PAGE_2), fake_classify, source="test", replace=True)
    assert result.diff.removed == 3 and result.diff.added == 6
    assert _stored(engine) == sorted(p.refnr for p in parse_jobsuche(PAGE_2))
    assert ("51312", "11000") not in _counts(engine)


def test_import_reports_postings_placed_and_not_placed_with_reasons(cli_env: Path) -> None:
    result = invoke_import("jobsuche", PAGE_2)
    assert result.exit_code == 0, result.output
    assert "4 of 6 postings placed in a Kreis; 2 not placed" in result.output
    assert f"1 not placed: {AMBIGUOUS_PLACE}" in result.output and f"1 not placed: {NO_LOCATION}" in result.output
    assert "1 postings without an occupation code" in result.output
    assert "Imported 6 rows" in result.output  # rows are postings, not (code, Kreis) cells


def test_empty_file_is_refused_unless_allowed(cli_env: Path, tmp_path: Path) -> None:
    assert invoke_import("jobsuche", PAGE_1).exit_code == 0
    before = snapshot(cli_env)
    empty = tmp_path / "empty.json"
    empty.write_text('{"stellenangebote": [], "maxErgebnisse": 0, "page": 3, "size": 25}', encoding="utf-8")
    refused = invoke_import("jobsuche", empty, "--replace")
    assert refused.exit_code == 2 and "empty.json, $: " in refused.output and "--allow-empty" in refused.output
    assert EMPTY_JOBSUCHE[:40] in refused.output.replace("\n", " ")
    assert snapshot(cli_env) == before
    assert invoke_import("jobsuche", empty, "--allow-empty").exit_code == 0
    assert snapshot(cli_env) == before
    assert invoke_import("jobsuche", empty, "--allow-empty", "--replace").exit_code == 0
    assert snapshot(cli_env) != before
