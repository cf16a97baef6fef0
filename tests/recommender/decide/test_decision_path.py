"""The decision path: snapshot, guardrails, ranking, gating, logging - in one transaction (issue 6)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from data.catalogue import load_catalogue
from data.seed import DEMO_JOBCENTER_CODE
from models.crud import get_jobcenter_by_code
from models.db import session_scope
from models.schemas import Profile
from models.tables import Decision, DecisionItem, Event, JobSeeker, ProfileSnapshot
from recommender.decide import decision_path, reasons
from recommender.decide.decision_path import latest_decision_view, recommend
from recommender.decide.exploration import POLICY_VERSION
from recommender.decide.killswitch import set_kill_switch
from recommender.decide.ranker import ModuleScore
from recommender.decide.stored_form import load_record, unpack_features, unpack_guardrails
from recommender.records.bound_rows import row_digest
from recommender.records.chain import verify_chain
from tests.factories import make_jobcenter

PROFILE = Profile.model_validate(
    {
        "target_occupation": "62102",
        "region_ags": "09362",
        "vocational_qualification": "none",
        "german_level": "B1",
        "foreign_qualification": True,
        "recognition_status": "not_started",
        "months_unemployed": 20,
        "applications_last_3_months": 12,
        "interviews_last_3_months": 2,
        "search_channels": ["jobcenter"],
        "has_cv": False,
        "driving_licence": False,
        "max_commute_minutes": 20,
        "constraints": {"childcare_needed": True},
    }
)


@dataclass
class FakeModel:
    """Stands in for a trained model: scores by module id, records whether it was used."""

    version: str = "fake-1"
    feature_set_version: str = "fs-test"
    calls: int = 0

    def score(self, features: dict[str, float], module_ids: list[str]) -> list[ModuleScore]:
        self.calls += 1
        return [ModuleScore(module_id=m, score=0.3, uplift=0.01 * (len(m) % 7)) for m in module_ids]


class FakeRegistry:
    def __init__(self, model: FakeModel | None, shadow: Any = None) -> None:
        self.model = model
        self.shadow = shadow
        self.loads = 0

    def load_active(self) -> FakeModel | None:
        self.loads += 1
        return self.model

    def load_shadow(self) -> Any:
        if isinstance(self.shadow, Exception):
            raise self.shadow
        return self.shadow


@pytest.fixture
def seeded(engine: Engine) -> Engine:
    with session_scope(engine) as session:
        make_jobcenter(session, code=DEMO_JOBCENTER_CODE)
    return engine


@pytest.fixture(autouse=True)
def _plain_explanations(monkeypatch: pytest.MonkeyPatch) -> None:
    from recommender.decide.reasons import Reason

    def fake_explain(model: Any, features: dict[str, float], module_id: str, *, top: int = 3) -> list[Reason]:
        return [Reason(feature="months_unemployed", contribution=0.2, text_de="Weil Sie lange suchen.",
                       text_en="Because you have been looking for a long time.")]

    monkeypatch.setattr(reasons, "explain", fake_explain)


def _job_seeker(session: Session) -> JobSeeker:
    jobcenter = get_jobcenter_by_code(session=session, code="demo")
    assert jobcenter is not None
    job_seeker = JobSeeker(jobcenter_id=jobcenter.id)  # type: ignore[arg-type]
    session.add(job_seeker)
    session.flush()
    return job_seeker


def _recommend(engine: Engine, registry: Any, **kwargs: Any):  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        job_seeker = kwargs.pop("job_seeker", None) or _job_seeker(session)
        return recommend(session, job_seeker=job_seeker, profile=PROFILE, registry=registry,
                         actor_role="job_seeker", actor_id=job_seeker.pseudonym, **kwargs)


def test_model_mode_ranks_by_uplift_and_logs_everything(seeded: Engine) -> None:
    model = FakeModel()
    view = _recommend(seeded, FakeRegistry(model))
    assert view.mode == "model" and view.mode_reason is None and view.model_version == "fake-1"
    assert model.calls == 1
    with Session(seeded) as session:
        decision = session.get(Decision, view.decision_id)
        assert decision is not None
        items = session.exec(select(DecisionItem).where(DecisionItem.decision_id == decision.id)
                             .order_by(DecisionItem.rank)).all()
        uplifts = [i.uplift for i in items if i.review_state == "not_required"]
        assert uplifts == sorted(uplifts, reverse=True)
        snapshot = session.get(ProfileSnapshot, decision.snapshot_id)
        assert snapshot is not None and snapshot.payload["target_occupation"] == "62102"
        event = session.exec(select(Event).where(Event.decision_id == decision.id)).one()
        assert event.event_type == "recommendation_generated"
        assert event.input_hash == snapshot.sha256 == view.input_hash
        assert event.model_version == "fake-1" and event.feature_set_version == decision.feature_set_version
        # The guardrails are stored once, on the decision; the event binds the decision's digest.
        assert not event.guardrails
        guardrails = unpack_guardrails(decision.guardrails, load_record(session.connection(), decision.record_digest))
        assert guardrails and all({"rule_id", "legal_basis", "outcome"} <= set(g) for g in guardrails)
        assert event.outputs["rows"]["decision"][decision.id] == row_digest("decision", decision)
        assert set(event.outputs["rows"]["decision_item"]) == {i.id for i in items}
        assert event.ui_text_version
        assert verify_chain(session).ok


def test_funded_measures_wait_for_a_counsellor(seeded: Engine) -> None:
    view = _recommend(seeded, FakeRegistry(FakeModel()))
    pending = [i for i in view.items if i.review_state == "pending_review"]
    assert pending, "this profile qualifies for at least one funded measure"
    assert all(not i.visible and i.title == "" and i.text == "" and i.reasons == [] for i in pending)
    assert all(i.visible for i in view.items if i.review_state == "not_required")
    approval = {m.id for m in load_catalogue().modules if m.needs_counsellor_approval}
    assert {i.module_id for i in view.items if i.module_id in approval} == {i.module_id for i in pending}


def test_job_seeker_view_hides_uplift_staff_view_shows_it(seeded: Engine) -> None:
    view = _recommend(seeded, FakeRegistry(FakeModel()))
    assert all(i.uplift is None for i in view.items)
    with Session(seeded) as session:
        job_seeker = session.exec(select(JobSeeker)).one()
        staff = latest_decision_view(session, job_seeker=job_seeker, locale="de", audience="staff")
    assert staff is not None and any(i.uplift is not None for i in staff.items)
    assert all(i.visible for i in staff.items)


def test_no_probability_of_finding_work_is_stored(seeded: Engine) -> None:
    _recommend(seeded, FakeRegistry(FakeModel()))  # the model answers P(job | advice) = 0.3 for every advice
    with Session(seeded) as session:
        items = session.exec(select(DecisionItem)).all()
    assert items and all(i.score is None for i in items)
    assert all(i.uplift is not None for i in items if i.review_state == "not_required")


def test_kill_switch_routes_to_rules_and_never_calls_the_model(seeded: Engine) -> None:
    with session_scope(seeded) as session:
        set_kill_switch(session, on=True, actor_role="admin", actor_id=1, reason="test")
    model, registry = FakeModel(), FakeRegistry(FakeModel())
    registry.model = model
    view = _recommend(seeded, registry)
    assert (view.mode, view.mode_reason, view.model_version) == ("rules", "kill_switch", "rules")
    assert model.calls == 0 and registry.loads == 0
    assert view.items, "the rules baseline still gives advice"


def test_objection_routes_the_person_to_rules(seeded: Engine) -> None:
    model = FakeModel()
    with session_scope(seeded) as session:
        job_seeker = _job_seeker(session)
        job_seeker.objection_active = True
        view = recommend(session, job_seeker=job_seeker, profile=PROFILE, registry=FakeRegistry(model),
                         actor_role="job_seeker", actor_id=None)
    assert (view.mode, view.mode_reason) == ("rules", "objection")
    assert model.calls == 0


def test_no_active_model_gives_rules_with_a_reason(seeded: Engine) -> None:
    view = _recommend(seeded, FakeRegistry(None))
    assert (view.mode, view.mode_reason) == ("rules", "no_model")
    assert view.items


def test_failure_midway_leaves_no_decision_and_no_event(seeded: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_append(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(decision_path, "insert_event", broken_append)
    with pytest.raises(RuntimeError, match="disk full"):
        _recommend(seeded, FakeRegistry(FakeModel()))
    with Session(seeded) as session:
        for table in (Decision, DecisionItem, ProfileSnapshot, Event, JobSeeker):
            assert session.exec(select(table)).all() == [], table.__name__


def test_exploration_shuffles_only_self_help_and_logs_propensities(seeded: Engine) -> None:
    greedy = _recommend(seeded, FakeRegistry(FakeModel()))
    explored = _recommend(seeded, FakeRegistry(FakeModel()), exploration_rate=0.5, rng=_AlwaysExplore())
    review_ranks = {i.module_id: i.rank for i in greedy.items if i.review_state == "pending_review"}
    assert review_ranks == {i.module_id: i.rank for i in explored.items if i.review_state == "pending_review"}
    with Session(seeded) as session:
        decision = session.get(Decision, explored.decision_id)
        assert decision is not None and decision.exploration
        items = session.exec(select(DecisionItem).where(DecisionItem.decision_id == decision.id)).all()
        assert all(0 < i.propensity <= 1 for i in items)
        assert any(i.propensity < 1 for i in items if i.review_state == "not_required")
        policy = session.exec(select(Event).where(Event.decision_id == decision.id)).one().outputs["shown_policy"]
        guardrails = unpack_guardrails(decision.guardrails, load_record(session.connection(), decision.record_digest))
    eligible = {r["module_id"] for r in guardrails if r["outcome"] not in ("ineligible", "blocked")}
    not_shown = dict(policy["not_shown"])
    assert policy["arm"] == "explore" and policy["rate"] == 0.5 and policy["policy_version"] == POLICY_VERSION
    # Every eligible module's probability is logged: a shown one's as its bound item's propensity.
    assert not {i.module_id for i in items} & set(not_shown) and all(0 <= p < 1 for p in not_shown.values())
    assert not_shown and eligible


def test_a_randomised_control_share_follows_the_rules_baseline(seeded: Engine) -> None:
    control = _recommend(seeded, FakeRegistry(FakeModel()), control_share=0.05, rng=_AlwaysExplore())
    rules = _recommend(seeded, FakeRegistry(None))
    assert [i.module_id for i in control.items] == [i.module_id for i in rules.items]
    with Session(seeded) as session:
        event = session.exec(select(Event).where(Event.decision_id == control.decision_id)).one()
    assert event.outputs["shown_policy"]["arm"] == "control" and control.mode == "model"
    from recommender.decide.decision_explanation import explanation_view

    with Session(seeded) as session:
        decision = session.get(Decision, control.decision_id)
        assert decision is not None
        how = explanation_view(session, decision=decision, locale="en").how_it_works
    assert how[0].startswith("Chance helped choose") and any("chance picks" in line for line in how)


class _AlwaysExplore(random.Random):
    def random(self) -> float:
        return 0.0


def test_missing_answers_still_get_advice_and_a_hint(seeded: Engine) -> None:
    with session_scope(seeded) as session:
        view = recommend(session, job_seeker=_job_seeker(session), profile=Profile(), registry=FakeRegistry(None),
                         actor_role="job_seeker", actor_id=None)
    assert view.items
    assert "target_occupation" in view.missing_fields


def test_stored_feature_vector_holds_only_allow_listed_names(seeded: Engine) -> None:
    from recommender.decide.features import ALLOWED_FEATURES
    from recommender.records.protected import denied_names

    view = _recommend(seeded, FakeRegistry(FakeModel()))
    with Session(seeded) as session:
        decision = session.get(Decision, view.decision_id)
        assert decision is not None
        features = unpack_features(decision.features, load_record(session.connection(), decision.record_digest))
        assert set(features) <= set(ALLOWED_FEATURES)
        assert denied_names(features) == []
        assert "childcare_needed" not in features  # a constraint: hard filter only, never a feature


def test_counsellor_switch_to_work_without_ai_routes_the_case_to_rules(seeded: Engine) -> None:
    from models.staff import CaseMode

    model = FakeModel()
    with session_scope(seeded) as session:
        job_seeker = _job_seeker(session)
        session.add(CaseMode(job_seeker_id=job_seeker.id, without_ai=True))  # type: ignore[call-arg]
        session.flush()
        view = recommend(session, job_seeker=job_seeker, profile=PROFILE, registry=FakeRegistry(model),
                         actor_role="job_seeker", actor_id=None)
    assert (view.mode, view.mode_reason) == ("rules", "counsellor_without_ai")
    assert model.calls == 0


@dataclass
class ReversedModel(FakeModel):
    """A shadow candidate that ranks in the opposite order."""

    version: str = "candidate-2"

    def score(self, features: dict[str, float], module_ids: list[str]) -> list[ModuleScore]:
        return [ModuleScore(module_id=s.module_id, score=s.score, uplift=-s.uplift)
                for s in super().score(features, module_ids)]


def test_shadow_candidate_is_logged_but_never_shown(seeded: Engine) -> None:
    plain = _recommend(seeded, FakeRegistry(FakeModel()))
    shadowed = _recommend(seeded, FakeRegistry(FakeModel(), shadow=ReversedModel()))
    assert [i.module_id for i in shadowed.items] == [i.module_id for i in plain.items]
    with Session(seeded) as session:
        event = session.exec(select(Event).where(Event.decision_id == shadowed.decision_id)).one()
        assert event.outputs["shadow"]["model_version"] == "candidate-2"
        assert event.outputs["shadow"]["items"] != [i.module_id for i in shadowed.items]
        decision = session.get(Decision, shadowed.decision_id)
        assert decision is not None and decision.model_version == "fake-1"


def test_broken_shadow_candidate_does_not_cost_the_person_their_advice(seeded: Engine) -> None:
    view = _recommend(seeded, FakeRegistry(FakeModel(), shadow=RuntimeError("corrupted candidate")))
    assert view.mode == "model" and view.items
    with Session(seeded) as session:
        event = session.exec(select(Event).where(Event.decision_id == view.decision_id)).one()
        assert "shadow" not in event.outputs


def test_refresh_supersedes_the_pending_items_of_the_earlier_decision(seeded: Engine) -> None:
    from models.tables import UserAccount
    from recommender.casework.queue import caseload_overview, review_queue
    from tests.factories import assign_case, make_staff_user

    with session_scope(seeded) as session:
        seeker = _job_seeker(session)
        jobcenter = get_jobcenter_by_code(session=session, code="demo")
        counsellor = make_staff_user(session, role="counsellor", jobcenter=jobcenter)
        assign_case(session, job_seeker=seeker, counsellor=counsellor)
        ids = (seeker.id, counsellor.id)
    first = _recommend(seeded, FakeRegistry(FakeModel()), job_seeker=_by_id(seeded, ids[0]))
    second = _recommend(seeded, FakeRegistry(FakeModel()), job_seeker=_by_id(seeded, ids[0]))
    with Session(seeded) as session:
        user = session.get(UserAccount, ids[1])
        fresh = [i.item_id for i in second.items if i.review_state == "pending_review"]
        queue = review_queue(session, user=user)
        assert fresh and sorted(r.item_id for r in queue) == sorted(fresh)  # each module once, not twice
        assert [row.open_reviews for row in caseload_overview(session, user=user)] == [len(fresh)]
        old = session.exec(select(DecisionItem).where(DecisionItem.decision_id == first.decision_id,
                                                      DecisionItem.review_state == "superseded")).all()
        assert {i.id for i in old} == {i.item_id for i in first.items if i.review_state == "pending_review"}
        event = session.exec(select(Event).where(Event.event_type == "review_superseded")).one()
        assert event.decision_id == second.decision_id and sorted(event.outputs["item_ids"]) == sorted(
            i.id for i in old)
        old_view = decision_path.decision_view(session, decision=session.get(Decision, first.decision_id),
                                               locale="de", audience="job_seeker")
        assert all(i.review_state != "superseded" for i in old_view.items)
        assert verify_chain(session).ok


def _by_id(engine: Engine, job_seeker_id: int) -> JobSeeker:
    with Session(engine, expire_on_commit=False) as session:
        return session.get(JobSeeker, job_seeker_id)
