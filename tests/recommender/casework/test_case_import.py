"""Bulk import of cases: idempotent on (Jobcenter, case number), all or nothing, every problem by line and field."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from models.db import session_scope
from models.inbound import ExternalCase, HandoffConsent
from models.tables import CaseAssignment, Event, JobSeeker, ProfileSnapshot, utcnow
from recommender.casework.case_import import (
    CONSENT_WITHOUT_TIME,
    DUPLICATE_ID,
    NOT_UTF8,
    OTHER_JOBCENTER,
    TOO_MANY,
    UNKNOWN_COLUMN,
    UNKNOWN_COUNSELLOR,
    UNKNOWN_JOBCENTER,
    BatchTooLarge,
    CaseImportError,
    CaseImportForbidden,
    ImportResult,
    import_batch,
)
from recommender.records.chain import verify_chain
from tests.factories import make_jobcenter, make_staff_user

CSV = ("external_id,jobcenter,counsellor,consent,consent_at,target_occupation,months_unemployed,has_cv,"
       "search_channels,constraints.working_hours\n"
       "FV-1,jc-nord,berater.nord,given,2026-11-30T09:15:00+01:00,62102,14,ja,jobcenter|job_boards,part_time\n"
       "FV-2,jc-nord,,,,,3,,,\n")


@pytest.fixture
def nord(engine: Engine) -> Engine:
    with session_scope(engine) as session:
        centre = make_jobcenter(session, code="jc-nord")
        make_jobcenter(session, code="jc-sued")
        make_staff_user(session, role="counsellor", jobcenter=centre, username="berater.nord")
        make_staff_user(session, role="counsellor", jobcenter=centre, username="beraterin.west")
    return engine


def _import(engine: Engine, text: str | bytes, fmt: str = "csv", **options: Any) -> ImportResult:
    data = text.encode("utf-8") if isinstance(text, str) else text
    with session_scope(engine) as session:
        return import_batch(session, data, fmt, actor_role="data_steward", actor_id="test", **options)  # type: ignore[arg-type]


def _counts(engine: Engine) -> tuple[int, ...]:
    with Session(engine) as session:
        return tuple(session.exec(select(func.count()).select_from(table)).one()
                     for table in (JobSeeker, ProfileSnapshot, CaseAssignment, HandoffConsent, ExternalCase, Event))


def _profile(engine: Engine, external_id: str) -> dict[str, Any]:
    with Session(engine) as session:
        seeker_id = session.exec(select(ExternalCase.job_seeker_id)
                                 .where(ExternalCase.external_id == external_id)).one()
        return dict(session.exec(select(ProfileSnapshot.payload).where(ProfileSnapshot.job_seeker_id == seeker_id)
                                 .order_by(col(ProfileSnapshot.id).desc())).first() or {})


def test_csv_creates_cases_with_profile_counsellor_consent_and_mapping(nord: Engine) -> None:
    result = _import(nord, CSV)
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    profile = _profile(nord, "FV-1")
    assert profile["target_occupation"] == "62102" and profile["months_unemployed"] == 14
    assert profile["has_cv"] is True and profile["search_channels"] == ["jobcenter", "job_boards"]
    assert profile["constraints"]["working_hours"] == "part_time"
    with Session(nord) as session:
        mapping = {m.external_id: m.job_seeker_id for m in session.exec(select(ExternalCase)).all()}
        assert set(mapping) == {"FV-1", "FV-2"}
        assert session.exec(select(CaseAssignment.job_seeker_id)).all() == [mapping["FV-1"]]
        consent = session.exec(select(HandoffConsent)).one()
        assert consent.job_seeker_id == mapping["FV-1"] and consent.source == "case_management"
    pseudonyms = {external: pseudonym for external, pseudonym, _action in result.actions}
    assert all(len(p) == 32 for p in pseudonyms.values())


def test_the_same_file_twice_changes_nothing_and_says_so(nord: Engine) -> None:
    _import(nord, CSV)
    before = _counts(nord)
    again = _import(nord, CSV)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    after = _counts(nord)
    assert after[:-1] == before[:-1]  # no case, snapshot, assignment, consent or mapping added
    assert after[-1] == before[-1] + 1  # only the log records that the import happened


def test_a_changed_line_updates_only_the_fields_it_gives(nord: Engine) -> None:
    _import(nord, CSV)
    changed = CSV.replace("FV-2,jc-nord,,,,,3,,,", "FV-2,jc-nord,beraterin.west,,,,5,,,")
    result = _import(nord, changed)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    assert _profile(nord, "FV-2")["months_unemployed"] == 5
    partial = '{"external_id": "FV-1", "jobcenter": "jc-nord", "profile": {"months_unemployed": 20}}\n'
    assert _import(nord, partial, "jsonl").updated == 1
    profile = _profile(nord, "FV-1")
    assert profile["months_unemployed"] == 20 and profile["target_occupation"] == "62102"  # kept


def test_consent_from_the_import_never_overrides_a_later_decision_of_the_person(nord: Engine) -> None:
    _import(nord, CSV)
    with session_scope(nord) as session:
        consent = session.exec(select(HandoffConsent)).one()
        consent.revoked_at = utcnow()  # the person revoked on the consent page
        session.add(consent)
    stale = CSV.replace("2026-11-30T09:15:00+01:00", "2026-12-01T09:15:00+01:00")
    _import(nord, stale)
    with Session(nord) as session:
        assert session.exec(select(HandoffConsent)).one().revoked_at is not None


def test_every_problem_is_named_by_line_and_field_and_nothing_is_written(nord: Engine) -> None:
    before = _counts(nord)
    text = ("external_id,jobcenter,counsellor,months_unemployed,has_cv,consent\n"
            "FV-1,jc-nord,nobody,x,vielleicht,given\n"
            "FV-2,jc-unbekannt,,,,\n"
            "FV 3,jc-nord,,,,\n"
            "FV-4,jc-nord,,-3,,\n"
            "FV-4,jc-nord,,,,\n"
            "FV-5,jc-nord,,,,given\n")
    with pytest.raises(CaseImportError) as caught:
        _import(nord, text)
    found = {(p.line, p.field, p.message if p.validation is None else p.validation["type"])
             for p in caught.value.problems}
    assert found == {
        (2, "months_unemployed", "int_type"), (2, "has_cv", "bool_type"), (2, "counsellor", UNKNOWN_COUNSELLOR),
        (3, "jobcenter", UNKNOWN_JOBCENTER), (4, "external_id", "string_pattern_mismatch"),
        (5, "months_unemployed", "greater_than_equal"), (6, "external_id", DUPLICATE_ID),
        (7, "consent_at", CONSENT_WITHOUT_TIME),
    }
    assert _counts(nord) == before


def test_unknown_column_invalid_utf8_and_broken_json_are_refused(nord: Engine) -> None:
    before = _counts(nord)
    with pytest.raises(CaseImportError) as column:
        _import(nord, "external_id,jobcenter,religion\nFV-1,jc-nord,x\n")
    assert [(p.line, p.field, p.message) for p in column.value.problems][0] == (1, "religion", UNKNOWN_COLUMN)
    with pytest.raises(CaseImportError) as encoding:
        _import(nord, b"external_id,jobcenter\nFV-1,jc-nord\nFV-\xff2,jc-nord\n")
    assert [(p.line, p.message) for p in encoding.value.problems] == [(3, NOT_UTF8)]
    with pytest.raises(CaseImportError) as broken:
        _import(nord, '{"external_id": "FV-1", "jobcenter": "jc-nord"}\n[1, 2]\n', "jsonl")
    assert [p.line for p in broken.value.problems] == [2]
    assert _counts(nord) == before


def test_a_batch_over_the_limit_is_refused_before_anything_is_checked(nord: Engine) -> None:
    lines = "".join(json.dumps({"external_id": f"FV-{n}", "jobcenter": "jc-nord"}) + "\n" for n in range(6))
    with pytest.raises(BatchTooLarge) as caught:
        _import(nord, lines, "jsonl", max_cases=5)
    assert caught.value.problems[0].message == TOO_MANY and caught.value.problems[0].values["allowed"] == "5"
    assert _counts(nord)[0] == 0


def test_lines_of_another_jobcenter_than_the_callers_are_forbidden(nord: Engine) -> None:
    with pytest.raises(CaseImportForbidden) as caught:
        _import(nord, CSV.replace("FV-2,jc-nord", "FV-2,jc-sued"), only_jobcenter="jc-nord")
    assert [(p.line, p.field, p.message) for p in caught.value.problems] == [(3, "jobcenter", OTHER_JOBCENTER)]
    assert _counts(nord)[0] == 0


def test_the_log_records_the_batch_without_personal_data_and_the_chain_verifies(nord: Engine) -> None:
    result = _import(nord, CSV)
    with Session(nord) as session:
        event = session.exec(select(Event).where(Event.event_type == "cases_imported")).one()
        assert event.id == result.event_id
        assert {k: event.outputs[k] for k in ("created", "updated", "unchanged", "lines")} == {
            "created": 2, "updated": 0, "unchanged": 0, "lines": 2}
        stored = json.dumps(event.outputs) + (event.reason or "")
        for clear in ("FV-1", "62102", "berater.nord", "part_time"):
            assert clear not in stored
        assert verify_chain(session).ok


def test_a_case_erased_at_the_persons_request_is_never_recreated(nord: Engine) -> None:
    _import(nord, CSV)
    with session_scope(nord) as session:
        seeker = session.exec(select(JobSeeker).join(ExternalCase, col(ExternalCase.job_seeker_id) == JobSeeker.id)
                              .where(ExternalCase.external_id == "FV-2")).one()
        seeker.erased_at = utcnow() - timedelta(minutes=1)
        session.add(seeker)
    result = _import(nord, CSV.replace(",3,", ",9,"))
    assert (result.created, result.erased) == (0, 1)
    assert _counts(nord)[0] == 2


def test_a_consent_time_with_an_offset_is_stored_as_the_same_moment(nord: Engine) -> None:
    _import(nord, CSV)  # consent_at 2026-11-30T09:15:00+01:00
    with Session(nord) as session:
        given = session.exec(select(HandoffConsent.given_at)).one()
    assert given == datetime(2026, 11, 30, 8, 15, tzinfo=UTC)


def test_two_imports_of_the_same_new_cases_at_once_create_each_case_once(nord: Engine) -> None:
    start = threading.Barrier(2)
    results: list[ImportResult] = []

    def run() -> None:
        start.wait()
        results.append(_import(nord, CSV))

    workers = [threading.Thread(target=run) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert sorted((r.created, r.unchanged) for r in results) == [(0, 2), (2, 0)]
    assert _counts(nord)[4] == 2


@pytest.mark.parametrize(("text", "fmt"), [
    ("external_id,jobcenter\nFV-\x001,jc-nord\n", "csv"),
    ("external_id,jobcenter\nFV-1," + "x" * 200_000 + "\n", "csv"),
    ("[" * 100_000 + "]" * 100_000 + "\n", "jsonl"),
    ('{"external_id": "FV-1", "jobcenter": "jc-nord", "consent": "given", "consent_at": "9999-12-31T23:00:00-05:00"}\n',
     "jsonl"),
])
def test_malformed_text_is_a_named_problem_never_a_crash(nord: Engine, text: str, fmt: str) -> None:
    with pytest.raises(CaseImportError) as caught:
        _import(nord, text, fmt)
    assert caught.value.problems and _counts(nord)[0] == 0
