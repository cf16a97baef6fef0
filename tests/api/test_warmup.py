"""A worker's warm-up (issue 16): the first decisions after a start are not cold, and nothing is written."""

from __future__ import annotations

import gc

from fastapi import FastAPI
from sqlalchemy import func, select
from sqlmodel import Session

from api.settings import Settings
from api.warmup import rehearse_decision, warm_worker
from data.catalogue import load_catalogue
from models.db import session_scope
from models.tables import Decision, Event, JobSeeker, ProfileSnapshot
from recommender.decide.registry import ModelRegistry
from recommender.learn.train import TrainConfig, fit
from recommender.simulate.population import simulate
from recommender.simulate.scenario import DEFAULT_SCENARIO, load_scenario
from tests.api.staff_util import make_jobcenter


def _rows(app: FastAPI) -> tuple[int, ...]:
    with Session(app.state.engine) as session:
        return tuple(session.exec(select(func.count()).select_from(table)).one()[0]  # type: ignore[call-overload]
                     for table in (JobSeeker, ProfileSnapshot, Decision, Event))


def _promote_small_model(app: FastAPI, settings: Settings) -> ModelRegistry:
    catalogue = load_catalogue()
    data = simulate(load_scenario(DEFAULT_SCENARIO, catalogue), catalogue, 1000, seed=3)
    registry = ModelRegistry(settings.models_dir)
    version = registry.save(fit(data, TrainConfig.quick(num_threads=1)), catalogue_version=catalogue.version)
    with session_scope(app.state.engine) as session:
        make_jobcenter(session, code="demo", name="Jobcenter Demo")
        registry.promote(version, session=session, actor="ds:1")
    return registry


def test_the_rehearsal_loads_the_active_model_and_writes_nothing(app: FastAPI, settings: Settings) -> None:
    registry = _promote_small_model(app, settings)
    before = _rows(app)
    assert registry.last_good is None  # promoting checks the files; nothing is kept for serving yet

    rehearse_decision(app.state.engine, registry)

    assert registry.last_good is not None, "the first decision would still read the model from disk"
    assert _rows(app) == before


def test_a_worker_on_an_unmigrated_database_still_becomes_ready(settings: Settings) -> None:
    from frontend.main import create_frontend_app

    fresh = create_frontend_app(settings)  # no tables: the rehearsal fails, the worker stays usable
    steps_run: list[str] = []
    fresh.state.warm_steps.append(lambda: steps_run.append("after the rehearsal"))

    warm_worker(fresh.state.warm_steps, freeze=False)

    assert steps_run == ["after the rehearsal"]


def test_a_served_worker_freezes_its_start_up_heap(app: FastAPI) -> None:
    app.state.warm_steps.clear()
    try:
        warm_worker([], freeze=True)
        assert gc.get_freeze_count() > 0  # a full collection no longer walks the start-up objects
    finally:
        gc.unfreeze()
