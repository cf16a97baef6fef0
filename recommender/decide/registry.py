"""The model registry: stored versions, their stages, promote, shadow and roll back (G1, G16, G20).

Each version is a directory ``<root>/<version>/`` with the LightGBM text model, ``meta.json``
(:class:`~recommender.decide.model_meta.StoredMeta`: features and their version, data source
and hash, seed, code version, metrics, training time, library versions, the model file's
sha256) and ``MODEL_CARD.md``. Never pickles: a text model cannot run code when loaded.
``meta.json`` is validated when it is written and whenever it is read. A retrain identical to
a stored version (same data hash, settings and code version) is refused as a duplicate naming
that version, so the list holds models, not copies.

Stages: a stored version is a *candidate*; ``shadow`` scores live requests beside the active
model without being shown; *production* is the active model; a version that was production
and was replaced (promote) or pulled (rollback) is *archived*. The state lives in
``<root>/registry.json`` (written atomically) with the history of activations, so a rollback
knows where to go. Every load checks the hash, the feature set and the deny-list; a model that
fails is refused with a clear error and the previously active model stays active. Promote,
shadow and rollback append events to the decision log.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
from pydantic import ValidationError
from sqlmodel import Session

from recommender.decide.features import FEATURE_SET_VERSION, check_feature_names
from recommender.decide.model_card import render_card
from recommender.decide.model_meta import Stage, StoredMeta, validation_problems
from recommender.decide.ranker import LoadedModel, TrainResult
from recommender.errors import (
    _DUPLICATE_MODEL,
    _META_INVALID,
    _MODEL_CORRUPTED,
    _MODEL_INCOMPATIBLE,
    _MODEL_MISSING_FILE,
    _MODEL_UNREADABLE,
    _NO_CARD,
    _NO_PREVIOUS,
    _REASON_NEEDED,
    _UNKNOWN_VERSION,
    DuplicateModelError,
    ModelLoadError,
    ProtectedAttributeError,
    RegistryError,
)
from recommender.records.chain import EventType, append_event

MODEL_FILE = "model.txt"
META_FILE = "meta.json"
CARD_FILE = "MODEL_CARD.md"
STATE_FILE = "registry.json"


@dataclass(frozen=True)
class ModelInfo:
    """One stored version as the model list shows it (``problem`` says why its meta.json is unusable)."""

    version: str
    stage: Stage
    created_at: str = ""
    scenario: str = "?"
    rows: int = 0
    data_source: str = "unknown"
    code_version: str = ""
    problem: str | None = None

    @property
    def active(self) -> bool:
        return self.stage == "production"

    @property
    def synthetic(self) -> bool:
        return self.data_source != "real"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_suffix(path.suffix + f".{secrets.token_hex(4)}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _libraries() -> dict[str, str]:
    import sklearn

    return {"python": platform.python_version(), "lightgbm": lgb.__version__, "numpy": np.__version__,
            "scikit-learn": sklearn.__version__}


class ModelRegistry:
    """Stored models under *root* (``Settings.models_dir``, default ``var/models``)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        # slot ("active" | "shadow") -> (version, file stamp, loaded model)
        self._cache: dict[str, tuple[str, str, LoadedModel]] = {}
        self._state_cache: tuple[tuple[int, int, int], dict[str, Any]] | None = None

    # -- state ---------------------------------------------------------------------------
    def _state(self) -> dict[str, Any]:
        # Read on every request (active and shadow version): parse only when the file changed.
        path = self.root / STATE_FILE
        try:
            stat = path.stat()
        except FileNotFoundError:
            return {"active": None, "history": []}
        stamp = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        if self._state_cache is None or self._state_cache[0] != stamp:
            self._state_cache = (stamp, json.loads(path.read_text(encoding="utf-8")))
        return dict(self._state_cache[1])

    def _set_state(self, state: dict[str, Any]) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        _write_atomic(self.root / STATE_FILE, json.dumps(state, indent=2))

    def active_version(self) -> str | None:
        return self._state().get("active")

    def versions(self) -> list[str]:
        if not self.root.exists():
            return []
        return sorted(p.name for p in self.root.iterdir() if (p / META_FILE).exists())

    def stage(self, version: str) -> Stage:
        """Where *version* stands: production (active), shadow, archived (was production) or candidate."""
        state = self._state()
        if version == state.get("active"):
            return "production"
        if version == state.get("shadow"):
            return "shadow"
        if version in state.get("archived", []):
            return "archived"
        return "candidate"

    def list_versions(self) -> list[ModelInfo]:
        """Every stored version with its stage, oldest first; an unreadable meta.json is listed with its problem."""
        out = []
        for version in self.versions():
            stage = self.stage(version)
            try:
                meta = self.meta(version)
            except ModelLoadError as exc:
                out.append(ModelInfo(version, stage, problem=str(exc)))
                continue
            out.append(ModelInfo(version, stage, meta.created_at, meta.data.scenario, meta.data.rows,
                                 meta.data.source, meta.training.code_version.short()))
        return out

    def meta(self, version: str) -> StoredMeta:
        """The validated ``meta.json`` of *version*.

        Raises
        ------
        RegistryError
            If no such version is stored.
        ModelLoadError
            If its meta.json does not validate (the message names every field at fault).
        """
        path = self.root / version / META_FILE
        if not path.exists():
            raise RegistryError(_UNKNOWN_VERSION.format(version=version, known=", ".join(self.versions()) or "none"))
        try:
            return StoredMeta.model_validate_json(path.read_text(encoding="utf-8"))
        except ValidationError as exc:
            raise ModelLoadError(_META_INVALID.format(version=version, problems=validation_problems(exc))) from None

    def duplicate_of(self, result: TrainResult) -> str | None:
        """The stored version this training repeats (same data hash, settings and code version), if any."""
        fingerprint = result.meta.fingerprint()
        for version in self.versions():
            try:
                if self.meta(version).fingerprint() == fingerprint:
                    return version
            except ModelLoadError:
                continue
        return None

    # -- save / load ---------------------------------------------------------------------
    def save(self, result: TrainResult, *, metrics: dict[str, Any] | None = None,
             catalogue_version: str | None = None) -> str:
        """Store a trained model as a new candidate version; return the version.

        Raises
        ------
        DuplicateModelError
            If a stored version has the same data hash, settings and code version (its
            ``version`` attribute names it); nothing is written.
        """
        duplicate = self.duplicate_of(result)
        if duplicate is not None:
            raise DuplicateModelError(_DUPLICATE_MODEL.format(
                version=duplicate, data_sha=result.meta.data.sha256[:12], code=result.meta.training.code_version),
                duplicate)
        created = datetime.now(UTC)
        version = f"{created:%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"
        directory = self.root / version
        directory.mkdir(parents=True, exist_ok=False)
        (directory / MODEL_FILE).write_text(result.model_text, encoding="utf-8")
        meta = StoredMeta(**result.meta.model_dump(), version=version, created_at=created.isoformat(),
                          model_sha256=_sha256(directory / MODEL_FILE), metrics=metrics or result.metrics,
                          libraries=_libraries(), catalogue_version=catalogue_version)
        self._write_meta(meta)
        return version

    def _write_meta(self, meta: StoredMeta) -> None:
        directory = self.root / meta.version
        _write_atomic(directory / META_FILE, meta.model_dump_json(indent=2))
        _write_atomic(directory / CARD_FILE, render_card(meta))

    def update_metrics(self, version: str, metrics: dict[str, Any]) -> None:
        """Add evaluation figures to a stored version's meta and card (the model file is untouched)."""
        meta = self.meta(version)
        self._write_meta(StoredMeta.model_validate({**meta.model_dump(), "metrics": {**meta.metrics, **metrics}}))

    def load(self, version: str) -> LoadedModel:
        """Load and verify one version: files present, sha256 matches, feature set and names allowed."""
        directory = self.root / version
        meta = self.meta(version)
        model_path = directory / MODEL_FILE
        if not model_path.exists():
            raise ModelLoadError(_MODEL_MISSING_FILE.format(version=version, file=model_path))
        found = _sha256(model_path)
        if found != meta.model_sha256:
            raise ModelLoadError(_MODEL_CORRUPTED.format(version=version, file=model_path, found=found[:12],
                                                         expected=meta.model_sha256[:12]))
        if meta.feature_set_version != FEATURE_SET_VERSION:
            raise ModelLoadError(_MODEL_INCOMPATIBLE.format(version=version, found=meta.feature_set_version,
                                                            expected=FEATURE_SET_VERSION))
        try:
            model = LoadedModel.from_text(version, model_path.read_text(encoding="utf-8"), meta)
            check_feature_names(sorted(model.all_feature_names()))
        except (ProtectedAttributeError, lgb.basic.LightGBMError, ValueError) as exc:
            raise ModelLoadError(_MODEL_UNREADABLE.format(version=version, error=exc)) from None
        if model.booster.feature_name() != meta.features:
            raise ModelLoadError(_MODEL_UNREADABLE.format(
                version=version, error=f"model features {model.booster.feature_name()} differ from meta.json"))
        return model

    def load_active(self) -> LoadedModel | None:
        """The active model (cached while its file is unchanged), or None if none is active.

        Raises
        ------
        ModelLoadError
            If the active model's files are missing, corrupted or incompatible. Callers fall
            back to the rules (G9); ``last_good`` still holds the model loaded before.
        """
        return self._load_cached("active", self.active_version())

    def shadow_version(self) -> str | None:
        return self._state().get("shadow")

    def load_shadow(self) -> LoadedModel | None:
        """The candidate that scores live requests beside the active model without being shown."""
        return self._load_cached("shadow", self.shadow_version())

    def _load_cached(self, slot: str, version: str | None) -> LoadedModel | None:
        if version is None:
            return None
        model_path = self.root / version / MODEL_FILE
        stamp = f"{model_path.stat().st_mtime_ns}:{model_path.stat().st_size}" if model_path.exists() else ""
        cached = self._cache.get(slot)
        if cached is not None and cached[0] == version and cached[1] == stamp:
            return cached[2]
        model = self.load(version)
        self._cache[slot] = (version, stamp, model)
        return model

    @property
    def last_good(self) -> LoadedModel | None:
        cached = self._cache.get("active")
        return cached[2] if cached else None

    # -- stage moves: promote / rollback / shadow --------------------------------------------------------------
    def promote(self, version: str, *, session: Session, actor: str, reason: str | None = None,
                actor_role: str = "data_scientist") -> None:
        """Make *version* active after verifying it loads and has a model card; log it.

        A version that fails verification raises and leaves the active model unchanged.
        """
        self.load(version)
        if not (self.root / version / CARD_FILE).exists():
            raise RegistryError(_NO_CARD.format(version=version))
        state = self._state()
        previous = state.get("active")
        meta = self.meta(version)
        append_event(session, event_type=EventType.model_promoted, actor_role=actor_role, actor_id=actor,
                     model_version=version, feature_set_version=meta.feature_set_version, reason=reason,
                     outputs={"previous_version": previous, "synthetic": meta.data.synthetic,
                              "from_stage": self.stage(version), "model_sha256": meta.model_sha256})
        history = [v for v in state.get("history", []) if v != version]
        shadow = state.get("shadow")
        archived = [v for v in state.get("archived", []) if v not in (version, previous)]
        self._set_state({**state, "active": version, "history": [*history, version],
                         "shadow": None if shadow == version else shadow,
                         "archived": [*archived, previous] if previous not in (None, version) else archived})

    def rollback(self, *, session: Session, actor: str, reason: str, actor_role: str = "data_scientist") -> str:
        """Re-activate the version that was active before the current one; log it with the reason."""
        if not (reason and reason.strip()):
            raise RegistryError(_REASON_NEEDED)
        state = self._state()
        history = list(state.get("history", []))
        current = state.get("active")
        if current in history:
            history.remove(current)
        if not history:
            raise RegistryError(_NO_PREVIOUS.format(history=state.get("history", [])))
        target = history[-1]
        self.load(target)
        append_event(session, event_type=EventType.model_rolled_back, actor_role=actor_role, actor_id=actor,
                     model_version=target, feature_set_version=self.meta(target).feature_set_version,
                     reason=reason, outputs={"rolled_back_from": current})
        archived = [v for v in state.get("archived", []) if v not in (target, current)]
        self._set_state({**state, "active": target, "history": history,
                         "archived": [*archived, current] if current is not None else archived})
        return target

    def set_shadow(self, version: str | None, *, session: Session, actor: str,
                   actor_role: str = "data_scientist") -> None:
        """Let *version* score live requests beside the active model, never shown (None: stop); logged."""
        if version is not None:
            self.load(version)
        state = self._state()
        previous = state.get("shadow")
        append_event(session, event_type=EventType.model_shadow_set, actor_role=actor_role, actor_id=actor,
                     model_version=version, outputs={"previous_shadow": previous})
        self._set_state({**state, "shadow": version})

    def log_trained(self, version: str, *, session: Session, actor: str, actor_role: str = "data_scientist") -> None:
        """Append a ``model_trained`` event for a newly stored version."""
        meta = self.meta(version)
        append_event(session, event_type=EventType.model_trained, actor_role=actor_role, actor_id=actor,
                     model_version=version, feature_set_version=meta.feature_set_version,
                     outputs={"data": meta.data.model_dump(), "training_seconds": meta.training_seconds,
                              "code_version": str(meta.training.code_version)})
