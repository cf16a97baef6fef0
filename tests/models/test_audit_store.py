"""The separate audit store (G3): voluntary attributes only, own database, unreadable by serving code."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from sqlalchemy import inspect

from models.audit_store import (
    READ_FUNCTIONS,
    AuditStoreError,
    create_audit_schema,
    erase_attributes,
    make_audit_engine,
    read_audit_attributes,
    record_attributes,
)

ROOT = Path(__file__).resolve().parents[2]
# Serving code: everything that answers a request. Offline tooling (recommender.evaluate.fairness, the CLI)
# may read the store; a request handler never.
SERVING = [*sorted((ROOT / "api").rglob("*.py")), *sorted((ROOT / "frontend").rglob("*.py")),
           *[ROOT / "recommender" / f"{name}.py" for name in
             ("decision_path", "features", "ranker", "explain", "explanation", "guardrails")]]


def audit_reads(path: Path) -> list[str]:
    """Every import in *path* that gives access to the audit store's read functions."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "models.audit_store":
            found += [f"{path.name}:{node.lineno} {a.name}" for a in node.names
                      if a.name in READ_FUNCTIONS or a.name == "*"]
        elif isinstance(node, ast.ImportFrom) and node.module == "models":
            found += [f"{path.name}:{node.lineno} audit_store" for a in node.names if a.name == "audit_store"]
        elif isinstance(node, ast.Import):
            found += [f"{path.name}:{node.lineno} {a.name}" for a in node.names if a.name == "models.audit_store"]
    return found


def test_serving_code_never_imports_the_audit_store_readers() -> None:
    offenders = [hit for path in SERVING if path.exists() for hit in audit_reads(path)]
    assert offenders == []


@pytest.mark.parametrize("line", ["from models.audit_store import read_audit_attributes",
                                  "import models.audit_store", "from models import audit_store",
                                  "from models.audit_store import *"])
def test_import_check_catches_a_planted_read(tmp_path: Path, line: str) -> None:
    planted = tmp_path / "route.py"
    planted.write_text(line + "\n", encoding="utf-8")
    assert len(audit_reads(planted)) == 1


def test_writing_a_voluntary_report_is_allowed_in_serving_code(tmp_path: Path) -> None:
    planted = tmp_path / "consent.py"
    planted.write_text("from models.audit_store import record_attributes\n", encoding="utf-8")
    assert audit_reads(planted) == []


def test_store_lives_in_its_own_database_and_round_trips(tmp_path: Path) -> None:
    app_url = f"sqlite:///{tmp_path / 'app.db'}"
    with pytest.raises(AuditStoreError, match="separate database"):
        make_audit_engine(app_url, app_url=app_url)
    engine = make_audit_engine(f"sqlite:///{tmp_path / 'audit.db'}", app_url=app_url)
    create_audit_schema(engine)
    create_audit_schema(engine)  # idempotent
    record_attributes(engine, case_pseudonym="p1", attributes={"gender": "female", "age_band": "50_plus"},
                      consent_version="v1")
    record_attributes(engine, case_pseudonym="p1", attributes={"gender": "diverse"}, consent_version="v2")
    assert read_audit_attributes(engine) == {"p1": {"gender": "diverse"}}
    assert erase_attributes(engine, case_pseudonym="p1") is True
    assert read_audit_attributes(engine) == {}
    assert inspect(engine).get_table_names() == ["audit_attribute"]


def test_app_migrations_do_not_create_the_audit_table(engine) -> None:  # type: ignore[no-untyped-def]
    assert "audit_attribute" not in inspect(engine).get_table_names()


@pytest.mark.parametrize(("attributes", "message"), [
    ({"religion": "x"}, "'religion' is not collected"),
    ({"gender": "unknown"}, "'gender' cannot be 'unknown'"),
])
def test_unknown_attribute_or_value_is_refused_and_nothing_is_written(tmp_path: Path, attributes, message) -> None:  # type: ignore[no-untyped-def]
    engine = make_audit_engine(f"sqlite:///{tmp_path / 'audit.db'}")
    create_audit_schema(engine)
    with pytest.raises(AuditStoreError, match=message):
        record_attributes(engine, case_pseudonym="p1", attributes=attributes, consent_version="v1")
    assert read_audit_attributes(engine) == {}
