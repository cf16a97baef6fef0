"""The start page: what Lotse is, before anything else."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from frontend.templating import templates

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def read_start(request: Request) -> HTMLResponse:
    """Start page."""
    signed_in = bool(request.session.get("seeker"))
    return templates.TemplateResponse(request, "start.html", {"signed_in": signed_in})
