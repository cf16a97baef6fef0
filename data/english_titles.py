"""Common English job titles and the official German title (BA Berufsbenennung) each means.

People who grew up with another language often type the job they had in English ("shop
assistant", "cashier"). The KldB has German titles only and no English ESCO labels are
shipped here, so Lotse carries its own short table, written for Lotse (EUPL-1.2): each English
title points to one official German title, and the KldB code always comes from the KldB, never
from this table. Source and row count in ``data/README.md``.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

ENGLISH_TITLES_FILE = Path(__file__).resolve().parent / "reference" / "english_job_titles.csv"


@lru_cache(maxsize=1)
def english_titles(path: Path = ENGLISH_TITLES_FILE) -> tuple[tuple[str, str], ...]:
    """(English title in lower case, official German title) pairs, in file order."""
    with path.open(encoding="utf-8", newline="") as handle:
        return tuple((row["english"].strip().lower(), row["german"].strip()) for row in csv.DictReader(handle))
