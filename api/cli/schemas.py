"""``lotse schemas snapshot FILE``: record the published JSON Schemas (``tests/snapshots/schemas_v1.json``).

The snapshot test compares the live schemas with this file, so a change of an interchange
document is always a visible change of the repository. A breaking change is refused here:
it needs a new version path (``v2``) beside ``v1`` (``models/interchange.py``).
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from api.cli.app import console, fail
from models.interchange import DOCUMENTS, SCHEMA_VERSION, published_schema
from models.schema_compat import breaking_changes

schemas_app = typer.Typer(help="Published JSON Schemas of the interchange documents.", no_args_is_help=True)
BREAKING = ("These changes break clients of {version} (add a new version path instead, see docs/interfaces.md):\n"
            "{changes}")


def published_schemas() -> dict[str, dict[str, object]]:
    return {name: published_schema(name) for name in DOCUMENTS}


@schemas_app.command("snapshot")
def snapshot(path: Path = typer.Argument(Path("tests/snapshots/schemas_v1.json"), dir_okay=False)) -> None:
    """Write the published schemas to PATH; refuses changes that would break existing clients."""
    current = published_schemas()
    if path.exists():
        recorded = json.loads(path.read_text(encoding="utf-8"))
        changes = [f"{name}: {change}" for name, old in recorded.items()
                   for change in (breaking_changes(old, current[name]) if name in current else ["document removed"])]
        if changes:
            raise fail(BREAKING.format(version=SCHEMA_VERSION, changes="\n".join(changes)))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(current, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    console.print(f"{len(current)} schemas of {SCHEMA_VERSION} written to {path}.")


def register(app: typer.Typer) -> None:
    app.add_typer(schemas_app, name="schemas")
