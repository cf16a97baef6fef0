"""API tokens of machine clients (a Fachverfahren, a citizen portal): create, list, revoke, check.

A token is ``lotse_`` + 43 URL-safe characters (256 random bits). It is shown once, when it is
created; the database keeps only its SHA-256 (``models/integration.py``), so a copy of the
database or a backup gives nobody a working token. Each token belongs to one Jobcenter and
carries a fixed set of scopes; creation and revocation are written to the decision log, and so
is every use (``api/auth/scopes.py``).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from models.errors import InvalidError, NotFoundError, require_id
from models.integration import ApiToken
from models.tables import Jobcenter, as_utc, utcnow
from recommender.records.chain import EventType, append_event

TOKEN_PREFIX = "lotse_"
SCOPES: tuple[str, ...] = ("cases:write", "cases:read", "plans:read", "feed:read", "kpi:read")
SCOPE_UNKNOWN = "Unknown scope {given!r}; allowed: {allowed}."
SCOPES_MISSING = "A token needs at least one scope; allowed: {allowed}."
NAME_INVALID = "A token name needs 1 to 100 characters (it names the client, e.g. 'Fachverfahren Nord'); got {given!r}."
EXPIRY_PAST = "The expiry {given} is not in the future."
TOKEN_NOT_FOUND = "No API token with id {token_id} in Jobcenter {code!r}."


class TokenError(InvalidError):
    """A token cannot be created or changed as asked; nothing was written."""


class TokenNotFound(TokenError, NotFoundError):
    """No such token (in this Jobcenter)."""


@dataclass(frozen=True)
class IssuedToken:
    """A new token: *secret* is the only copy of the token in clear, to be shown once."""

    token_id: int
    secret: str
    prefix: str
    scopes: tuple[str, ...]


def token_digest(secret: str) -> str:
    """The stored form of a token: SHA-256 of the secret (256 random bits need no slow hash)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def parse_scopes(given: list[str] | str) -> tuple[str, ...]:
    """Known scopes, sorted and without duplicates; :class:`TokenError` names an unknown one."""
    names = given.replace(",", " ").split() if isinstance(given, str) else [s.strip() for s in given]
    allowed = ", ".join(SCOPES)
    for name in names:
        if name not in SCOPES:
            raise TokenError(SCOPE_UNKNOWN.format(given=name, allowed=allowed))
    if not names:
        raise TokenError(SCOPES_MISSING.format(allowed=allowed))
    return tuple(sorted(set(names)))


def scopes_of(token: ApiToken) -> frozenset[str]:
    return frozenset(token.scopes.split())


def create_token(session: Session, *, jobcenter: Jobcenter, name: str, scopes: list[str] | str,
                 expires_at: datetime | None = None, actor_role: str = "admin",
                 actor_id: str | None = "cli") -> IssuedToken:
    """Create a token of *jobcenter* with *scopes*; log ``api_token_created`` (without the secret)."""
    clean_name = name.strip()
    if not 1 <= len(clean_name) <= 100:
        raise TokenError(NAME_INVALID.format(given=name[:120]))
    chosen = parse_scopes(scopes)
    if expires_at is not None and as_utc(expires_at) <= utcnow():
        raise TokenError(EXPIRY_PAST.format(given=as_utc(expires_at).isoformat()))
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(jobcenter_id=require_id(jobcenter), name=clean_name, scopes=" ".join(chosen),
                     token_sha256=token_digest(secret), prefix=secret[: len(TOKEN_PREFIX) + 4],
                     expires_at=expires_at)
    session.add(token)
    session.flush()
    token_id = require_id(token)
    append_event(session, event_type=EventType.api_token_created, actor_role=actor_role, actor_id=actor_id,
                 action="create", outputs={"token_id": token_id, "jobcenter_id": token.jobcenter_id,
                                           "scopes": list(chosen), "prefix": token.prefix,
                                           "expires_at": as_utc(expires_at).isoformat() if expires_at else None})
    return IssuedToken(token_id, secret, token.prefix, chosen)


def tokens_of(session: Session, *, jobcenter: Jobcenter | None = None) -> list[ApiToken]:
    """Every token (of *jobcenter*), oldest first; the secrets are not stored, so none is shown."""
    statement = select(ApiToken).order_by(col(ApiToken.id))
    if jobcenter is not None:
        statement = statement.where(ApiToken.jobcenter_id == jobcenter.id)
    return list(session.exec(statement).all())


def revoke_token(session: Session, *, jobcenter: Jobcenter, token_id: int, reason: str,
                 actor_role: str = "admin", actor_id: str | None = "cli") -> bool:
    """Revoke token *token_id* of *jobcenter* at once; False if it was already revoked."""
    token = session.get(ApiToken, token_id)
    if token is None or token.jobcenter_id != jobcenter.id:
        raise TokenNotFound(TOKEN_NOT_FOUND.format(token_id=token_id, code=jobcenter.code))
    if token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    session.add(token)
    append_event(session, event_type=EventType.api_token_revoked, actor_role=actor_role, actor_id=actor_id,
                 action="revoke", reason=reason.strip() or "revoked",
                 outputs={"token_id": token_id, "jobcenter_id": token.jobcenter_id})
    return True


def find_token(session: Session, secret: str) -> ApiToken | None:
    """The token whose secret is *secret*, or None (compared by digest, in constant time)."""
    digest = token_digest(secret)
    token = session.exec(select(ApiToken).where(ApiToken.token_sha256 == digest)).first()
    if token is None or not hmac.compare_digest(token.token_sha256, digest):
        return None
    return token


def token_state(token: ApiToken, *, now: datetime | None = None) -> str:
    """``active``, ``revoked`` or ``expired``."""
    now = now or utcnow()
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and as_utc(token.expires_at) <= now:
        return "expired"
    return "active"
