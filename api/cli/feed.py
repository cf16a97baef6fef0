"""``lotse feed export FILE``: the outbound feed as CSV, for offices without an integration."""

from __future__ import annotations

from pathlib import Path

import typer

from api.auth.accounts import AccountError, jobcenter_by_code
from api.cli.app import console, transaction
from models.errors import require_id
from recommender.records.feed_export import write_feed_csv
from recommender.records.outbox import CursorError, parse_cursor

feed_app = typer.Typer(help="The outbound feed (approved plans, counsellor decisions, outcomes).",
                       no_args_is_help=True)


@feed_app.command("export")
def export(
    path: Path = typer.Argument(..., dir_okay=False, help="CSV file to write (UTF-8, comma-separated)."),
    after: str = typer.Option("0", help="Cursor of the last entry already processed; 0: from the start."),
    jobcenter: str = typer.Option("demo", help="Code of the Jobcenter whose entries are exported."),
) -> None:
    """Write the Jobcenter's feed entries after --after; prints the cursor to pass next time."""
    with transaction(AccountError, CursorError) as session:
        start = parse_cursor(after)
        center_id = require_id(jobcenter_by_code(session, jobcenter))
        with path.open("w", encoding="utf-8", newline="") as out:
            count, cursor = write_feed_csv(session, jobcenter_id=center_id, after=start, out=out)
    console.print(f"{count:,} feed entries written to {path}; next time use --after {cursor}.")


def register(app: typer.Typer) -> None:
    app.add_typer(feed_app, name="feed")
