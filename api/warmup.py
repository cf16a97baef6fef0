"""Warm a worker before ``/readyz`` says ready (issue 16).

The first job-title suggestion in a process used to load the classifier and the German lemma
tables on the request (1.4 s, and 7-13 s under load). The app's lifespan starts this load on a
background thread instead: ``/healthz`` answers at once, ``/readyz`` answers 503 ("loading")
until the model is in memory, so a load balancer sends job-seekers only to warm workers. The
loaders themselves hold a lock, so a request that arrives during the load waits for this one
load instead of starting a second.

The first decisions of a fresh worker were slow too (430 ms alone, 600-700 ms for each of the
first eight under load: the advice model read from disk, the ORM configured, statements
compiled, modules imported on first use), which alone made the load test's p99. So the worker
also rehearses one decision for a made-up profile, computed but never written, and then moves
everything loaded so far out of the garbage collector's sight (:func:`gc.freeze`): a full
collection over the start-up heap paused every request in flight for about 150 ms.
"""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import Callable, Sequence

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import configure_mappers

from models.db import read_session
from models.schemas import EXAMPLE_PROFILE, Profile
from models.tables import Jobcenter, JobSeeker
from recommender.decide.decision_path import plan_decision
from recommender.decide.registry import ModelRegistry
from recommender.occupations.classifier import suggest_occupations
from recommender.occupations.title_search import exact_english_title

logger = logging.getLogger(__name__)

LOADING = "loading"
READY = "ok"


def load_occupation_model() -> None:
    """Run one suggestion through the public entry points the suggest route uses.

    That loads whatever they need (the classifier, the lemma tables, the official titles),
    without this module knowing their internals.
    """
    exact_english_title("sales assistant")
    suggest_occupations("Verkäuferin", k=1)


def rehearse_decision(engine: Engine, registry: ModelRegistry) -> None:
    """Plan one decision for the documentation's example profile without writing anything.

    Best effort: a database that is not migrated yet (``/readyz`` says so itself) or a model that
    does not load only leaves the worker cold, never unready; the real decision handles both.
    """
    try:
        configure_mappers()
        with read_session(engine) as session:
            jobcenter_id = session.connection().execute(select(func.min(Jobcenter.id))).scalar()
            if jobcenter_id is not None:
                plan_decision(session, job_seeker=JobSeeker(jobcenter_id=jobcenter_id),
                              profile=Profile.model_validate(EXAMPLE_PROFILE), registry=registry,
                              actor_role="job_seeker", actor_id=None)
    except Exception:
        logger.warning("the start-up rehearsal of a decision failed; the first decisions will be slower",
                       exc_info=True)


def warm_worker(steps: Sequence[Callable[[], None]], *, freeze: bool) -> None:
    """Run *steps* (the occupation model first: its failure makes the worker unready), then
    (*freeze*) keep everything loaded out of the collector's sight.

    Not in tests: there one process builds hundreds of apps, and a frozen heap is never collected.
    """
    for step in steps:
        step()
    if freeze:
        gc.collect()
        gc.freeze()


class Warmup:
    """One background load per process; :attr:`state` is what ``/readyz`` reports."""

    def __init__(self, loader: Callable[[], None] = load_occupation_model) -> None:
        self.loader = loader
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._done = threading.Event()
        self._error: str | None = None

    def start(self) -> None:
        """Start the load unless it has started already (a second lifespan reuses it)."""
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="lotse-warmup", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        try:
            self.loader()
        except Exception as exc:  # the worker still serves advice; readiness says what failed
            logger.exception("the occupation model failed to load")
            self._error = f"failed: {exc.__class__.__name__}"
        finally:
            self._done.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until the load has finished (well or not); False on timeout."""
        return self._done.wait(timeout)

    @property
    def state(self) -> str:
        if not self._done.is_set():
            return LOADING
        return self._error or READY
