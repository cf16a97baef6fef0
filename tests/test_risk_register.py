"""G1: every risk in docs/risk-register.md names tests, and every named test exists."""

from __future__ import annotations

import re
from pathlib import Path

from tests.doc_checks import missing_tests, named_tests

ROOT = Path(__file__).resolve().parents[1]
REGISTER = ROOT / "docs" / "risk-register.md"


def _rows() -> list[tuple[str, str]]:
    rows = []
    for line in REGISTER.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and re.fullmatch(r"R\d+", cells[0]):
            rows.append((cells[0], cells[3]))
    return rows


def test_every_risk_names_at_least_one_existing_test() -> None:
    rows = _rows()
    assert len(rows) >= 20
    for risk, tests in rows:
        assert named_tests(tests), f"{risk} names no test"
        assert missing_tests(tests) == [], risk


def test_risk_ids_are_unique() -> None:
    ids = [risk for risk, _ in _rows()]
    assert len(ids) == len(set(ids))
