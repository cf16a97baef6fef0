"""The decision path: one profile in, one logged decision with explained, gated advice out.

Everything happens inside the caller's transaction, so a failure anywhere leaves neither a
decision without its events nor events without their decision (ARCHITECTURE.md, steps 1-5):

1. the profile is saved as an immutable snapshot (its SHA-256 is the decision's input hash);
2. the feature vector is built from the allow-list only (protected attributes are refused);
3. legal eligibility rules and hard filters decide which modules may be offered, and which
   need a counsellor's approval before the job-seeker sees them (G8);
4. the active model ranks the eligible modules by estimated uplift - unless the kill switch
   is on, the person objected, or no model is active: then the transparent rules baseline
   ranks them and the decision says why (G9, G14c);
5. every shown item gets plain-language reasons that argue for it (``reasons.item_reasons``);
   the decision, its items and a ``recommendation_generated`` event are written.
"""

from __future__ import annotations

import logging
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from types import SimpleNamespace
from typing import Any, Literal

from sqlalchemy import insert
from sqlmodel import Session, col, select

from data.catalogue import Catalogue, load_catalogue
from models.crud import create_snapshot
from models.errors import require_id
from models.schemas import Profile
from models.staff import case_works_without_ai
from models.tables import Decision, DecisionItem, JobSeeker, ProfileSnapshot, ReviewState, new_id
from recommender.decide.baselines import rules_ranking
from recommender.decide.diagnostic import Obstacle, diagnose
from recommender.decide.exploration import MAX_ITEMS, ExplorationConfig, ShownChoice, choose_shown, rules_only
from recommender.decide.features import FEATURE_SET_VERSION, build_features
from recommender.decide.guardrails import GuardrailResult, evaluate_guardrails
from recommender.decide.killswitch import kill_switch_on
from recommender.decide.market_context import market_context_for
from recommender.decide.ranker import LoadedModel
from recommender.decide.reasons import item_reasons
from recommender.decide.registry import ModelRegistry
from recommender.errors import ModelLoadError
from recommender.records.chain import EventType, append_event

logger = logging.getLogger(__name__)

RULES_VERSION = "rules"
UI_TEXT_VERSION = "2026-12-06"
Locale = Literal["de", "en"]
COUNSELLOR_TIP = {"de": "Tipp Ihrer Ansprechperson", "en": "A tip from your counsellor"}
# Items whose content the job-seeker may see.
VISIBLE_STATES = frozenset({ReviewState.not_required, ReviewState.approved, ReviewState.edited})


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
    # Internal to ranking (G7): shown to staff, never to the job-seeker.
    score: float | None = None
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
    notices: list[str] = field(default_factory=list)


def _choose_model(
    session: Session, job_seeker: JobSeeker, registry: ModelRegistry | None
) -> tuple[LoadedModel | None, str | None]:
    if kill_switch_on(session):
        return None, "kill_switch"
    if job_seeker.objection_active:
        return None, "objection"
    if case_works_without_ai(session=session, job_seeker_id=require_id(job_seeker)):
        return None, "counsellor_without_ai"
    if registry is None:
        return None, "no_model"
    try:
        model = registry.load_active()
    except ModelLoadError:
        # A broken model file must not stop advice: keep the model that last loaded, else rules.
        logger.exception("active model failed to load")
        model = registry.last_good
        if model is None:
            return None, "model_error"
    if model is None:
        return None, "no_model"
    return model, None


def _shadow_ranking(
    registry: ModelRegistry | None, features: dict[str, float], eligible: list[str]
) -> dict[str, Any] | None:
    """Shadow mode (issue 9): a candidate ranks the same eligible modules; logged, never shown.

    A broken candidate must never cost the person their advice, so any failure is only logged.
    """
    try:
        candidate = registry.load_shadow() if registry is not None else None
        if candidate is None or not eligible:
            return None
        uplift = {s.module_id: s.uplift for s in candidate.score(features, eligible)}
    except Exception:
        logger.exception("shadow model failed; the decision goes on without it")
        return None
    order = sorted(eligible, key=lambda m: uplift[m], reverse=True)[:MAX_ITEMS]
    return {"model_version": candidate.version, "items": order}


def _rank(
    *,
    model: LoadedModel | None,
    features: dict[str, float],
    guard: GuardrailResult,
    profile: Profile,
    catalogue: Catalogue,
    market: Any,
    exploration: ExplorationConfig,
    rng: random.Random,
) -> tuple[ShownChoice, dict[str, tuple[float, float]]]:
    """Rank the eligible modules and draw what is shown (``recommender.decide.exploration``)."""
    eligible = list(guard.eligible)
    rules_order = rules_ranking(profile, eligible, market, catalogue) if eligible else []
    if model is None or not eligible:
        return rules_only(rules_order), {}
    scores = {s.module_id: (s.score, s.uplift) for s in model.score(features, eligible)}
    greedy = sorted(eligible, key=lambda m: scores[m][1], reverse=True)
    return choose_shown(greedy, rules_order, set(guard.needs_review), exploration, rng), scores


def recommend(
    session: Session,
    *,
    job_seeker: JobSeeker,
    profile: Profile,
    registry: ModelRegistry | None,
    actor_role: str,
    actor_id: str | int | None,
    locale: Locale = "de",
    exploration_rate: float = 0.0,
    control_share: float = 0.0,
    rng: random.Random | None = None,
    catalogue: Catalogue | None = None,
) -> DecisionView:
    """Run the whole decision path for *profile* and return what the caller may show.

    Parameters
    ----------
    exploration_rate : float, default=0.0
        Share of decisions that show a random subset of the eligible self-help modules (G16).
    control_share : float, default=0.0
        Share of decisions that follow the rules baseline as a randomised control (G16, G18).
    """
    catalogue = catalogue or load_catalogue()
    rng = rng or random.Random()
    assert job_seeker.id is not None
    snapshot = create_snapshot(session=session, job_seeker_id=job_seeker.id, payload=profile.model_dump(mode="json"))
    market = market_context_for(session, profile)
    features = build_features(profile, market)
    guard = evaluate_guardrails(profile, catalogue, market)
    obstacles = diagnose(profile, market, features=features)
    model, mode_reason = _choose_model(session, job_seeker, registry)
    choice, scores = _rank(
        model=model, features=features, guard=guard, profile=profile, catalogue=catalogue, market=market,
        exploration=ExplorationConfig(exploration_rate, control_share), rng=rng,
    )
    order, propensities, explored = choice.order, choice.shown_probability, choice.arm in ("explore", "control")
    shadow = _shadow_ranking(registry, features, guard.eligible) if model is not None else None
    guardrails = [o.as_log() for o in guard.outcomes]
    decision = Decision(
        job_seeker_id=job_seeker.id,
        snapshot_id=require_id(snapshot),
        mode="model" if model else "rules",
        mode_reason=mode_reason,
        model_version=model.version if model else RULES_VERSION,
        feature_set_version=FEATURE_SET_VERSION,
        catalogue_version=catalogue.version,
        features=json_features(features),
        guardrails=guardrails,
        diagnostic=[_obstacle_record(o) for o in obstacles],
        missing_fields=list(guard.missing_fields),
        illustrative_market=market.illustrative,
        exploration=explored,
    )
    session.add(decision)
    session.flush()
    rows = []
    for rank, module_id in enumerate(order, start=1):
        reasons = item_reasons(model, features, catalogue.get(module_id), guard.held_rules(module_id))
        score, uplift = scores.get(module_id, (None, None))
        review = ReviewState.pending_review if module_id in guard.needs_review else ReviewState.not_required
        rows.append({
            "id": new_id(), "decision_id": decision.id, "module_id": module_id, "rank": rank, "score": score,
            "uplift": uplift, "propensity": propensities[module_id], "reasons": reasons,
            "review_state": review.value, "version": 1, "authored_by_counsellor": False, "in_plan": False,
        })
    if rows:
        # One executemany instead of constructing a validated ORM object per item (hot path).
        session.execute(insert(DecisionItem), rows)
    append_event(
        session,
        event_type=EventType.recommendation_generated,
        actor_role=actor_role,
        actor_id=actor_id,
        case_pseudonym=job_seeker.pseudonym,
        decision_id=decision.id,
        model_version=decision.model_version,
        feature_set_version=FEATURE_SET_VERSION,
        input_hash=snapshot.sha256,
        outputs={
            **({"shadow": shadow} if shadow else {}),
            "mode": decision.mode,
            "mode_reason": mode_reason,
            "exploration": explored,
            "shown_policy": choice.as_log(),
            "catalogue_version": catalogue.version,
            "items": [
                {"module_id": m, "rank": r, "propensity": propensities[m],
                 "review": "pending_review" if m in guard.needs_review else "not_required"}
                for r, m in enumerate(order, start=1)
            ],
        },
        guardrails=guardrails,
        ui_text_version=UI_TEXT_VERSION,
    )
    written = [SimpleNamespace(**row, edited_text=None, due_date=None, done_at=None) for row in rows]
    return decision_view(session, decision=decision, locale=locale, audience="job_seeker", catalogue=catalogue,
                         items=written)


def json_features(features: dict[str, float]) -> dict[str, float | None]:
    """Features as JSON can hold them: an unknown value (NaN for LightGBM) is stored as null."""
    return {name: value if math.isfinite(value) else None for name, value in features.items()}


def _obstacle_record(obstacle: Obstacle) -> dict[str, Any]:
    return {
        "id": obstacle.id,
        "title_de": obstacle.title.de,
        "title_en": obstacle.title.en,
        "evidence": [{"field": e.field, "de": e.text_de, "en": e.text_en} for e in obstacle.evidence],
        "severity": float(obstacle.severity),
    }


def decision_view(
    session: Session,
    *,
    decision: Decision,
    locale: Locale,
    audience: Literal["job_seeker", "staff"],
    catalogue: Catalogue | None = None,
    items: Sequence[Any] | None = None,
) -> DecisionView:
    """Render a stored decision for an audience: staff see everything, job-seekers only what they may.

    *items* are the decision's item rows when the caller has just written them (the decision path),
    so they are not read back; otherwise they are loaded.
    """
    catalogue = catalogue or load_catalogue()
    if items is None:
        items = session.exec(
            select(DecisionItem).where(DecisionItem.decision_id == decision.id).order_by(col(DecisionItem.rank))
        ).all()
    views = []
    for item in items:
        state = ReviewState(item.review_state)
        if audience == "job_seeker" and state == ReviewState.rejected:
            continue
        views.append(_item_view(item, decision, catalogue, locale, audience))
    snapshot_hash = _snapshot_hash(session, decision)
    return DecisionView(
        decision_id=decision.id,
        created_at=decision.created_at,
        mode=decision.mode,
        mode_reason=decision.mode_reason,
        model_version=decision.model_version,
        feature_set_version=decision.feature_set_version,
        catalogue_version=decision.catalogue_version,
        diagnostic=[
            ObstacleView(id=o["id"], title=o[f"title_{locale}"], evidence=[e[locale] for e in o["evidence"]])
            for o in decision.diagnostic
        ],
        items=views,
        missing_fields=list(decision.missing_fields),
        guardrails=decision.guardrails,
        input_hash=snapshot_hash,
        illustrative_market=decision.illustrative_market,
    )


def _snapshot_hash(session: Session, decision: Decision) -> str:
    snapshot = session.get(ProfileSnapshot, decision.snapshot_id)
    return snapshot.sha256 if snapshot else ""


def _item_view(
    item: Any, decision: Decision, catalogue: Catalogue, locale: Locale, audience: str
) -> ItemView:
    state = ReviewState(item.review_state)
    visible = state in VISIBLE_STATES or audience == "staff"
    module = next((m for m in catalogue.modules if m.id == item.module_id), None)
    if module is not None:
        title = getattr(module.title, locale)
    else:  # written by the counsellor for this person; the text is theirs
        title = COUNSELLOR_TIP[locale] if item.authored_by_counsellor else item.module_id
    text = item.edited_text or (getattr(module.text, locale) if module else "")
    rules = [g for g in decision.guardrails if g.get("module_id") == item.module_id]
    reasons = [r[locale] for r in item.reasons if locale in r]
    data_used = sorted({r["feature"] for r in item.reasons if "feature" in r})
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
        in_plan=item.in_plan,
        due_date=item.due_date,
        done=item.done_at is not None,
        authored_by_counsellor=item.authored_by_counsellor,
        score=item.score if staff else None,
        uplift=item.uplift if staff else None,
    )


def latest_decision(session: Session, *, job_seeker: JobSeeker) -> Decision | None:
    return session.exec(
        select(Decision)
        .where(Decision.job_seeker_id == job_seeker.id)
        .order_by(col(Decision.created_at).desc())
        .limit(1)
    ).first()


def latest_decision_view(
    session: Session, *, job_seeker: JobSeeker, locale: Locale, audience: Literal["job_seeker", "staff"] = "job_seeker"
) -> DecisionView | None:
    decision = latest_decision(session, job_seeker=job_seeker)
    return decision_view(session, decision=decision, locale=locale, audience=audience) if decision else None
