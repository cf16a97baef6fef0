"""The decision log is a hash chain: tampering of any kind is found, with its position (G11)."""

from __future__ import annotations

import multiprocessing
import threading

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from models.db import make_engine, session_scope
from models.tables import Event
from recommender.records.chain import (
    GENESIS_HASH,
    AuditError,
    EventType,
    append_event,
    compute_hash,
    verify_chain,
)


def _append_n(engine: Engine, n: int, *, actor: str = "system") -> None:
    for index in range(n):
        with session_scope(engine) as session:
            append_event(session, event_type=EventType.client_viewed, actor_role=actor, outputs={"n": index})


def _raw(engine: Engine, statement: str) -> None:
    """Tamper below the repository layer: drop the append-only triggers, as an attacker with DBA rights could."""
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            for trigger in ("event_no_update", "event_no_delete", "event_ids_in_order"):
                connection.execute(text(f"DROP TRIGGER IF EXISTS {trigger}"))
        else:
            connection.execute(text("ALTER TABLE event DISABLE TRIGGER USER"))
        connection.execute(text(statement))


def _report(engine: Engine):  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return verify_chain(session)


def test_intact_chain_verifies(engine: Engine) -> None:
    _append_n(engine, 5)
    report = _report(engine)
    assert report.ok and report.checked == 5


def test_first_event_links_to_genesis_and_each_next_to_its_predecessor(engine: Engine) -> None:
    _append_n(engine, 3)
    with Session(engine) as session:
        events = session.exec(select(Event).order_by(Event.id)).all()
    assert events[0].prev_hash == GENESIS_HASH
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    assert all(compute_hash(e) == e.hash for e in events)


def test_edited_row_is_found_at_its_position(engine: Engine) -> None:
    _append_n(engine, 5)
    _raw(engine, "UPDATE event SET reason = 'changed later' WHERE id = 3")
    report = _report(engine)
    assert not report.ok and report.broken is not None
    assert (report.broken.event_id, report.broken.position) == (3, 3)
    assert report.broken.problem == "content does not match its hash"
    assert report.broken.table == "event"


def test_deleted_row_is_found(engine: Engine) -> None:
    _append_n(engine, 5)
    _raw(engine, "DELETE FROM event WHERE id = 2")
    report = _report(engine)
    assert report.broken is not None and report.broken.event_id == 3
    assert report.broken.problem.startswith("prev_hash does not link")


def test_reordered_rows_are_found(engine: Engine) -> None:
    _append_n(engine, 4)
    # Swap the content of rows 2 and 3 (ids stay, order of content changes).
    _raw(engine, "UPDATE event SET id = 100 WHERE id = 2")
    _raw(engine, "UPDATE event SET id = 2 WHERE id = 3")
    _raw(engine, "UPDATE event SET id = 3 WHERE id = 100")
    report = _report(engine)
    assert report.broken is not None and report.broken.position == 2


def test_inserted_row_is_found(engine: Engine) -> None:
    _append_n(engine, 3)
    _raw(engine, "UPDATE event SET id = id * 10")
    with Session(engine) as session:
        first = session.get(Event, 10)
    assert first is not None
    forged = Event(
        id=15, created_at=first.created_at, event_type="client_viewed", actor_role="system",
        outputs={"forged": True}, guardrails=[], prev_hash=first.hash, hash="",
    )
    forged.hash = compute_hash(forged)  # a well-formed row: only its place in the chain betrays it
    with Session(engine) as session:
        session.add(forged)
        session.commit()
    report = _report(engine)
    assert report.broken is not None
    assert (report.broken.event_id, report.broken.position) == (20, 3)


@pytest.mark.parametrize("event_type", ["reviewer_rejected", "kill_switch_on", "model_rolled_back"])
def test_judgement_events_need_a_reason(engine: Engine, event_type: str) -> None:
    with pytest.raises(AuditError, match="needs a reason"), session_scope(engine) as session:
        append_event(session, event_type=event_type, actor_role="counsellor", reason="  ")
    assert _report(engine).checked == 0


def test_unknown_event_type_is_refused(engine: Engine) -> None:
    with pytest.raises(AuditError, match="Unknown event type 'made_up'"), session_scope(engine) as session:
        append_event(session, event_type="made_up", actor_role="system")


@pytest.mark.parametrize("payload", [{"gender": "f"}, {"items": [{"module": "cv", "Geburtsjahr": 1990}]}])
def test_protected_attributes_never_enter_the_log(engine: Engine, payload: dict) -> None:
    with pytest.raises(AuditError, match="protected attributes"), session_scope(engine) as session:
        append_event(session, event_type=EventType.client_viewed, actor_role="system", outputs=payload)
    assert _report(engine).checked == 0


def test_concurrent_threads_leave_one_valid_chain(engine: Engine) -> None:
    threads = [threading.Thread(target=_append_n, args=(engine, 15), kwargs={"actor": f"t{i}"}) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    report = _report(engine)
    assert report.ok, report.broken
    assert report.checked == 60


def _process_writer(url: str, schema: str | None, n: int) -> None:
    engine = make_engine(url, schema=schema)
    _append_n(engine, n, actor="process")
    engine.dispose()


def test_concurrent_processes_leave_one_valid_chain(engine: Engine) -> None:
    url = engine.url.render_as_string(hide_password=False)
    schema = _schema_of(engine) if engine.dialect.name == "postgresql" else None
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=_process_writer, args=(url, schema, 20)) for _ in range(2)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)
        assert process.exitcode == 0
    report = _report(engine)
    assert report.ok, report.broken
    assert report.checked == 40


def _schema_of(engine: Engine) -> str:
    with engine.connect() as connection:
        return connection.execute(text("SELECT current_schema()")).scalar_one()


@pytest.mark.parametrize("event_type", list(EventType))
def test_every_event_type_can_be_logged_and_verified(sqlite_engine: Engine, event_type: EventType) -> None:
    from models.migrate import upgrade

    upgrade(sqlite_engine)
    with session_scope(sqlite_engine) as session:
        append_event(session, event_type=event_type, actor_role="system", reason="because", outputs={"k": 1})
    with Session(sqlite_engine) as session:
        stored = session.exec(select(Event)).one()
        assert stored.event_type == event_type.value
        assert verify_chain(session).ok


def test_event_json_spelled_differently_but_equal_still_verifies(engine: Engine) -> None:
    """Verify hashes the stored text when it is canonical and decodes it otherwise (older rows)."""
    _append_n(engine, 2)
    _raw(engine, """UPDATE event SET outputs = '{ "n" : 1 }' WHERE id = 2""")
    assert _report(engine).ok
    _raw(engine, """UPDATE event SET outputs = '{ "n" : 2 }' WHERE id = 2""")
    assert _report(engine).broken is not None
