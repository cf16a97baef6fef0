"""The FastAPI app factory for the JSON API (the HTML pages are added by ``frontend``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI

from api.allow import AllowMiddleware
from api.docs import install_docs
from api.errors import register_error_handlers
from api.lane import DecisionLane
from api.observability import RequestIdMiddleware, configure_logging
from api.openapi_examples import install_examples
from api.routes import ROUTERS
from api.security import install_security
from api.security.input_guard import reject_unstorable_input
from api.settings import Settings, get_settings
from api.warmup import Warmup, load_occupation_model, rehearse_decision, warm_worker
from models.db import FairWriteLock, make_engine
from recommender.decide.registry import ModelRegistry
from recommender.records.free_text import configure_text_key

API_PREFIX = "/api/v1"
_UNPREFIXED = {"health"}


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Start loading the occupation model as the worker starts (``api.warmup``)."""
    app.state.warmup.start()
    yield


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level)
    app = FastAPI(
        title="Lotse API",
        version="0.1.0",
        description=(
            "Explained job-search advice for job-seekers at German Jobcenters (SGB II). "
            "Advice that touches benefits or funded measures is a draft until a counsellor approves it."
        ),
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
        dependencies=[Depends(reject_unstorable_input)],
        lifespan=_lifespan,
    )
    app.state.settings = settings
    configure_text_key(settings.secret_key)
    app.state.engine = make_engine(settings.database_url)
    app.state.write_lock = FairWriteLock()
    app.state.decision_lane = DecisionLane(settings.decision_threads)
    app.state.registry = ModelRegistry(settings.models_dir)
    # What a worker loads before /readyz says ready; the frontend adds its templates.
    app.state.warm_steps = [load_occupation_model,
                            lambda: rehearse_decision(app.state.engine, app.state.registry)]
    app.state.warmup = Warmup(lambda: warm_worker(app.state.warm_steps, freeze=settings.environment != "test"))
    register_error_handlers(app)
    install_examples(app)
    app.add_middleware(AllowMiddleware)
    install_security(app, settings)
    app.add_middleware(RequestIdMiddleware)
    install_docs(app)
    for router in ROUTERS:
        unprefixed = any(tag in _UNPREFIXED for tag in router.tags)
        app.include_router(router, prefix="" if unprefixed else API_PREFIX)
    return app
