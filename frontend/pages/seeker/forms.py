"""Reading plain HTML forms and turning schema errors into friendly messages in the person's language.

Forms post ``application/x-www-form-urlencoded`` without JavaScript. What the person typed is
always handed back to the template (``raw``), so a refused value is shown again for correction
instead of being lost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData
from starlette.requests import Request

from api.i18n import gettext
from api.i18n import lazy_gettext as _
from frontend.pages.seeker.steps import FieldSpec

MAX_FORM_BYTES = 64 * 1024
# "12", "-3", "2500", "2.500", "2,500", "2 500": people type numbers the way they write them.
_INTEGER = re.compile(r"^-?(\d{1,3}([.,\s]\d{3})+|\d{1,9})$")

MSG_NUMBER = _("Please enter a whole number, for example 12.")
MSG_RANGE = _("Please enter a number from %(min)s to %(max)s.")
MSG_TOO_LONG = _("Please shorten this to at most %(max)s characters.")
MSG_CHOICE = _("Please choose one of the options.")
MSG_PATTERN_POSTCODE = _("A postcode has exactly 5 digits, for example 90402.")
MSG_INVALID = _("This answer cannot be saved. Please check it.")
MSG_FORM_TOO_LARGE = _("What you sent is far too long, so it was not saved. Please shorten your answers.")
MSG_REGION_UNKNOWN = _("We could not find this place. Please enter the name of your town or district, "
                       "for example Nürnberg.")


class FormTooLarge(Exception):
    """A request body far beyond any honest answer (e.g. a pasted 10 MB text)."""


@dataclass
class StepInput:
    answers: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


async def read_form(request: Request) -> FormData:
    """The posted form, refusing bodies over ``MAX_FORM_BYTES`` before parsing them."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_FORM_BYTES:
        raise FormTooLarge
    # The CSRF check has usually parsed the form already (it is cached on the request).
    form = await request.form()
    if sum(len(str(value)) for _key, value in form.multi_items()) > MAX_FORM_BYTES:
        raise FormTooLarge
    return form


def parse_fields(form: FormData, fields: tuple[FieldSpec, ...], locale: str) -> StepInput:
    """Convert form strings to typed answers; unparsable values become messages, not exceptions."""
    result = StepInput()
    for spec in fields:
        if spec.kind == "multi":
            values = [str(v) for v in form.getlist(spec.name)]
            result.raw[spec.name] = values
            allowed = {value for value, _label in spec.options}
            if any(v not in allowed for v in values):
                result.errors[spec.name] = gettext(MSG_CHOICE, locale)
            else:
                result.answers[spec.name] = values
            continue
        value = str(form.get(spec.name) or "").strip()
        result.raw[spec.name] = value
        if spec.kind == "int":
            _parse_int(spec, value, result, locale)
        elif spec.kind == "bool":
            if value not in ("", "yes", "no"):
                result.errors[spec.name] = gettext(MSG_CHOICE, locale)
            else:
                result.answers[spec.name] = None if value == "" else value == "yes"
        elif spec.kind == "choice":
            if value and value not in {v for v, _label in spec.options}:
                result.errors[spec.name] = gettext(MSG_CHOICE, locale)
            else:
                result.answers[spec.name] = value or None
        else:
            if len(value) > spec.maxlength:
                result.errors[spec.name] = gettext(MSG_TOO_LONG, locale, max=spec.maxlength)
            else:
                result.answers[spec.name] = value or None
    return result


def _parse_int(spec: FieldSpec, value: str, result: StepInput, locale: str) -> None:
    if value == "":
        result.answers[spec.name] = None
        return
    if not _INTEGER.match(value):
        result.errors[spec.name] = gettext(MSG_NUMBER, locale)
        return
    number = int(re.sub(r"[.,\s]", "", value))
    if (spec.minimum is not None and number < spec.minimum) or (spec.maximum is not None and number > spec.maximum):
        result.errors[spec.name] = gettext(MSG_RANGE, locale, min=spec.minimum, max=spec.maximum)
        return
    result.answers[spec.name] = number


def schema_errors(exc: ValidationError, locale: str, fields: tuple[FieldSpec, ...]) -> dict[str, str]:
    """Pydantic's errors as one friendly message per form field (English codes never reach the page)."""
    by_name = {spec.name: spec for spec in fields}
    out: dict[str, str] = {}
    for error in exc.errors():
        name = ".".join(str(p) for p in error.get("loc", ()) if not isinstance(p, int))
        spec = by_name.get(name)
        key = name if spec else (fields[0].name if fields else "form")
        kind = error.get("type", "")
        ctx = error.get("ctx") or {}
        if kind in ("greater_than_equal", "less_than_equal") and spec:
            message = gettext(MSG_RANGE, locale, min=spec.minimum, max=spec.maximum)
        elif kind in ("int_parsing", "int_type", "int_from_float"):
            message = gettext(MSG_NUMBER, locale)
        elif kind in ("string_too_long", "too_long"):
            message = gettext(MSG_TOO_LONG, locale, max=ctx.get("max_length", spec.maxlength if spec else 200))
        elif kind == "string_pattern_mismatch" and name == "postcode":
            message = gettext(MSG_PATTERN_POSTCODE, locale)
        elif kind in ("literal_error", "enum"):
            message = gettext(MSG_CHOICE, locale)
        else:
            message = gettext(MSG_INVALID, locale)
        out.setdefault(key, message)
    return out
