"""The published JSON Schemas of the interchange documents: ``/api/v1/schemas/`` (issue 20).

Public on purpose: a schema holds no data, and an integrator needs it before any token exists.
The documents come from ``models/interchange.py``; a snapshot test keeps them from changing
unnoticed.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from api.auth.policy import PUBLIC
from api.errors import problem_responses
from models.interchange import DOCUMENTS, SCHEMA_VERSION, published_schema, schema_index

SCHEMA_MEDIA_TYPE = "application/schema+json"
UNKNOWN_DOCUMENT = "No schema {given!r} in version {version}; published: {known}."

router = APIRouter(prefix="/schemas", tags=["integration"], dependencies=[PUBLIC])


class SchemaResponse(JSONResponse):
    """JSON with the media type of JSON Schema documents (so OpenAPI documents it as such)."""

    media_type = SCHEMA_MEDIA_TYPE


class DocumentRef(BaseModel):
    name: str
    title: str
    summary: str
    url: str


class SchemaIndex(BaseModel):
    version: str
    documents: list[DocumentRef]


_INDEX_EXAMPLE = {"version": SCHEMA_VERSION, "documents": schema_index()["documents"][:2]}


@router.get("/", response_model=SchemaIndex,
            responses={200: {"content": {"application/json": {"example": _INDEX_EXAMPLE}}}})
def list_schemas() -> dict[str, Any]:
    """Every published document (profile, case, decision, ...) with the address of its JSON Schema."""
    return schema_index()


@router.get("/{name}", response_class=SchemaResponse,
            responses={200: {"description": "A JSON Schema (draft 2020-12) with an example",
                             "content": {SCHEMA_MEDIA_TYPE: {"schema": {"type": "object"},
                                                             "example": published_schema("outcome")}}},
                       **problem_responses(404, 422)})
def read_schema(name: str) -> SchemaResponse:
    """The JSON Schema of one document, with an example in ``examples``."""
    if name not in DOCUMENTS:
        raise HTTPException(status_code=404, detail=UNKNOWN_DOCUMENT.format(
            given=name[:60], version=SCHEMA_VERSION, known=", ".join(DOCUMENTS)))
    return SchemaResponse(published_schema(name))
