"""The erasure journal: which case was erased when, kept outside every backup.

Restoring a backup brings back everything it holds, including people who asked to be erased
after it was taken. The journal is what lets ``lotse restore`` erase them again. It holds only
the case pseudonym (a random id that names nobody without the app database) and the time, one
JSON object per line, so it may outlive the data and sit next to the backups without being
personal data itself. It lives in the var directory, never inside a backup archive: a journal
restored from the same backup would have forgotten exactly the erasures that matter.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

JOURNAL_FILE = "erasure_journal.jsonl"


@dataclass(frozen=True)
class JournalEntry:
    pseudonym: str
    erased_at: datetime


class ErasureJournal:
    """Append-only file of erasures; each append is flushed to disk before the caller goes on."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def record(self, pseudonym: str, erased_at: datetime) -> None:
        """Append one erasure; written before the erasure commits, so a crash errs towards erasing."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps({"pseudonym": pseudonym, "erased_at": erased_at.isoformat()}) + "\n"
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())

    def entries(self) -> list[JournalEntry]:
        """Every recorded erasure, oldest first; an empty list when nothing was ever erased."""
        if not self.path.is_file():
            return []
        with self.path.open(encoding="utf-8") as handle:
            rows = [json.loads(line) for line in handle if line.strip()]
        return [JournalEntry(row["pseudonym"], datetime.fromisoformat(row["erased_at"])) for row in rows]


def erasure_journal(var_dir: Path) -> ErasureJournal:
    """The installation's journal, ``<var_dir>/erasure_journal.jsonl``."""
    return ErasureJournal(Path(var_dir) / JOURNAL_FILE)
