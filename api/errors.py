"""Every error leaves the API as RFC 9457 problem+json with a human message.

The one place that maps exceptions to status codes: one handler per kind of domain error
(``models/errors.py``), so routes raise and never map; a last catch-all logs the traceback
and tells the client nothing internal. ``problem_responses`` documents the same shape in OpenAPI.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.i18n import _, get_locale, gettext
from models.errors import (
    ConflictError,
    ForbiddenError,
    InvalidError,
    LineProblem,
    LineProblems,
    LotseError,
    NotFoundError,
    TooLargeError,
)
from recommender.records.protected import protected_category

logger = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"

_TITLES = {
    400: "Bad request",
    401: "Not authenticated",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Payload too large",
    415: "Unsupported media type",
    422: "Invalid input",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
}


# The one mapping from a kind of domain error to its status code.
KIND_STATUS: dict[type[LotseError], int] = {NotFoundError: 404, ConflictError: 409, InvalidError: 422,
                                            ForbiddenError: 403, TooLargeError: 413}


class FieldProblem(BaseModel):
    field: str
    message: str
    line: int | None = Field(default=None, description="Line of an uploaded file (batch imports), from 1.")


class Problem(BaseModel):
    """The RFC 9457 body every error answers with (``application/problem+json``)."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str | None = None
    request_id: str | None = None
    errors: list[FieldProblem] | None = None


_SCHEMA_REF = "#/components/schemas/{model}"


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` entries saying each status answers with a :class:`Problem`."""
    schema = {"$ref": _SCHEMA_REF.format(model=Problem.__name__)}
    return {status: {"description": _TITLES.get(status, "Error"), "content": {PROBLEM_JSON: {"schema": schema}}}
            for status in statuses}


def _document_problem_schema(app: FastAPI) -> None:
    """Add :class:`Problem` to the OpenAPI components that ``problem_responses`` refers to.

    FastAPI registers a schema only for a response ``model``, and then documents it as
    ``application/json``; errors are ``application/problem+json``, so the schema is added here.
    """
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = build()
            schemas = document.setdefault("components", {}).setdefault("schemas", {})
            problem_schema = Problem.model_json_schema(ref_template=_SCHEMA_REF)
            schemas.update(problem_schema.pop("$defs", {}))
            schemas[Problem.__name__] = problem_schema
        # build() (FastAPI's own openapi) has just cached the document in app.openapi_schema.
        return app.openapi_schema  # type: ignore[return-value]

    # Replacing app.openapi is FastAPI's documented way to extend the schema; mypy refuses method assignment.
    app.openapi = openapi  # type: ignore[method-assign]


def status_of(exc: LotseError) -> int:
    """The status code of *exc*'s kind (the first kind in its class hierarchy); 500 for an internal fault."""
    return next((KIND_STATUS[kind] for kind in type(exc).__mro__ if kind in KIND_STATUS), 500)


def problem(status: int, detail: str, *, request: Request | None = None, **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    if request is not None:
        body["instance"] = request.url.path
        request_id = getattr(request.state, "request_id", None)
        if request_id:
            body["request_id"] = request_id
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


# Field-level messages for the pydantic error types people actually hit, in their language.
_VALIDATION_MESSAGES: dict[str, str] = {
    "missing": _("This field is required."),
    "extra_forbidden": _("This field is not part of the form."),
    "string_pattern_mismatch": _("The format is not right."),
    "less_than_equal": _("The value must be at most %(le)s."),
    "less_than": _("The value must be less than %(lt)s."),
    "greater_than_equal": _("The value must be at least %(ge)s."),
    "greater_than": _("The value must be more than %(gt)s."),
    "int_parsing": _("Please enter a whole number."),
    "int_type": _("Please enter a whole number."),
    "int_from_float": _("Please enter a whole number."),
    "float_parsing": _("Please enter a number."),
    "bool_parsing": _("Please answer yes or no."),
    "bool_type": _("Please answer yes or no."),
    "literal_error": _("Please choose one of: %(expected)s."),
    "enum": _("Please choose one of: %(expected)s."),
    "string_too_long": _("Please use at most %(max_length)s characters."),
    "string_too_short": _("Please enter at least %(min_length)s characters."),
    "too_long": _("Please choose at most %(max_length)s entries."),
    "json_invalid": _("The request body is not valid JSON."),
    "model_attributes_type": _("A group of fields was expected here."),
    "dict_type": _("A group of fields was expected here."),
    "list_type": _("A list was expected here."),
    "string_type": _("Please enter text."),
    "date_from_datetime_parsing": _("Please enter a date."),
    "date_parsing": _("Please enter a date."),
}
PROTECTED_FIELD = _(
    "Lotse does not accept this information: protected characteristics are never used for advice."
)
INVALID_INPUT = _("This value is not valid.")


def validation_message(error: dict[str, Any], locale: str) -> str:
    """One friendly sentence for one pydantic error, in *locale*."""
    kind = str(error.get("type", ""))
    loc = [str(p) for p in error.get("loc", ())]
    if kind == "extra_forbidden" and loc and protected_category(loc[-1]):
        return gettext(PROTECTED_FIELD, locale)
    template = _VALIDATION_MESSAGES.get(kind)
    if template is None:
        return gettext(INVALID_INPUT, locale)
    context = {k: str(v) for k, v in (error.get("ctx") or {}).items()}
    try:
        return gettext(template, locale, **context) if "%(" in template else gettext(template, locale)
    except KeyError:
        return gettext(INVALID_INPUT, locale)


def _field_errors(exc: RequestValidationError, locale: str) -> list[dict[str, str]]:
    out = []
    for error in exc.errors():
        loc = [str(p) for p in error.get("loc", ()) if p not in ("body", "query", "path")]
        out.append({"field": ".".join(loc) or "body", "message": validation_message(error, locale)})
    return out


async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    detail = exc.detail if isinstance(exc.detail, str) else _TITLES.get(exc.status_code, "Error")
    # Details are English msgids; those in the catalogue reach the person in their language.
    detail = gettext(detail, get_locale(request))
    response = problem(exc.status_code, detail, request=request)
    for key, value in (exc.headers or {}).items():
        response.headers[key] = value
    return response


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    fields = _field_errors(exc, get_locale(request))
    detail = "; ".join(f"{f['field']}: {f['message']}" for f in fields)
    return problem(422, detail, request=request, errors=fields)


def line_problem_message(problem: LineProblem, locale: str) -> str:
    """One problem of an uploaded file in *locale*: worded like any validation error, or from its msgid."""
    if problem.validation is not None:
        return validation_message(problem.validation, locale)
    return gettext(problem.message, locale, **problem.values)


_LINE_PROBLEMS = _("The batch was not imported: %(count)s problem(s), each named by line and field in errors.")


async def _domain_error(request: Request, exc: LotseError) -> JSONResponse:
    locale = get_locale(request)
    if isinstance(exc, LineProblems):
        errors = [{"line": p.line, "field": p.field or "body", "message": line_problem_message(p, locale)}
                  for p in exc.problems]
        detail = gettext(_LINE_PROBLEMS, locale, count=len(errors))
        if len(errors) == 1:
            detail = f"{detail} {errors[0]['message']}"
        return problem(status_of(exc), detail, request=request, errors=errors)
    # Messages are English msgids; those in the catalogue reach the person in their language.
    return problem(status_of(exc), gettext(str(exc), locale), request=request)


def log_unhandled(request: Request) -> None:
    """Log the exception being handled with the request it broke (its text never reaches the client)."""
    logger.exception("unhandled error on %s %s", request.method, request.url.path)


async def _unhandled_error(request: Request, exc: Exception) -> JSONResponse:
    log_unhandled(request)
    return problem(500, "Something went wrong on our side. Please try again later.", request=request)


def register_error_handlers(app: FastAPI) -> None:
    # Starlette types a handler as taking any Exception; ours take the one class they are registered for.
    app.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    for kind in KIND_STATUS:
        app.add_exception_handler(kind, _domain_error)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _unhandled_error)
    _document_problem_schema(app)
