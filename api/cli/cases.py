"""``lotse cases import FILE``: cases from a Jobcenter's case-management software, CSV or JSON Lines (issue 20)."""

from __future__ import annotations

import csv
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from api.cli.app import console, fail, transaction
from api.errors import line_problem_message
from models.errors import LineProblems
from recommender.casework.case_import import Format, import_batch

cases_app = typer.Typer(help="Cases from the Jobcenter's case-management software (Fachverfahren).",
                        no_args_is_help=True)
SUFFIXES: dict[str, Format] = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
BAD_SUFFIX = "{name}: name the format with --format csv|jsonl (or use a .csv, .jsonl or .ndjson file)"


def _format_of(path: Path, given: str | None) -> Format:
    found = SUFFIXES.get(f".{given.lower()}" if given else path.suffix.lower())
    if found is None:
        raise typer.BadParameter(BAD_SUFFIX.format(name=path.name))
    return found


@cases_app.command("import")
def import_command(
    path: Path = typer.Argument(..., exists=True, dir_okay=False,
                                help=".csv (a column per field) or .jsonl (a case per line); see docs/interfaces.md."),
    jobcenter: str | None = typer.Option(None, help="Jobcenter code for lines that name none."),
    file_format: str | None = typer.Option(None, "--format", help="csv or jsonl (default: from the file name)."),
    actor: str = typer.Option("data_steward:cli", help="Who imports (logged)."),
    mapping: Path | None = typer.Option(None, dir_okay=False, writable=True,
                                        help="Write external_id,case_pseudonym,action of every line to this CSV."),
) -> None:
    """Import cases, all or nothing; every wrong line is named with its field; the same file again changes nothing."""
    fmt = _format_of(path, file_format)
    data = path.read_bytes()
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task(f"Importing {path.name}", total=None)
        try:
            with transaction() as session:
                result = import_batch(session, data, fmt, actor_role="data_steward", actor_id=actor,
                                      default_jobcenter=jobcenter,
                                      progress=lambda done, total: progress.update(task, completed=done, total=total))
        except LineProblems as exc:
            raise fail(_listing(exc, path.name)) from None
    if mapping is not None:
        with mapping.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(("external_id", "case_pseudonym", "action"))
            writer.writerows(result.actions)
    console.print(f"{result.total:,} cases in {path.name}: {result.created:,} created, {result.updated:,} updated, "
                  f"{result.unchanged:,} unchanged"
                  + (f", {result.erased:,} left alone (erased at the person's request)" if result.erased else "")
                  + ".")


def _listing(exc: LineProblems, name: str) -> str:
    lines = [f"  line {p.line}, {p.field or 'file'}: {line_problem_message(p, 'en')}" for p in exc.problems]
    return f"{name}: nothing imported; {len(lines)} problem(s):\n" + "\n".join(lines)


def register(app: typer.Typer) -> None:
    app.add_typer(cases_app, name="cases")
