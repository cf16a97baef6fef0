"""A tiny stand-in for ``recommender.decide.decision_path`` so page tests do not depend on models or catalogue.

It writes real ``Decision``/``DecisionItem`` rows (so plan, feedback and export work on them)
with three items: two self-help items and one waiting for a counsellor's review; the views
that show them are the real ones.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from models.crud import create_snapshot
from models.tables import Decision, DecisionItem, JobSeeker

# The real views: only the ranking is faked, never how a decision is shown.
from recommender.decide.decision_path import DecisionView, ItemView, ObstacleView, decision_view, latest_decision_view

__all__ = ["DecisionView", "ItemView", "ObstacleView", "decision_view", "latest_decision_view", "plan_decision",
           "recommend", "write_decision"]

# Real catalogue ids (titles as in the catalogue), so pages that read the catalogue show the same.
MODULES = {
    "cv_documents": ("Machen Sie Ihren Lebenslauf fertig", "Finish your CV", "not_required"),
    "broaden_occupations": ("Suchen Sie auch in verwandten Berufen", "Also search in related jobs", "not_required"),
    "further_training_voucher": ("Weiterbildung mit Bildungsgutschein",
                                 "Further training with an education voucher", "pending_review"),
}
SECRET_PENDING_TEXT = "Bildungsgutschein"


def recommend(session: Session, *, job_seeker: JobSeeker, profile: Any, registry: Any, actor_role: str,
              actor_id: Any, locale: str) -> DecisionView:
    assert job_seeker.id is not None
    snapshot = create_snapshot(session=session, job_seeker_id=job_seeker.id, payload=profile.model_dump(mode="json"))
    mode, reason = ("rules", "objection") if job_seeker.objection_active else ("model", None)
    decision = Decision(job_seeker_id=job_seeker.id, snapshot_id=snapshot.id, mode=mode, mode_reason=reason,
                        model_version="rules" if mode == "rules" else "m-test", feature_set_version="f1",
                        catalogue_version="c1", features={"months_unemployed": 3.0}, guardrails=[],
                        missing_fields=["salary_expectation_eur"],
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


def plan_decision(session: Session, **kwargs: Any) -> dict[str, Any]:
    """The two-phase entry (``plan_decision`` then ``write_decision``): the plan is the arguments."""
    return kwargs


def write_decision(session: Session, plan: dict[str, Any]) -> DecisionView:
    return recommend(session, **plan)
