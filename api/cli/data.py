"""``lotse data import KIND FILE``: load official reference files, all-or-nothing."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy.engine import Engine
from sqlmodel import Session

from api.cli.app import console, err_console, fail, load_settings, open_engine
from data import imported
from data.errors import ImportFileError, RowProblem
from data.importers import KINDS, ImportResult, import_market, import_wages
from data.importers.jobsuche_records import parse_jobsuche
from data.isco import import_isco
from data.jobsuche import PostingImport, store_postings
from models.db import session_scope

data_app = typer.Typer(
    help="Reference data: import official files (market figures, wages, job postings, ISCO crosswalk).",
    no_args_is_help=True,
)

_UNKNOWN_KIND = "unknown kind {kind!r}; allowed: {allowed}"
EMPTY_JOBSUCHE = ("the file holds no postings; importing it changes nothing, or with --replace deletes every "
                  "stored posting. Pass --allow-empty if that is what you want")
_PLACED = "{placed} of {postings} postings placed in a Kreis; {not_placed} not placed"
_NOT_PLACED = "{count} not placed: {reason}"
_NOT_CLASSIFIED = "{count} postings without an occupation code (counted nowhere)"


def _report(result: ImportResult) -> None:
    table = Table(title=escape(f"{result.kind}: {result.file}"))
    for column in ("rows in file", "added", "removed", "changed", "unchanged"):
        table.add_column(column, justify="right")
    d = result.diff
    table.add_row(str(result.rows), str(d.added), str(d.removed), str(d.changed), str(d.unchanged))
    console.print(table)
    for note in result.notes:
        console.print(f"Note: {note}", markup=False, soft_wrap=True)
    if result.applied:
        console.print(f"Imported {result.rows} rows ({d.summary()}).")
    else:
        console.print(f"Dry run: nothing was changed. Would apply {d.summary()}.")


def import_file(
    kind: str = typer.Argument(..., help=f"What the file holds: {', '.join(KINDS)}."),
    file: Path = typer.Argument(..., help="The file to import (CSV, or JSON for jobsuche)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Validate and show the diff; change nothing."),
    encoding: str = typer.Option("utf-8", help="File encoding, e.g. latin-1 for older BA downloads."),
    source: str | None = typer.Option(None, help="Source label stored with each row (market, jobsuche)."),
    replace: bool = typer.Option(False, "--replace",
                                 help="jobsuche: replace all stored postings (default: add, update by refnr)."),
    allow_empty: bool = typer.Option(False, "--allow-empty", help="jobsuche: accept a file without postings."),
) -> None:
    """Validate FILE completely; on any problem print file, line and column and change nothing."""
    if kind not in KINDS:
        raise fail(_UNKNOWN_KIND.format(kind=kind, allowed=", ".join(KINDS)))
    settings = load_settings()
    imported.use_var_dir(settings.var_dir)
    try:
        if kind == "wages":
            result = import_wages(file, dry_run=dry_run, encoding=encoding)
        elif kind == "isco":
            result = import_isco(file, dry_run=dry_run, encoding=encoding)
        else:
            engine = open_engine(settings)
            result = _import_into_database(kind, file, engine, dry_run=dry_run, encoding=encoding, source=source,
                                           replace=replace, allow_empty=allow_empty)
    except ImportFileError as exc:
        for problem in exc.problems[:50]:
            err_console.print(str(problem), style="red", markup=False, highlight=False, soft_wrap=True)
        raise fail(f"{len(exc.problems)} problem(s) in {file}; nothing was imported.") from None
    except (UnicodeDecodeError, LookupError) as exc:
        raise fail(f"cannot read {file} as {encoding}: {exc}") from None
    _report(result)


def _import_into_database(kind: str, file: Path, engine: Engine, *, dry_run: bool, encoding: str,
                          source: str | None, replace: bool, allow_empty: bool) -> ImportResult:
    with session_scope(engine) as session:
        if kind == "jobsuche":
            return _import_jobsuche(session, file, dry_run=dry_run, source=source, replace=replace,
                                    allow_empty=allow_empty)
        return import_market(session, file, dry_run=dry_run, encoding=encoding, source=source)


def _classify(text: str) -> str | None:
    from recommender.occupations.classifier import suggest_occupations  # the model: load only for this import

    suggestions = suggest_occupations(text, k=1)
    return suggestions[0].code if suggestions else None


def _import_jobsuche(session: Session, file: Path, *, dry_run: bool, source: str | None, replace: bool,
                     allow_empty: bool) -> ImportResult:
    """Store the postings by reference number (classified from their text, placed in Kreise) and recount."""
    postings = parse_jobsuche(file)
    if not postings and not allow_empty:
        raise ImportFileError([RowProblem(str(file), None, "$", EMPTY_JOBSUCHE)])
    label = source or f"BA Jobsuche export ({file.name}, {postings[0].version if postings else 'empty'})"
    stored = store_postings(session, postings, _classify, source=label, replace=replace, dry_run=dry_run)
    return ImportResult("jobsuche", str(file), stored.postings, stored.diff, applied=not dry_run,
                        notes=_placement_notes(stored))


def _placement_notes(stored: PostingImport) -> list[str]:
    notes = [_PLACED.format(placed=stored.placed, postings=stored.postings, not_placed=stored.postings - stored.placed)]
    notes += [_NOT_PLACED.format(count=n, reason=reason) for reason, n in stored.not_placed.most_common()]
    if stored.not_classified:
        notes.append(_NOT_CLASSIFIED.format(count=stored.not_classified))
    return notes


def register(app: typer.Typer) -> None:
    data_app.command("import")(import_file)
    app.add_typer(data_app, name="data")
