"""Job postings from BA Jobsuche API responses (v4 and v6), counted by occupation and Kreis.

Real responses differ from the community OpenAPI spec (``../shared/data/jobsuche/NOTES.md``):
v4 lists ``stellenangebote`` with ``arbeitsort.plz`` as a string (sometimes missing); v6 lists
``ergebnisliste`` with renamed fields and several ``stellenlokationen``. Postings carry no
KldB code, so the caller passes a classifier for the occupation text (``data`` may not
import ``recommender``); places are mapped to Kreise by name, otherwise counted nationally.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import Session, delete, select

from data.errors import ImportFileError, RowProblem
from data.importers.base import ImportDiff, read_text
from data.regions import find_region_by_place
from models.market import NATIONAL_AGS, JobPostingCount

_NOT_JSON = "not valid JSON: {error}"
_NOT_JOBSUCHE = ("neither a Jobsuche v4 response (top-level 'stellenangebote') nor v6 ('ergebnisliste'); "
                 "found keys: {keys}")
_NOT_A_LIST = "'{key}' must be a list of postings; got {kind}"
_NOT_AN_OBJECT = "each posting must be a JSON object; got {kind}"
_NO_ID = "posting has no '{field}' (its reference number)"
_NO_TEXT = "posting has neither an occupation ('{a}') nor a title ('{b}')"


@dataclass(frozen=True)
class JobPosting:
    """The fields of one posting that Lotse uses."""

    refnr: str
    occupation_text: str  # beruf (v4) or the best occupation-like text of v6
    title: str
    places: tuple[str, ...]  # place names (ort), one per location
    postcodes: tuple[str, ...]
    version: str


def _places_v4(record: dict[str, Any]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    location = record.get("arbeitsort") or {}
    place = str(location.get("ort") or "").strip()
    postcode = str(location.get("plz") or "").strip()
    return ((place,) if place else ()), ((postcode,) if postcode else ())


def _places_v6(record: dict[str, Any]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    places, postcodes = [], []
    for location in record.get("stellenlokationen") or []:
        address = (location or {}).get("adresse") or {}
        if address.get("ort"):
            places.append(str(address["ort"]).strip())
        if address.get("plz"):
            postcodes.append(str(address["plz"]).strip())
    return tuple(places), tuple(postcodes)


def parse_jobsuche(path: Path) -> list[JobPosting]:
    """Read a saved v4 or v6 response; every fault is reported with its JSON path.

    Raises
    ------
    ImportFileError
        For invalid JSON (with line and column), an unknown shape, or postings without
        reference number or any occupation text.
    """
    name = str(path)
    text = read_text(path)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        problem = RowProblem(name, exc.lineno, f"char {exc.colno}", _NOT_JSON.format(error=exc.msg))
        raise ImportFileError([problem]) from None
    keys = sorted(document) if isinstance(document, dict) else []
    if isinstance(document, dict) and "stellenangebote" in document:
        version, key, id_field, text_field, title_field = "v4", "stellenangebote", "refnr", "beruf", "titel"
    elif isinstance(document, dict) and "ergebnisliste" in document:
        version, key, id_field, text_field, title_field = ("v6", "ergebnisliste", "referenznummer", "beruf",
                                                            "stellenangebotsTitel")
    else:
        raise ImportFileError([RowProblem(name, 1, "-", _NOT_JOBSUCHE.format(keys=", ".join(keys) or "none"))])
    records = document[key]
    if not isinstance(records, list):
        raise ImportFileError([RowProblem(name, 1, key, _NOT_A_LIST.format(key=key, kind=type(records).__name__))])
    problems: list[RowProblem] = []
    postings: list[JobPosting] = []
    for index, record in enumerate(records):
        where = f"{key}[{index}]"
        if not isinstance(record, dict):
            problems.append(RowProblem(name, 0, where, _NOT_AN_OBJECT.format(kind=type(record).__name__)))
            continue
        refnr = str(record.get(id_field) or "").strip()
        occupation = str(record.get(text_field) or record.get("hauptberuf") or "").strip()
        title = str(record.get(title_field) or record.get("titel") or "").strip()
        if not refnr:
            problems.append(RowProblem(name, 0, where, _NO_ID.format(field=id_field)))
        if not occupation and not title:
            problems.append(RowProblem(name, 0, where, _NO_TEXT.format(a=text_field, b=title_field)))
        places, postcodes = _places_v4(record) if version == "v4" else _places_v6(record)
        postings.append(JobPosting(refnr, occupation or title, title, places, postcodes, version))
    if problems:
        raise ImportFileError(problems)
    return postings


def count_postings(
    postings: Iterable[JobPosting], classify: Callable[[str], str | None]
) -> Counter[tuple[str, str]]:
    """Postings per (KldB 5-digit, Kreis AGS) plus national totals per code (``DG``).

    A posting with several locations counts once in each distinct Kreis and once nationally;
    postings the classifier cannot place are left out.
    """
    counts: Counter[tuple[str, str]] = Counter()
    seen: set[str] = set()
    for posting in postings:
        if posting.refnr in seen:
            continue
        seen.add(posting.refnr)
        code = classify(posting.occupation_text)
        if code is None:
            continue
        counts[(code, NATIONAL_AGS)] += 1
        kreise = {region.ags for place in posting.places if (region := find_region_by_place(place)) is not None}
        for ags in kreise:
            counts[(code, ags)] += 1
    return counts


def replace_posting_counts(
    session: Session, counts: Counter[tuple[str, str]], *, source: str, dry_run: bool = False
) -> ImportDiff:
    """Diff against the stored counts and (unless *dry_run*) replace them in this transaction."""
    current = {(r.kldb5, r.ags): r.postings for r in session.exec(select(JobPostingCount)).all()}
    added = sum(1 for key in counts if key not in current)
    removed = sum(1 for key in current if key not in counts)
    changed = sum(1 for key, n in counts.items() if key in current and current[key] != n)
    if not dry_run:
        session.exec(delete(JobPostingCount))  # type: ignore[call-overload]
        session.add_all(JobPostingCount(kldb5=k, ags=a, postings=n, source=source) for (k, a), n in counts.items())
        session.flush()
    return ImportDiff(added, removed, changed, len(counts) - added - changed)
