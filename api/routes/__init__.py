"""JSON routers; ``ROUTERS`` is what the app factory mounts (one module per resource)."""

from fastapi import APIRouter

from api.routes import (
    admin,
    auth,
    cases,
    feed,
    health,
    integration_cases,
    interface_schemas,
    kpi,
    monitoring,
    occupations,
    privacy,
    recommendations,
    regions,
    reviews,
)

ROUTERS: list[APIRouter] = [
    health.router,
    auth.router,
    recommendations.router,
    reviews.router,
    monitoring.router,
    admin.router,
    occupations.router,
    regions.router,
    privacy.router,
    feed.router,
    interface_schemas.router,
    integration_cases.router,
    kpi.router,
    cases.router,
]
