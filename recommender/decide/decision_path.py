"""The decision path: one profile in, one logged decision with explained, gated advice out.

It runs in two phases (issue 16): :func:`plan_decision` computes everything and only reads;
:func:`write_decision` inserts the rows and the event in the caller's transaction, so a failure
leaves neither a decision without its events nor events without their decision, and a writer
holds the database's write lock only for the inserts (docs/architecture.md):

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
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session

from data.catalogue import Catalogue, load_catalogue
from models.blobs import put_blob
from models.errors import require_id
from models.hashing import sha256_hex
from models.schemas import Profile
from models.staff import case_works_without_ai
from models.tables import Decision, DecisionItem, JobSeeker, ProfileSnapshot, ReviewState, new_id, utcnow
from recommender.decide.baselines import rules_ranking
from recommender.decide.decision_view import (
    DecisionView,
    ItemView,
    Locale,
    ObstacleView,
    decision_view,
    latest_decision_view,
)
from recommender.decide.diagnostic import Obstacle, diagnose, evidence_record
from recommender.decide.exploration import MAX_ITEMS, ExplorationConfig, ShownChoice, choose_shown, rules_only
from recommender.decide.features import FEATURE_SET_VERSION, build_features
from recommender.decide.guardrails import GuardrailResult, evaluate_guardrails
from recommender.decide.killswitch import kill_switch_on
from recommender.decide.market_context import market_context_for
from recommender.decide.ranker import LoadedModel
from recommender.decide.reasons import item_reasons
from recommender.decide.registry import ModelRegistry
from recommender.decide.stored_form import (
    RECORD_KIND,
    CatalogueRecord,
    pack_diagnostic,
    pack_features,
    pack_fields,
    pack_guardrails,
    pack_reasons,
    record_for,
)
from recommender.decide.superseding import supersede_pending
from recommender.errors import ModelLoadError
from recommender.records.bound_rows import binding
from recommender.records.chain import EventType, insert_event, prepare_event

logger = logging.getLogger(__name__)

# The pages and routes use the views through this module (``frontend.pages.seeker.common``).
__all__ = ["DecisionPlan", "DecisionView", "ItemView", "ObstacleView", "decision_view", "json_features",
           "latest_decision_view", "plan_decision", "recommend", "write_decision"]

RULES_VERSION = "rules"
_SNAPSHOTS = ProfileSnapshot.__table__  # type: ignore[attr-defined]
_INSERT_SNAPSHOT = insert(_SNAPSHOTS).returning(_SNAPSHOTS.c.id)
_INSERT_DECISION = insert(Decision.__table__)  # type: ignore[attr-defined]
_INSERT_ITEM = insert(DecisionItem.__table__)  # type: ignore[attr-defined]
UI_TEXT_VERSION = "2026-12-06"


def _choose_model(
    session: Session, job_seeker: JobSeeker, registry: ModelRegistry | None
) -> tuple[LoadedModel | None, str | None]:
    if kill_switch_on(session):
        return None, "kill_switch"
    if job_seeker.objection_active:
        return None, "objection"
    # A new trial case (no id yet) has no counsellor who could have switched it to rules.
    if job_seeker.id is not None and case_works_without_ai(session=session, job_seeker_id=job_seeker.id):
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
) -> tuple[ShownChoice, dict[str, float]]:
    """Rank the eligible modules and draw what is shown (``recommender.decide.exploration``)."""
    eligible = list(guard.eligible)
    rules_order = rules_ranking(profile, eligible, market, catalogue, features=features) if eligible else []
    if model is None or not eligible:
        return rules_only(rules_order), {}
    # Only the uplift per advice is kept: the model's P(job | advice) is a prediction about the
    # person (G7) and is neither stored nor returned.
    uplifts = {s.module_id: s.uplift for s in model.score(features, eligible)}
    greedy = sorted(eligible, key=lambda m: uplifts[m], reverse=True)
    return choose_shown(greedy, rules_order, set(guard.needs_review), exploration, rng), uplifts


@dataclass
class DecisionPlan:
    """Everything a decision writes, computed before the write transaction (issue 16).

    Only what the database assigns is left for :func:`write_decision`: the id of a new trial
    case (``job_seeker.id is None``) and of the snapshot, and the digests of the two rows that
    hold them. The event is already checked (``records.chain.prepare_event``).
    """

    job_seeker: JobSeeker
    snapshot_payload: dict[str, Any]
    snapshot_sha256: str
    decision: dict[str, Any]
    items: list[dict[str, Any]]
    item_binding: dict[str, list[str]]
    event: dict[str, Any]
    catalogue: Catalogue
    # The shared catalogue record the compact columns refer to; inserted with the decision if new.
    record: CatalogueRecord
    locale: Locale
    # A trial case opened by this request (no id when planned): saved with the decision, so it
    # has no earlier decision, plan or counsellor to read.
    new_case: bool


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
    """Run the whole decision path for *profile* in *session* and return what the caller may show.

    Callers that care about write concurrency compute with :func:`plan_decision` in a read
    session and write with :func:`write_decision` in a short one (``api.routes.recommendations``).

    Parameters
    ----------
    exploration_rate : float, default=0.0
        Share of decisions that show a random subset of the eligible self-help modules (G16).
    control_share : float, default=0.0
        Share of decisions that follow the rules baseline as a randomised control (G16, G18).
    """
    plan = plan_decision(session, job_seeker=job_seeker, profile=profile, registry=registry, actor_role=actor_role,
                         actor_id=actor_id, locale=locale, exploration_rate=exploration_rate,
                         control_share=control_share, rng=rng, catalogue=catalogue)
    return write_decision(session, plan)


def plan_decision(
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
) -> DecisionPlan:
    """Steps 1-5 without writing: *session* is only read (kill switch, case mode, market).

    *job_seeker* may be a new trial case not saved yet (``id`` None); :func:`write_decision`
    inserts it first.
    """
    catalogue = catalogue or load_catalogue()
    rng = rng or random.Random()
    payload = profile.model_dump(mode="json")
    input_hash = sha256_hex(payload)
    market = market_context_for(session, profile)
    features = build_features(profile, market)
    guard = evaluate_guardrails(profile, catalogue, market)
    obstacles = diagnose(profile, market, features=features)
    model, mode_reason = _choose_model(session, job_seeker, registry)
    choice, uplifts = _rank(
        model=model, features=features, guard=guard, profile=profile, catalogue=catalogue, market=market,
        exploration=ExplorationConfig(exploration_rate, control_share), rng=rng,
    )
    order, propensities, explored = choice.order, choice.shown_probability, choice.arm in ("explore", "control")
    shadow = _shadow_ranking(registry, features, guard.eligible) if model is not None else None
    decision_id, model_version = new_id(), model.version if model else RULES_VERSION
    record = record_for(catalogue)
    decision: dict[str, Any] = {
        "id": decision_id,
        "job_seeker_id": job_seeker.id,  # None for a new case: write_decision sets both ids
        "snapshot_id": None,
        "mode": "model" if model else "rules",
        "mode_reason": mode_reason,
        "model_version": model_version,
        "feature_set_version": FEATURE_SET_VERSION,
        "catalogue_version": catalogue.version,
        "record_digest": record.digest,
        "features": pack_features(json_features(features), record),
        "guardrails": pack_guardrails([o.as_log() for o in guard.outcomes], record),
        "diagnostic": pack_diagnostic([_obstacle_record(o) for o in obstacles], record),
        "missing_fields": pack_fields(guard.missing_fields, record),
        "illustrative_market": market.illustrative,
        "exploration": explored,
        # Before its event's time (taken under the chain lock), as ``audit verify`` expects.
        "created_at": utcnow(),
    }
    rows = []
    for rank, module_id in enumerate(order, start=1):
        reasons = item_reasons(model, features, catalogue.get(module_id), guard.held_rules(module_id),
                               uplift=uplifts.get(module_id))
        review = ReviewState.pending_review if module_id in guard.needs_review else ReviewState.not_required
        rows.append({
            "id": new_id(), "decision_id": decision_id, "module_id": module_id, "rank": rank, "score": None,
            "uplift": uplifts.get(module_id), "propensity": propensities[module_id],
            "reasons": pack_reasons(reasons, record),
            "review_state": review.value, "version": 1, "authored_by_counsellor": False,
        })
    # The guardrails are stored once, on the decision; the event binds the decision's digest,
    # which covers them, so the log still proves them (issue 16: they were stored twice). So do
    # the shown items: the event binds their rows (module, rank, propensity, review state) and
    # logs only what no row holds: the probability of each eligible module that was not shown.
    event = prepare_event(
        event_type=EventType.recommendation_generated, actor_role=actor_role, actor_id=actor_id,
        case_pseudonym=job_seeker.pseudonym, decision_id=decision_id, model_version=model_version,
        feature_set_version=FEATURE_SET_VERSION, input_hash=input_hash, ui_text_version=UI_TEXT_VERSION,
        # Mode, its reason, exploration and catalogue version are the decision row's, bound too.
        outputs={**({"shadow": shadow} if shadow else {}), "shown_policy": choice.as_log()},
    )
    return DecisionPlan(job_seeker=job_seeker, snapshot_payload=payload, snapshot_sha256=input_hash,
                        decision=decision, items=rows, item_binding=binding(decision_item=rows)["decision_item"],
                        event=event, catalogue=catalogue, record=record, locale=locale,
                        new_case=job_seeker.id is None)


def write_decision(session: Session, plan: DecisionPlan) -> DecisionView:
    """Insert the planned snapshot, decision, items and event: plain inserts, no ORM objects.

    A new trial case must be inserted by the caller first, in the same transaction
    (``plan.job_seeker.id`` set), so the case exists only with its decision.
    """
    job_seeker_id = require_id(plan.job_seeker)
    snapshot = {"job_seeker_id": job_seeker_id, "payload": plan.snapshot_payload, "sha256": plan.snapshot_sha256,
                "created_at": utcnow()}
    session.flush()  # whatever the caller added in this transaction (a new case's counter) goes first
    connection = session.connection()  # Core inserts: no ORM objects on the hot path
    snapshot["id"] = connection.execute(_INSERT_SNAPSHOT, snapshot).scalar_one()
    put_blob(connection, digest=plan.record.digest, kind=RECORD_KIND, body=plan.record.body)
    decision = {**plan.decision, "job_seeker_id": job_seeker_id, "snapshot_id": snapshot["id"]}
    connection.execute(_INSERT_DECISION, decision)
    if plan.items:
        connection.execute(_INSERT_ITEM, plan.items)
    bound = binding(profile_snapshot=[snapshot], decision=[decision])
    # The view is built before the event: on PostgreSQL the chain lock is held from the event to
    # the commit, and every worker's decisions wait for it.
    written = [SimpleNamespace(**row, edited_text=None, due_date=None) for row in plan.items]
    view = decision_view(session, decision=SimpleNamespace(**decision), locale=plan.locale, audience="job_seeker",
                         catalogue=plan.catalogue, items=written, snapshot_sha256=plan.snapshot_sha256,
                         plan_steps={} if plan.new_case else None)
    insert_event(session, plan.event, bound={**bound, "decision_item": plan.item_binding})
    if not plan.new_case:  # a new case has no earlier decision whose items could still wait
        supersede_pending(session, job_seeker=plan.job_seeker, decision_id=decision["id"],
                          actor_role=plan.event["actor_role"], actor_id=plan.event["actor_id"])
    return view


def json_features(features: dict[str, float]) -> dict[str, float | None]:
    """Features as JSON can hold them: an unknown value (NaN for LightGBM) is stored as null."""
    return {name: value if math.isfinite(value) else None for name, value in features.items()}


def _obstacle_record(obstacle: Obstacle) -> dict[str, Any]:
    return {
        "id": obstacle.id,
        "title_de": obstacle.title.de,
        "title_en": obstacle.title.en,
        "evidence": [evidence_record(e) for e in obstacle.evidence],
        "severity": float(obstacle.severity),
    }


