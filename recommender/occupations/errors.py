"""Errors of the occupation NLP; messages are module constants tests can import."""

from __future__ import annotations

from recommender.errors import RecommenderError


class ModelArtefactError(RecommenderError, RuntimeError):
    """The occupation model's artefacts are missing or do not match their recorded hash."""
