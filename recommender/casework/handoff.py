"""Passing a job-seeker's onboarding answers to the Jobcenter's Fachverfahren, only with their consent (issue 20).

Why: a person who answered Lotse's questions should not have to give the same answers again at
the Jobcenter. But the answers are theirs: they go to the Fachverfahren only while the person's
recorded consent holds (GDPR Art 6(1)(a), 7). Consent is a row with its time and wording; revoking
sets its end, stops every later hand-off at once, and the person is told which versions of their
answers were already passed on (those stay with the Jobcenter; Lotse cannot take them back).

The Fachverfahren reads the answers (``GET /api/v1/handoffs``); each version read is recorded
(``Handoff``) and every read is logged as ``handoff_delivered`` (counts and a digest, no answers).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from models.errors import require_id
from models.hashing import sha256_hex
from models.inbound import ExternalCase, Handoff, HandoffConsent
from models.integration import ApiToken
from models.tables import JobSeeker, ProfileSnapshot, as_utc, utcnow
from recommender.records.chain import EventType, append_event

# Bump when the consent wording changes in substance; each consent row keeps the version it was given on.
CONSENT_TEXT_VERSION = "handoff-2026-12"
ACTOR = "job_seeker"
MAX_PAGE = 500
READ_SCOPE = "cases:read"
# Health data (GDPR Art 9) stays in Lotse, where it only filters advice (G3); it is never handed on.
WITHHELD_CONSTRAINTS = frozenset({"health_limits"})


def active_consent(session: Session, *, job_seeker_id: int) -> HandoffConsent | None:
    """The consent that holds now, or None (never given, or revoked)."""
    latest = session.exec(select(HandoffConsent).where(HandoffConsent.job_seeker_id == job_seeker_id)
                          .order_by(col(HandoffConsent.given_at).desc(), col(HandoffConsent.id).desc())).first()
    return latest if latest is not None and latest.revoked_at is None else None


def jobcenter_reads_handoffs(session: Session, *, jobcenter_id: int) -> bool:
    """True while the Jobcenter has a valid token that may read hand-offs (``cases:read``).

    The consent page says so only then: without one, nothing is taken over yet, whatever the person chose.
    """
    now = utcnow()
    tokens = session.exec(select(ApiToken).where(ApiToken.jobcenter_id == jobcenter_id,
                                                 col(ApiToken.revoked_at).is_(None))).all()
    return any(READ_SCOPE in token.scopes.split() and (token.expires_at is None or as_utc(token.expires_at) > now)
               for token in tokens)


def give_consent(session: Session, *, job_seeker: JobSeeker) -> bool:
    """Record the person's consent now (logged); False if it already holds."""
    seeker_id = require_id(job_seeker)
    if active_consent(session, job_seeker_id=seeker_id) is not None:
        return False
    consent = HandoffConsent(job_seeker_id=seeker_id, given_at=utcnow(), source=ACTOR,
                             text_version=CONSENT_TEXT_VERSION)
    session.add(consent)
    session.flush()
    append_event(session, event_type=EventType.handoff_consent_given, actor_role=ACTOR,
                 actor_id=job_seeker.pseudonym, case_pseudonym=job_seeker.pseudonym, action="give",
                 outputs={"consent_id": consent.id}, ui_text_version=CONSENT_TEXT_VERSION)
    return True


def revoke_consent(session: Session, *, job_seeker: JobSeeker) -> bool:
    """End the consent now (logged): no later hand-off; False if none held."""
    consent = active_consent(session, job_seeker_id=require_id(job_seeker))
    if consent is None:
        return False
    consent.revoked_at = utcnow()
    session.add(consent)
    session.flush()
    append_event(session, event_type=EventType.handoff_consent_revoked, actor_role=ACTOR,
                 actor_id=job_seeker.pseudonym, case_pseudonym=job_seeker.pseudonym, action="revoke",
                 outputs={"consent_id": consent.id}, ui_text_version=CONSENT_TEXT_VERSION)
    return True


@dataclass(frozen=True)
class SentVersion:
    """One version of the person's answers the Fachverfahren has read: when answered, when read."""

    answered_at: datetime
    delivered_at: datetime


def sent_versions(session: Session, *, job_seeker_id: int) -> list[SentVersion]:
    """What was already passed on, oldest first (shown to the person, also after revoking)."""
    rows = session.exec(select(ProfileSnapshot.created_at, Handoff.delivered_at)
                        .join(ProfileSnapshot, col(ProfileSnapshot.id) == col(Handoff.snapshot_id))
                        .where(Handoff.job_seeker_id == job_seeker_id).order_by(col(Handoff.id))).all()
    return [SentVersion(answered, delivered) for answered, delivered in rows]


@dataclass(frozen=True)
class HandoffItem:
    """One consented case's answers as the Fachverfahren receives them (no Lotse row id)."""

    case_pseudonym: str
    external_id: str | None
    answers: dict[str, Any]
    answered_at: datetime
    consent_given_at: datetime


def handed_answers(payload: dict[str, Any]) -> dict[str, Any]:
    """The answers as passed on: without health limits (GDPR Art 9 data the consent page does not cover)."""
    answers = dict(payload)
    constraints = answers.get("constraints")
    if isinstance(constraints, dict):
        answers["constraints"] = {key: value for key, value in constraints.items() if key not in WITHHELD_CONSTRAINTS}
    return answers


def deliver_handoffs(session: Session, *, jobcenter_id: int, after: str | None = None, limit: int = 100,
                     actor_id: str | None = None) -> list[HandoffItem]:
    """The latest answers of each case of *jobcenter_id* whose consent holds, in pseudonym order after *after*.

    Cases without consent, erased cases and cases without answers are left out. Each version
    read for the first time is recorded, and the read is logged (counts and a digest only).
    """
    limit = max(1, min(limit, MAX_PAGE))
    open_consent = (select(HandoffConsent.job_seeker_id, func.max(HandoffConsent.id).label("consent_id"))
                    .where(col(HandoffConsent.revoked_at).is_(None))
                    .group_by(col(HandoffConsent.job_seeker_id)).subquery())
    newest = (select(ProfileSnapshot.job_seeker_id, func.max(ProfileSnapshot.id).label("snapshot_id"))
              .group_by(col(ProfileSnapshot.job_seeker_id)).subquery())
    statement = (
        select(JobSeeker, ProfileSnapshot, HandoffConsent, ExternalCase.external_id)
        .join(open_consent, open_consent.c.job_seeker_id == col(JobSeeker.id))
        .join(HandoffConsent, col(HandoffConsent.id) == open_consent.c.consent_id)
        .join(newest, newest.c.job_seeker_id == col(JobSeeker.id))
        .join(ProfileSnapshot, col(ProfileSnapshot.id) == newest.c.snapshot_id)
        .outerjoin(ExternalCase, col(ExternalCase.job_seeker_id) == col(JobSeeker.id))
        .where(JobSeeker.jobcenter_id == jobcenter_id, col(JobSeeker.erased_at).is_(None))
        .order_by(col(JobSeeker.pseudonym)).limit(limit)
    )
    if after:
        statement = statement.where(col(JobSeeker.pseudonym) > after)
    rows = session.exec(statement).all()
    delivered = set(session.exec(select(Handoff.snapshot_id).where(
        col(Handoff.snapshot_id).in_([require_id(snapshot) for _s, snapshot, _c, _e in rows]))).all())
    items, first_reads = [], 0
    for seeker, snapshot, consent, external_id in rows:
        if snapshot.id not in delivered:
            session.add(Handoff(job_seeker_id=require_id(seeker), snapshot_id=require_id(snapshot),
                                consent_id=require_id(consent)))
            first_reads += 1
        items.append(HandoffItem(seeker.pseudonym, external_id, handed_answers(snapshot.payload), snapshot.created_at,
                                 consent.given_at))
    session.flush()
    append_event(session, event_type=EventType.handoff_delivered, actor_role="case_management", actor_id=actor_id,
                 action="read", outputs={"jobcenter_id": jobcenter_id, "cases": len(items),
                                         "first_reads": first_reads,
                                         "cases_sha256": sha256_hex([item.case_pseudonym for item in items])})
    return items
