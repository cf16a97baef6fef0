"""Where an operator's imported reference tables live: ``<var_dir>/reference/``.

Imported tables (full wage table, KldB -> ISCO crosswalk) override what ships in the package.
Their loaders cache what they read, so pointing at another var directory must clear every such
cache; each loader registers itself with :func:`reloads_with_var_dir` instead of the loaders
knowing about each other.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, TypeVar


class _Cached(Protocol):
    def cache_clear(self) -> None: ...


Loader = TypeVar("Loader", bound=_Cached)
_var_dir: list[Path] = [Path("var")]
_caches: list[_Cached] = []


def reloads_with_var_dir(loader: Loader) -> Loader:
    """Register an ``lru_cache``-wrapped loader to be cleared when the var directory changes."""
    _caches.append(loader)
    return loader


def use_var_dir(path: Path) -> None:
    """Point the loaders at the installation's var directory (the CLI and the API call this)."""
    if _var_dir[0] != Path(path):
        _var_dir[0] = Path(path)
        for cache in _caches:
            cache.cache_clear()


def reference_dir() -> Path:
    """The folder of imported tables in the current var directory."""
    return _var_dir[0] / "reference"
