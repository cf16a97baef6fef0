"""The separate audit store for voluntarily reported protected attributes (G3, G6).

Why a separate database and not a table in the app database: the serving path must not be
*able* to read these attributes, not merely be written so that it does not. The store has its
own URL (``LOTSE_AUDIT_DATABASE_URL``, default ``sqlite:///var/lotse_audit.db``), its own
SQLAlchemy ``MetaData`` (so the app's alembic chain never creates it in the app database and
``SQLModel.metadata`` never learns of it) and, on PostgreSQL, its own schema and role:

.. code-block:: sql

    CREATE ROLE lotse_audit LOGIN PASSWORD '...';
    CREATE SCHEMA lotse_audit AUTHORIZATION lotse_audit;
    REVOKE ALL ON SCHEMA lotse_audit FROM PUBLIC;
    -- the app role (e.g. lotse_app) gets no grant at all, so a query from serving code fails
    -- with "permission denied for schema lotse_audit".
    -- LOTSE_AUDIT_DATABASE_URL=postgresql+psycopg://lotse_audit:...@db/lotse?options=-csearch_path%3Dlotse_audit

The table is one row per case pseudonym, so nothing here names a person; the rows are only
ever read as a whole for *aggregate* audits (groups under 20 people are suppressed by the
audit itself). The table is created by :func:`create_audit_schema` instead of a migration
chain: it has one table whose columns are fixed by law-driven categories; a second alembic
chain for it would be added the day a column changes (docs/data-science.md).

Serving code (``api``, ``frontend``, the decision path, features, ranker, explanations,
guardrails) may *write* a voluntary self-report but never import the read functions listed
in :data:`READ_FUNCTIONS`; ``tests/models/test_audit_store.py`` enforces that.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Literal, get_args

from sqlalchemy import Column, DateTime, MetaData, String, Table, delete, insert, select, update
from sqlalchemy.engine import Engine

from models.db import make_engine
from models.errors import LotseError

DEFAULT_AUDIT_DATABASE_URL = "sqlite:///var/lotse_audit.db"

# The categories a person may report voluntarily, with the values each may take. "unknown"
# is never stored: not answering is the absence of a value (NULL). The Literal types let the
# API schema and the type checker see the same values the store accepts.
Gender = Literal["female", "male", "diverse"]
AgeBand = Literal["under_25", "25_49", "50_plus"]
NationalityGroup = Literal["german", "non_german"]
Disability = Literal["yes", "no"]
AUDIT_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "gender": get_args(Gender),
    "age_band": get_args(AgeBand),
    "nationality_group": get_args(NationalityGroup),
    "disability": get_args(Disability),
}
READ_FUNCTIONS: tuple[str, ...] = ("read_audit_attributes", "count_audit_records")

_BAD_ATTRIBUTE = "audit attribute {name!r} is not collected; allowed: {allowed}"
_BAD_VALUE = "audit attribute {name!r} cannot be {value!r}; allowed: {allowed}"
_SAME_DATABASE = ("LOTSE_AUDIT_DATABASE_URL must point to a separate database or schema, not the app database "
                  "({url}) (G3)")

audit_metadata = MetaData()

audit_attribute = Table(
    "audit_attribute",
    audit_metadata,
    Column("case_pseudonym", String(64), primary_key=True),
    Column("gender", String(16), nullable=True),
    Column("age_band", String(16), nullable=True),
    Column("nationality_group", String(16), nullable=True),
    Column("disability", String(8), nullable=True),
    # Which consent text the person agreed to, so a changed text can ask again.
    Column("consent_version", String(32), nullable=False),
    Column("reported_at", DateTime(timezone=True), nullable=False),
)


class AuditStoreError(LotseError, ValueError):
    """An attribute or value the audit store does not collect, or a misconfigured store (an internal fault)."""


def make_audit_engine(url: str = DEFAULT_AUDIT_DATABASE_URL, *, app_url: str | None = None) -> Engine:
    """Open the audit store, refusing to share the app database when *app_url* is given."""
    if app_url is not None and url == app_url:
        raise AuditStoreError(_SAME_DATABASE.format(url=url))
    return make_engine(url)


def create_audit_schema(engine: Engine) -> None:
    """Create the audit table if it is missing (idempotent)."""
    audit_metadata.create_all(engine)


def _validated(attributes: Mapping[str, str | None]) -> dict[str, str | None]:
    clean: dict[str, str | None] = {}
    for name, value in attributes.items():
        if name not in AUDIT_ATTRIBUTES:
            raise AuditStoreError(_BAD_ATTRIBUTE.format(name=name, allowed=", ".join(AUDIT_ATTRIBUTES)))
        if value is not None and value not in AUDIT_ATTRIBUTES[name]:
            raise AuditStoreError(_BAD_VALUE.format(name=name, value=value,
                                                    allowed=", ".join(AUDIT_ATTRIBUTES[name])))
        clean[name] = value
    return clean


def record_attributes(engine: Engine, *, case_pseudonym: str, attributes: Mapping[str, str | None],
                      consent_version: str) -> None:
    """Store (or replace) one person's voluntary self-report; unknown values raise, nothing is written."""
    values = _validated(attributes)
    # A new report replaces the old one as a whole: an attribute left out is no longer reported.
    row = {"consent_version": consent_version, "reported_at": datetime.now(UTC),
           **{name: values.get(name) for name in AUDIT_ATTRIBUTES}}
    with engine.begin() as connection:
        exists = connection.execute(select(audit_attribute.c.case_pseudonym)
                                    .where(audit_attribute.c.case_pseudonym == case_pseudonym)).first()
        if exists:
            connection.execute(update(audit_attribute).where(audit_attribute.c.case_pseudonym == case_pseudonym)
                               .values(**row))
        else:
            connection.execute(insert(audit_attribute).values(case_pseudonym=case_pseudonym, **row))


def record_many(engine: Engine, rows: Iterable[Mapping[str, str | None]], *, consent_version: str,
                batch: int = 5000) -> int:
    """Bulk insert of self-reports (each mapping has ``case_pseudonym`` plus attributes); for imports and tests."""
    now = datetime.now(UTC)
    count = 0
    chunk: list[dict[str, str | datetime | None]] = []
    with engine.begin() as connection:
        for raw in rows:
            pseudonym = str(raw["case_pseudonym"])
            values = _validated({k: v for k, v in raw.items() if k != "case_pseudonym"})
            chunk.append({"case_pseudonym": pseudonym, "consent_version": consent_version, "reported_at": now,
                          **{name: values.get(name) for name in AUDIT_ATTRIBUTES}})
            if len(chunk) >= batch:
                connection.execute(insert(audit_attribute), chunk)
                count += len(chunk)
                chunk = []
        if chunk:
            connection.execute(insert(audit_attribute), chunk)
            count += len(chunk)
    return count


def erase_attributes(engine: Engine, *, case_pseudonym: str) -> bool:
    """Delete one person's self-report (erasure, withdrawal of consent); True if a row existed."""
    with engine.begin() as connection:
        result = connection.execute(delete(audit_attribute).where(audit_attribute.c.case_pseudonym == case_pseudonym))
    return bool(result.rowcount)


def attributes_of(engine: Engine, *, case_pseudonym: str) -> dict[str, str]:
    """One person's own voluntary answers, for their access request (GDPR Art 15) and nothing else."""
    columns = [audit_attribute.c[name] for name in AUDIT_ATTRIBUTES]
    with engine.connect() as connection:
        row = connection.execute(select(*columns).where(audit_attribute.c.case_pseudonym == case_pseudonym)).first()
    if row is None:
        return {}
    return {name: value for name, value in zip(AUDIT_ATTRIBUTES, row, strict=True) if value is not None}


def read_audit_attributes(engine: Engine, *, pseudonyms: Iterable[str] | None = None) -> dict[str, dict[str, str]]:
    """Every stored self-report as ``{pseudonym: {attribute: value}}`` (missing answers left out).

    For offline, aggregate audits only (``recommender.evaluate.fairness``); serving code must not call it.
    """
    wanted = set(pseudonyms) if pseudonyms is not None else None
    out: dict[str, dict[str, str]] = {}
    columns = [audit_attribute.c.case_pseudonym, *(audit_attribute.c[name] for name in AUDIT_ATTRIBUTES)]
    with engine.connect() as connection:
        for row in connection.execute(select(*columns)).yield_per(10_000):
            pseudonym = row[0]
            if wanted is not None and pseudonym not in wanted:
                continue
            out[pseudonym] = {name: value for name, value in zip(AUDIT_ATTRIBUTES, row[1:], strict=True)
                              if value is not None}
    return out


def count_audit_records(engine: Engine) -> int:
    with engine.connect() as connection:
        return len(connection.execute(select(audit_attribute.c.case_pseudonym)).all())
