"""The compact stored form of a decision (issue 16): <= 5 KB per decision, read back exactly as before."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import numpy as np
import pytest
from sqlalchemy import text, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, func, select

from bench.decision_path import _profile
from bench.storage import stored_bytes
from data.seed import DEMO_JOBCENTER_CODE
from models.db import session_scope
from models.migrate import upgrade
from models.tables import Decision, DecisionItem, JobSeeker, StoredBlob, utcnow
from recommender.casework.data_rights import erase_personal_data, export_personal_data
from recommender.casework.queue import decision_detail
from recommender.decide import decision_path
from recommender.decide.decision_explanation import explanation_view
from recommender.decide.decision_path import decision_view, recommend
from recommender.learn.shown_policy import shown_policies
from recommender.learn.training_data import OUTCOME_WINDOW_DAYS, ExtractConfig, read_partition
from recommender.records.chain import verify_chain
from tests.factories import make_jobcenter
from tests.recommender import simulated_model as sm


def _decide(engine: Engine, decisions: int, *, with_model: bool = True) -> list[tuple[int, str]]:
    """*decisions* decisions of new cases on synthetic profiles, as the app makes them; (case id, decision id)."""
    rng = random.Random(7)
    registry = sm.FixedRegistry(sm.trained().model if with_model else None)
    out = []
    with session_scope(engine) as session:
        center = make_jobcenter(session, code=DEMO_JOBCENTER_CODE)
        for _ in range(decisions):
            seeker = JobSeeker(jobcenter_id=center.id)  # type: ignore[arg-type]
            session.add(seeker)
            session.flush()
            view = recommend(session, job_seeker=seeker, profile=_profile(rng), registry=registry,
                             actor_role="job_seeker", actor_id=seeker.pseudonym, exploration_rate=0.1,
                             control_share=0.05, rng=rng)
            out.append((seeker.id, view.decision_id))  # type: ignore[arg-type]
    return out


def test_a_realistic_decision_stores_at_most_5_kb(sqlite_engine: Engine) -> None:
    upgrade(sqlite_engine)
    _decide(sqlite_engine, 40)
    sizes = stored_bytes(sqlite_engine)
    # The shared record is stored once per catalogue version, for all decisions, not per decision.
    with sqlite_engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM stored_blob").scalar_one() == 1
    assert sizes["total"] - sizes["stored_blob"] <= 5000, sizes


def _tamper(engine: Engine, statement: str) -> None:
    """Edit the shared record below the repository layer, as someone with database rights could."""
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.execute(text("DROP TRIGGER stored_blob_no_update"))
        else:
            connection.execute(text("ALTER TABLE stored_blob DISABLE TRIGGER USER"))
        connection.execute(text(statement))


def test_the_shared_record_cannot_be_edited_and_an_edit_is_reported_by_verify(engine: Engine) -> None:
    _decide(engine, 2, with_model=False)
    with Session(engine) as session:
        assert verify_chain(session).ok
    with pytest.raises(DBAPIError, match="never change"), engine.begin() as connection:
        connection.execute(text("UPDATE stored_blob SET kind = 'other'"))
    # A legal basis rewritten in the record that thousands of decisions share.
    _tamper(engine, "UPDATE stored_blob SET body = REPLACE(CAST(body AS TEXT), 'SGB II', 'SGB XII')"
            if engine.dialect.name == "sqlite" else
            "UPDATE stored_blob SET body = REPLACE(CAST(body AS TEXT), 'SGB II', 'SGB XII')::json")
    with Session(engine) as session:
        report = verify_chain(session)
    assert not report.ok
    assert any(p.startswith("stored_blob ") and "does not match its digest" in p for p in report.problems), report


def _readers(session: Session, seeker_id: int, decision_id: str) -> dict[str, Any]:
    """What every reader of a stored decision gives: pages, staff view, explanation, export, training."""
    seeker = session.get(JobSeeker, seeker_id)
    decision = session.get(Decision, decision_id)
    assert seeker is not None and decision is not None
    export = export_personal_data(session, job_seeker=seeker, log=False).data
    detail = decision_detail(session, job_seeker=seeker, decision_id=decision_id)
    return {
        "views": [decision_view(session, decision=decision, locale=locale, audience=audience)
                  for locale in ("de", "en", "uk") for audience in ("job_seeker", "staff")],
        "explanations": [explanation_view(session, decision=decision, locale=locale) for locale in ("de", "en")],
        "detail": {**detail, "decision": None},
        "export": {"tables": export["tables"], "explanations": export["explanations"]},
    }


@pytest.fixture
def unpacked(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[Any]]:
    """What the decision path computed before packing it: the values the full form stored."""
    seen: dict[str, list[Any]] = {}
    for name in ("pack_features", "pack_guardrails", "pack_diagnostic", "pack_fields", "pack_reasons"):
        def spy(value: Any, record: Any, _pack: Any = getattr(decision_path, name), _name: str = name) -> Any:
            seen.setdefault(_name, []).append(value)
            return _pack(value, record)

        monkeypatch.setattr(decision_path, name, spy)
    return seen


def _store_in_full(engine: Engine, decision_id: str, unpacked: dict[str, list[Any]]) -> None:
    """Rewrite the (only) decision and its items as they were stored before issue 16: no shared record."""
    with session_scope(engine) as session:
        session.execute(update(Decision).where(Decision.id == decision_id).values(  # type: ignore[arg-type]
            record_digest=None, features=unpacked["pack_features"][0], guardrails=unpacked["pack_guardrails"][0],
            diagnostic=unpacked["pack_diagnostic"][0], missing_fields=unpacked["pack_fields"][0]))
        items = session.exec(select(DecisionItem).where(DecisionItem.decision_id == decision_id)
                             .order_by(DecisionItem.rank)).all()  # type: ignore[arg-type]
        assert len(items) == len(unpacked["pack_reasons"])
        for item, reasons in zip(items, unpacked["pack_reasons"], strict=True):
            session.execute(update(DecisionItem).where(DecisionItem.id == item.id).values(  # type: ignore[arg-type]
                reasons=reasons))


def _training(engine: Engine) -> dict[str, Any]:
    config = ExtractConfig(with_eligibility=True, as_of=utcnow() + timedelta(days=OUTCOME_WINDOW_DAYS + 1))
    part = read_partition(engine, None, None, config, sm.catalogue().ids)
    return {name: part[name] for name in ("features", "eligible", "shown_probability", "action", "propensity")}


def test_every_reader_gives_the_same_output_as_from_the_full_form(engine: Engine,
                                                                  unpacked: dict[str, list[Any]]) -> None:
    [(seeker_id, decision_id)] = _decide(engine, 1)
    with Session(engine) as session:
        compact = _readers(session, seeker_id, decision_id)
        stored = session.get(Decision, decision_id)
        assert stored is not None and stored.record_digest is not None
        assert all(isinstance(code, int) for code in stored.guardrails)
    compact_training = _training(engine)
    _store_in_full(engine, decision_id, unpacked)
    with Session(engine) as session:
        assert session.get(Decision, decision_id).record_digest is None  # type: ignore[union-attr]
        assert _readers(session, seeker_id, decision_id) == compact
    full_training = _training(engine)
    assert len(compact_training["features"]) > 0
    for name, values in compact_training.items():
        np.testing.assert_array_equal(values, full_training[name], err_msg=name)


def test_the_logged_policy_gives_each_eligible_module_the_same_probability_in_either_form() -> None:
    modules = ["a", "b", "c", "d"]
    before = {"arm": "explore", "shown_probability": [{"module_id": "b", "probability": 0.5},
                                                      {"module_id": "a", "probability": 1.0},
                                                      {"module_id": "c", "probability": 0.25}]}
    after = {"arm": "explore", "not_shown": [["c", 0.25]]}
    items = [("new", "b", 0.5), ("new", "a", 1.0), ("new", "counsellor-7", 1.0)]
    old_p, old_arm = shown_policies([("old", {"shown_policy": before})], ["old"], modules)
    new_p, new_arm = shown_policies([("new", {"shown_policy": after})], ["new"], modules, items)
    np.testing.assert_array_equal(old_p, new_p)
    assert list(old_arm) == list(new_arm) == ["explore"]
    assert list(new_p[0]) == [1.0, 0.5, 0.25, 0.0]


def test_erasure_empties_the_person_and_leaves_the_shared_record_to_everyone_else(engine: Engine) -> None:
    (erased_id, erased_decision), (kept_id, kept_decision) = _decide(engine, 2)
    with Session(engine) as session:
        before = _readers(session, kept_id, kept_decision)
    with session_scope(engine) as session:
        person = session.get(JobSeeker, erased_id)
        assert person is not None
        erase_personal_data(session, job_seeker=person, confirmation="DELETE")
    with Session(engine) as session:
        decision = session.get(Decision, erased_decision)
        items = session.exec(select(DecisionItem).where(DecisionItem.decision_id == erased_decision)).all()
        assert decision is not None and decision.features == {"erased": True} and decision.diagnostic == []
        assert items and all(item.reasons == [] for item in items)
        # The record holds the catalogue's texts and names only: it stays, and so does everyone else's advice.
        assert session.exec(select(func.count()).select_from(StoredBlob)).one() == 1
        assert _readers(session, kept_id, kept_decision) == before
        report = verify_chain(session)
    assert report.ok, report.problems
