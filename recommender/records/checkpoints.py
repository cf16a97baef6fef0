"""Signed checkpoints: the decision log proves it is complete, not only internally consistent.

The hash chain (``records.chain``) shows that no row inside the log was changed, but whoever
can write the database can cut off its tail or rewrite it and recompute every hash. A
checkpoint seals the head of the log (event count, last id, head hash, time) with an Ed25519
key that lives outside the database (``LOTSE_CHECKPOINT_KEY``). :func:`verify_log` then checks
the log against the newest seal: a missing tail, a rewritten head or a removed seal is reported.

Where seals are kept, and why three places:

- the ``audit_checkpoint`` table, append-only; each seal links to the digest of the one before,
  so a seal removed from the middle leaves a gap;
- a journal file outside the database (``LOTSE_CHECKPOINT_JOURNAL``, one JSON line per seal),
  so removing the newest seals from the table is reported too;
- exported files (``lotse audit checkpoint --export``) that the Jobcenter files away: an
  auditor checks the live log against them with ``lotse audit verify --against FILE``, which
  holds even against someone who had both the database and the key.

A later walk resumes from the newest seal (it was verified before it was written), unless
``full`` is asked for.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import func
from sqlmodel import Session, col, select

from models.errors import InvalidError
from models.hashing import canonical_json, sha256_hex, utc_iso
from models.tables import AuditCheckpoint, Event, utcnow
from recommender.errors import RecommenderError
from recommender.records.chain import GENESIS_HASH, ChainHead, ChainReport, verify_chain

EXPORT_FORMAT = 1
KEY_MISSING = "no checkpoint key at {path}; create one with `lotse audit keygen --out {path}`"
KEY_INVALID = "{path} is not an Ed25519 private key in PEM format"
KEY_EXISTS = "{path} exists already; a key is never overwritten (rotate by writing a new one elsewhere)"
NOT_SEALED = "the log does not verify, so it is not sealed: {problem}"
EXPORT_INVALID = "{path} is not an exported Lotse checkpoint"
BAD_SIGNATURE = "checkpoint {seq}: the signature does not match its content"
UNTRUSTED_KEY = "checkpoint {seq}: signed by a key that is not trusted ({key}...)"
SEAL_GAP = "checkpoint {seq} is missing from the database (the seals jump from {before} to {after})"
SEAL_LINK = "checkpoint {seq} does not link to checkpoint {before}: a seal was replaced"
JOURNAL_REMOVED = "checkpoint {seq} is in the journal {journal} but not in the database: it was removed"
JOURNAL_DIFFERS = "checkpoint {seq} in the database differs from the journal {journal}"
EXPORT_NOT_SEALED = "the exported checkpoint {seq} ({path}) is not in the database"
LOG_TRUNCATED = ("the log was cut off: checkpoint {seq} sealed {count} events up to id {last_id}, "
                 "the log now ends at id {end}")
LOG_REWRITTEN = "event {last_id} is not the one checkpoint {seq} sealed: the log was rewritten"
LOG_RECOUNTED = "checkpoint {seq} sealed {count} events up to id {last_id}; there are now {found}"
_SIGNED_FIELDS = ("seq", "created_at", "event_count", "last_event_id", "head_hash", "prev_seal", "public_key")


class CheckpointError(RecommenderError, InvalidError):
    """A key or export that cannot be used, or a log that must not be sealed."""


# -- the key ---------------------------------------------------------------------------------
def generate_key(path: Path) -> str:
    """Write a new Ed25519 private key (PEM, mode 0600) and its public key beside it; return the public hex."""
    if path.exists():
        raise CheckpointError(KEY_EXISTS.format(path=path))
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem)
    public = key.public_key()
    path.with_suffix(".pub").write_bytes(public.public_bytes(serialization.Encoding.PEM,
                                                             serialization.PublicFormat.SubjectPublicKeyInfo))
    return public_hex(public)


def load_key(path: Path | None) -> Ed25519PrivateKey:
    if path is None or not path.is_file():
        raise CheckpointError(KEY_MISSING.format(path=path or "LOTSE_CHECKPOINT_KEY"))
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError):
        raise CheckpointError(KEY_INVALID.format(path=path)) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise CheckpointError(KEY_INVALID.format(path=path))
    return key


def public_hex(key: Ed25519PublicKey) -> str:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


def trusted_keys(key_path: Path | None, public_files: Iterable[Path] = ()) -> set[str]:
    """The public keys whose seals count: the current key's, every ``*.pub`` beside it (retired keys
    after a rotation) and any public key file an auditor names."""
    files = list(public_files)
    if key_path is not None and key_path.parent.is_dir():
        files += sorted(key_path.parent.glob("*.pub"))
    keys = {public_hex(_load_public(path)) for path in files}
    if key_path is not None and key_path.is_file():
        keys.add(public_hex(load_key(key_path).public_key()))
    return keys


def _load_public(path: Path) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(path.read_bytes())
    if not isinstance(key, Ed25519PublicKey):
        raise CheckpointError(KEY_INVALID.format(path=path))
    return key


# -- seals -----------------------------------------------------------------------------------
def _body(seal: AuditCheckpoint | dict[str, Any]) -> dict[str, Any]:
    get = seal.get if isinstance(seal, dict) else (lambda name: getattr(seal, name))
    body = {name: get(name) for name in _SIGNED_FIELDS}
    if not isinstance(body["created_at"], str):  # a record read back from an export is already text
        body["created_at"] = utc_iso(cast(datetime, body["created_at"]))
    return body


def seal_digest(seal: AuditCheckpoint | dict[str, Any]) -> str:
    """What the next seal links to: its signed content and its signature."""
    return sha256_hex({**_body(seal), "signature": seal["signature"] if isinstance(seal, dict) else seal.signature})


def signature_ok(seal: AuditCheckpoint | dict[str, Any]) -> bool:
    body = _body(seal)
    signature = seal["signature"] if isinstance(seal, dict) else seal.signature
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(body["public_key"])).verify(
            bytes.fromhex(signature), canonical_json(body).encode("utf-8"))
    except (InvalidSignature, ValueError):
        return False
    return True


def all_seals(session: Session) -> list[AuditCheckpoint]:
    return list(session.exec(select(AuditCheckpoint).order_by(col(AuditCheckpoint.seq))).all())


def seal_head(session: Session, key: Ed25519PrivateKey, head: ChainHead) -> AuditCheckpoint:
    """Insert a signed checkpoint of *head* in the caller's transaction."""
    seals = all_seals(session)
    previous = seals[-1] if seals else None
    seal = AuditCheckpoint(
        seq=previous.seq + 1 if previous else 1, created_at=utcnow(), event_count=head.count,
        last_event_id=head.last_id, head_hash=head.head_hash,
        prev_seal=seal_digest(previous) if previous else GENESIS_HASH,
        public_key=public_hex(key.public_key()), signature="",
    )
    seal.signature = key.sign(canonical_json(_body(seal)).encode("utf-8")).hex()
    session.add(seal)
    session.flush()
    return seal


def export_record(seal: AuditCheckpoint) -> dict[str, Any]:
    """The checkpoint as a self-contained JSON document for the Jobcenter's records."""
    return {"format": EXPORT_FORMAT, "algorithm": "Ed25519", **_body(seal), "signature": seal.signature}


def append_journal(journal: Path, seal: AuditCheckpoint) -> None:
    """Add the seal to the journal outside the database (after its transaction committed)."""
    journal.parent.mkdir(parents=True, exist_ok=True)
    with journal.open("a", encoding="utf-8") as handle:
        handle.write(canonical_json(export_record(seal)) + "\n")


def read_export(path: Path) -> dict[str, Any]:
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise CheckpointError(EXPORT_INVALID.format(path=path)) from None
    if not isinstance(record, dict) or record.get("format") != EXPORT_FORMAT or "signature" not in record:
        raise CheckpointError(EXPORT_INVALID.format(path=path))
    return record


# -- verification ----------------------------------------------------------------------------
@dataclass(frozen=True)
class LogReport:
    """A chain walk plus what the seals say about the log's completeness."""

    chain: ChainReport
    seal_problems: tuple[str, ...]
    resumed_from: int | None
    newest_seal: int | None

    @property
    def ok(self) -> bool:
        return self.chain.ok and not self.seal_problems


def _seal_problems(seals: Sequence[AuditCheckpoint], trusted: set[str]) -> list[str]:
    problems = []
    for before, seal in zip([None, *seals], seals, strict=False):
        if not signature_ok(seal):
            problems.append(BAD_SIGNATURE.format(seq=seal.seq))
        elif seal.public_key not in trusted:
            problems.append(UNTRUSTED_KEY.format(seq=seal.seq, key=seal.public_key[:16]))
        previous_seq = before.seq if before else 0
        if seal.seq != previous_seq + 1:
            problems += [SEAL_GAP.format(seq=s, before=previous_seq, after=seal.seq)
                         for s in range(previous_seq + 1, seal.seq)]
        elif seal.prev_seal != (seal_digest(before) if before else GENESIS_HASH):
            problems.append(SEAL_LINK.format(seq=seal.seq, before=previous_seq))
    return problems


def _journal_problems(seals: Sequence[AuditCheckpoint], journal: Path | None) -> list[str]:
    if journal is None or not journal.is_file():
        return []
    stored = {seal.seq: export_record(seal) for seal in seals}
    problems = []
    for line in journal.read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        if entry["seq"] not in stored:
            problems.append(JOURNAL_REMOVED.format(seq=entry["seq"], journal=journal))
        elif stored[entry["seq"]] != entry:
            problems.append(JOURNAL_DIFFERS.format(seq=entry["seq"], journal=journal))
    return problems


def _anchor_problems(session: Session, anchor: dict[str, Any]) -> list[str]:
    """Does the log still hold the head this seal sealed, with as many events before it?"""
    seq, last_id, count = anchor["seq"], anchor["last_event_id"], anchor["event_count"]
    sealed_hash = session.exec(select(Event.hash).where(Event.id == last_id)).first()
    if sealed_hash is None:
        end = session.exec(select(func.max(Event.id))).one()
        return [LOG_TRUNCATED.format(seq=seq, count=count, last_id=last_id, end=end or 0)]
    if sealed_hash != anchor["head_hash"]:
        return [LOG_REWRITTEN.format(seq=seq, last_id=last_id)]
    found = session.exec(select(func.count()).select_from(Event).where(col(Event.id) <= last_id)).one()
    if found != count:
        return [LOG_RECOUNTED.format(seq=seq, count=count, last_id=last_id, found=found)]
    return []


def verify_log(session: Session, *, trusted: set[str], journal: Path | None = None, full: bool = False,
               exported: Sequence[dict[str, Any]] = ()) -> LogReport:
    """Check the seals, the log against the newest seal and any exported ones, then walk the chain.

    The walk starts at the newest good seal (its head was verified when it was written) unless
    *full*, or unless a seal problem makes the stored seals untrustworthy.
    """
    seals = all_seals(session)
    problems = _seal_problems(seals, trusted) + _journal_problems(seals, journal)
    stored = {seal.seq: export_record(seal) for seal in seals}
    for record in exported:
        if not signature_ok(record):
            problems.append(BAD_SIGNATURE.format(seq=record.get("seq")))
        elif record["public_key"] not in trusted:
            problems.append(UNTRUSTED_KEY.format(seq=record["seq"], key=record["public_key"][:16]))
        elif stored.get(record["seq"]) != record:
            problems.append(EXPORT_NOT_SEALED.format(seq=record["seq"], path="export"))
    newest = seals[-1] if seals else None
    anchors = [export_record(newest)] if newest else []
    for anchor in [*anchors, *exported]:
        problems += _anchor_problems(session, anchor)
    start = None
    if newest is not None and not full and not problems:
        start = ChainHead(newest.event_count, newest.last_event_id, newest.head_hash)
    chain = verify_chain(session, start=start)
    return LogReport(chain=chain, seal_problems=tuple(dict.fromkeys(problems)),
                     resumed_from=newest.seq if start and newest else None,
                     newest_seal=newest.seq if newest else None)


def seal_if_verified(session: Session, key: Ed25519PrivateKey, report: LogReport) -> AuditCheckpoint | None:
    """Seal the head a clean walk reached, if events came after the newest seal; refuse a broken log."""
    if not report.ok:
        problem = report.chain.broken.problem if report.chain.broken else (report.seal_problems
                                                                           or report.chain.problems)[0]
        raise CheckpointError(NOT_SEALED.format(problem=problem))
    head = report.chain.head
    seals = all_seals(session)
    if head is None or (seals and seals[-1].last_event_id == head.last_id):
        return None
    return seal_head(session, key, head)
