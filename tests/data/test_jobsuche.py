"""Jobsuche exports (v4 and v6, shaped like real responses) count postings by KldB and Kreis."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from data.errors import ImportFileError
from data.importers.jobsuche_records import parse_jobsuche
from data.jobsuche import store_postings
from models.db import session_scope
from models.market import JobPostingCount

FIXTURES = Path(__file__).parent / "fixtures"
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
