"""Imports go one way: frontend -> api -> recommender -> data -> models (ARCHITECTURE.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ["models", "data", "recommender", "api", "frontend"]
WEB_LIBRARIES = {"fastapi", "starlette", "jinja2"}


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def violations(root: Path = ROOT) -> list[str]:
    rank = {name: index for index, name in enumerate(LAYERS)}
    bad = []
    for layer in LAYERS:
        for path in sorted((root / layer).rglob("*.py")):
            for lineno, module in _imports(path):
                top = module.split(".")[0]
                upward = rank.get(top, -1) > rank[layer]
                web_below_api = rank[layer] < rank["api"] and top in WEB_LIBRARIES
                if upward or web_below_api:
                    bad.append(f"{path.relative_to(root)}:{lineno} imports {module}")
    return bad


def test_no_module_imports_against_the_layer_direction() -> None:
    assert violations() == []


@pytest.mark.parametrize(
    ("layer", "line"),
    [("recommender", "import fastapi"), ("recommender", "from jinja2 import Template"),
     ("models", "from api.settings import Settings"), ("data", "import recommender.features")],
)
def test_checker_catches_a_planted_violation(tmp_path: Path, layer: str, line: str) -> None:
    for name in LAYERS:
        (tmp_path / name).mkdir()
    (tmp_path / layer / "bad.py").write_text(line + "\n", encoding="utf-8")
    assert violations(tmp_path) == [f"{layer}/bad.py:1 imports {line.split()[1]}"]
