"""The data layer behaves the same on SQLite and PostgreSQL (every test runs on both)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import delete, inspect, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel import Session, SQLModel, select

from models import APPEND_ONLY_MESSAGE, AppendOnlyError
from models.blobs import blob_problems, put_blob, remember
from models.db import session_scope
from models.hashing import canonical_json, sha256_hex
from models.migrate import current_revision, head_revision, upgrade
from models.tables import (
    AdviceModule,
    CaseAssignment,
    Decision,
    DecisionItem,
    Event,
    Feedback,
    JobSeeker,
    Outcome,
    ProfileSnapshot,
    Role,
    SystemFlag,
    Team,
    UserAccount,
)
from tests.factories import make_job_seeker, make_jobcenter, make_snapshot

GENESIS = "0" * 64


def _event(**overrides: object) -> Event:
    fields: dict[str, object] = {
        "event_type": "recommendation_generated",
        "actor_role": "system",
        "prev_hash": GENESIS,
        "hash": sha256_hex({"n": str(overrides)}),
    }
    fields.update(overrides)
    return Event(**fields)  # type: ignore[arg-type]


def test_migrations_create_every_table_from_empty(empty_engine: Engine) -> None:
    assert current_revision(empty_engine) is None
    upgrade(empty_engine)
    assert current_revision(empty_engine) == head_revision()
    tables = set(inspect(empty_engine).get_table_names())
    assert set(SQLModel.metadata.tables) <= tables


def test_migrations_run_twice_without_change(engine: Engine) -> None:
    upgrade(engine)
    assert current_revision(engine) == head_revision()


def test_every_table_round_trips_a_row(engine: Engine) -> None:
    with session_scope(engine) as session:
        jobcenter = make_jobcenter(session)
        team = Team(jobcenter_id=jobcenter.id, name="Team A")
        session.add(team)
        session.flush()
        counsellor = UserAccount(
            jobcenter_id=jobcenter.id, team_id=team.id, username="ifk1", password_hash="x", role=Role.counsellor
        )
        session.add(counsellor)
        seeker = make_job_seeker(session, jobcenter=jobcenter)
        session.flush()
        session.add(CaseAssignment(job_seeker_id=seeker.id, counsellor_id=counsellor.id))
        snapshot = make_snapshot(session, job_seeker=seeker)
        session.add(
            AdviceModule(id="cv_check", catalogue_version="1", title_de="Lebenslauf", title_en="CV", obstacle="x")
        )
        decision = Decision(
            job_seeker_id=seeker.id,
            snapshot_id=snapshot.id,
            mode="rules",
            model_version="rules",
            feature_set_version="1",
            catalogue_version="1",
            features={},
            guardrails=[],
            diagnostic=[],
        )
        session.add(decision)
        session.flush()
        item = DecisionItem(
            decision_id=decision.id, module_id="cv_check", rank=1, reasons=[], review_state="not_required"
        )
        session.add(item)
        session.flush()
        session.add(Feedback(decision_item_id=item.id, job_seeker_id=seeker.id, kind="helpful"))
        session.add(Outcome(job_seeker_id=seeker.id, kind="job_found", occurred_on=date(2026, 11, 1)))
        session.add(SystemFlag(key="kill_switch", value="off"))
        session.add(_event(case_pseudonym=seeker.pseudonym))
    with Session(engine) as session:
        for table in (Team, UserAccount, JobSeeker, CaseAssignment, ProfileSnapshot, AdviceModule, Decision,
                      DecisionItem, Feedback, Outcome, SystemFlag, Event):
            assert len(session.exec(select(table)).all()) == 1, table.__name__
        item = session.exec(select(DecisionItem)).one()
        assert item.module_id == "cv_check"
        assert session.exec(select(Outcome)).one().occurred_on == date(2026, 11, 1)


def test_snapshot_hash_is_stable_whatever_the_key_order(engine: Engine) -> None:
    payload = {"target_occupation": "62102", "region_ags": "09362", "search_channels": ["jobcenter"]}
    reordered = dict(reversed(list(payload.items())))
    with session_scope(engine) as session:
        seeker = make_job_seeker(session)
        first = make_snapshot(session, job_seeker=seeker, payload=payload)
        second = make_snapshot(session, job_seeker=seeker, payload=reordered)
    assert first.sha256 == second.sha256 == sha256_hex(payload)
    assert len(first.sha256) == 64
    with Session(engine) as session:
        stored = session.get(ProfileSnapshot, first.id)
        assert stored is not None and sha256_hex(stored.payload) == first.sha256


def test_snapshot_hash_changes_when_content_changes() -> None:
    assert sha256_hex({"months_unemployed": 3}) != sha256_hex({"months_unemployed": 4})


def test_a_frozen_value_is_stored_and_hashed_as_its_copy_is(engine: Engine) -> None:
    """The shared catalogue record keeps its JSON (issue 16); stored, it must still verify."""
    body = {"rules": [["r1", "cv_check", "§ 16 SGB II"]], "texts": [["Lebenslauf", "CV"]], "ä": 1.5}
    copy = json.loads(json.dumps(body))
    digest = remember(body)
    assert digest == sha256_hex(copy) and canonical_json(body) == canonical_json(copy)
    assert canonical_json(body) is canonical_json(body)  # kept, not serialised again for each row
    with session_scope(engine) as session:
        put_blob(session.connection(), digest=digest, kind="catalogue_record", body=body)
    with Session(engine) as session:
        assert list(blob_problems(session.connection())) == []  # re-hashes what the database holds


def test_event_update_is_refused_by_the_repository(engine: Engine) -> None:
    with session_scope(engine) as session:
        session.add(_event())
    with pytest.raises(AppendOnlyError, match=APPEND_ONLY_MESSAGE), session_scope(engine) as session:
        stored = session.exec(select(Event)).one()
        stored.reason = "rewritten history"
    with Session(engine) as session:
        assert session.exec(select(Event)).one().reason is None


def test_event_delete_is_refused_by_the_repository(engine: Engine) -> None:
    with session_scope(engine) as session:
        session.add(_event())
    with pytest.raises(AppendOnlyError), session_scope(engine) as session:
        session.delete(session.exec(select(Event)).one())
    with pytest.raises(AppendOnlyError), session_scope(engine) as session:
        session.execute(delete(Event))
    with pytest.raises(AppendOnlyError), session_scope(engine) as session:
        session.execute(update(Event).values(reason="x"))
    with Session(engine) as session:
        assert len(session.exec(select(Event)).all()) == 1


@pytest.mark.parametrize("statement", ["UPDATE event SET reason = 'x'", "DELETE FROM event"])
def test_event_changes_are_refused_by_the_database(engine: Engine, statement: str) -> None:
    with session_scope(engine) as session:
        session.add(_event())
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
        connection.execute(text(statement))
    with Session(engine) as session:
        stored = session.exec(select(Event)).one()
        assert stored.reason is None


def test_failed_transaction_leaves_nothing_behind(engine: Engine) -> None:
    with pytest.raises(IntegrityError), session_scope(engine) as session:
        jobcenter = make_jobcenter(session, code="jc-a")
        make_job_seeker(session, jobcenter=jobcenter)
        make_jobcenter(session, code="jc-a")  # duplicate code violates the unique constraint
    with Session(engine) as session:
        assert session.exec(select(JobSeeker)).all() == []
        assert session.exec(text("SELECT count(*) FROM jobcenter")).one()[0] == 0


def test_sqlite_runs_with_wal_and_foreign_keys(sqlite_engine: Engine) -> None:
    with sqlite_engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_foreign_keys_are_enforced(engine: Engine) -> None:
    with pytest.raises(IntegrityError), session_scope(engine) as session:
        session.add(ProfileSnapshot(job_seeker_id=999_999, payload={}, sha256="0" * 64))
