"""The stored result of each command a promotion gate cites, bound to a model version and a data set.

Why: a gate may only pass on evidence that was actually produced for the version being promoted,
on a named data set, by the command the gate names; evidence computed for another version, or
never computed, must not count. Each command writes one JSON file here:

========================  ======================  =============================================
gate                      command                 bound to
========================  ======================  =============================================
``policy_value``          ``lotse evaluate        the candidate version and the held-out log's
                          --candidate V``         data hash
``proxy_auc``             ``lotse audit proxies`` the log's data hash and the feature set probed
                                                  (the probe reads features, not a model)
``twins``                 ``lotse audit twins V`` the version and the simulated twins' data hash
``report``                ``lotse ds report V``   the version
========================  ======================  =============================================

Every record names its data source: ``"real log"`` or ``"simulated"``. The first start
(``lotse train --if-missing``, ``recommender.evaluate.first_start``) stores policy-value and
proxy evidence on simulated people with ``first_start=True``; the gates accept it only while no
model is active and no decision is logged.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from recommender.decide.features import FEATURE_SET_VERSION

EvidenceKind = Literal["policy_value", "proxy_auc", "twins", "report"]
COMMANDS: dict[str, str] = {"policy_value": "lotse evaluate --candidate {version}",
                            "proxy_auc": "lotse audit proxies", "twins": "lotse audit twins {version}",
                            "report": "lotse ds report {version}"}
FIRST_START_COMMAND = "lotse train --if-missing (first start)"
DATA_LEVEL = "log"  # the "version" of evidence about the data, not a model


class Evidence(BaseModel):
    """One command's result, as a gate reads it."""

    kind: EvidenceKind
    model_version: str | None  # None: evidence about the data (the proxy probe)
    data_source: str  # "real log" or "simulated"
    data_hash: str
    feature_set_version: str = FEATURE_SET_VERSION
    first_start: bool = False  # computed on simulated people by the first start, before any decision is logged
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    result: dict[str, Any]

    @property
    def command(self) -> str:
        if self.first_start:
            return FIRST_START_COMMAND
        return COMMANDS[self.kind].format(version=self.model_version or "")

    def cite(self) -> str:
        """``simulated data 1a2b3c4d5e6f7a8b, lotse audit proxies, 2026-12-06``: what a gate line ends with."""
        return f"{self.data_source} data {self.data_hash}, `{self.command}` {self.created_at:%Y-%m-%d %H:%M}"


def simulated_data_hash(scenario: Path, rows: int, seed: int) -> str:
    """The data hash of a simulated set: the scenario file's content, its size and seed."""
    digest = hashlib.sha256(scenario.read_bytes())
    digest.update(f"{rows}:{seed}".encode())
    return digest.hexdigest()[:16]


class EvidenceStore:
    """``<models_dir>/evidence/<kind>--<version>.json``; the newest result of a command replaces the older."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, kind: str, version: str | None) -> Path:
        return self.root / f"{kind}--{version or DATA_LEVEL}.json"

    def save(self, evidence: Evidence) -> Path:
        self.root.mkdir(parents=True, exist_ok=True)
        path = self._path(evidence.kind, evidence.model_version)
        path.write_text(evidence.model_dump_json(indent=2), encoding="utf-8")
        return path

    def load(self, kind: EvidenceKind, version: str | None) -> Evidence | None:
        path = self._path(kind, version)
        if not path.exists():
            return None
        return Evidence.model_validate(json.loads(path.read_text(encoding="utf-8")))
