"""HTML routers; ``PAGES`` is what ``frontend.main`` mounts (one module per page group)."""

from fastapi import APIRouter

from frontend.pages import language, login, start
from frontend.pages.seeker import SEEKER_PAGES

PAGES: list[APIRouter] = [start.router, language.router, login.router, *SEEKER_PAGES]
