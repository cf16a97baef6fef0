"""Job postings from BA Jobsuche API responses (v4 and v6), counted by occupation and Kreis.

Real responses differ from the community OpenAPI spec (``../shared/data/jobsuche/NOTES.md``):
v4 lists ``stellenangebote`` with ``arbeitsort.plz`` as a string (sometimes missing); v6 lists
``ergebnisliste`` with renamed fields and several ``stellenlokationen``. Postings carry no
KldB code, so the caller passes a classifier for the occupation text (``data`` may not
import ``recommender``); places are mapped to Kreise by name, otherwise counted nationally.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable

from sqlmodel import Session, delete, select

from data.importers.base import ImportDiff
from data.importers.jobsuche_records import JobPosting
from data.regions import find_region_by_place
from models.market import NATIONAL_AGS, JobPostingCount


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
