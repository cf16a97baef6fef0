"""Erasure leaves no free text behind: not in tables, not in the log, not in the database file (issue 17).

Every free-text field a job-seeker or counsellor can fill gets a unique marker; after the
person erases their data, the marker must be found nowhere - on SQLite in the raw bytes of
the app and audit database files (after a WAL checkpoint), on PostgreSQL in any table.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select

from models.audit_store import create_audit_schema, make_audit_engine, record_attributes
from models.db import session_scope
from models.schemas import Profile
from models.tables import DecisionItem, JobSeeker, Role, UserAccount
from recommender.casework import data_rights as privacy
from recommender.casework.assignment import reassign_case
from recommender.casework.case_mode import set_case_mode
from recommender.casework.caseload import resolve_case
from recommender.casework.journey import record_feedback
from recommender.casework.notes import add_note
from recommender.casework.review import add_counsellor_advice, review_item
from recommender.decide.decision_path import recommend
from tests.factories import assign_case, make_decision, make_jobcenter, make_staff_user, make_team

FIELDS = (
    "target_occupation_text", "feedback_comment", "account_username", "review_reject_text", "review_edit_text",
    "review_edited_advice", "counsellor_advice", "case_note_hidden", "case_note_visible", "case_mode_reason",
    "access_purpose_note", "reassignment_reason",
)

# Stored nowhere in clear, only as a keyed digest in the log.
DIGEST_ONLY = {"reassignment_reason"}


def _markers() -> dict[str, str]:
    return {name: f"MRK{uuid.uuid4().hex[:10]}{name.replace('_', '')[:8]}" for name in FIELDS}


def _fill_every_free_text_field(session: Session, marks: dict[str, str]) -> JobSeeker:
    center = make_jobcenter(session, code="demo")
    team = make_team(session, jobcenter=center)
    counsellor = make_staff_user(session, role="counsellor", jobcenter=center, team=team, username="counsellor.one")
    colleague = make_staff_user(session, role="counsellor", jobcenter=center, team=team, username="counsellor.two")
    lead = make_staff_user(session, role="team_lead", jobcenter=center, team=team, username="team.lead")
    account = UserAccount(jobcenter_id=center.id, username=marks["account_username"],  # type: ignore[arg-type]
                          password_hash="$argon2id$x", role=Role.job_seeker.value)
    session.add(account)
    session.flush()
    person = JobSeeker(jobcenter_id=center.id, user_id=account.id)  # type: ignore[arg-type]
    session.add(person)
    session.flush()
    assign_case(session, job_seeker=person, counsellor=counsellor)
    view = recommend(session, job_seeker=person, registry=None, actor_role="job_seeker", actor_id=person.pseudonym,
                     profile=Profile(target_occupation_text=marks["target_occupation_text"], months_unemployed=9))
    record_feedback(session, job_seeker=person, item_id=view.items[0].item_id, kind="not_possible",
                    comment=marks["feedback_comment"])
    decision = make_decision(session, job_seeker=person)
    pending = session.exec(select(DecisionItem).where(DecisionItem.decision_id == decision.id)
                           .order_by(DecisionItem.rank)).all()  # type: ignore[arg-type]
    review_item(session, job_seeker=person, item_id=pending[0].id, reviewer=counsellor, action="reject",
                reason_code="other", reason_text=marks["review_reject_text"], expected_version=1)
    review_item(session, job_seeker=person, item_id=pending[1].id, reviewer=counsellor, action="edit",
                reason_code="other", reason_text=marks["review_edit_text"], expected_version=1,
                edited_text=marks["review_edited_advice"])
    add_counsellor_advice(session, job_seeker=person, author=counsellor, text=marks["counsellor_advice"])
    add_note(session, job_seeker=person, author=counsellor, text=marks["case_note_hidden"],
             visible_to_job_seeker=False)
    add_note(session, job_seeker=person, author=counsellor, text=marks["case_note_visible"],
             visible_to_job_seeker=True)
    set_case_mode(session, job_seeker=person, user=counsellor, without_ai=True, reason=marks["case_mode_reason"])
    resolve_case(session=session, user=colleague, pseudonym=person.pseudonym, action="read_case", purpose="other",
                 note=marks["access_purpose_note"])
    reassign_case(session, job_seeker=person, team_lead=lead, new_counsellor_id=colleague.id,
                  reason=marks["reassignment_reason"])
    return person


def _erase(engine: Engine, audit: Engine, marks: dict[str, str]) -> str:
    with session_scope(engine) as session:
        person = _fill_every_free_text_field(session, marks)
        pseudonym = person.pseudonym
    record_attributes(audit, case_pseudonym=pseudonym, attributes={"gender": "female"}, consent_version="t")
    with session_scope(engine) as session:
        person = session.exec(select(JobSeeker).where(JobSeeker.pseudonym == pseudonym)).one()
        privacy.erase_personal_data(session, job_seeker=person, confirmation="DELETE", audit_engine=audit)
    return pseudonym


def _sqlite_files(engine: Engine) -> list[Path]:
    connection = engine.raw_connection()  # outside SQLAlchemy's BEGIN IMMEDIATE: a checkpoint needs no transaction
    try:
        connection.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()
    database = Path(str(engine.url.database))
    engine.dispose()
    return [path for path in database.parent.glob(database.name + "*") if path.is_file()]


def _markers_in_tables(engine: Engine, marks: dict[str, str]) -> set[str]:
    found: set[str] = set()
    with engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            for row in connection.execute(table.select()):
                found |= {name for name, mark in marks.items() if mark in repr(tuple(row))}
    return found


def test_erasure_leaves_no_free_text_in_any_table_or_log(engine: Engine, tmp_path: Path) -> None:
    marks = _markers()
    audit = make_audit_engine(f"sqlite:///{tmp_path / 'audit-store.db'}")
    create_audit_schema(audit)

    with session_scope(engine) as session:
        _fill_every_free_text_field(session, marks)
    before = _markers_in_tables(engine, marks)
    assert before == set(FIELDS) - DIGEST_ONLY, "every marker must first be stored somewhere"
    with session_scope(engine) as session:
        person = session.exec(select(JobSeeker).where(JobSeeker.user_id.is_not(None))).one()  # type: ignore[union-attr]
        privacy.erase_personal_data(session, job_seeker=person, confirmation="DELETE", audit_engine=audit)
    assert _markers_in_tables(engine, marks) == set()


def test_erasure_leaves_no_free_text_in_the_sqlite_files(sqlite_engine: Engine, tmp_path: Path) -> None:
    from models.migrate import upgrade

    upgrade(sqlite_engine)
    marks = _markers()
    audit = make_audit_engine(f"sqlite:///{tmp_path / 'audit-store.db'}")
    create_audit_schema(audit)
    _erase(sqlite_engine, audit, marks)
    files = _sqlite_files(sqlite_engine) + _sqlite_files(audit)
    assert {path.name for path in files} >= {"lotse.db", "audit-store.db"}
    found = {name for path in files for name, mark in marks.items() if mark.encode() in path.read_bytes()}
    assert found == set()
