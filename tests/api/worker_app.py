"""A tiny app for ``tests/api/test_workers.py``: it answers with the id of the worker process."""

from __future__ import annotations

import os

from fastapi import FastAPI

app = FastAPI()


@app.get("/pid")
def pid() -> int:
    return os.getpid()
