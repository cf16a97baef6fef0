"""The job-seeker's plan: advice they chose to act on, one step per advice module, with due dates.

Steps are stored per (case, module) in ``plan_step`` (``models/plan.py``), so a refresh of the
advice keeps them and a module is never planned twice (issue 15, finding 4). The forms still
name an item the person can see; its module is what gets planned.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session, col, select

from data.catalogue import load_catalogue
from models.errors import require_id
from models.plan import PlanStep as PlannedModule
from models.plan import plan_steps_by_module
from models.tables import VISIBLE_STATES, Decision, DecisionItem, JobSeeker, jobcenter_today, utcnow
from recommender.casework.feed import report_plan_change
from recommender.casework.journey import JourneyInputError, JourneyItemNotFound, log_item_event, own_item

MAX_PLAN_DAYS_AHEAD = 366
DUE_DATE_RANGE = "Due date {given} is outside the allowed range {earliest} to {latest}."
NOT_IN_PLAN = "Advice {item_id!r} is not in the plan, so it cannot be marked done."


def check_due_date(due: date | None, *, today: date | None = None) -> None:
    if due is None:
        return
    today = today or jobcenter_today()
    latest = today + timedelta(days=MAX_PLAN_DAYS_AHEAD)
    if not today <= due <= latest:
        raise JourneyInputError(DUE_DATE_RANGE.format(given=due, earliest=today, latest=latest),
                                field="due_date")


def _planned(session: Session, job_seeker: JobSeeker, module_id: str) -> PlannedModule | None:
    return session.exec(select(PlannedModule).where(PlannedModule.job_seeker_id == job_seeker.id,
                                                    PlannedModule.module_id == module_id)).first()


def add_to_plan(session: Session, *, job_seeker: JobSeeker, item_id: str, due_date: date | None,
                today: date | None = None) -> PlannedModule:
    """Put an advice's module into the person's plan (or change its due date); once per module."""
    item = own_item(session, job_seeker=job_seeker, item_id=item_id)
    check_due_date(due_date, today=today)
    step = _planned(session, job_seeker, item.module_id) or PlannedModule(job_seeker_id=require_id(job_seeker),
                                                                           module_id=item.module_id)
    step.due_date = due_date
    session.add(step)
    log_item_event(session, job_seeker, item, "plan_added",
                    {"due_date": due_date.isoformat() if due_date else None})
    report_plan_change(session, job_seeker=job_seeker, module_id=item.module_id, change="added")
    return step


def remove_from_plan(session: Session, *, job_seeker: JobSeeker, item_id: str) -> None:
    item = own_item(session, job_seeker=job_seeker, item_id=item_id)
    step = _planned(session, job_seeker, item.module_id)
    if step is not None:
        session.delete(step)
    log_item_event(session, job_seeker, item, "plan_removed")
    report_plan_change(session, job_seeker=job_seeker, module_id=item.module_id, change="removed")


def mark_done(session: Session, *, job_seeker: JobSeeker, item_id: str, done: bool = True) -> PlannedModule:
    """Tick a plan step off (or un-tick it); only steps in the plan can be done."""
    item = own_item(session, job_seeker=job_seeker, item_id=item_id)
    step = _planned(session, job_seeker, item.module_id)
    if step is None:
        raise JourneyItemNotFound(NOT_IN_PLAN.format(item_id=item_id))
    step.done_at = utcnow() if done else None
    session.add(step)
    log_item_event(session, job_seeker, item, "step_done" if done else "step_reopened")
    report_plan_change(session, job_seeker=job_seeker, module_id=item.module_id, change="done" if done else "reopened")
    return step


def _latest_visible_items(session: Session, job_seeker: JobSeeker, module_ids: list[str]) -> dict[str, DecisionItem]:
    """Per module, the person's most recent item they may see (its id drives the forms, its edit wins)."""
    rows = session.exec(
        select(DecisionItem).join(Decision, Decision.id == DecisionItem.decision_id)  # type: ignore[arg-type]
        .where(Decision.job_seeker_id == job_seeker.id, col(DecisionItem.module_id).in_(module_ids),
               col(DecisionItem.review_state).in_([state.value for state in VISIBLE_STATES]))
        .order_by(col(Decision.created_at).desc())
    ).all()
    latest: dict[str, DecisionItem] = {}
    for item in rows:
        latest.setdefault(item.module_id, item)
    return latest


@dataclass(frozen=True)
class PlanStep:
    """One step of the person's plan, in their language."""

    item_id: str
    module_id: str
    title: str
    text: str
    due_date: date | None
    done: bool


def plan_view(session: Session, *, job_seeker: JobSeeker, locale: str) -> list[PlanStep]:
    """The plan as the person sees it, one step per module, open ones first, by due date.

    Titles and texts come from the catalogue; a counsellor's edit of the latest item wins.
    """
    planned = plan_steps_by_module(session=session, job_seeker_id=require_id(job_seeker))
    items = _latest_visible_items(session, job_seeker, list(planned))
    modules = {m.id: m for m in load_catalogue().modules}
    out = []
    for module_id, step in planned.items():
        item = items.get(module_id)
        if item is None:
            continue  # no advice of this module the person may still see (e.g. later rejected)
        module = modules.get(module_id)
        title = module.title.get(locale) if module else module_id
        catalogue_text = module.text.get(locale) if module else ""
        out.append(PlanStep(item.id, module_id, title, item.edited_text or catalogue_text,
                            step.due_date or item.due_date, step.done_at is not None))
    return sorted(out, key=lambda s: (s.done, s.due_date or date.max, s.title))
