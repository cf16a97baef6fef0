"""Which code trained a model: the git commit when Lotse runs from a checkout, else the package version.

Why: a model card that names only ``0.1.0`` cannot tell two trainings a week apart on the
same release branch from each other, and a retrain is only "identical" if the code is. A
checkout with uncommitted changes is marked ``-dirty``: its commit alone does not say which
code ran. Installed packages (the container) carry no ``.git``, so their version is the best
that is known, and the card says that it is a package version.
"""

from __future__ import annotations

import subprocess
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from recommender.decide.model_meta import CodeVersion

_SOURCE_ROOT = Path(__file__).resolve().parents[2]
_PACKAGE = "lotse"


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(_SOURCE_ROOT), *args], capture_output=True, text=True, timeout=5,
                              check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


@lru_cache(maxsize=1)
def _package_version() -> str:
    try:
        return version(_PACKAGE)
    except PackageNotFoundError:
        return "unknown"


def code_version() -> CodeVersion:
    """The git commit (``<sha>`` or ``<sha>-dirty``) of the source tree, else the installed package version."""
    sha = _git("rev-parse", "HEAD")
    if not sha:
        return CodeVersion(kind="package", value=_package_version())
    changed = _git("status", "--porcelain", "--untracked-files=no", "--", "recommender", "data", "models")
    return CodeVersion(kind="git", value=f"{sha}-dirty" if changed else sha)
