"""The start page: what Lotse is, before anything else."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse

from api.auth import PUBLIC, OptionalUser
from api.deps import SessionDep
from api.i18n import get_locale, gettext
from api.i18n import lazy_gettext as _
from api.seeker import find_session_job_seeker
from frontend.pages.seeker.common import render
from frontend.templating import STATIC_DIR
from models.tables import Role

router = APIRouter(include_in_schema=False, dependencies=[PUBLIC])

MSG_SESSION_ENDED = _("Your session has ended, for example after a long break. Please start again. "
                      "If you have an account, sign in to see your saved answers.")


@router.get("/", response_class=HTMLResponse)
def read_start(request: Request, user: OptionalUser, db: SessionDep, session: str | None = None) -> HTMLResponse:
    """Start page."""
    # "Continue" only when there is a case to continue (an account may not have one yet).
    is_seeker = user is None or user.role == Role.job_seeker.value
    signed_in = is_seeker and find_session_job_seeker(request, db, user) is not None
    context: dict[str, object] = {"signed_in": signed_in, "account": user is not None}
    if session == "ended" and not signed_in:
        context.update(flash=gettext(MSG_SESSION_ENDED, get_locale(request)), flash_kind="info")
    return render(request, "start.html", context, with_nav=signed_in)


@router.get("/favicon.ico", include_in_schema=False)
def read_favicon() -> FileResponse:
    """The site icon (112 bytes, served from here so browsers asking for it get no 404 and go nowhere else).

    Like every route outside ``/static/`` it is sent with ``no-store`` (api/security/headers.py): one rule
    for all, and 112 bytes cost nothing to fetch again.
    """
    return FileResponse(STATIC_DIR / "favicon.ico", media_type="image/x-icon")
