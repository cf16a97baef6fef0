"""The ``lotse`` console script: one front door for every job a person runs by hand.

Sub-commands live in one module per topic and are mounted here.
"""

from __future__ import annotations

from api.cli import (
    audit,
    backup,
    cases,
    core,
    data,
    ds,
    fairness,  # noqa: F401 - importing it adds `lotse audit fairness|proxies|twins`
    feed,
    kpi,
    outcomes,
    recommender,
    schemas,
    tokens,
    users,
)
from api.cli.app import app

core.register(app)
audit.register(app)
backup.register(app)
data.register(app)
users.register(app)
recommender.register(app)
ds.register(app)
outcomes.register(app)
kpi.register(app)
cases.register(app)
tokens.register(app)
feed.register(app)
schemas.register(app)

__all__ = ["app"]
