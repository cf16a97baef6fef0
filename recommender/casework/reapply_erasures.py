"""After a restore: erase again everyone the erasure journal says was erased.

A backup taken before an erasure still holds the person; restoring it must not bring them
back. Every journal entry whose case is in the restored database but not erased there is
erased again (with the confirmation the person gave originally), so the result is the same
whether the erasure happened before or after the backup; entries the backup already shows as
erased, or whose case the backup never held, change nothing.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from models.tables import JobSeeker
from recommender.casework.data_rights import CONFIRMATION_WORD, erase_personal_data
from recommender.casework.erasure_journal import ErasureJournal


def reapply_erasures(session: Session, journal: ErasureJournal, *, audit_engine: Engine | None) -> list[str]:
    """Erase every journaled case the restored database still holds; returns their pseudonyms."""
    erased: list[str] = []
    for pseudonym in dict.fromkeys(entry.pseudonym for entry in journal.entries()):
        job_seeker = session.exec(select(JobSeeker).where(JobSeeker.pseudonym == pseudonym)).first()
        if job_seeker is None or job_seeker.erased_at is not None:
            continue
        erase_personal_data(session, job_seeker=job_seeker, confirmation=CONFIRMATION_WORD, actor_role="system",
                            audit_engine=audit_engine)
        erased.append(pseudonym)
    return erased
