"""Where a set of logged rows came from: a hash that names exactly these rows, and real or simulated.

Why: a promotion gate must cite evidence for one model version on one data set, and say whether
that data set describes real job-seekers or a simulated world (``lotse simulate log``). The hash
covers the decisions, their shown items and their outcomes, so a log that gained decisions or
outcomes since gets a new hash.
"""

from __future__ import annotations

import hashlib

import numpy as np

from recommender.learn.training_data import LoggedData
from recommender.simulate.simulated_log import PSEUDONYM_PREFIX

REAL = "real log"
SIMULATED = "simulated"


def data_hash(logged: LoggedData) -> str:
    """sha256 over the rows' decision ids, actions and outcomes (order-independent), 16 hex digits."""
    order = np.lexsort((logged.action, logged.decision_id.astype(str)))
    digest = hashlib.sha256()
    digest.update("\n".join(logged.decision_id[order].astype(str)).encode())
    digest.update(np.ascontiguousarray(logged.action[order], dtype=np.int16).tobytes())
    digest.update(np.ascontiguousarray(logged.outcome[order], dtype=np.int8).tobytes())
    return digest.hexdigest()[:16]


def data_source(logged: LoggedData) -> str:
    """``"simulated"`` if any row is a simulated person (``lotse simulate log``), else ``"real log"``."""
    simulated = np.char.startswith(logged.pseudonym.astype(str), PSEUDONYM_PREFIX)
    return SIMULATED if bool(simulated.any()) else REAL
