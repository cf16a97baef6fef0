"""The caseload rule: own cases open, a colleague's case only with a purpose, every read and refusal logged."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from models.db import session_scope
from models.staff import CaseAccessGrant
from models.tables import Event, JobSeeker, UserAccount, utcnow
from recommender.casework.caseload import (
    CASE_NOT_FOUND,
    PURPOSE_NOTE_REQUIRED,
    CaseAccessError,
    PurposeError,
    caseload_ids,
    resolve_case,
    validate_purpose,
)
from tests.factories import make_jobcenter, make_staff_user


def _events(engine: Engine, event_type: str) -> list[Event]:
    with session_scope(engine) as session:
        return list(session.exec(select(Event).where(Event.event_type == event_type)).all())


def _resolve(engine: Engine, case: dict, user: str, **kwargs: str) -> str:
    """The basis of the read; a refusal is re-raised after the session (and its log entry) is committed."""
    refused: CaseAccessError | None = None
    with session_scope(engine) as session:
        seeker = session.get(JobSeeker, case["seeker"])
        try:
            return resolve_case(session=session, user=session.get(UserAccount, case[user]),
                                pseudonym=seeker.pseudonym, action="read", **kwargs).basis
        except CaseAccessError as exc:  # as the routes do: answer 404, keep the access_denied entry
            refused = exc
    assert refused is not None
    raise refused


def test_caseload_ids_are_the_counsellors_assigned_cases_only(engine: Engine, case: dict) -> None:
    with session_scope(engine) as session:
        assert caseload_ids(session=session, user_id=case["counsellor"]) == [case["seeker"]]
        assert caseload_ids(session=session, user_id=case["colleague"]) == []


def test_own_case_is_read_on_the_caseload_basis_and_logged(engine: Engine, case: dict) -> None:
    assert _resolve(engine, case, "counsellor") == "caseload"
    [read] = _events(engine, "case_accessed")
    assert read.reason == "caseload" and read.actor_id == str(case["counsellor"])


def test_colleague_case_without_purpose_is_refused_as_not_found_and_logged(engine: Engine, case: dict) -> None:
    with pytest.raises(CaseAccessError) as refused:
        _resolve(engine, case, "colleague")
    assert str(refused.value) == CASE_NOT_FOUND
    [denied] = _events(engine, "access_denied")
    assert denied.actor_id == str(case["colleague"]) and denied.reason == "not in caseload and no purpose given"
    assert _events(engine, "case_accessed") == []


def test_purpose_grants_a_time_limited_read_that_needs_no_purpose_again(engine: Engine, case: dict) -> None:
    assert _resolve(engine, case, "colleague", purpose="vacation_cover") == "vacation_cover"
    assert _resolve(engine, case, "colleague") == "vacation_cover"
    with session_scope(engine) as session:
        grant = session.exec(select(CaseAccessGrant)).one()
        assert grant.expires_at.replace(tzinfo=None) > (utcnow() + timedelta(hours=7)).replace(tzinfo=None)
        grant.expires_at = utcnow() - timedelta(minutes=1)
        session.add(grant)
    with pytest.raises(CaseAccessError):
        _resolve(engine, case, "colleague")


def test_case_of_another_jobcenter_stays_closed_even_with_a_purpose(engine: Engine, case: dict) -> None:
    with session_scope(engine) as session:
        stranger = make_staff_user(session, role="counsellor", jobcenter=make_jobcenter(session, code="other"),
                                   username="stranger")
        case = {**case, "stranger": stranger.id}
    with pytest.raises(CaseAccessError):
        _resolve(engine, case, "stranger", purpose="handover")
    [denied] = _events(engine, "access_denied")
    assert denied.reason == "case of another Jobcenter"


@pytest.mark.parametrize(("purpose", "note"), [("curiosity", None), ("other", None), ("other", "  ")])
def test_unknown_purpose_or_other_without_note_is_refused(purpose: str, note: str | None) -> None:
    with pytest.raises(PurposeError) as refused:
        validate_purpose(purpose, note)
    if purpose == "other":
        assert str(refused.value) == PURPOSE_NOTE_REQUIRED
    else:
        assert "curiosity" in str(refused.value) and "vacation_cover" in str(refused.value)
