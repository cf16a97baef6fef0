"""The outbox of the outbound feed: one row per reported change, in the change's own transaction.

Why an outbox: a Fachverfahren must learn of every approved plan, counsellor decision and
outcome exactly in the order they happened, and must never learn of one that was rolled back.
Writing the feed row in the same transaction as the change gives both: it commits or vanishes
with the change.

Why ``seq`` is not an autoincrement id: on PostgreSQL two writers take ids 10 and 11, the one
with 11 commits first, and a reader that resumes "after 11" would never see 10. Here ``seq`` is
``max(seq) + 1``, computed while holding the event-log lock (``records.chain.lock_chain``: an
advisory lock on PostgreSQL, the write lock of ``BEGIN IMMEDIATE`` on SQLite), and the lock is
held until commit. So a writer can only number its row after the previous numbered row has
committed (or rolled back, which frees the number again): rows become visible in ``seq`` order,
and a reader who has seen ``seq`` N will never later find a committed row below N.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from models.errors import InvalidError
from models.integration import FeedEntry
from models.interchange import FeedEntryV1, FeedKind, FeedPageV1
from models.tables import JobSeeker, as_utc
from recommender.records.chain import lock_chain

MAX_PAGE = 1000
# Cursors are the decimal seq; bigger than any seq a database hands out is refused, not cast.
MAX_CURSOR = 2**63 - 1
CURSOR_INVALID = ("The cursor {given!r} is not one this feed handed out: use the next_cursor or an entry's cursor "
                  "(a whole number from 0), or leave it out to start at the beginning.")


class CursorError(InvalidError):
    """A feed cursor that Lotse did not hand out (answered 422; nothing is read or written)."""


def parse_cursor(given: str | None) -> int:
    """The seq after which to read; ``None`` or empty is the start (0)."""
    if given is None or given == "":
        return 0
    text = given.strip()
    if not text.isascii() or not text.isdigit() or len(text) > 19 or int(text) > MAX_CURSOR:
        raise CursorError(CURSOR_INVALID.format(given=given[:40]))
    return int(text)


def record_feed_entry(session: Session, *, job_seeker: JobSeeker, kind: FeedKind,
                      payload: dict[str, Any]) -> FeedEntry:
    """Add the feed row of a change inside the caller's transaction (see the module doc)."""
    lock_chain(session)
    last = session.exec(select(func.max(FeedEntry.seq))).one()
    entry = FeedEntry(seq=(last or 0) + 1, jobcenter_id=job_seeker.jobcenter_id, kind=kind,
                      case_pseudonym=job_seeker.pseudonym, payload=payload)
    session.add(entry)
    session.flush()
    return entry


def erase_feed_payloads(session: Session, *, job_seeker: JobSeeker) -> int:
    """Replace the content of the case's entries by ``{case, erased: true}`` (GDPR Art 17).

    Entries keep their id, cursor and kind, so a reader's position stays valid and a recipient
    who resumes sees that there was an entry, not what it said.
    """
    table = FeedEntry.__table__  # type: ignore[attr-defined]
    result = session.execute(update(table).where(table.c.case_pseudonym == job_seeker.pseudonym)
                             .values(payload={"case": job_seeker.pseudonym, "erased": True}))
    # An UPDATE gives a CursorResult, which has rowcount; SQLAlchemy types Session.execute as Result.
    return int(result.rowcount)  # type: ignore[attr-defined]


def read_feed(session: Session, *, jobcenter_id: int, after: int, limit: int = 100) -> list[FeedEntry]:
    """The Jobcenter's entries with ``seq`` > *after*, oldest first, at most *limit*."""
    statement = (select(FeedEntry).where(FeedEntry.jobcenter_id == jobcenter_id, col(FeedEntry.seq) > after)
                 .order_by(col(FeedEntry.seq)).limit(max(1, min(limit, MAX_PAGE + 1))))
    return list(session.exec(statement).all())


def as_document(entry: FeedEntry) -> FeedEntryV1:
    """The published form of a feed row (``FeedEntryV1``); the cursor is its ``seq``."""
    return FeedEntryV1.model_validate({"id": entry.id, "cursor": str(entry.seq), "kind": entry.kind,
                                       "case": entry.case_pseudonym, "created_at": as_utc(entry.created_at),
                                       "data": entry.payload})


def feed_page(session: Session, *, jobcenter_id: int, after: int, limit: int = 100) -> FeedPageV1:
    """One page of the feed after *after*; ``has_more`` when the page is full and more rows follow."""
    rows = read_feed(session, jobcenter_id=jobcenter_id, after=after, limit=limit + 1)
    shown = rows[:limit]
    next_cursor = str(shown[-1].seq) if shown else str(after)
    return FeedPageV1(entries=[as_document(row) for row in shown], next_cursor=next_cursor,
                      has_more=len(rows) > limit)
