"""Public information pages: Leichte Sprache (of Lotse and of each advice item), accessibility, how Lotse uses AI."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse

from api.auth import PUBLIC
from data.catalogue import load_catalogue
from data.easy_german import easy_german, easy_text
from frontend.pages.seeker.common import render

router = APIRouter(include_in_schema=False, dependencies=[PUBLIC])

ACCESSIBILITY_CONTACT = "barrierefreiheit@jobcenter-demo.example"
ACCESSIBILITY_STATEMENT_DATE = date(2026, 11, 25)


@router.get("/easy-language", response_class=HTMLResponse)
def read_easy_language(request: Request) -> HTMLResponse:
    """Lotse in Leichte Sprache (BITV 2.0 § 4)."""
    return render(request, "seeker/easy_language.html", with_nav=False)


@router.get("/advice/easy/{module_id}", response_class=HTMLResponse)
def read_easy_advice(request: Request, module_id: str) -> HTMLResponse:
    """One advice item in Leichte Sprache (German), linked from its card; public, it holds nothing personal."""
    easy = easy_text(module_id[:64])
    if easy is None:
        raise HTTPException(status_code=404, detail="No advice item with this id.")
    module = load_catalogue().get(module_id)
    return render(request, "seeker/easy_advice.html", {"easy": easy, "page": easy_german().page, "module": module},
                  with_nav=False)


@router.get("/accessibility", response_class=HTMLResponse)
def read_accessibility_statement(request: Request) -> HTMLResponse:
    """Erklärung zur Barrierefreiheit with a feedback channel (BITV 2.0 § 7)."""
    return render(request, "seeker/accessibility.html", {
        "contact": ACCESSIBILITY_CONTACT, "statement_date_value": ACCESSIBILITY_STATEMENT_DATE}, with_nav=False)


@router.get("/about-ai", response_class=HTMLResponse)
def read_about_ai(request: Request) -> HTMLResponse:
    """How Lotse uses AI, for anyone, before or without an account (AI Act Art 50, GDPR Art 13)."""
    return render(request, "seeker/about_ai.html", with_nav=False)
