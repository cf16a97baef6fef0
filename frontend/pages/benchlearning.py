"""The team lead's benchlearning page: our Jobcenter's figures beside the other Jobcenters'.

Each indicator is a server-rendered SVG chart with the same figures as a table beside it, so
it reads without JavaScript and with a screen reader. The page says plainly that differences
need context and that these are Lotse's own figures, not the official § 48a SGB II ones.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from api.auth.deps import TeamLeadUser
from api.deps import SessionDep
from api.i18n import format_number, get_locale, gettext
from api.i18n import lazy_gettext as _
from data.catalogue import load_catalogue
from frontend.pages.staff_common import render_staff
from models.tables import Jobcenter
from recommender.evaluate.kpi import BY_NAME, KpiError, Period
from recommender.evaluate.kpi_compare import Comparison, compare, others_known
from recommender.evaluate.kpi_plot import bar_chart_svg

router = APIRouter(prefix="/staff/benchlearning", include_in_schema=False)
LABELS = {
    "cases_served": _("Cases served (people who got advice in the quarter)"),
    "advice_shown": _("Share of cases shown this advice"),
    "advice_taken_up": _("Share of cases shown this advice who put it in their plan"),
    "review_approved_share": _("Reviewed advice approved unchanged"),
    "review_edited_share": _("Reviewed advice approved with edits"),
    "review_rejected_share": _("Reviewed advice rejected"),
    "review_median_hours": _("Median hours from advice to review"),
    "feedback_helpful_share": _("Feedback: helpful"),
    "feedback_not_helpful_share": _("Feedback: not helpful"),
    "feedback_not_possible_share": _("Feedback: not possible for me"),
    "lotse_job_start_6m_share": _(
        "Job starts reported to Lotse within 6 months (Lotse's own figure, not the official K2)"),
}
_PERIOD = Annotated[str | None, Query(max_length=7)]


class _BadQuarter(Exception):
    """The quarter field holds no quarter; the message is already in the reader's language."""


def _period(text: str | None, locale: str) -> Period:
    try:
        return Period.parse(text) if text else Period.last_complete()
    except KpiError:
        raise _BadQuarter(gettext("%(given)s is not a quarter; write it like 2026-Q3.", locale,
                                  given=text or "")) from None


def _value_text(comparison: Comparison, value: float | None, status: str, locale: str) -> str:
    if value is None:
        if status == "not_yet_observable":
            return gettext("not yet observable", locale)
        return gettext("suppressed (under 10 people)", locale)
    unit = comparison.indicator.unit
    if unit == "share":
        return f"{format_number(round(100 * value, 1), locale)} %"
    return format_number(round(value, 1), locale)


def _module_titles(locale: str) -> dict[str, str]:
    catalogue = load_catalogue()
    return {module_id: catalogue.get(module_id).title.de if locale == "de" else catalogue.get(module_id).title.en
            for module_id in catalogue.ids}


def _code(session: SessionDep, user: TeamLeadUser) -> str:
    center = session.get(Jobcenter, user.jobcenter_id)
    return center.code if center else ""


@router.get("", response_class=HTMLResponse)
def read_benchlearning_page(request: Request, user: TeamLeadUser, session: SessionDep, period: _PERIOD = None,
                            ) -> Response:
    """Every indicator of the quarter, ours first, with a chart and a table each."""
    locale = get_locale(request)
    try:
        quarter = _period(period, locale)
        comparisons = compare(session, jobcenter_code=_code(session, user), period=quarter)
    except (_BadQuarter, KpiError) as exc:  # the page keeps its quarter field, with the reason in place of figures
        failed = {"period": period or "", "error": str(exc), "comparisons": [], "others": []}
        return render_staff(request, "staff/benchlearning.html", user, failed, status_code=422)
    rows = [{"comparison": c, "label": gettext(LABELS[c.indicator.name], locale),
             "texts": [_value_text(c, e.value, e.status, locale) for e in c.entries]} for c in comparisons]
    context: dict[str, object] = {"period": str(quarter), "error": None, "comparisons": rows,
                                  "module_titles": _module_titles(locale),
                                  "others": others_known(session, period=quarter)}
    return render_staff(request, "staff/benchlearning.html", user, context)


@router.get("/chart.svg")
def read_chart(request: Request, user: TeamLeadUser, session: SessionDep,
               indicator: Annotated[str, Query(max_length=64)], module: Annotated[str, Query(max_length=64)] = "",
               period: _PERIOD = None) -> Response:
    """One indicator's chart; an unknown indicator or quarter is a 422 with the reason."""
    locale = get_locale(request)
    if indicator not in BY_NAME:
        return Response(gettext("Unknown indicator.", locale), status_code=422, media_type="text/plain")
    try:
        comparisons = compare(session, jobcenter_code=_code(session, user), period=_period(period, locale))
    except (_BadQuarter, KpiError) as exc:
        return Response(str(exc), status_code=422, media_type="text/plain")
    found = next((c for c in comparisons if c.indicator.name == indicator and c.module == module), None)
    if found is None:
        return Response(gettext("No figures for this indicator in this quarter.", locale), status_code=404,
                        media_type="text/plain")
    svg = bar_chart_svg(
        title=gettext(LABELS[found.indicator.name], locale),
        labels=[e.jobcenter + (" (" + gettext("us", locale) + ")" if e.own else "") for e in found.entries],
        lengths=[e.value for e in found.entries],
        texts=[_value_text(found, e.value, e.status, locale) for e in found.entries],
        own=[e.own for e in found.entries])
    return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "private, max-age=300"})
