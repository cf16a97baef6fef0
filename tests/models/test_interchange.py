"""The published interchange schemas: unchanged against the snapshot, examples true, breaks detected.

When a change is intended and does not break clients: ``make schemas-snapshot`` (runs
``lotse schemas snapshot tests/snapshots/schemas_v1.json``) and commit the file with the change.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from models.interchange import DOCUMENTS, LogEventV1, published_schema
from models.schema_compat import breaking_changes
from models.tables import Event
from recommender.records.chain import EventType, append_event

SNAPSHOT = Path(__file__).resolve().parents[1] / "snapshots" / "schemas_v1.json"
UPDATE = "if the change is intended and not breaking, run `make schemas-snapshot` and commit the file"


def test_published_schemas_match_the_committed_snapshot() -> None:
    recorded = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    assert sorted(recorded) == sorted(DOCUMENTS), UPDATE
    for name in DOCUMENTS:
        current = json.loads(json.dumps(published_schema(name)))
        assert breaking_changes(recorded[name], current) == [], f"{name}: this breaks v1 clients; add a v2 path"
        assert current == recorded[name], f"{name} changed: {UPDATE}"


@pytest.mark.parametrize("name", list(DOCUMENTS))
def test_every_document_has_an_example_that_fits_it(name: str) -> None:
    schema = published_schema(name)
    assert schema["$id"] == f"/api/v1/schemas/{name}" and schema["examples"]
    for example in schema["examples"]:
        DOCUMENTS[name].model_validate(example)


def test_removing_retyping_or_requiring_a_field_is_breaking_and_adding_one_is_not() -> None:
    old = published_schema("outcome")
    added = copy.deepcopy(old)
    added["properties"]["source_system"] = {"type": "string"}
    assert breaking_changes(old, added) == []
    removed = copy.deepcopy(old)
    del removed["properties"]["occurred_on"]
    retyped = copy.deepcopy(old)
    retyped["properties"]["outcome_id"]["type"] = "string"
    required = copy.deepcopy(added)
    required["required"].append("source_system")
    assert breaking_changes(old, removed) == [".occurred_on: field removed"]
    assert breaking_changes(old, retyped) == [".outcome_id: type changed from 'integer' to 'string'"]
    assert breaking_changes(old, required) == [".source_system: became required"]


def test_a_logged_event_is_a_valid_log_event_document(engine: Engine) -> None:
    with Session(engine) as session:
        event = append_event(session, event_type=EventType.reviewer_approved, actor_role="counsellor", actor_id=3,
                             case_pseudonym="c" * 32, action="approve", reason="approve:fits_situation",
                             outputs={"item_id": "i" * 32})
        session.commit()
        stored = session.get(Event, event.id)
        assert stored is not None
        LogEventV1.model_validate(stored.model_dump())
