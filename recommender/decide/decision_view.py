"""How a stored decision is shown: staff see everything, job-seekers only what they may (G7, G8).

Split from ``decision_path`` so the path itself stays about computing and writing a decision.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from types import SimpleNamespace
from typing import Any, Literal

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from data.catalogue import Catalogue, ModuleSpec, load_catalogue
from data.languages import Locale, localise
from models.crud import latest_decision
from models.errors import require_id
from models.plan import PlanStep, plan_steps_by_module
from models.tables import VISIBLE_STATES, Decision, DecisionItem, JobSeeker, ProfileSnapshot, ReviewState
from recommender.decide.stored_form import (
    CatalogueRecord,
    load_record,
    unpack_diagnostic,
    unpack_fields,
    unpack_guardrails,
    unpack_reasons,
)

_ = str  # marks the English msgid for extraction; data.languages.localise translates it
COUNSELLOR_TIP = ("Tipp Ihrer Ansprechperson", _("A tip from your counsellor"))
# Items whose content the job-seeker may see.


@dataclass(frozen=True)
class ObstacleView:
    id: str
    title: str
    evidence: list[str]


@dataclass(frozen=True)
class ItemView:
    """One advice item as a page or API shows it, in one language."""

    item_id: str
    module_id: str
    rank: int
    title: str
    text: str
    reasons: list[str]
    data_used: list[str]
    rules_applied: list[dict[str, Any]]
    review_state: str
    needs_review: bool
    visible: bool
    legal_basis: str | None
    effort: str
    in_plan: bool
    due_date: date | None
    done: bool
    authored_by_counsellor: bool
    # Internal to ranking (G7): the expected gain of this advice, shown to staff, never to the job-seeker.
    uplift: float | None = None


@dataclass(frozen=True)
class DecisionView:
    decision_id: str
    created_at: datetime
    mode: str
    mode_reason: str | None
    model_version: str
    feature_set_version: str
    catalogue_version: str
    diagnostic: list[ObstacleView]
    items: list[ItemView]
    missing_fields: list[str]
    guardrails: list[dict[str, Any]]
    input_hash: str
    illustrative_market: bool = False
    # The profile the decision was made from: the advice page finds it again without a query.
    snapshot_id: int | None = None
    notices: list[str] = field(default_factory=list)


# Built once (docs/decision-path.md, "Statements built once").
_ITEMS_OF_DECISION = (select(DecisionItem).where(col(DecisionItem.decision_id) == bindparam("decision_id"))
                      .order_by(col(DecisionItem.rank)))


def decision_view(
    session: Session,
    *,
    decision: Decision | SimpleNamespace,
    locale: Locale,
    audience: Literal["job_seeker", "staff"],
    catalogue: Catalogue | None = None,
    items: Sequence[Any] | None = None,
    snapshot_sha256: str | None = None,
    plan_steps: dict[str, PlanStep] | None = None,
) -> DecisionView:
    """Render a stored decision for an audience: staff see everything, job-seekers only what they may.

    The decision path has just written the decision and passes what it knows, so nothing is
    read back: *items* (the item rows), *snapshot_sha256*, and *plan_steps* (``{}`` for a new
    case, which has no plan yet). *decision* is a ``Decision`` or an object with its columns.
    """
    catalogue = catalogue or load_catalogue()
    if items is None:
        items = session.exec(_ITEMS_OF_DECISION, params={"decision_id": decision.id}).all()
    plan = plan_steps if plan_steps is not None else plan_steps_by_module(session=session,
                                                                          job_seeker_id=decision.job_seeker_id)
    record = load_record(session.connection(), decision.record_digest)
    guardrails = unpack_guardrails(decision.guardrails, record)
    views = []
    for item in items:
        state = ReviewState(item.review_state)
        if audience == "job_seeker" and state in (ReviewState.rejected, ReviewState.superseded):
            continue
        views.append(_item_view(item, guardrails, record, catalogue, locale, audience, plan.get(item.module_id)))
    snapshot_hash = snapshot_sha256 if snapshot_sha256 is not None else _snapshot_hash(session, decision)
    return DecisionView(
        decision_id=decision.id,
        created_at=decision.created_at,
        mode=decision.mode,
        mode_reason=decision.mode_reason,
        model_version=decision.model_version,
        feature_set_version=decision.feature_set_version,
        catalogue_version=decision.catalogue_version,
        diagnostic=[
            ObstacleView(id=o["id"], title=localise(o["title_de"], o["title_en"], locale),
                         evidence=[localise(e["de"], e["en"], locale) for e in o["evidence"]])
            for o in unpack_diagnostic(decision.diagnostic, record)
        ],
        items=views,
        missing_fields=unpack_fields(decision.missing_fields, record),
        guardrails=guardrails,
        input_hash=snapshot_hash,
        snapshot_id=decision.snapshot_id,
        illustrative_market=decision.illustrative_market,
    )


def _snapshot_hash(session: Session, decision: Decision | SimpleNamespace) -> str:
    snapshot = session.get(ProfileSnapshot, decision.snapshot_id)
    return snapshot.sha256 if snapshot else ""


def _item_view(
    item: Any, guardrails: list[dict[str, Any]], record: CatalogueRecord | None, catalogue: Catalogue,
    locale: Locale, audience: str, planned: PlanStep | None,
) -> ItemView:
    state = ReviewState(item.review_state)
    visible = state in VISIBLE_STATES or audience == "staff"
    module = next((m for m in catalogue.modules if m.id == item.module_id), None)
    if module is not None:
        title = module.title.get(locale)
    else:  # written by the counsellor for this person; the text is theirs
        title = localise(*COUNSELLOR_TIP, locale) if item.authored_by_counsellor else item.module_id
    text = item.edited_text or (module.text.get(locale) if module else "")
    module_id = item.module_id
    rules = [g for g in guardrails if g.get("module_id") == module_id]
    stored_reasons = unpack_reasons(item.reasons, record)
    reasons = [_reason(r, module, locale) for r in stored_reasons if "de" in r and "en" in r]
    data_used = sorted({r["feature"] for r in stored_reasons if "feature" in r})
    staff = audience == "staff"
    return ItemView(
        item_id=item.id,
        module_id=item.module_id,
        rank=item.rank,
        title=title if visible else "",
        text=text if visible else "",
        reasons=reasons if visible else [],
        data_used=data_used if visible else [],
        rules_applied=rules if visible else [],
        review_state=state.value,
        needs_review=module.needs_counsellor_approval if module else False,
        visible=visible,
        legal_basis=module.legal_basis if module and visible else None,
        effort=module.effort if module else "",
        in_plan=planned is not None,
        due_date=planned.due_date if planned is not None and planned.due_date else item.due_date,
        done=planned is not None and planned.done_at is not None,
        authored_by_counsellor=item.authored_by_counsellor,
        uplift=item.uplift if staff else None,
    )


def _reason(reason: dict[str, Any], module: ModuleSpec | None, locale: Locale) -> str:
    """A logged reason in *locale*: a rule's reason from the catalogue's translation, others by msgid."""
    rule = next((r for r in module.eligibility if r.id == reason.get("rule_id")), None) if module else None
    if rule is not None and rule.because is not None and rule.because.de == reason["de"]:
        return rule.because.get(locale)
    return localise(reason["de"], reason["en"], locale)


def latest_decision_view(
    session: Session, *, job_seeker: JobSeeker, locale: Locale, audience: Literal["job_seeker", "staff"] = "job_seeker"
) -> DecisionView | None:
    decision = latest_decision(session=session, job_seeker_id=require_id(job_seeker))
    return decision_view(session, decision=decision, locale=locale, audience=audience) if decision else None
