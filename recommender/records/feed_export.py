"""The outbound feed as one CSV file, for offices without an integration (issue 20).

The same entries as ``GET /api/v1/feed``, in the same order, one row each: the entry's own
columns, then every field of the three documents it can carry (``data.<field>``; empty where
the entry's kind has no such field). The plan's steps are one JSON column. Entries of an erased
case keep their row with ``data.erased`` true and nothing else. Columns come from
``models/interchange.py``, so the file changes when, and only when, the documents do.
"""

from __future__ import annotations

import csv
import json
from typing import Any, TextIO

from sqlmodel import Session

from models.interchange import ActionPlanV1, CaseErasedV1, CounsellorDecisionV1, ErasedEntryV1, OutcomeV1
from recommender.records.outbox import MAX_PAGE, read_feed

ENTRY_COLUMNS = ("cursor", "id", "kind", "case", "created_at")
_DOCUMENTS = (CounsellorDecisionV1, ActionPlanV1, OutcomeV1, CaseErasedV1, ErasedEntryV1)
_DATA_FIELDS = list(dict.fromkeys(name for model in _DOCUMENTS for name in model.model_fields if name != "case"))
COLUMNS = (*ENTRY_COLUMNS, *(f"data.{name}" for name in _DATA_FIELDS))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return str(value)


def write_feed_csv(session: Session, *, jobcenter_id: int, after: int, out: TextIO) -> tuple[int, int]:
    """Write the Jobcenter's entries after *after* to *out*; (rows written, cursor to resume after)."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    count, cursor = 0, after
    while True:
        rows = read_feed(session, jobcenter_id=jobcenter_id, after=cursor, limit=MAX_PAGE)
        for row in rows:
            created = row.created_at.isoformat().replace("+00:00", "Z")
            data = row.payload
            writer.writerow([str(row.seq), row.id, row.kind, row.case_pseudonym, created,
                             *(_cell(data.get(name)) for name in _DATA_FIELDS)])
            cursor = row.seq
        count += len(rows)
        if len(rows) < MAX_PAGE:
            return count, cursor
