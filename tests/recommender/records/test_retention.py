"""Expired personal payloads are tombstoned; the decision log stays verifiable (G11, G14)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from models.db import session_scope
from models.tables import Event, ProfileSnapshot, utcnow
from recommender.records.chain import EventType, append_event, verify_chain
from recommender.records.retention import TOMBSTONE, RetentionError, purge_expired_payloads
from tests.factories import make_job_seeker, make_snapshot


def _snapshots(engine: Engine, ages_in_days: list[int]) -> None:
    with session_scope(engine) as session:
        seeker = make_job_seeker(session)
        for age in ages_in_days:
            snapshot = make_snapshot(session, job_seeker=seeker, payload={"months_unemployed": age})
            snapshot.created_at = utcnow() - timedelta(days=age)
            append_event(session, event_type=EventType.client_viewed, actor_role="job_seeker",
                         case_pseudonym=seeker.pseudonym, input_hash=snapshot.sha256)


def test_purge_tombstones_only_expired_payloads_and_keeps_hashes(engine: Engine) -> None:
    _snapshots(engine, [400, 200, 10])
    with session_scope(engine) as session:
        report = purge_expired_payloads(session, retention_days=180)
    assert (report.snapshots, report.dry_run) == (2, False)
    with Session(engine) as session:
        rows = session.exec(select(ProfileSnapshot).order_by(ProfileSnapshot.id)).all()
        assert [r.payload for r in rows] == [TOMBSTONE, TOMBSTONE, {"months_unemployed": 10}]
        assert all(len(r.sha256) == 64 for r in rows)
        assert verify_chain(session).ok
        purge_events = session.exec(select(Event).where(Event.event_type == "payload_purged")).all()
        assert len(purge_events) == 1 and purge_events[0].outputs["snapshots"] == 2


def test_purge_is_idempotent(engine: Engine) -> None:
    _snapshots(engine, [400])
    with session_scope(engine) as session:
        purge_expired_payloads(session, retention_days=180)
    with session_scope(engine) as session:
        again = purge_expired_payloads(session, retention_days=180)
    assert again.total == 0


def test_dry_run_counts_and_changes_nothing(engine: Engine) -> None:
    _snapshots(engine, [400, 300])
    with session_scope(engine) as session:
        report = purge_expired_payloads(session, retention_days=180, dry_run=True)
    assert report.snapshots == 2
    with Session(engine) as session:
        assert all(r.payload != TOMBSTONE for r in session.exec(select(ProfileSnapshot)).all())


def test_retention_below_the_legal_minimum_is_refused(engine: Engine) -> None:
    with pytest.raises(RetentionError, match="below the legal minimum of 180 days"), session_scope(engine) as s:
        purge_expired_payloads(s, retention_days=30)


def test_purge_also_clears_diagnostics_reasons_and_review_texts(engine: Engine) -> None:
    from models.tables import Decision, DecisionItem

    with session_scope(engine) as session:
        seeker = make_job_seeker(session)
        snapshot = make_snapshot(session, job_seeker=seeker)
        decision = Decision(job_seeker_id=seeker.id, snapshot_id=snapshot.id, mode="model",  # type: ignore[arg-type]
                            model_version="m", feature_set_version="f", catalogue_version="c",
                            features={"months_unemployed": 14.0}, guardrails=[{"rule_id": "r"}],
                            diagnostic=[{"id": "long_search", "evidence": [{"de": "Sie suchen seit 14 Monaten."}]}],
                            created_at=utcnow() - timedelta(days=400))
        session.add(decision)
        session.flush()
        session.add(DecisionItem(decision_id=decision.id, module_id="cv_documents", rank=1, review_state="edited",
                                 reasons=[{"de": "Weil Sie 14 Monate suchen."}], review_reason="Kind krank",
                                 edited_text="Frau M. hilft beim Lebenslauf"))
    with session_scope(engine) as session:
        report = purge_expired_payloads(session, retention_days=180)
    assert (report.decisions, report.items) == (1, 1)
    with Session(engine) as session:
        stored = session.exec(select(Decision)).one()
        item = session.exec(select(DecisionItem)).one()
        assert stored.features == TOMBSTONE and stored.diagnostic == [] and stored.guardrails == [{"rule_id": "r"}]
        assert item.reasons == [] and item.review_reason is None and item.edited_text is None
        assert item.module_id == "cv_documents" and item.review_state == "edited"
