"""Running ``lotse data import`` in tests, and a snapshot of everything an import may change."""

from __future__ import annotations

from pathlib import Path

from click.testing import Result
from sqlalchemy import inspect, text
from typer.testing import CliRunner

from api.cli import app as cli
from models.db import make_engine

IMPORT_TABLES = ("market_indicator", "job_posting", "job_posting_count")
# Occupation texts the fixtures use, with the code a classifier would give (no model is loaded).
FAKE_CODES = {"Verkäufer/in": "62102", "Fachkraft - Lagerlogistik": "51312", "Staplerfahrer (m/w/d)": "52122",
              "Koch/Köchin": "29302"}


def fake_classify(text: str) -> str | None:
    return FAKE_CODES.get(text)


def invoke_import(kind: str, path: Path, *options: str) -> Result:
    return CliRunner().invoke(cli, ["data", "import", kind, str(path), *options])


def snapshot(var_dir: Path) -> tuple[object, ...]:
    """Rows of every table an import writes, and the bytes of every imported reference file."""
    engine = make_engine(f"sqlite:///{var_dir / 'app.db'}")
    try:
        present = set(inspect(engine).get_table_names())
        with engine.connect() as connection:
            rows = tuple(
                tuple(connection.execute(text(f"SELECT * FROM {table} ORDER BY 1, 2")).all())  # noqa: S608
                for table in IMPORT_TABLES if table in present
            )
    finally:
        engine.dispose()
    files = tuple(sorted((p.name, p.read_bytes()) for p in (var_dir / "reference").glob("*") if p.is_file()))
    return rows, files
