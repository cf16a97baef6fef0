"""Jobsuche import semantics: pages add up by refnr, --replace replaces, empty files are refused,
and postings are placed by Kreis name with qualifiers, municipality and postcode."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from api.cli.data import EMPTY_JOBSUCHE
from data.importers.jobsuche_records import parse_jobsuche
from data.jobsuche import store_postings
from data.places import (
    AMBIGUOUS_PLACE,
    MUNICIPALITIES_FILE,
    NO_LOCATION,
    POSTCODES_FILE,
    UNKNOWN_PLACE,
    Location,
    locate,
)
from models.db import session_scope
from models.market import ImportedJobPosting, JobPostingCount
from tests.conftest import SHARED_DATA
from tests.data.import_cli import fake_classify, invoke_import, snapshot

FIXTURES = Path(__file__).parent / "fixtures"
PAGE_1, PAGE_2 = FIXTURES / "jobsuche_v4.json", FIXTURES / "jobsuche_v4_page2.json"
MUNICIPALITIES = SHARED_DATA / "regions" / "municipalities"


@pytest.mark.parametrize(
    ("location", "kreis", "reason"),
    [
        (Location("Ingolstadt, Donau"), "09161", None),
        (Location("Nürnberg, Mittelfranken"), "09564", None),
        (Location("Großmehring"), "09176", None),
        (Location("GROSSMEHRING"), "09176", None),
        (Location(postcode="85098"), "09176", None),
        (Location("Regensburg"), "09362", None),  # the city, not the Landkreis of the same name
        (Location("Neuenkirchen", "49586"), "03459", None),  # the postcode picks one of eleven
        (Location("Neuenkirchen"), None, AMBIGUOUS_PLACE),
        (Location("Kleinstadt am See", "99999"), None, UNKNOWN_PLACE),
        (Location(), None, NO_LOCATION),
    ],
)
def test_place_is_found_by_qualified_name_municipality_or_postcode(
    location: Location, kreis: str | None, reason: str | None
) -> None:
    placement = locate(location)
    assert placement.kreise == (frozenset({kreis}) if kreis else frozenset()) and placement.reason == reason


def _stored(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return sorted(p.refnr for p in session.exec(select(ImportedJobPosting)))


def _counts(engine: Engine) -> dict[tuple[str, str], int]:
    with Session(engine) as session:
        return {(r.kldb5, r.ags): r.postings for r in session.exec(select(JobPostingCount))}


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


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.skipif(not MUNICIPALITIES.is_dir(), reason="../shared/data/regions/municipalities is not present")
def test_shipped_place_tables_are_the_licensed_sources_unchanged_in_content() -> None:
    source = {(r["ags8"], r["name"], r["plz"]) for r in _rows(MUNICIPALITIES / "gemeinden.csv")}
    assert {(r["ags8"], r["name"], r["plz"]) for r in _rows(MUNICIPALITIES_FILE)} == source
    geonames = {tuple(r.values()) for r in _rows(MUNICIPALITIES / "plz_kreis_geonames.csv")}
    assert {tuple(r.values()) for r in _rows(POSTCODES_FILE)} == geonames
