"""A tiny stand-in for ``recommender.decision_path`` so page tests do not depend on models or catalogue.

It writes real ``Decision``/``DecisionItem`` rows (so plan, feedback and export work on them)
with three items: two self-help items and one waiting for a counsellor's review.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, select

from models.crud import create_snapshot
from models.tables import Decision, DecisionItem, JobSeeker, ReviewState

# Real catalogue ids (titles as in the catalogue), so pages that read the catalogue show the same.
MODULES = {
    "cv_documents": ("Machen Sie Ihren Lebenslauf fertig", "Finish your CV", "not_required"),
    "broaden_occupations": ("Suchen Sie auch in verwandten Berufen", "Also search in related jobs", "not_required"),
    "further_training_voucher": ("Weiterbildung mit Bildungsgutschein",
                                 "Further training with an education voucher", "pending_review"),
}
SECRET_PENDING_TEXT = "Bildungsgutschein"


@dataclass
class ObstacleView:
    id: str
    title: str
    evidence: list[str]


@dataclass
class ItemView:
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
    in_plan: bool
    due_date: date | None
    done: bool


@dataclass
class DecisionView:
    decision_id: str
    created_at: datetime
    mode: str
    mode_reason: str | None
    model_version: str
    diagnostic: list[ObstacleView]
    items: list[ItemView]
    missing_fields: list[str] = field(default_factory=list)
    illustrative_market: bool = False


def recommend(session: Session, *, job_seeker: JobSeeker, profile: Any, registry: Any, actor_role: str,
              actor_id: Any, locale: str) -> DecisionView:
    assert job_seeker.id is not None
    snapshot = create_snapshot(session=session, job_seeker_id=job_seeker.id, payload=profile.model_dump(mode="json"))
    mode, reason = ("rules", "objection") if job_seeker.objection_active else ("model", None)
    decision = Decision(job_seeker_id=job_seeker.id, snapshot_id=snapshot.id, mode=mode, mode_reason=reason,
                        model_version="rules" if mode == "rules" else "m-test", feature_set_version="f1",
                        catalogue_version="c1", features={"months_unemployed": 3.0}, guardrails=[],
                        diagnostic=[{"id": "search", "title_de": "Suche zu schmal", "title_en": "Search too narrow",
                                     "evidence": [{"de": "Sie suchen nur einen Beruf.",
                                                   "en": "You look for one job only."}]}])
    session.add(decision)
    session.flush()
    for rank, (module_id, (_de, _en, state)) in enumerate(MODULES.items(), start=1):
        session.add(DecisionItem(decision_id=decision.id, module_id=module_id, rank=rank, review_state=state,
                                 reasons=[{"de": "Weil Sie schon lange suchen.", "en": "Because you have searched "
                                           "for a long time.", "feature": "months_unemployed"}]))
    session.flush()
    view = latest_decision_view(session, job_seeker=job_seeker, locale=locale)
    assert view is not None
    return view


def latest_decision_view(session: Session, *, job_seeker: JobSeeker, locale: str,
                         audience: str = "job_seeker") -> DecisionView | None:
    decision = session.exec(select(Decision).where(Decision.job_seeker_id == job_seeker.id)
                            .order_by(Decision.created_at.desc())).first()  # type: ignore[attr-defined]
    if decision is None:
        return None
    items = session.exec(select(DecisionItem).where(DecisionItem.decision_id == decision.id)
                         .order_by(DecisionItem.rank)).all()
    views = []
    for item in items:
        de, en, _state = MODULES[item.module_id]
        visible = item.review_state in (ReviewState.not_required, ReviewState.approved, ReviewState.edited)
        views.append(ItemView(
            item_id=item.id, module_id=item.module_id, rank=item.rank, title=(de if locale == "de" else en)
            if visible else "", text=("Text " + de) if visible else "",
            reasons=[r[locale] for r in item.reasons] if visible else [],
            data_used=["months_unemployed"] if visible else [], rules_applied=[], review_state=item.review_state,
            needs_review=item.module_id == "further_training_voucher", visible=visible,
            legal_basis="§ 81 SGB III" if item.module_id == "further_training_voucher" and visible else None,
            in_plan=item.in_plan, due_date=item.due_date, done=item.done_at is not None))
    return DecisionView(decision_id=decision.id, created_at=decision.created_at, mode=decision.mode,
                        mode_reason=decision.mode_reason, model_version=decision.model_version,
                        diagnostic=[ObstacleView(o["id"], o[f"title_{locale}"], [e[locale] for e in o["evidence"]])
                                    for o in decision.diagnostic],
                        items=views, missing_fields=["salary_expectation_eur"])
