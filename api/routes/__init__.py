"""JSON routers; ``ROUTERS`` is what the app factory mounts (one module per resource)."""

from fastapi import APIRouter

from api.routes import admin, auth, health, monitoring, privacy, recommendations, reviews

ROUTERS: list[APIRouter] = [
    health.router,
    auth.router,
    recommendations.router,
    reviews.router,
    monitoring.router,
    admin.router,
    privacy.router,
]
