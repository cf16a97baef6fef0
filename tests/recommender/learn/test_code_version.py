"""The code version a model card names: the git commit in a checkout, else the package version."""

from __future__ import annotations

from pathlib import Path

from recommender.learn import code_version as provenance


def test_code_version_is_the_git_commit_in_a_checkout() -> None:
    version = provenance.code_version()
    assert version.kind == "git" and len(version.value.split("-")[0]) == 40


def test_code_version_falls_back_to_the_package_version_outside_a_checkout(monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(provenance, "_SOURCE_ROOT", tmp_path)
    version = provenance.code_version()
    assert version.kind == "package" and str(version) == f"package version {version.value} (no git checkout)"
