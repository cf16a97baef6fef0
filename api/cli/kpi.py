"""``lotse kpi export|import``: benchlearning figures to share with, and read from, other Jobcenters."""

from __future__ import annotations

from pathlib import Path

import typer
from sqlmodel import select

from api.cli.app import console, fail, transaction
from models.tables import Jobcenter
from recommender.evaluate.kpi import KpiError, Period
from recommender.evaluate.kpi_file import export_kpi_file, import_kpi_file

kpi_app = typer.Typer(help="Benchlearning indicators (anonymous, small cells suppressed).", no_args_is_help=True)
ONE_JOBCENTER = "this installation serves {count} Jobcenters ({codes}); name one with --jobcenter"


@kpi_app.command("export")
def export_command(
    period: str = typer.Option(None, help="Quarter such as 2026-Q3 (default: the last complete quarter)."),
    jobcenter: str = typer.Option(None, help="Jobcenter code (default: the only one of this installation)."),
    out: Path = typer.Option(None, "--out", dir_okay=False, help="File to write (default: kpi-CODE-PERIOD.csv)."),
    actor: str = typer.Option("data_steward:cli", help="Who exports (logged)."),
) -> None:
    """Write one Jobcenter's indicators for one quarter as CSV; cells under 10 people are suppressed."""
    with transaction(KpiError) as session:
        quarter = Period.parse(period) if period else Period.last_complete()
        if jobcenter is None:
            codes = session.exec(select(Jobcenter.code).order_by(Jobcenter.code)).all()
            if len(codes) != 1:
                raise fail(ONE_JOBCENTER.format(count=len(codes), codes=", ".join(codes) or "none"))
            jobcenter = codes[0]
        target = out or Path(f"kpi-{jobcenter}-{quarter}.csv")
        count = export_kpi_file(session, jobcenter_code=jobcenter, period=quarter, target=target, actor_id=actor)
    console.print(f"{count:,} figures of {jobcenter} for {quarter} written to {target} "
                  "(no pseudonyms, no free text; cells under 10 people suppressed).")


@kpi_app.command("import")
def import_command(
    path: Path = typer.Argument(..., exists=True, dir_okay=False, help="A file another Jobcenter exported."),
    actor: str = typer.Option("data_steward:cli", help="Who imports (logged)."),
) -> None:
    """Read another Jobcenter's file; a wrong file is refused whole, with every wrong line named."""
    with transaction(KpiError) as session:
        parsed = import_kpi_file(session, path, actor_id=actor)
    console.print(f"{len(parsed.rows):,} figures of {parsed.jobcenter} for {parsed.period} imported "
                  f"(replacing any earlier file of theirs for that quarter).")


def register(app: typer.Typer) -> None:
    app.add_typer(kpi_app, name="kpi")
