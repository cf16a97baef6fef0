"""Every guardrail code the code cites is defined in docs/guardrails.md, and every docs/ link resolves.

The code explains itself by pointing at G-codes and docs pages; a pointer to nothing teaches
nothing, so a code or link that does not resolve inside the repository fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.doc_checks import missing_tests, named_tests

ROOT = Path(__file__).resolve().parents[1]
GUARDRAILS = ROOT / "docs" / "guardrails.md"
SOURCES = ("api", "frontend", "recommender", "data", "models", "bench")
CITED_CODE = re.compile(r"\bG(\d{1,2})(?=[a-z]?\b)")
DOCS_LINK = re.compile(r"\bdocs/([\w./-]+?\.md)\b")
MARKDOWN_LINK = re.compile(r"\]\(([\w./-]+\.md)(?:#[\w-]*)?\)")


def _code_and_docs() -> list[Path]:
    files = [p for top in SOURCES for p in (ROOT / top).rglob("*") if p.suffix in (".py", ".html", ".md")]
    return files + sorted((ROOT / "docs").glob("*.md")) + [ROOT / "README.md"]


def _defined_codes() -> dict[int, str]:
    rows = {}
    for line in GUARDRAILS.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 5 and re.fullmatch(r"G\d+", cells[0]):
            rows[int(cells[0][1:])] = cells[4]
    return rows


def cited_but_undefined(files: list[Path], defined: set[int], root: Path = ROOT) -> list[str]:
    """``file:line cites Gn`` for each cited code that is not in *defined*."""
    found = []
    for path in files:
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            found += [f"{path.relative_to(root)}:{lineno} cites G{n}" for n in CITED_CODE.findall(line)
                      if int(n) not in defined]
    return found


def broken_links(files: list[Path], root: Path = ROOT) -> list[str]:
    """``file links target`` for each ``docs/x.md`` mention (and relative Markdown link) to no file."""
    broken = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        targets = [root / "docs" / name for name in DOCS_LINK.findall(text)]
        if path.suffix == ".md":
            targets += [path.parent / name for name in MARKDOWN_LINK.findall(text)]
        broken += [f"{path.relative_to(root)} links {t.relative_to(root)}" for t in targets if not t.is_file()]
    return broken


def test_guardrail_table_defines_g1_to_g21_each_with_an_existing_test() -> None:
    rows = _defined_codes()
    assert sorted(rows) == list(range(1, 22))
    for code, tests in rows.items():
        assert named_tests(tests), f"G{code} names no test"
        assert missing_tests(tests) == [], f"G{code}"


def test_every_guardrail_code_cited_in_code_or_docs_is_defined() -> None:
    assert cited_but_undefined(_code_and_docs(), set(_defined_codes())) == []


def test_every_docs_link_in_code_or_docs_resolves() -> None:
    assert broken_links(_code_and_docs()) == []


def test_checks_catch_a_planted_unknown_code_and_a_dead_link(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    planted = tmp_path / "docs" / "planted.md"
    planted.write_text("Cites G99 and G8, links [gone](gone.md) and docs/nowhere.md.\n", encoding="utf-8")
    assert cited_but_undefined([planted], set(_defined_codes()), tmp_path) == ["docs/planted.md:1 cites G99"]
    assert broken_links([planted], tmp_path) == ["docs/planted.md links docs/nowhere.md",
                                                 "docs/planted.md links docs/gone.md"]


def test_a_named_test_that_does_not_exist_is_reported() -> None:
    cell = "`tests/test_docs.py::test_no_such_test`, `tests/gone.py::test_x`, `tests/test_docs.py::_defined_codes`"
    assert missing_tests(cell) == ["tests/test_docs.py::test_no_such_test", "tests/gone.py::test_x"]
