"""Bytes stored per decision (issue 16: <= 5 KB), shared by the decision benchmarks."""

from __future__ import annotations

from sqlalchemy.engine import Engine

# A decision's rows; of the events, the ones a decision writes (page views etc. are not counted).
STORED_TABLES = {"profile_snapshot": "", "decision": "", "decision_item": "", "stored_blob": "",
                 "event": " WHERE event_type IN ('recommendation_generated', 'review_superseded')"}


def stored_bytes(engine: Engine) -> dict[str, float]:
    """Bytes per decision as stored: every column of the decision's rows, JSON as its stored text
    (on PostgreSQL JSON comes back decoded, so its figure is approximate)."""
    with engine.connect() as connection:
        decisions = connection.exec_driver_sql("SELECT count(*) FROM decision").scalar_one()
        out: dict[str, float] = {}
        for table, where in STORED_TABLES.items():
            total = 0
            for row in connection.exec_driver_sql(f"SELECT * FROM {table}{where}"):  # noqa: S608 - fixed text
                total += sum(len(str(value).encode("utf-8")) for value in row if value is not None)
            out[table] = round(total / max(1, decisions), 1)
    out["total"] = round(sum(out.values()), 1)
    return out
