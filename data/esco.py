"""ESCO occupations with their German labels: groups of names that mean the same job.

The KldB lists official titles, but people also type everyday synonyms that the BA does not
list ("Takelmacher" for a rigger). ESCO groups such synonyms under one occupation, so the job
title classifier can let a title borrow the vote of its synonyms (``recommender.occupations.classifier``).
ESCO © European Union, reusable with attribution (Commission Decision 2011/833/EU); source and
row count in ``data/README.md``.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

ESCO_FILE = Path(__file__).resolve().parent / "reference" / "esco_occupations_de.csv"


def _labels(row: dict[str, str]) -> list[str]:
    """Every label of one occupation; ``Drahtzieher/Drahtzieherin`` also as its two halves."""
    raw = [row["preferred_label"], *row["alt_labels"].split(" | "), *row["hidden_labels"].split(" | ")]
    out: list[str] = []
    for label in raw:
        parts = [label, *label.split("/")] if "/" in label else [label]
        out.extend(part.strip() for part in parts if part.strip())
    return out


@lru_cache(maxsize=1)
def esco_label_groups(path: Path = ESCO_FILE) -> tuple[tuple[str, ...], ...]:
    """One tuple of German labels per ESCO occupation, in file order."""
    with path.open(encoding="utf-8", newline="") as handle:
        return tuple(tuple(_labels(row)) for row in csv.DictReader(handle))
