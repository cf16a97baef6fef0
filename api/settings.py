"""All configuration, read once from ``LOTSE_*`` environment variables (or ``.env``).

Unsafe values stop the process at start with one clear line instead of failing later:
a malformed database URL, a retention period below the legal minimum, the default secret
in production.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from data.languages import Locale
from models.db import DEFAULT_DATABASE_URL, DatabaseURLError, normalise_database_url

DEFAULT_SECRET = "change-me-in-production"
MIN_RETENTION_DAYS = 180  # AI Act Art 19/26(6): logs kept at least six months.


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LOTSE_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = DEFAULT_DATABASE_URL
    secret_key: str = DEFAULT_SECRET
    var_dir: Path = Path("var")
    models_dir: Path = Path("var/models")
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    workers: int = Field(default=1, ge=1, le=64)
    # Decisions and advice pages one worker computes at once (``api.lane``): the work is CPU-bound
    # under Python's GIL, so more threads add contention, not speed; more workers use more cores.
    decision_threads: int = Field(default=1, ge=1, le=32)
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    log_retention_days: int = MIN_RETENTION_DAYS
    default_locale: Locale = "de"
    # Share of decisions that show a random subset of the eligible self-help items (G16).
    exploration_rate: float = Field(default=0.1, ge=0.0, le=0.45)
    # Share of decisions that follow the rules baseline as a randomised control group (G16, G18).
    control_share: float = Field(default=0.05, ge=0.0, le=0.05)
    # Outcome window: "found work within this many days of the decision" (training, evaluation, audits).
    outcome_window_days: int = Field(default=182, ge=30, le=730)
    # What the job-seeker is told while a suggestion of an unassigned case waits in the Jobcenter's
    # shared queue: "usually within N working days". Set it to what the Jobcenter actually keeps.
    review_working_days: int = Field(default=3, ge=1, le=30)
    # The Jobcenter's contact details, in the footer of every job-seeker page (empty ones are left out).
    jobcenter_phone: str = Field(default="", max_length=40)
    jobcenter_email: str = Field(default="", max_length=200)
    jobcenter_address: str = Field(default="", max_length=300)
    jobcenter_opening_hours: str = Field(default="", max_length=300)
    # Separate store for voluntarily reported protected attributes (G3); serving never reads it.
    audit_database_url: str = "sqlite:///var/lotse_audit.db"
    # Largest request body accepted (JSON or form); larger ones get 413 before they are parsed.
    max_body_bytes: int = Field(default=1_048_576, ge=4096, le=100_000_000)
    # Anonymous trial cases one client address may open per hour (each costs a row and a decision).
    anonymous_cases_per_hour: int = Field(default=20, ge=1, le=100_000)
    # Requests one API token (a Fachverfahren, a portal) may make per minute; then 429 with Retry-After.
    api_token_requests_per_minute: int = Field(default=600, ge=1, le=1_000_000)
    # Cases one `POST /api/v1/cases:batch` may carry (all or nothing); LOTSE_MAX_BODY_BYTES applies too.
    import_max_cases: int = Field(default=2000, ge=1, le=100_000)
    # Proxies whose X-Forwarded-For/-Proto are believed (comma-separated IPs or CIDRs, "*" for any);
    # empty: none, the client address is the TCP peer.
    forwarded_allow_ips: str = ""
    # Ed25519 key that signs checkpoints of the decision log; kept outside the database (issue 16).
    checkpoint_key: Path | None = None
    # Journal of every checkpoint, outside the database (default: <var_dir>/audit-checkpoints.jsonl).
    checkpoint_journal: Path | None = None
    # Production gate (G21): each is "YYYY-MM-DD reference", confirmed by the operator.
    dpia: str = ""
    fria: str = ""
    eu_database_registration: str = ""
    staff_ai_literacy: str = ""
    workers_representatives_informed: str = ""

    @field_validator("database_url", "audit_database_url")
    @classmethod
    def _valid_database_url(cls, value: str) -> str:
        try:
            return normalise_database_url(value)
        except DatabaseURLError as exc:
            raise ValueError(str(exc)) from None

    @field_validator("log_retention_days")
    @classmethod
    def _retention_not_below_minimum(cls, value: int) -> int:
        if value < MIN_RETENTION_DAYS:
            raise ValueError(
                f"LOTSE_LOG_RETENTION_DAYS is {value}; decision logs must be kept at least "
                f"{MIN_RETENTION_DAYS} days (AI Act Art 19, 26(6))."
            )
        return value

    @model_validator(mode="after")
    def _production_is_safe(self) -> Settings:
        if self.environment == "production" and self.secret_key == DEFAULT_SECRET:
            raise ValueError("LOTSE_SECRET_KEY must be set to a long random value in production.")
        return self

    @property
    def checkpoint_journal_path(self) -> Path:
        return self.checkpoint_journal or self.var_dir / "audit-checkpoints.jsonl"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()


def describe_settings_error(exc: Exception) -> str:
    """One human line for a pydantic ValidationError raised while reading settings."""
    errors = getattr(exc, "errors", None)
    if not callable(errors):
        return str(exc)
    parts = []
    for error in errors():
        message = str(error.get("msg", "")).removeprefix("Value error, ")
        field = "LOTSE_" + "_".join(str(p) for p in error.get("loc", ())).upper()
        parts.append(message if message.startswith("LOTSE_") else f"{field}: {message}")
    return "; ".join(parts)
