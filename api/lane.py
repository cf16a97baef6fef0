"""The decision lane (issue 16): a hot job-seeker route runs all its blocking work in one
thread hop, and a worker runs at most ``LOTSE_DECISION_THREADS`` of them at once.

FastAPI hops to a worker thread for every synchronous dependency, each dependency's exit, the
endpoint and the response check: eight hops for ``POST /recommendations``. Under load, up to
40 threads then take turns at the GIL although the work is CPU-bound. Measured in-process on
SQLite, per decision: 8.2 ms CPU with every step on one thread, 11.7 ms with the eight hops,
15.9 ms with the hops and 8 requests at once; in the lane 7.4 and 8.3 ms. A lane route reads
the case, computes, writes and renders in one hop and waits its turn in the lane: more cores
are used by more workers (processes), not by more threads. Other routes keep FastAPI's own
thread pool, so a decision never waits for a slow page, nor the reverse, and lane work never
waits for the lane again, so it cannot deadlock on it.
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections.abc import Callable
from typing import TypeVar

import anyio
import anyio.to_thread
from fastapi import Request

T = TypeVar("T")


class DecisionLane:
    """At most *threads* lane hops at once per event loop: uvicorn runs one loop per worker.

    anyio's limiter belongs to the loop that first waits on it, so each loop gets its own (tests
    run several apps' clients, each on its own loop, at once).
    """

    def __init__(self, threads: int) -> None:
        self.threads = threads
        self._lock = threading.Lock()
        self._limiters: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, anyio.CapacityLimiter] = (
            weakref.WeakKeyDictionary())

    def limiter(self) -> anyio.CapacityLimiter:
        loop = asyncio.get_running_loop()
        with self._lock:
            limiter = self._limiters.get(loop)
            if limiter is None:
                limiter = self._limiters[loop] = anyio.CapacityLimiter(self.threads)
            return limiter


async def in_lane(request: Request, work: Callable[[], T]) -> T:
    """Run *work* (blocking: database, LightGBM, templates) in the app's lane; its errors propagate."""
    lane: DecisionLane = request.app.state.decision_lane
    return await anyio.to_thread.run_sync(work, limiter=lane.limiter())
