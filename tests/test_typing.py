"""The type checker guards every layer: mypy runs in ``make lint`` (so in ``make test`` and CI).

mypy itself is not run here (a cold run takes minutes); these tests keep the set-up from
quietly eroding: a package dropped from ``[tool.mypy] files``, the lint target losing mypy,
or a blanket ``# type: ignore`` that would hide every error on its line.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ("models", "data", "recommender", "api", "frontend")
IGNORE = re.compile(r"#\s*type:\s*ignore(?P<codes>\[[a-z0-9_,\s-]+\])?")


def _mypy_config() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mypy"]


def blanket_ignores(root: Path = ROOT, packages: tuple[str, ...] = LAYERS) -> list[str]:
    """``path:line`` of every ``# type: ignore`` without an error code in *packages*."""
    found = []
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                match = IGNORE.search(line)
                if match and not match.group("codes"):
                    found.append(f"{path.relative_to(root)}:{lineno}")
    return found


def test_every_layer_is_type_checked() -> None:
    config = _mypy_config()
    assert set(LAYERS) <= set(config["files"])
    assert config["warn_unused_ignores"] is True
    assert config["check_untyped_defs"] is True


def test_lint_target_runs_mypy_after_ruff() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\nlint:", 1)[1].split("\n\n", 1)[0]
    assert "$(BIN)/ruff check ." in recipe
    assert "$(BIN)/mypy" in recipe


def test_type_ignores_name_their_error_code() -> None:
    assert blanket_ignores() == []


def test_blanket_ignore_is_reported_when_it_names_no_code(tmp_path: Path) -> None:
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "row.py").write_text(
        "a = f()  # type: ignore\nb = g()  # type: ignore[arg-type]\n", encoding="utf-8")
    assert blanket_ignores(tmp_path, ("models",)) == ["models/row.py:1"]
