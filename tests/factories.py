"""Small ``make_*`` factories with sensible defaults that go through the app's own functions."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from models.crud import create_job_seeker, create_snapshot
from models.tables import Jobcenter, JobSeeker, ProfileSnapshot


def make_jobcenter(session: Session, *, code: str = "jc-test", name: str = "Jobcenter Test") -> Jobcenter:
    jobcenter = Jobcenter(code=code, name=name)
    session.add(jobcenter)
    session.flush()
    return jobcenter


def make_job_seeker(session: Session, *, jobcenter: Jobcenter | None = None) -> JobSeeker:
    jobcenter = jobcenter or make_jobcenter(session)
    assert jobcenter.id is not None
    return create_job_seeker(session=session, jobcenter_id=jobcenter.id)


def make_snapshot(session: Session, *, job_seeker: JobSeeker, payload: dict[str, Any] | None = None) -> ProfileSnapshot:
    assert job_seeker.id is not None
    return create_snapshot(
        session=session,
        job_seeker_id=job_seeker.id,
        payload=payload or {"target_occupation": "62102", "region_ags": "09362"},
    )


# --- staff side (issue 8): accounts, assignments, decisions inserted directly ---------------

TEST_PASSWORD = "correct horse battery staple"


def make_team(session: Session, *, jobcenter: Jobcenter, name: str = "Team A") -> Any:
    from models.tables import Team

    assert jobcenter.id is not None
    team = Team(jobcenter_id=jobcenter.id, name=name)
    session.add(team)
    session.flush()
    return team


def make_staff_user(
    session: Session,
    *,
    role: str,
    jobcenter: Jobcenter,
    username: str | None = None,
    team: Any = None,
    password: str = TEST_PASSWORD,
) -> Any:
    """An account created through the same function as ``lotse users create`` (argon2id, logged).

    The argon2id hash of ``TEST_PASSWORD`` is computed once per test run and reused, since
    hashing is deliberately slow.
    """
    from api.auth import accounts

    if password == TEST_PASSWORD:
        original = accounts.hash_password
        accounts.hash_password = _cached_test_hash
        try:
            return _create(session, role=role, jobcenter=jobcenter, username=username, team=team, password=password)
        finally:
            accounts.hash_password = original
    return _create(session, role=role, jobcenter=jobcenter, username=username, team=team, password=password)


_TEST_HASH: list[str] = []


def _cached_test_hash(password: str) -> str:
    from api.auth.passwords import hash_password

    if not _TEST_HASH:
        _TEST_HASH.append(hash_password(TEST_PASSWORD))
    return _TEST_HASH[0]


def _create(session: Session, *, role: str, jobcenter: Jobcenter, username: str | None, team: Any,
            password: str) -> Any:
    from api.auth.accounts import create_user

    assert jobcenter.id is not None
    return create_user(
        session,
        username=username or f"{role.replace('_', '-')}-{jobcenter.code}",
        password=password,
        role=role,
        jobcenter_id=jobcenter.id,
        team_id=team.id if team is not None else None,
        display_name=f"Test {role}",
        actor_role="admin",
        actor_id="test",
    )


def assign_case(session: Session, *, job_seeker: JobSeeker, counsellor: Any) -> Any:
    from models.tables import CaseAssignment

    assert job_seeker.id is not None
    assignment = CaseAssignment(job_seeker_id=job_seeker.id, counsellor_id=counsellor.id)
    session.add(assignment)
    session.flush()
    return assignment


DEFAULT_DECISION_ITEMS: list[dict[str, Any]] = [
    {"module_id": "bildungsgutschein", "review_state": "pending_review", "uplift": 0.061},
    {"module_id": "avgs_coaching", "review_state": "pending_review", "uplift": 0.055},
    {"module_id": "cv_update", "review_state": "not_required", "uplift": 0.048},
]


def make_decision(
    session: Session,
    *,
    job_seeker: JobSeeker,
    items: list[dict[str, Any]] | None = None,
    model_version: str = "lgbm-test-1",
    created_at: Any = None,
) -> Any:
    """A Decision with DecisionItems inserted directly (for tests that need no decision path)."""
    from models.tables import Decision, DecisionItem, utcnow

    snapshot = make_snapshot(session, job_seeker=job_seeker)
    assert job_seeker.id is not None and snapshot.id is not None
    decision = Decision(
        job_seeker_id=job_seeker.id,
        snapshot_id=snapshot.id,
        mode="model",
        model_version=model_version,
        feature_set_version="fs-test",
        catalogue_version="cat-test",
        features={"months_unemployed": 14},
        guardrails=[{"rule_id": "bgs_eligible", "module_id": "bildungsgutschein",
                     "legal_basis": "§ 81 SGB III i.V.m. § 16 SGB II", "outcome": "needs_review"}],
        diagnostic=[{"id": "qualification", "title_de": "Berufsabschluss fehlt", "title_en": "No vocational degree",
                     "evidence": [{"field": "education", "de": "Kein Abschluss angegeben.",
                                   "en": "No degree given."}], "severity": 0.7}],
        created_at=created_at or utcnow(),
    )
    session.add(decision)
    session.flush()
    for rank, spec in enumerate(items if items is not None else DEFAULT_DECISION_ITEMS, start=1):
        session.add(
            DecisionItem(
                decision_id=decision.id,
                module_id=spec["module_id"],
                rank=rank,
                uplift=spec.get("uplift", 0.05),
                propensity=spec.get("propensity", 1.0),
                reasons=spec.get("reasons", [{"feature": "months_unemployed", "contribution": 0.2,
                                              "de": "Sie suchen schon länger.", "en": "You have looked for long."}]),
                review_state=spec.get("review_state", "pending_review"),
            )
        )
    session.flush()
    return decision
