"""The feed outbox: commit order, no gaps, no reordering, under two concurrent writers and a reader."""

from __future__ import annotations

import random
import threading
import time

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from models.db import read_session, session_scope
from models.integration import FeedEntry
from models.tables import JobSeeker
from recommender.records.outbox import CursorError, feed_page, parse_cursor, read_feed, record_feed_entry
from tests.factories import make_job_seeker, make_jobcenter

WRITES_PER_WRITER = 25


def _case(engine: Engine, code: str = "jc-feed") -> JobSeeker:
    with session_scope(engine) as session:
        return make_job_seeker(session, jobcenter=make_jobcenter(session, code=code))


def _writer(engine: Engine, seeker: JobSeeker, name: str, seed: int, errors: list[BaseException]) -> None:
    rng = random.Random(seed)
    try:
        for index in range(WRITES_PER_WRITER):
            fail = index % 7 == 3  # some transactions roll back after numbering their row
            try:
                with session_scope(engine) as session:
                    record_feed_entry(session, job_seeker=seeker, kind="outcome", payload={"writer": name, "n": index})
                    # Hold the transaction open a little, so the other writer tries to commit in between.
                    time.sleep(rng.uniform(0, 0.004))
                    if fail:
                        raise RuntimeError("rolled back on purpose")
            except RuntimeError:
                pass
    except BaseException as exc:  # noqa: BLE001 - handed to the test thread
        errors.append(exc)


def _reader(engine: Engine, jobcenter_id: int, done: threading.Event, seen: list[int],
            problems: list[str]) -> None:
    cursor = 0
    while True:
        finished = done.is_set()
        with read_session(engine) as session:
            seqs = [row.seq for row in read_feed(session, jobcenter_id=jobcenter_id, after=cursor, limit=7)]
        for seq in seqs:
            if seq != cursor + 1:
                problems.append(f"after {cursor} came {seq}: a gap or a reordering")
            cursor = seq
            seen.append(seq)
        if finished and not seqs:
            return


def test_two_writers_and_a_reader_see_every_entry_once_in_order(engine: Engine) -> None:
    seeker = _case(engine)
    errors: list[BaseException] = []
    problems: list[str] = []
    seen: list[int] = []
    done = threading.Event()
    writers = [threading.Thread(target=_writer, args=(engine, seeker, name, seed, errors))
               for name, seed in (("a", 1), ("b", 2))]
    reader = threading.Thread(target=_reader, args=(engine, seeker.jobcenter_id, done, seen, problems))
    reader.start()
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join(timeout=120)
    done.set()
    reader.join(timeout=120)
    assert errors == [] and problems == []
    committed = WRITES_PER_WRITER * 2 - 2 * sum(1 for i in range(WRITES_PER_WRITER) if i % 7 == 3)
    assert seen == list(range(1, committed + 1))
    with Session(engine) as session:
        writers_of = [row.payload["writer"] for row in session.exec(select(FeedEntry).order_by(FeedEntry.seq))]
    assert set(writers_of) == {"a", "b"}


def test_a_rolled_back_change_leaves_no_entry(engine: Engine) -> None:
    seeker = _case(engine)
    with pytest.raises(RuntimeError), session_scope(engine) as session:
        record_feed_entry(session, job_seeker=seeker, kind="outcome", payload={})
        raise RuntimeError("the change failed")
    with session_scope(engine) as session:
        assert read_feed(session, jobcenter_id=seeker.jobcenter_id, after=0) == []


def test_the_feed_holds_only_the_jobcenters_own_entries(engine: Engine) -> None:
    own, other = _case(engine, "jc-own"), _case(engine, "jc-other")
    with session_scope(engine) as session:
        for seeker in (own, other, own):
            record_feed_entry(session, job_seeker=seeker, kind="outcome", payload={"case": seeker.pseudonym})
    with session_scope(engine) as session:
        page = read_feed(session, jobcenter_id=own.jobcenter_id, after=0)
        assert [row.case_pseudonym for row in page] == [own.pseudonym, own.pseudonym]
        assert [row.seq for row in page] == [1, 3]


def test_pages_resume_after_their_next_cursor_without_gap_or_duplicate(sqlite_engine: Engine) -> None:
    from models.migrate import upgrade

    upgrade(sqlite_engine)
    seeker = _case(sqlite_engine)
    with session_scope(sqlite_engine) as session:
        for index in range(25):
            record_feed_entry(session, job_seeker=seeker, kind="outcome",
                              payload={"outcome_id": index, "case": seeker.pseudonym, "kind": "job_found",
                                       "occurred_on": "2026-10-01", "reported_by": "counsellor",
                                       "recorded_at": "2026-10-01T00:00:00Z"})
    ids: list[str] = []
    cursor, more = 0, True
    with session_scope(sqlite_engine) as session:
        while more:
            page = feed_page(session, jobcenter_id=seeker.jobcenter_id, after=cursor, limit=10)
            ids += [entry.id for entry in page.entries]
            cursor, more = parse_cursor(page.next_cursor), page.has_more
    assert len(ids) == len(set(ids)) == 25


@pytest.mark.parametrize("given", ["-1", "abc", "1.5", "0x10", "9" * 30, "١٢", " "])
def test_a_malformed_cursor_is_refused_with_the_reason(given: str) -> None:
    with pytest.raises(CursorError, match="not one this feed handed out"):
        parse_cursor(given)


def test_no_cursor_starts_at_the_beginning() -> None:
    assert parse_cursor(None) == 0 and parse_cursor("") == 0 and parse_cursor("17") == 17


def test_an_entry_cannot_be_deleted_or_renumbered(engine: Engine) -> None:
    from sqlalchemy import delete

    from models.append_only import AppendOnlyError

    seeker = _case(engine)
    with session_scope(engine) as session:
        entry = record_feed_entry(session, job_seeker=seeker, kind="outcome", payload={})
    with pytest.raises(AppendOnlyError, match="append-only"), session_scope(engine) as session:
        session.delete(session.get(FeedEntry, entry.id))
    with pytest.raises(AppendOnlyError, match="append-only"), session_scope(engine) as session:
        row = session.get(FeedEntry, entry.id)
        assert row is not None
        row.seq = 99
        session.add(row)
    with pytest.raises(AppendOnlyError, match="append-only"), session_scope(engine) as session:
        session.execute(delete(FeedEntry))
