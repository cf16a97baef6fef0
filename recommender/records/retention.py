"""Retention: personal payloads older than the retention period are tombstoned (G11, G14).

The decision log itself never holds personal payloads, only pseudonyms and hashes, so it
stays complete and verifiable. What expires is the content the hashes point to: profile
snapshots, the feature vectors, diagnostics and reasons derived from them, review texts and
free-text comments. Each keeps its
row and hash, so a decision can still be shown to have happened and with which input hash.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Text, cast, func, select, update
from sqlalchemy.sql.dml import Update
from sqlmodel import Session, col

from models.errors import InvalidError
from models.hashing import canonical_json
from models.tables import Decision, DecisionItem, Feedback, ProfileSnapshot, utcnow
from recommender.errors import RecommenderError
from recommender.records.chain import EventType, append_event

MIN_RETENTION_DAYS = 180
TOMBSTONE = {"purged": True}
# JSON has no equality operator on PostgreSQL; both databases store the serialised text: canonical
# since issue 16 (``models.db``), with spaces before.
_TOMBSTONE_TEXTS = (canonical_json(TOMBSTONE), json.dumps(TOMBSTONE))
_EMPTY_TEXT = json.dumps([])
_TOO_SHORT = "Retention of {days} days is below the legal minimum of {minimum} days (AI Act Art 19, 26(6))."


class RetentionError(RecommenderError, InvalidError):
    """A retention period that the law does not allow."""


@dataclass(frozen=True)
class PurgeReport:
    cutoff: datetime
    snapshots: int
    decisions: int
    items: int
    comments: int
    dry_run: bool

    @property
    def total(self) -> int:
        return self.snapshots + self.decisions + self.items + self.comments


def purge_expired_payloads(
    session: Session, *, retention_days: int, now: datetime | None = None, dry_run: bool = False
) -> PurgeReport:
    """Tombstone personal payloads created before ``now - retention_days``; log what was done."""
    if retention_days < MIN_RETENTION_DAYS:
        raise RetentionError(_TOO_SHORT.format(days=retention_days, minimum=MIN_RETENTION_DAYS))
    cutoff = (now or utcnow()) - timedelta(days=retention_days)
    statements = {
        "snapshots": update(ProfileSnapshot)
        .where(col(ProfileSnapshot.created_at) < cutoff, cast(ProfileSnapshot.payload, Text).not_in(_TOMBSTONE_TEXTS))
        .values(payload=TOMBSTONE),
        # The diagnostic quotes the person's answers ("6 applications in 3 months"): it goes too.
        "decisions": update(Decision)
        .where(col(Decision.created_at) < cutoff, cast(Decision.features, Text).not_in(_TOMBSTONE_TEXTS))
        .values(features=TOMBSTONE, diagnostic=[]),
        # Reasons are derived from the profile; review texts may name personal circumstances.
        "items": update(DecisionItem)
        .where(col(DecisionItem.decision_id).in_(select(col(Decision.id)).where(col(Decision.created_at) < cutoff)),
               cast(DecisionItem.reasons, Text) != _EMPTY_TEXT)
        .values(reasons=[], review_reason=None, edited_text=None),
        "comments": update(Feedback)
        .where(col(Feedback.created_at) < cutoff, col(Feedback.comment).is_not(None))
        .values(comment=None),
    }
    counts: dict[str, int] = {}
    for name, statement in statements.items():
        if dry_run:
            counts[name] = _count_matching(session, statement)
        else:
            # An UPDATE gives a CursorResult, which has rowcount; SQLAlchemy types Session.execute as Result.
            counts[name] = session.execute(statement).rowcount or 0  # type: ignore[attr-defined]
    report = PurgeReport(cutoff=cutoff, dry_run=dry_run, **counts)
    if not dry_run and report.total:
        append_event(
            session,
            event_type=EventType.payload_purged,
            actor_role="system",
            action="retention_purge",
            outputs={**counts, "cutoff": cutoff.isoformat(), "retention_days": retention_days},
        )
    return report


def _count_matching(session: Session, statement: Update) -> int:
    query = select(func.count()).select_from(statement.table)
    if statement.whereclause is not None:
        query = query.where(statement.whereclause)
    return int(session.execute(query).scalar_one())
