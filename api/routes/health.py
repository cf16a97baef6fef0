"""Liveness and readiness probes for load balancers and container orchestrators."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from api.auth.policy import PUBLIC
from api.deps import EngineDep
from models.migrate import current_revision, head_revision
from recommender.errors import RecommenderError

router = APIRouter(tags=["health"], dependencies=[PUBLIC])


@router.get("/healthz")
def read_health() -> dict[str, str]:
    """The process is up (says nothing about the database)."""
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"description": "Not ready; the body says which check failed"}})
def read_readiness(request: Request, engine: EngineDep) -> JSONResponse:
    """Ready to serve: the database answers, its migrations are current and the occupation model is
    loaded (``api.warmup``); names the active model."""
    checks: dict[str, Any] = {"occupation_model": request.app.state.warmup.state}
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        checks["database"] = "ok"
        current, head = current_revision(engine), head_revision()
        checks["migrations"] = "ok" if current == head else f"at {current}, expected {head}"
    except SQLAlchemyError as exc:
        checks["database"] = f"unreachable: {exc.__class__.__name__}"
    ready = all(value == "ok" for value in checks.values())
    status = 200 if ready else 503
    body = {"status": "ready" if ready else "not ready", "checks": checks, "model": _model_state(request)}
    return JSONResponse(body, status_code=status)


def _model_state(request: Request) -> str:
    """Which model answers; without one Lotse still serves advice from the rules baseline (G9)."""
    try:
        model = request.app.state.registry.load_active()
    except RecommenderError as exc:
        return f"unusable ({exc.__class__.__name__}): advice from the rules baseline"
    return model.version if model is not None else "none active: advice from the rules baseline"
