"""``lotse outcomes import FILE``: outcomes from the case-management side (CSV or JSON Lines)."""

from __future__ import annotations

from pathlib import Path

import typer

from api.cli.app import console, transaction
from recommender.casework.outcome_import import DEFAULT_SOURCE, OutcomeImportError, import_outcomes, read_outcomes

outcomes_app = typer.Typer(help="Outcomes (job starts) known outside Lotse.", no_args_is_help=True)


@outcomes_app.command("import")
def import_command(
    path: Path = typer.Argument(..., exists=True, dir_okay=False, help=".csv or .jsonl: pseudonym, kind, occurred_on."),
    source: str = typer.Option(DEFAULT_SOURCE, max=32, help="Where the outcomes come from (stored with each)."),
    actor: str = typer.Option("data_steward:cli", help="Who imports (logged)."),
) -> None:
    """Import outcomes; wrong lines are listed by number and nothing is written; a second run adds nothing."""
    with transaction(OutcomeImportError) as session:
        result = import_outcomes(session, read_outcomes(path), source=source[:32], actor_id=actor)
    console.print(f"{result.imported:,} outcomes imported from {path.name} (source {result.source}); "
                  f"{result.already_known:,} were already known.")


def register(app: typer.Typer) -> None:
    app.add_typer(outcomes_app, name="outcomes")
