"""G1: every risk in docs/risk-register.md names tests, and every named test exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REGISTER = ROOT / "docs" / "risk-register.md"
TEST_ID = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")


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
        ids = TEST_ID.findall(tests)
        assert ids, f"{risk} names no test"
        for path, name in ids:
            source = (ROOT / path).read_text(encoding="utf-8")
            assert re.search(rf"^(async )?def {name}\(", source, re.MULTILINE), f"{risk}: {path}::{name} is missing"


def test_risk_ids_are_unique() -> None:
    ids = [risk for risk, _ in _rows()]
    assert len(ids) == len(set(ids))
