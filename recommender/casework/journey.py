"""What a job-seeker does with Lotse besides getting advice: notice, profile, feedback, outcomes (plan: plan.py).

Every step is a service function without web code, so the pages, the JSON API and the tests
share one behaviour; each change is written together with its event in the caller's
transaction (G11), so a failed request leaves neither the change nor the event.

Profile answers are saved step by step as immutable snapshots: a person who loses their
session, their connection or their patience keeps every answer they already sent.
Free-text comments never enter the event log (it holds no personal payloads); they stay in
``feedback`` where erasure and retention can reach them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from data.kldb import get_occupation, occupations_at_level
from data.regions import Region, get_region, search_regions
from data.seed import DEMO_JOBCENTER_CODE, DEMO_JOBCENTER_NAME
from models.crud import create_job_seeker, create_snapshot, get_jobcenter_by_code
from models.errors import InvalidError, NotFoundError, require_id
from models.schemas import Profile
from models.tables import (
    VISIBLE_STATES,
    Decision,
    DecisionItem,
    Feedback,
    Jobcenter,
    JobSeeker,
    Outcome,
    ProfileSnapshot,
    ReviewState,
    jobcenter_today,
    utcnow,
)
from recommender.casework.feed import report_outcome as report_feed_outcome
from recommender.errors import RecommenderError
from recommender.occupations.title_search import exact_title_code, fold, suggest_titles
from recommender.records.chain import EventType, append_event

# Bump when the first-use notice changes in substance: everyone sees it again (G13).
NOTICE_VERSION = "2026-11-25"
ACTOR = "job_seeker"
FEEDBACK_KINDS = ("helpful", "not_helpful", "not_possible")
OUTCOME_KINDS = ("job_found", "training_started", "self_employed", "other")
MAX_COMMENT_CHARS = 2000
EARLIEST_OUTCOME = date(2000, 1, 1)
MIN_TITLE_CONFIDENCE = 0.4

_UNKNOWN_ITEM = "No advice {item_id!r} for this person; only their own, visible advice can be used."
_BAD_FEEDBACK = "Feedback kind {given!r} is not allowed; allowed: {allowed}."
_BAD_OUTCOME = "Outcome kind {given!r} is not allowed; allowed: {allowed}."
_COMMENT_TOO_LONG = "The comment has {given} characters; at most {allowed} are allowed."
_OUTCOME_DATE_RANGE = "Outcome date {given} is outside the allowed range {earliest} to {latest}."


class JourneyError(RecommenderError):
    """A job-seeker action that is not allowed; ``field`` names the form field it concerns."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class JourneyItemNotFound(JourneyError, NotFoundError):
    """The advice is not the person's own visible advice, or not in their plan."""


class JourneyInputError(JourneyError, InvalidError):
    """A value in the person's form is outside what is allowed; ``field`` says which."""


# --- the case ---------------------------------------------------------------------------


def demo_jobcenter(session: Session) -> Jobcenter:
    """The Jobcenter anonymous trial cases belong to (created if a fresh database lacks it)."""
    jobcenter = get_jobcenter_by_code(session=session, code=DEMO_JOBCENTER_CODE)
    if jobcenter is None:
        jobcenter = Jobcenter(code=DEMO_JOBCENTER_CODE, name=DEMO_JOBCENTER_NAME)
        session.add(jobcenter)
        session.flush()
    return jobcenter


def start_anonymous_case(session: Session, *, locale: str = "de") -> JobSeeker:
    """A new pseudonymous case in the demo Jobcenter, for a first try without an account."""
    jobcenter = demo_jobcenter(session)
    jobcenter_id = require_id(jobcenter)
    return create_job_seeker(session=session, jobcenter_id=jobcenter_id, locale=locale)


def touch(session: Session, *, job_seeker: JobSeeker, locale: str | None = None) -> None:
    job_seeker.last_activity_at = utcnow()
    if locale and job_seeker.locale != locale:
        job_seeker.locale = locale
    session.add(job_seeker)


# --- first-use notice (G13) ------------------------------------------------------------------


def notice_needed(job_seeker: JobSeeker, *, version: str | None = None) -> bool:
    """True until the person acknowledged the current notice text (a new version shows it again)."""
    return job_seeker.notice_version_acknowledged != (version or NOTICE_VERSION)


def acknowledge_notice(session: Session, *, job_seeker: JobSeeker, version: str | None = None,
                       locale: str = "de") -> None:
    """Record that the person read this version of the notice, with a logged event."""
    version = version or NOTICE_VERSION
    job_seeker.notice_version_acknowledged = version
    session.add(job_seeker)
    append_event(session, event_type=EventType.notice_acknowledged, actor_role=ACTOR,
                 actor_id=job_seeker.pseudonym, case_pseudonym=job_seeker.pseudonym,
                 outputs={"locale": locale}, ui_text_version=version)


# --- profile answers ------------------------------------------------------------------------


# Built once (docs/decision-path.md, "Statements built once").
_LATEST_SNAPSHOT = (select(ProfileSnapshot).where(col(ProfileSnapshot.job_seeker_id) == bindparam("job_seeker_id"))
                    .order_by(col(ProfileSnapshot.id).desc()).limit(1))
_FEEDBACK_OF_CASE = (select(Feedback).where(col(Feedback.job_seeker_id) == bindparam("job_seeker_id"))
                     .order_by(col(Feedback.id)))


def latest_snapshot(session: Session, *, job_seeker: JobSeeker) -> ProfileSnapshot | None:
    return session.exec(_LATEST_SNAPSHOT, params={"job_seeker_id": job_seeker.id}).first()


def current_profile(session: Session, *, job_seeker: JobSeeker) -> Profile:
    """The latest saved answers; an empty profile for a new (or erased) case."""
    return profile_of(latest_snapshot(session, job_seeker=job_seeker))


def profile_of(snapshot: ProfileSnapshot | None) -> Profile:
    """The answers a snapshot holds; an empty profile for none, or a tombstoned or purged payload."""
    if snapshot is None:
        return Profile()
    try:
        return Profile.model_validate(snapshot.payload)
    except ValueError:
        return Profile()


def merge_answers(profile: Profile, answers: dict[str, Any]) -> dict[str, Any]:
    """The profile with *answers* applied; ``constraints.x`` keys update the sub-object."""
    merged = profile.model_dump(mode="json")
    for key, value in answers.items():
        target = merged
        *parents, leaf = key.split(".")
        for parent in parents:
            target = target.setdefault(parent, {})
        target[leaf] = value
    return merged


def save_answers(session: Session, *, job_seeker: JobSeeker, answers: dict[str, Any]) -> Profile:
    """Validate *answers* merged into the saved profile and store a new snapshot if anything changed.

    Raises
    ------
    pydantic.ValidationError
        When an answer breaks the ``Profile`` schema bounds; nothing is saved then.
    """
    before = current_profile(session, job_seeker=job_seeker)
    after = Profile.model_validate(merge_answers(before, answers))
    if after != before or latest_snapshot(session, job_seeker=job_seeker) is None:
        job_seeker_id = require_id(job_seeker)
        create_snapshot(session=session, job_seeker_id=job_seeker_id, payload=after.model_dump(mode="json"))
    touch(session, job_seeker=job_seeker)
    return after


# --- occupation and region from free text ---------------------------------------------------------


def suggest_occupations(query: str, *, limit: int = 8) -> list[tuple[str, str]]:
    """Official job titles matching *query*: (KldB code, title), word starts first, shortest first.

    Free text is never refused: a person may type "Kassiererin", "Verkaeuferin", "Lager" or
    "cashier" (``recommender.occupations.title_search``).
    """
    return suggest_titles(query, limit=limit)


def match_occupation(text: str) -> str | None:
    """The KldB code for a typed job title: an exact official title (any written form), else the best match."""
    if not text or not text.strip():
        return None
    stripped = text.strip()
    if stripped.isdigit() and len(stripped) == 5 and get_occupation(stripped):
        return stripped
    exact = exact_title_code(stripped)
    if exact is not None:
        return exact
    hits = suggest_titles(stripped, limit=1)
    if hits:
        return hits[0][0]
    return _classify_title(stripped)


def _classify_title(text: str) -> str | None:
    """Typos and unusual wording: the trained title classifier, only when it is fairly sure."""
    try:
        from recommender.occupations.classifier import suggest_occupations as classify
    except ImportError:
        return None
    best = classify(text[:200], k=1)
    return best[0].code if best and best[0].confidence >= MIN_TITLE_CONFIDENCE else None


@dataclass(frozen=True)
class OccupationReading:
    """What the onboarding makes of a typed job title: a code, or a question to ask first.

    ``ask`` is True when the title is no official title and the classifier's calibrated chance
    of being right is low: then the person is asked for the field of work and the level instead
    of Lotse guessing (issue 19). ``level`` is a skill level the wording already states.
    """

    code: str | None
    ask: bool
    level: int | None = None


def read_occupation(text: str) -> OccupationReading:
    """A code for a typed title when Lotse is sure of it; otherwise ``ask`` (see ``OccupationReading``)."""
    stripped = (text or "").strip()
    if not stripped:
        return OccupationReading(None, False)
    if (stripped.isdigit() and len(stripped) == 5 and get_occupation(stripped)) or exact_title_code(stripped):
        return OccupationReading(match_occupation(stripped), False)
    from recommender.occupations.classifier import assess_title

    assessment = assess_title(stripped[:200], k=1)
    if assessment.unsure:
        return OccupationReading(None, True, assessment.level)
    return OccupationReading(assessment.suggestions[0].code, False, assessment.level)


def occupations_to_choose(text: str, *, group: str, level: int | None) -> list[tuple[str, str]]:
    """(code, official title) of the occupations in a KldB *group* (and *level*), best match for *text* first.

    Without a typed title they come in the order of the classification.
    """
    if text.strip():
        from recommender.occupations.classifier import get_classifier

        codes = get_classifier().ranked_within(text[:200], group, level)
    else:
        codes = [o.code for o in occupations_at_level(5)
                 if o.code.startswith(group) and (level is None or o.skill_level == level)]
    out = []
    for code in codes:
        occupation = get_occupation(code)
        if occupation is not None:
            out.append((code, occupation.title))
    return out


def match_region(text: str) -> Region | None:
    """The Kreis for a typed district name or AGS code; None when nothing (or several) fit."""
    if not text or not text.strip():
        return None
    region = get_region(text.strip())
    if region is not None:
        return region
    hits = search_regions(text, limit=2)
    if len(hits) == 1:
        return hits[0]
    exact = [r for r in hits if fold(r.name.split(",")[0]) == fold(text)]
    return exact[0] if exact else (hits[0] if hits else None)


# --- advice items: plan, feedback -------------------------------------------------------------


def own_item(session: Session, *, job_seeker: JobSeeker, item_id: str) -> DecisionItem:
    """The person's own advice item that they may see; anything else is 'not found' (no IDOR)."""
    item = session.get(DecisionItem, item_id)
    decision = session.get(Decision, item.decision_id) if item else None
    if item is None or decision is None or decision.job_seeker_id != job_seeker.id \
            or ReviewState(item.review_state) not in VISIBLE_STATES:
        raise JourneyItemNotFound(_UNKNOWN_ITEM.format(item_id=item_id))
    return item


def log_item_event(session: Session, job_seeker: JobSeeker, item: DecisionItem, action: str,
                    outputs: dict[str, Any] | None = None, event_type: EventType = EventType.client_feedback) -> None:
    append_event(session, event_type=event_type, actor_role=ACTOR, actor_id=job_seeker.pseudonym,
                 case_pseudonym=job_seeker.pseudonym, decision_id=item.decision_id, action=action,
                 outputs={"item_id": item.id, "module_id": item.module_id, **(outputs or {})})


def record_feedback(session: Session, *, job_seeker: JobSeeker, item_id: str, kind: str,
                    comment: str | None = None) -> Feedback:
    """Store the person's verdict on one advice; the comment stays out of the event log."""
    if kind not in FEEDBACK_KINDS:
        raise JourneyInputError(_BAD_FEEDBACK.format(given=kind, allowed=", ".join(FEEDBACK_KINDS)),
                                field="kind")
    comment = (comment or "").strip() or None
    if comment and len(comment) > MAX_COMMENT_CHARS:
        raise JourneyInputError(_COMMENT_TOO_LONG.format(given=len(comment), allowed=MAX_COMMENT_CHARS),
                                field="comment")
    item = own_item(session, job_seeker=job_seeker, item_id=item_id)
    job_seeker_id = require_id(job_seeker)
    feedback = Feedback(decision_item_id=item.id, job_seeker_id=job_seeker_id, kind=kind, comment=comment)
    session.add(feedback)
    session.flush()
    log_item_event(session, job_seeker, item, "feedback", {"kind": kind, "has_comment": comment is not None})
    return feedback


def latest_feedback(session: Session, *, job_seeker: JobSeeker) -> dict[str, Feedback]:
    """The newest feedback per advice item of this person."""
    rows = session.exec(_FEEDBACK_OF_CASE, params={"job_seeker_id": job_seeker.id}).all()
    return {row.decision_item_id: row for row in rows}


# --- outcomes ----------------------------------------------------------------------------------


def report_outcome(session: Session, *, job_seeker: JobSeeker, kind: str, occurred_on: date,
                   today: date | None = None) -> Outcome:
    """'I found a job': an outcome the retraining reads, logged as ``client_outcome``."""
    if kind not in OUTCOME_KINDS:
        raise JourneyInputError(_BAD_OUTCOME.format(given=kind, allowed=", ".join(OUTCOME_KINDS)),
                                field="kind")
    today = today or jobcenter_today()
    if not EARLIEST_OUTCOME <= occurred_on <= today:
        raise JourneyInputError(_OUTCOME_DATE_RANGE.format(given=occurred_on, earliest=EARLIEST_OUTCOME, latest=today),
                                field="occurred_on")
    job_seeker_id = require_id(job_seeker)
    outcome = Outcome(job_seeker_id=job_seeker_id, kind=kind, occurred_on=occurred_on)
    session.add(outcome)
    session.flush()
    append_event(session, event_type=EventType.client_outcome, actor_role=ACTOR, actor_id=job_seeker.pseudonym,
                 case_pseudonym=job_seeker.pseudonym, action=kind,
                 outputs={"outcome_id": outcome.id, "occurred_on": occurred_on.isoformat()})
    report_feed_outcome(session, job_seeker=job_seeker, outcome=outcome)
    return outcome


def outcomes_of(session: Session, *, job_seeker: JobSeeker) -> list[Outcome]:
    return list(session.exec(
        select(Outcome).where(Outcome.job_seeker_id == job_seeker.id).order_by(col(Outcome.id))
    ).all())
