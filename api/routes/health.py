"""Liveness and readiness probes for load balancers and container orchestrators."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from api.auth.policy import PUBLIC
from api.deps import EngineDep
from models.migrate import current_revision, head_revision

router = APIRouter(tags=["health"], dependencies=[PUBLIC])


@router.get("/healthz")
def read_health() -> dict[str, str]:
    """The process is up (says nothing about the database)."""
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"description": "Not ready; the body says which check failed"}})
def read_readiness(engine: EngineDep) -> JSONResponse:
    """Ready to serve: the database answers and its migrations are current."""
    checks: dict[str, Any] = {}
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
    return JSONResponse({"status": "ready" if ready else "not ready", "checks": checks}, status_code=status)
