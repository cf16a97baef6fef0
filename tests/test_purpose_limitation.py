"""G15 purpose limitation: coaching data never feeds sanctions, fraud detection or benefit decisions.

Nothing in the schema, the routes or the CLI may even be named for such a purpose; a new table,
column, route or command that is fails here and needs a documented decision first.
"""

from __future__ import annotations

import re

import typer
from fastapi import FastAPI
from sqlmodel import SQLModel

from api.cli import app as cli_app
from models.audit_store import audit_metadata

FORBIDDEN = re.compile(r"sanction|sanktion|fraud|betrug|missbrauch|leistungsanspruch|benefit_?eligib|minderung",
                       re.IGNORECASE)


def _cli_names(group: typer.Typer, prefix: str = "") -> list[str]:
    names = [f"{prefix}{c.name or (c.callback.__name__ if c.callback else '')}" for c in group.registered_commands]
    for sub in group.registered_groups:
        names.append(f"{prefix}{sub.name}")
        if sub.typer_instance is not None:
            names.extend(_cli_names(sub.typer_instance, f"{prefix}{sub.name} "))
    return names


def test_no_table_or_column_serves_sanctions_fraud_or_benefit_decisions() -> None:
    names = []
    for metadata in (SQLModel.metadata, audit_metadata):
        for table in metadata.tables.values():
            names.append(table.name)
            names.extend(f"{table.name}.{column.name}" for column in table.columns)
    assert [n for n in names if FORBIDDEN.search(n)] == []


def test_no_route_or_command_serves_sanctions_fraud_or_benefit_decisions(app: FastAPI) -> None:
    paths = [getattr(route, "path", "") for route in app.routes]
    assert len(paths) > 20
    assert [p for p in paths if FORBIDDEN.search(p)] == []
    commands = _cli_names(cli_app)
    assert "models promote" in commands
    assert [c for c in commands if FORBIDDEN.search(c)] == []


def test_the_pattern_catches_what_it_is_for() -> None:
    for name in ("sanction_flag", "Sanktionen", "fraud_score", "leistungsmissbrauch", "benefit_eligibility"):
        assert FORBIDDEN.search(name), name
    for name in ("eligibility", "review_state", "legal_basis", "objection_active"):
        assert not FORBIDDEN.search(name), name
