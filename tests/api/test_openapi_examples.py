"""Every operation in /openapi.json has examples: request body, success answer and error answers."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.openapi_examples import example_of
from models.schemas import Profile


def _missing(document: dict[str, Any]) -> list[str]:
    missing = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            parts = [("request", operation.get("requestBody", {}).get("content", {}))]
            parts += [(status, response.get("content", {})) for status, response in operation["responses"].items()]
            for part, content in parts:
                for media_type, media in content.items():
                    if "example" not in media and "examples" not in media:
                        missing.append(f"{method.upper()} {path} {part} {media_type}")
    return missing


def test_every_operation_has_examples(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    assert _missing(document) == []
    assert len(document["paths"]) > 30


def test_hand_written_examples_win(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    feed = document["paths"]["/api/v1/feed"]["get"]["responses"]["200"]["content"]["application/json"]
    assert feed["example"]["entries"][0]["kind"] == "counsellor_decision"


@pytest.mark.parametrize("model", [Profile])
def test_a_derived_example_fits_its_schema(model: type) -> None:
    schema = model.model_json_schema()
    model.model_validate(example_of(schema, schema.get("$defs", {})))  # type: ignore[attr-defined]
