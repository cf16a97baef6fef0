"""Idempotent seeding of what a fresh installation needs to be usable.

Each step adds only what is missing and reports what it did, so ``make run`` can call it
on every start without touching data that is already there.
"""

from __future__ import annotations

from sqlmodel import Session, select

from data.catalogue import seed_advice_modules
from data.importers.market import seed_illustrative_market
from models.errors import require_id
from models.tables import Jobcenter, Team

DEMO_JOBCENTER_CODE = "demo"
DEMO_JOBCENTER_NAME = "Jobcenter Musterstadt (Demo)"
DEMO_TEAM_NAME = "Team Integration 1"


def _seed_demo_jobcenter(session: Session) -> str:
    jobcenter = session.exec(select(Jobcenter).where(Jobcenter.code == DEMO_JOBCENTER_CODE)).first()
    if jobcenter is not None:
        return f"Jobcenter '{jobcenter.name}' already present."
    jobcenter = Jobcenter(code=DEMO_JOBCENTER_CODE, name=DEMO_JOBCENTER_NAME)
    session.add(jobcenter)
    session.flush()
    session.add(Team(jobcenter_id=require_id(jobcenter), name=DEMO_TEAM_NAME))
    return f"Created Jobcenter '{DEMO_JOBCENTER_NAME}' with '{DEMO_TEAM_NAME}'."


SEED_STEPS = [_seed_demo_jobcenter, seed_illustrative_market, seed_advice_modules]


def seed_reference_data(session: Session) -> list[str]:
    """Run every seed step in one transaction; return one report line per step."""
    return [step(session) for step in SEED_STEPS]
