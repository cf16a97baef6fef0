"""What a trained model says about itself (``meta.json``), as one validated type.

Why a pydantic model and not a dict: the ranker scores with these figures (calibration,
intercepts, eligible-group offsets), the registry verifies with them (hash, feature set) and
the model card repeats them to reviewers (G1). A missing or mistyped field must stop a model
at save or load with a message naming the field, not turn into a silent default at scoring
time. Both trainers (``recommender.learn.train`` and its Dask feed) build this one type; it
lives in ``decide`` because the registry and ranker read it and ``decide`` may not import
``learn``.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

LOGS_SCENARIO = "logs"  # the scenario name of training data read from the decision log
DataSource = Literal["simulated", "real"]
Stage = Literal["candidate", "shadow", "production", "archived"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Calibration(_Strict):
    """Platt scaling ``p = sigmoid(a * margin + b)``, fitted on held-out rows."""

    method: Literal["platt"] = "platt"
    a: float
    b: float


class CodeVersion(_Strict):
    """Which code trained the model: a git commit when the source tree is a checkout, else the package version."""

    kind: Literal["git", "package"]
    value: str

    def __str__(self) -> str:
        return f"git {self.value}" if self.kind == "git" else f"package version {self.value} (no git checkout)"

    def short(self) -> str:
        """For lists: the abbreviated commit (``-dirty`` kept) or ``package <version>``."""
        if self.kind == "package":
            return f"package {self.value}"
        sha, _, dirty = self.value.partition("-")
        return f"git {sha[:10]}{'-' + dirty if dirty else ''}"


class TrainingRun(_Strict):
    """How the model was trained: the seed LightGBM and the validation split used, and every setting."""

    seed: int
    config: dict[str, Any]
    code_version: CodeVersion
    where: Literal["single machine", "dask"]
    workers: int = Field(ge=1)


class DataInfo(_Strict):
    """What the model learnt from; ``source`` is "simulated" whenever any row came from the simulator."""

    source: DataSource
    scenario: str
    rows: int = Field(ge=0)
    sha256: str = Field(min_length=64, max_length=64)
    simulation_seed: int | None = None
    window_days: int | None = None

    @property
    def synthetic(self) -> bool:
        return self.source == "simulated"


class ModelMeta(_Strict):
    """Everything a freshly trained model states about itself (before the registry stores it)."""

    feature_set_version: str
    features: list[str]
    module_ids: list[str]
    boosters: list[str]
    module_effects_relative_to: Literal["none"]
    action_intercepts: dict[str, float]
    eligible_group_offsets: dict[str, float]
    learner: str
    calibration: Calibration
    params: dict[str, dict[str, Any]]
    rows_per_action: dict[str, int]
    rounds_per_action: dict[str, int]
    num_trees: int = Field(ge=1)
    training_seconds: float = Field(ge=0)
    training: TrainingRun
    data: DataInfo

    def fingerprint(self) -> tuple[str, str, str]:
        """Data hash, settings and code version: two models that share all three are the same retrain."""
        settings = json.dumps({"seed": self.training.seed, "config": self.training.config,
                               "where": self.training.where}, sort_keys=True)
        return self.data.sha256, settings, str(self.training.code_version)


class StoredMeta(ModelMeta):
    """``meta.json`` as the registry writes it: the training's own statement plus where and when it was stored."""

    version: str
    created_at: str
    model_sha256: str = Field(min_length=64, max_length=64)
    metrics: dict[str, Any]
    libraries: dict[str, str]
    catalogue_version: str | None


def validation_problems(error: ValidationError) -> str:
    """One line per problem, naming the field path, for the error a user reads."""
    return "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'meta'}: {e['msg']}" for e in error.errors())
