"""Shared by the tests that check docs tables name real tests (risk register, guardrails)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEST_ID = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")


def named_tests(cell: str) -> list[tuple[str, str]]:
    """The ``file::test`` ids written in a table cell."""
    return TEST_ID.findall(cell)


def missing_tests(cell: str) -> list[str]:
    """The ids in *cell* whose file or test function does not exist."""
    missing = []
    for path, name in named_tests(cell):
        file = ROOT / path
        source = file.read_text(encoding="utf-8") if file.is_file() else ""
        if not re.search(rf"^(async )?def {name}\(", source, re.MULTILINE):
            missing.append(f"{path}::{name}")
    return missing
