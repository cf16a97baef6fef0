"""Load the occupation title model when a worker starts, before ``/readyz`` says ready (issue 16).

The first job-title suggestion in a process used to load the classifier and the German lemma
tables on the request (1.4 s, and 7-13 s under load). The app's lifespan starts this load on a
background thread instead: ``/healthz`` answers at once, ``/readyz`` answers 503 ("loading")
until the model is in memory, so a load balancer sends job-seekers only to warm workers. The
loaders themselves hold a lock, so a request that arrives during the load waits for this one
load instead of starting a second.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

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
