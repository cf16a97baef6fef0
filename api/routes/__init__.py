"""JSON routers; ``ROUTERS`` is what the app factory mounts (one module per resource)."""

from fastapi import APIRouter

from api.routes import auth, health

ROUTERS: list[APIRouter] = [health.router, auth.router]
