"""Several worker processes, each listening on its own socket (``SO_REUSEPORT``), so the kernel
spreads connections over the workers (issue 16).

uvicorn's own ``--workers`` share one listening socket, and whichever worker's event loop is
awake takes the next connection. A lane route (``api.lane``) computes in a thread while its
loop waits, so that is mostly the worker already serving: measured with 2 workers and 8 clients
on PostgreSQL, one worker took every request (6.2 s of CPU against 0.02 s), with keep-alive and
with a new connection per request alike, and the second core idled. With a socket per worker
the kernel hands each new connection to one of them by a hash of its addresses.

The supervisor starts the workers, starts a new one for each that dies, and stops them all on
SIGINT or SIGTERM (each finishes its requests in flight first). Linux only (elsewhere the option
exists but does not spread connections; ``lotse serve`` then uses uvicorn's workers). Linux lets
only sockets of the same user share a port this way: a second ``lotse serve`` of that user on the
same port would share it too, so stop the old one first.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import sys
import threading
import time
from multiprocessing.process import BaseProcess
from types import FrameType
from typing import Any

import uvicorn

logger = logging.getLogger("lotse.workers")
# A first worker that ends sooner than this after its start failed to start (a bad setting, a
# missing module): starting it again would fail again, so the supervisor stops instead of looping.
# A restarted worker that ends soon (e.g. out of memory again) is started again after a pause.
STARTUP_SECONDS = 30.0
RESTART_PAUSE_SECONDS = 5.0


def supported() -> bool:
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def reuse_port_socket(host: str, port: int) -> socket.socket:
    """A socket bound to *host*:*port* that other workers' sockets may bind as well."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def run_worker(options: dict[str, Any]) -> None:
    """One worker: a uvicorn server on its own socket (runs in the child process)."""
    config = uvicorn.Config(**options)
    uvicorn.Server(config).run(sockets=[reuse_port_socket(config.host, config.port)])


def serve(options: dict[str, Any], workers: int) -> int:
    """Serve until SIGINT or SIGTERM; returns the exit status. Several workers each get their own
    socket where the kernel spreads connections over them (Linux), else uvicorn's own workers.

    *options* are ``uvicorn.Config`` keyword arguments (``app`` as an import string).
    """
    if workers > 1 and supported():
        return serve_workers(options, workers)
    uvicorn.run(
        **options,
        workers=workers if workers > 1 else None,
        # A worker loads its occupation model at start-up (api/warmup.py); on a busy machine it may
        # not answer uvicorn's supervisor within its default 5 s and would be killed and restarted.
        timeout_worker_healthcheck=30,
    )
    return 0


def serve_workers(options: dict[str, Any], workers: int) -> int:
    """Serve with *workers* processes until SIGINT or SIGTERM; returns the exit status.

    *options* are ``uvicorn.Config`` keyword arguments (``app`` as an import string).
    """
    reuse_port_socket(options["host"], options["port"]).close()  # a taken port fails here, once
    context = multiprocessing.get_context("spawn")
    stop = threading.Event()

    def _stop(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGINT, signal.SIGTERM)}

    def start() -> tuple[BaseProcess, float]:
        process = context.Process(target=run_worker, args=(options,), name="lotse-worker", daemon=False)
        process.start()
        return process, time.monotonic()

    running = [start() for _ in range(workers)]
    first = [True] * workers
    status = 0
    try:
        while not stop.wait(0.5):
            for i, (process, started) in enumerate(running):
                if process.is_alive():
                    continue
                lived = time.monotonic() - started
                if first[i] and lived < STARTUP_SECONDS:
                    logger.error("a worker ended %.0f s after its start (exit code %s); stopping", lived,
                                 process.exitcode)
                    status = 1
                    stop.set()
                    break
                logger.warning("a worker ended after %.0f s (exit code %s); starting a new one", lived,
                               process.exitcode)
                if lived < STARTUP_SECONDS and stop.wait(RESTART_PAUSE_SECONDS):
                    break
                running[i], first[i] = start(), False
    finally:
        for process, _ in running:
            if process.is_alive():
                process.terminate()  # SIGTERM: uvicorn finishes the requests in flight
        for process, _ in running:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return status
