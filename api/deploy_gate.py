"""The production gate (G21): Lotse does not serve people until the operator has done the paperwork.

A high-risk AI system (AI Act Annex III) may only be put into use after a data-protection impact
assessment (GDPR Art 35), a fundamental-rights impact assessment (AI Act Art 27), registration
in the EU database (Art 49(3), 71), AI literacy of the staff (Art 4) and informing the workers'
representatives (Art 26(7)). The operator confirms each with a date and a reference; together with
a real secret, PostgreSQL and a lawful retention period, they are checked here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from api.settings import DEFAULT_SECRET, MIN_RETENTION_DAYS, Settings
from recommender.records.checkpoints import CheckpointError, load_key

_CONFIRMATION = re.compile(r"^\d{4}-\d{2}-\d{2}\s+\S.*$")
_MIN_SECRET_LENGTH = 32


@dataclass(frozen=True)
class GateItem:
    name: str
    variable: str
    what: str
    problem: str | None

    @property
    def ok(self) -> bool:
        return self.problem is None


def _confirmed(value: str) -> str | None:
    if not value.strip():
        return "not confirmed"
    if not _CONFIRMATION.match(value.strip()):
        return f"{value!r} is not 'YYYY-MM-DD reference'"
    return None


def _checkpoint_key_problem(settings: Settings) -> str | None:
    try:
        load_key(settings.checkpoint_key)
    except CheckpointError as exc:
        return str(exc)
    return None


_DOCUMENTS: list[tuple[str, str, str]] = [
    ("dpia", "LOTSE_DPIA", "data-protection impact assessment (GDPR Art 35)"),
    ("fria", "LOTSE_FRIA", "fundamental-rights impact assessment (AI Act Art 27)"),
    ("eu_database_registration", "LOTSE_EU_DATABASE_REGISTRATION",
     "registration in the EU database (AI Act Art 49(3), 71)"),
    ("staff_ai_literacy", "LOTSE_STAFF_AI_LITERACY", "AI literacy of the staff who use Lotse (AI Act Art 4)"),
    ("workers_representatives_informed", "LOTSE_WORKERS_REPRESENTATIVES_INFORMED",
     "workers' representatives informed (AI Act Art 26(7))"),
]
_TECHNICAL: list[tuple[str, str, str, Callable[[Settings], str | None]]] = [
    ("secret", "LOTSE_SECRET_KEY", f"a random secret of at least {_MIN_SECRET_LENGTH} characters",
     lambda s: "the default or a short secret" if s.secret_key == DEFAULT_SECRET
     or len(s.secret_key) < _MIN_SECRET_LENGTH else None),
    ("database", "LOTSE_DATABASE_URL", "PostgreSQL as the production database",
     lambda s: "SQLite is for trying Lotse, not for production" if s.is_sqlite else None),
    ("checkpoint_key", "LOTSE_CHECKPOINT_KEY",
     "an Ed25519 key outside the database that signs checkpoints of the decision log (lotse audit keygen)",
     _checkpoint_key_problem),
    ("retention", "LOTSE_LOG_RETENTION_DAYS", f"decision logs kept at least {MIN_RETENTION_DAYS} days",
     lambda s: None if s.log_retention_days >= MIN_RETENTION_DAYS else "too short"),
]


def deploy_gate(settings: Settings) -> list[GateItem]:
    """Every production precondition with its problem (None: fulfilled)."""
    items = [GateItem(name, variable, what, check(settings)) for name, variable, what, check in _TECHNICAL]
    items += [GateItem(name, variable, what, _confirmed(getattr(settings, name)))
              for name, variable, what in _DOCUMENTS]
    return items


def missing_items(settings: Settings) -> list[GateItem]:
    return [item for item in deploy_gate(settings) if not item.ok]
