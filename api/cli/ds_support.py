"""Helpers shared by the data scientist's commands (``lotse audit ...``, ``lotse ds ...``, ``lotse evaluate``).

Exit codes tell CI what failed (0 = fine): 2 bad input or no data, 3 fairness alert (only with
``--fail-on-alert``: an alert asks for a human review, it is not a verdict), 4 proxy probe
above AUC 0.65, 5 twin test below Jaccard 0.9, 6 candidate worse than the active model beyond
the margin, 7 promotion gates failed. Every command has ``--json`` for scripts.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import func
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, select

from api.cli.app import console, fail, open_engine
from api.settings import Settings
from data.catalogue import load_catalogue
from models.audit_store import AuditStoreError
from models.tables import Decision
from recommender.decide.registry import ModelRegistry
from recommender.errors import ModelLoadError, RegistryError
from recommender.evaluate.evidence import EvidenceStore
from recommender.evaluate.fairness import load_audit_reports
from recommender.evaluate.gates import evidence_store
from recommender.learn.training_data import ExtractConfig, LoggedData, TrainingDataError, extract_training_data

EXIT_NO_DATA = 2
EXIT_ALERT = 3
EXIT_PROXY = 4
EXIT_TWINS = 5
EXIT_WORSE = 6
EXIT_GATES = 7

JsonOption = typer.Option(False, "--json", help="Machine-readable output.")
WindowOption = typer.Option(None, min=1, help="Outcome window in days (default LOTSE_OUTCOME_WINDOW_DAYS, 182).")

Tick = Callable[[int, int, str], None]


@contextmanager
def progress_bars() -> Iterator[Callable[[str], Tick]]:
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=True) as progress:
        def task(label: str) -> Tick:
            handle = progress.add_task(label, total=None)

            def update(done: int, total: int, text: str) -> None:
                progress.update(handle, completed=done, total=total, description=f"{label}: {text}")
            return update
        yield task


def registry_of(settings: Settings) -> ModelRegistry:
    return ModelRegistry(settings.models_dir)


def store_of(settings: Settings) -> EvidenceStore:
    return evidence_store(registry_of(settings))


def is_first_start(settings: Settings, registry: ModelRegistry, version: str | None = None) -> bool:
    """No decision is logged and no model other than *version* is active: first-start evidence counts.

    An unreachable log counts as "not a first start", so first-start evidence is never accepted by mistake.
    """
    if registry.active_version() not in (None, version):
        return False
    try:
        with Session(open_engine(settings)) as session:
            return session.exec(select(func.count()).select_from(Decision)).one() == 0
    except SQLAlchemyError:  # database unreachable or not migrated
        return False


def extract_config(settings: Settings, window_days: int | None, *, eligibility: bool = False,
                   partitions: int = 16) -> ExtractConfig:
    return ExtractConfig(window_days=window_days or settings.outcome_window_days,
                         exploration_rate=settings.exploration_rate, with_eligibility=eligibility,
                         partitions=partitions)


def extract_logged(settings: Settings, config: ExtractConfig, progress: Tick | None = None) -> LoggedData:
    try:
        return extract_training_data(open_engine(settings), load_catalogue().ids, config, progress=progress)
    except TrainingDataError as exc:
        raise fail(str(exc), EXIT_NO_DATA) from None


def audit_reports(settings: Settings, pseudonyms: set[str]) -> dict[str, dict[str, str]]:
    try:
        return load_audit_reports(settings.audit_database_url, pseudonyms, app_database_url=settings.database_url)
    except AuditStoreError as exc:
        raise fail(str(exc)) from None


def emit(payload: Any, as_json: bool) -> None:
    if as_json:
        console.print_json(json.dumps(payload, default=str))


def resolve_version(registry: ModelRegistry, version: str) -> str:
    if version == "active":
        active = registry.active_version()
        if active is None:
            raise fail("no model is active; name a version (see `lotse models list`)")
        return active
    return version


def load_version(registry: ModelRegistry, version: str) -> Any:
    try:
        return registry.load(resolve_version(registry, version))
    except (RegistryError, ModelLoadError) as exc:
        raise fail(str(exc)) from None
