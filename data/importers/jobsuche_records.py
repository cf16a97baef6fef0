"""The records of a saved BA Jobsuche response (v4 or v6), validated by type before anything is used.

Real responses differ from the community OpenAPI spec (``../shared/data/jobsuche/NOTES.md``):
v4 lists ``stellenangebote`` with ``arbeitsort.plz`` as a string (sometimes missing); v6 lists
``ergebnisliste`` with renamed fields and several ``stellenlokationen``. The models accept both
and ignore fields Lotse does not use, but a field Lotse uses must have its documented type: a
reference number given as a number or an occupation given as a list is refused at its JSON
path rather than turned into text and classified.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from data.errors import ImportFileError, RowProblem
from data.importers.json_file import read_json
from data.places import Location

_NOT_JOBSUCHE = ("neither a Jobsuche v4 response (top-level 'stellenangebote') nor v6 ('ergebnisliste'); "
                 "found keys: {keys}")
_NOT_A_LIST = "'{key}' must be a list of postings; got {kind}"
_NO_ID = "posting has no '{field}' (its reference number)"
_NO_TEXT = "posting has neither an occupation ('{a}') nor a title ('{b}')"
_BAD_VALUE = "{message} (got {kind})"
_CONTROL = "text contains control characters or unpaired surrogates"
_BAD_REFNR = "a reference number has 1 to 64 letters, digits, '-', '_', '.' or '/'"
_REFNR = re.compile(r"[0-9A-Za-z._/-]{1,64}")
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_JSON_KINDS = {dict: "object", list: "array", str: "string", int: "number", float: "number", bool: "true/false",
               type(None): "null"}


def _printable(value: str) -> str:
    if _UNPRINTABLE.search(value):
        raise ValueError(_CONTROL)
    return value.strip()


def _reference_number(value: str) -> str:
    if value and not _REFNR.fullmatch(value):
        raise ValueError(_BAD_REFNR)
    return value


def _postcode_as_text(value: Any) -> Any:
    """The spec documents ``plz`` as an integer, real responses as a string: accept both."""
    return str(value).zfill(5) if type(value) is int else value


Text = Annotated[str, Field(max_length=500), AfterValidator(_printable)]
Postcode = Annotated[str, BeforeValidator(_postcode_as_text), Field(max_length=10), AfterValidator(_printable)]
ReferenceNumber = Annotated[Text, AfterValidator(_reference_number)]


class _Record(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)


class Address(_Record):
    ort: Text | None = None
    plz: Postcode | None = None


class V4Posting(_Record):
    refnr: ReferenceNumber | None = None
    beruf: Text | None = None
    hauptberuf: Text | None = None
    titel: Text | None = None
    arbeitsort: Address | None = None


class V6Location(_Record):
    adresse: Address | None = None


class V6Posting(_Record):
    referenznummer: ReferenceNumber | None = None
    beruf: Text | None = None
    hauptberuf: Text | None = None
    stellenangebotsTitel: Text | None = None  # noqa: N815 - the API's field name
    titel: Text | None = None
    stellenlokationen: list[V6Location] | None = None


@dataclass(frozen=True)
class JobPosting:
    """The fields of one posting that Lotse uses."""

    refnr: str
    occupation_text: str  # beruf, else the title
    title: str
    locations: tuple[Location, ...]  # place name and postcode of each place of work
    version: str

    @property
    def places(self) -> tuple[str, ...]:
        return tuple(location.place for location in self.locations if location.place)

    @property
    def postcodes(self) -> tuple[str, ...]:
        return tuple(location.postcode for location in self.locations if location.postcode)


@dataclass(frozen=True)
class _Shape:
    version: str
    key: str
    model: type[V4Posting] | type[V6Posting]
    id_field: str
    title_field: str


_SHAPES = (_Shape("v4", "stellenangebote", V4Posting, "refnr", "titel"),
           _Shape("v6", "ergebnisliste", V6Posting, "referenznummer", "stellenangebotsTitel"))


def _json_path(prefix: str, location: tuple[int | str, ...]) -> str:
    return prefix + "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in location)


def _posting(record: V4Posting | V6Posting, version: str) -> JobPosting:
    if isinstance(record, V4Posting):
        refnr, title = record.refnr or "", record.titel or ""
        locations = [record.arbeitsort] if record.arbeitsort else []
    else:
        refnr, title = record.referenznummer or "", record.stellenangebotsTitel or record.titel or ""
        locations = [loc.adresse for loc in record.stellenlokationen or [] if loc.adresse]
    occupation = record.beruf or record.hauptberuf or title
    return JobPosting(refnr, occupation, title, tuple(Location(a.ort or "", a.plz or "") for a in locations), version)


def parse_jobsuche(path: Path) -> list[JobPosting]:
    """Read a saved v4 or v6 response; every fault is reported with its JSON path.

    Raises
    ------
    ImportFileError
        For invalid JSON (with line and column), an unknown shape, a field of the wrong type,
        or postings without reference number or any occupation text.
    """
    name = str(path)
    document = read_json(path)
    shape = next((s for s in _SHAPES if isinstance(document, dict) and s.key in document), None)
    if shape is None:
        keys = ", ".join(sorted(map(str, document))) if isinstance(document, dict) else "none"
        raise ImportFileError([RowProblem(name, None, "$", _NOT_JOBSUCHE.format(keys=keys or "none"))])
    records = document[shape.key]
    if not isinstance(records, list):
        kind = _JSON_KINDS.get(type(records), "number")
        raise ImportFileError([RowProblem(name, None, f"$.{shape.key}", _NOT_A_LIST.format(key=shape.key, kind=kind))])
    problems: list[RowProblem] = []
    postings: list[JobPosting] = []
    for index, raw in enumerate(records):
        where = f"$.{shape.key}[{index}]"
        try:
            record = shape.model.model_validate(raw)
        except ValidationError as exc:
            problems.extend(RowProblem(name, None, _json_path(where, error["loc"]),
                                       _BAD_VALUE.format(message=error["msg"],
                                                         kind=_JSON_KINDS.get(type(error["input"]), "number")))
                            for error in exc.errors())
            continue
        posting = _posting(record, shape.version)
        if not posting.refnr:
            problems.append(RowProblem(name, None, f"{where}.{shape.id_field}", _NO_ID.format(field=shape.id_field)))
        if not posting.occupation_text:
            problems.append(RowProblem(name, None, where, _NO_TEXT.format(a="beruf", b=shape.title_field)))
        postings.append(posting)
    if problems:
        raise ImportFileError(problems)
    return postings
