"""The ASGI app that ``lotse serve`` runs: the JSON API plus the HTML pages and static files."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api.app import create_app
from api.settings import Settings
from frontend.errors import install_page_errors
from frontend.pages import PAGES
from frontend.templating import STATIC_DIR, compile_templates


def create_frontend_app(settings: Settings | None = None) -> FastAPI:
    app = create_app(settings)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for router in PAGES:
        app.include_router(router)
    install_page_errors(app)
    app.state.warm_steps.append(compile_templates)
    return app


def __getattr__(name: str) -> FastAPI:
    # Built on first access so that importing this module (tests, tools) reads no settings.
    if name == "app":
        application = create_frontend_app()
        globals()["app"] = application
        return application
    raise AttributeError(name)
