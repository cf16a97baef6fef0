"""Keyed digests of free text, the only form in which staff or job-seeker text enters the log.

The decision log is immutable, so anything written there survives an erasure (GDPR Art 17).
Free text (a reason for "work without AI", a purpose note, a reassignment reason, a review
comment) may name a person or their circumstances, so the log gets only
``HMAC-SHA256(key, text)``: whoever holds the text and the key can prove that this was the
stated reason, nobody can read it back. An unkeyed SHA-256 would not do: short reasons can
be found again by hashing guesses. The text itself lives in an erasable row
(``case_mode.reason``, ``case_access_grant.note``, ``decision_item.review_reason``), which
erasure clears.

The key is derived from ``LOTSE_SECRET_KEY``; the app and the CLI call
:func:`configure_text_key` at start. Without that call (library use, unit tests) a random
per-process key is used: digests are then unverifiable, never readable.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

DIGEST_PREFIX = "hmac-sha256:"
# Separates this use of the secret from its others (session and CSRF signatures).
_KEY_CONTEXT = b"lotse/free-text-digest/v1"

_key: bytes = secrets.token_bytes(32)


def configure_text_key(secret: str) -> None:
    """Derive the digest key from the application secret (call once at start-up)."""
    global _key
    _key = hmac.new(secret.encode("utf-8"), _KEY_CONTEXT, hashlib.sha256).digest()


def text_digest(text: str | None) -> str | None:
    """``hmac-sha256:<hex>`` of *text*, or None for no text."""
    if text is None or not text.strip():
        return None
    return DIGEST_PREFIX + hmac.new(_key, text.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()
