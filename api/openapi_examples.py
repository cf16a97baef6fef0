"""Every operation in ``/openapi.json`` carries examples (issue 20): request body, success and errors.

Hand-written examples win: a route's own ``example``/``openapi_examples`` and a model's
``json_schema_extra`` examples (``models/interchange.py`` has one for every published
document). Where a route has none, one is derived from its schema (the documented default, the
first allowed value, a placeholder of the right type and format), so an integrator always sees
the shape of a call. Error answers get a problem+json example with their status.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

_MAX_DEPTH = 6
_BY_FORMAT = {"date-time": "2026-10-01T08:30:00Z", "date": "2026-10-01", "email": "name@example.org",
              "uri": "https://example.org/", "binary": "..."}
_BY_PATTERN = {r"^\d{5}$": "62102"}


def example_of(schema: dict[str, Any], components: dict[str, Any], depth: int = 0) -> Any:
    """A value that fits *schema* (``$ref`` resolved against *components*), preferring documented ones."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return example_of(components.get(name, {}), components, depth)
    for key in ("example", "const", "default"):
        if key in schema and schema[key] is not None:
            return schema[key]
    if schema.get("examples"):
        return schema["examples"][0]
    if schema.get("enum"):
        return schema["enum"][0]
    for combinator in ("anyOf", "oneOf", "allOf"):
        options = [option for option in schema.get(combinator, []) if option.get("type") != "null"]
        if options:
            return example_of(options[0], components, depth)
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        if depth >= _MAX_DEPTH:
            return {}
        return {name: example_of(prop, components, depth + 1) for name, prop in schema.get("properties", {}).items()}
    if kind == "array":
        return [] if depth >= _MAX_DEPTH else [example_of(schema.get("items", {}), components, depth + 1)]
    if kind == "integer":
        return max(int(schema.get("minimum", 1)), 1)
    if kind == "number":
        return 0.5
    if kind == "boolean":
        return True
    if kind == "string":
        return _BY_FORMAT.get(schema.get("format", ""), _BY_PATTERN.get(schema.get("pattern", ""), "text"))
    return None


def _problem_example(status: str, title: str) -> dict[str, Any]:
    return {"type": "about:blank", "title": title, "status": int(status) if status.isdigit() else 400,
            "detail": "What went wrong, in one sentence.", "instance": "/api/v1/...", "request_id": "3f2a9c0d51e8"}


def _fill(content: dict[str, Any], components: dict[str, Any]) -> None:
    for media in content.values():
        if "example" not in media and "examples" not in media:
            media["example"] = example_of(media.get("schema", {}), components)


def add_examples(document: dict[str, Any]) -> dict[str, Any]:
    """Give every request body and response of *document* an example (in place; returned for chaining)."""
    components = document.get("components", {}).get("schemas", {})
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            body = operation.get("requestBody")
            if body:
                _fill(body.get("content", {}), components)
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                if status.startswith("2"):
                    _fill(content, components)
                else:
                    for media in content.values():
                        media.setdefault("example", _problem_example(status, response.get("description", "Error")))
    return document


def install_examples(app: FastAPI) -> None:
    """Wrap ``app.openapi`` so the cached document carries the examples (FastAPI's documented hook)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = add_examples(build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
