"""Domain errors of the recommender; messages are module constants tests can import.

Each derives from ``RecommenderError`` and, when a person can act on it, from one kind in
``models/errors.py`` (not found, conflict, invalid, forbidden), which decides the HTTP answer;
one without a kind (``ModelLoadError``) is an internal fault. Errors of later stages (review,
journey, monitoring, ...) live in their stage and follow the same rule.
"""

from __future__ import annotations

from models.errors import InvalidError, LotseError

_PROTECTED_FEATURE = ("feature(s) {names} are protected attributes ({categories}) and can never be model "
                      "features (G2); allowed features: {allowed}")
_NOT_ALLOWED_FEATURE = "feature(s) {names} are not on the allow-list; allowed: {allowed}"
_SCENARIO_INVALID = "{file}, line {line}: {message}"
_MODEL_CORRUPTED = ("model {version!r} is corrupted: {file} has sha256 {found}, meta.json expects {expected}; "
                    "the previously active model stays active")
_MODEL_MISSING_FILE = "model {version!r} cannot be loaded: {file} is missing"
_MODEL_INCOMPATIBLE = ("model {version!r} was trained on feature set {found!r}; this Lotse builds feature set "
                       "{expected!r}; retrain with `lotse train`")
_MODEL_UNREADABLE = "model {version!r} cannot be loaded: {error}"
_UNKNOWN_VERSION = "no model version {version!r}; known versions: {known}"
_NO_PREVIOUS = "there is no earlier active model to roll back to (history: {history})"
_REASON_NEEDED = "a rollback needs a reason (it is logged)"
_META_INVALID = "meta.json of model {version!r} does not validate: {problems}; retrain the model with `lotse train`"
_DUPLICATE_MODEL = ("this model is identical to stored version {version!r} (same data sha256 {data_sha}, settings "
                    "and code version {code}); it was not stored again")
_TRAIN_CONFIG_INVALID = "{name} must be {kind} in {interval}; got {value!r}"
_NO_CARD = "model {version!r} has no MODEL_CARD.md, so it cannot be promoted (G1)"


class RecommenderError(LotseError):
    """Base class of every error raised by ``recommender``."""


class ProtectedAttributeError(RecommenderError, InvalidError):
    """A protected attribute (or an unlisted feature) was about to enter the model (G2)."""


class ScenarioError(RecommenderError, InvalidError):
    """A scenario file that cannot be used; the message names file and line."""


class ModelLoadError(RecommenderError):
    """A stored model cannot be used: missing file, hash mismatch, incompatible feature set."""


class RegistryError(RecommenderError, InvalidError):
    """A registry operation that is not allowed (unknown version, nothing to roll back to)."""


class DuplicateModelError(RegistryError):
    """A retrain identical to a stored version (same data, settings and code): *version* names it."""

    def __init__(self, message: str, version: str) -> None:
        super().__init__(message)
        self.version = version


class TrainConfigError(RecommenderError, InvalidError):
    """A training setting of the wrong type or outside its range; the message names it and the range."""
