"""Job postings from BA Jobsuche responses, stored by reference number and counted by occupation and Kreis.

A search answers in pages, so an import adds its postings to those already stored (a posting
seen again is updated by its ``refnr``); ``replace=True`` starts from an empty table instead.
Postings carry no KldB code, so the caller passes a classifier for the occupation text
(``data`` may not import ``recommender``). Places are put into Kreise by ``data.places``;
``job_posting_count`` is then recomputed from all stored postings, with a national total per
code for every classified posting, placed or not.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlmodel import Session, delete, select

from data.importers.base import ImportDiff
from data.importers.jobsuche_records import JobPosting
from data.places import place_posting
from models.market import NATIONAL_AGS, ImportedJobPosting, JobPostingCount


@dataclass(frozen=True)
class PostingImport:
    """What an import did to the stored postings, and how many of the file's postings were placed."""

    diff: ImportDiff
    postings: int
    placed: int
    not_placed: Counter[str] = field(default_factory=Counter)  # reason -> postings
    not_classified: int = 0


def store_postings(session: Session, postings: list[JobPosting], classify: Callable[[str], str | None], *,
                   source: str, replace: bool = False, dry_run: bool = False) -> PostingImport:
    """Upsert *postings* by reference number (or replace all stored ones) and recount; diff by posting."""
    current = {p.refnr: (p.kldb5, p.kreise) for p in session.exec(select(ImportedJobPosting)).all()}
    unique = {posting.refnr: posting for posting in postings}  # a later duplicate wins
    placements = {refnr: place_posting(posting.locations) for refnr, posting in unique.items()}
    new = {refnr: ImportedJobPosting(refnr=refnr, kldb5=classify(posting.occupation_text),
                                     kreise=",".join(sorted(placements[refnr].kreise)), version=posting.version,
                                     source=source)
           for refnr, posting in unique.items()}
    added = sum(1 for refnr in new if refnr not in current)
    changed = sum(1 for refnr, row in new.items() if refnr in current and current[refnr] != (row.kldb5, row.kreise))
    removed = sum(1 for refnr in current if refnr not in new) if replace else 0
    if not dry_run and (new or replace):
        if replace:
            session.exec(delete(ImportedJobPosting))
            session.flush()
        for row in new.values():
            session.merge(row)
        session.flush()
        recount_postings(session, source=source)
    not_placed = Counter(p.reason for p in placements.values() if p.reason)
    return PostingImport(ImportDiff(added, removed, changed, len(new) - added - changed), len(new),
                         len(new) - sum(not_placed.values()), not_placed,
                         sum(1 for row in new.values() if row.kldb5 is None))


def posting_counts(rows: list[ImportedJobPosting]) -> Counter[tuple[str, str]]:
    """Postings per (KldB 5-digit, Kreis AGS) plus national totals per code (``DG``).

    A posting with several places counts once in each distinct Kreis and once nationally;
    postings without an occupation code are left out.
    """
    counts: Counter[tuple[str, str]] = Counter()
    for row in rows:
        if row.kldb5 is None:
            continue
        counts[(row.kldb5, NATIONAL_AGS)] += 1
        for ags in filter(None, row.kreise.split(",")):
            counts[(row.kldb5, ags)] += 1
    return counts


def recount_postings(session: Session, *, source: str) -> None:
    """Rebuild ``job_posting_count`` from every stored posting, inside the caller's transaction."""
    counts = posting_counts(list(session.exec(select(ImportedJobPosting)).all()))
    session.exec(delete(JobPostingCount))
    session.add_all(JobPostingCount(kldb5=k, ags=a, postings=n, source=source) for (k, a), n in counts.items())
    session.flush()
