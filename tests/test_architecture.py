"""Imports go one way: frontend -> api -> recommender -> data -> models (docs/architecture.md).

Inside ``recommender`` the stages go one way too: a stage imports only stages listed before it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ["models", "data", "recommender", "api", "frontend"]
WEB_LIBRARIES = {"fastapi", "starlette", "jinja2"}
# Lowest first; "" is the package root (recommender/errors.py), which every stage may import.
STAGES = ["", "records", "occupations", "decide", "simulate", "learn", "evaluate", "casework"]


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


def stage_violations(root: Path = ROOT) -> list[str]:
    """Imports from a later stage of ``recommender`` into an earlier one (or from an unknown stage)."""
    rank = {name: index for index, name in enumerate(STAGES)}
    package = root / "recommender"
    bad = []
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package).parts
        own = parts[0] if len(parts) > 1 else ""
        if own not in rank:
            bad.append(f"{path.relative_to(root)} is in no known stage ({own})")
            continue
        for lineno, module in _imports(path):
            names = module.split(".")
            if names[0] != "recommender" or len(names) < 2:
                continue
            target = names[1] if names[1] in rank else ""
            if rank[target] > rank[own]:
                bad.append(f"{path.relative_to(root)}:{lineno} imports {module}")
    return bad


def test_no_module_imports_against_the_layer_direction() -> None:
    assert violations() == []


def test_no_recommender_stage_imports_a_later_stage() -> None:
    assert stage_violations() == []


@pytest.mark.parametrize(
    ("stage", "line"),
    [("records", "from recommender.decide.features import ALLOWED_FEATURES"),
     ("decide", "import recommender.learn.train"),
     ("learn", "from recommender.casework.review import decide_item")],
)
def test_stage_checker_catches_a_planted_violation(tmp_path: Path, stage: str, line: str) -> None:
    (tmp_path / "recommender" / stage).mkdir(parents=True)
    (tmp_path / "recommender" / stage / "bad.py").write_text(line + "\n", encoding="utf-8")
    assert stage_violations(tmp_path) == [f"recommender/{stage}/bad.py:1 imports {line.split()[1]}"]


@pytest.mark.parametrize(
    ("layer", "line"),
    [("recommender", "import fastapi"), ("recommender", "from jinja2 import Template"),
     ("models", "from api.settings import Settings"), ("data", "import recommender.decide.features")],
)
def test_checker_catches_a_planted_violation(tmp_path: Path, layer: str, line: str) -> None:
    for name in LAYERS:
        (tmp_path / name).mkdir()
    (tmp_path / layer / "bad.py").write_text(line + "\n", encoding="utf-8")
    assert violations(tmp_path) == [f"{layer}/bad.py:1 imports {line.split()[1]}"]
