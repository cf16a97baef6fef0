"""Machine clients authenticate with an API token; ``require_scope`` is the one gate.

``Authorization: Bearer lotse_...`` is checked against the stored digests
(``api/auth/api_tokens.py``). A known, active token that carries the scope passes, is counted
against its per-minute limit and its use is written to the decision log (``api_token_used``)
and committed at once, so the trace stays even when the route then refuses the input. A
revoked or expired token, or one without the scope, is logged as ``access_denied``. Session
cookies of people do not count here: an endpoint for machines takes only tokens.

The route then sees a :class:`MachineClient`; data must be scoped to its ``jobcenter_id``
(``ensure_jobcenter`` refuses anything else with 403).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from api.auth.api_tokens import SCOPES, find_token, scopes_of, token_state
from api.auth.login import counter_row, throttle_key
from api.auth.policy import AccessRule, declare_access
from api.deps import SessionDep
from models.errors import require_id
from models.integration import ApiToken
from models.tables import as_utc, utcnow
from recommender.casework.interchange_view import MACHINE_ROLE, machine_actor
from recommender.records.chain import EventType, append_event

RATE_WINDOW = timedelta(minutes=1)
TOKEN_MISSING = "This endpoint needs an API token: send it as 'Authorization: Bearer <token>'."
TOKEN_UNKNOWN = "The API token is not known (check that it was copied completely)."
TOKEN_REVOKED = "The API token {prefix}... was revoked on {when}; ask the Jobcenter for a new one."
TOKEN_EXPIRED = "The API token {prefix}... expired on {when}; ask the Jobcenter for a new one."
SCOPE_MISSING = "The API token {prefix}... lacks the scope {scope!r}; it has: {has}."
RATE_LIMITED = "The API token {prefix}... made more than {limit} requests in a minute; retry in {seconds} s."
OTHER_JOBCENTER = ("The API token belongs to Jobcenter {own}; it may not read or write data of Jobcenter "
                   "{given}.")
_BEARER = HTTPBearer(auto_error=False, description="An API token created with `lotse tokens create`.")


@dataclass(frozen=True)
class MachineClient:
    """The authenticated token behind a request, as a route needs it."""

    token_id: int
    jobcenter_id: int
    scopes: frozenset[str]
    name: str
    prefix: str

    @property
    def actor_id(self) -> str:
        """How the decision log names this client."""
        return machine_actor(self.token_id)

    def ensure_jobcenter(self, jobcenter_id: int) -> None:
        """403 unless *jobcenter_id* is the token's own Jobcenter."""
        if jobcenter_id != self.jobcenter_id:
            raise HTTPException(status_code=403,
                                detail=OTHER_JOBCENTER.format(own=self.jobcenter_id, given=jobcenter_id))


def _unauthorised(detail: str) -> HTTPException:
    return HTTPException(status_code=401, detail=detail, headers={"WWW-Authenticate": 'Bearer realm="lotse"'})


def _route_name(request: Request) -> str:
    route = request.scope.get("route")
    path = getattr(route, "path", None) or request.url.path
    return f"{request.method} {path}"[:64]


def _deny(session: Session, token: ApiToken, action: str, why: str) -> None:
    append_event(session, event_type=EventType.access_denied, actor_role=MACHINE_ROLE,
                 actor_id=machine_actor(require_id(token)), action=action, outputs={"why": why, "token_id": token.id})
    session.commit()


def _count_use(session: Session, token: ApiToken, per_minute: int) -> int | None:
    """Count one request; the seconds until the window ends if the token is over its limit."""
    now = utcnow()
    row = counter_row(session, throttle_key("api-token", str(token.id)), now)
    started = as_utc(row.window_started_at)
    if now - started >= RATE_WINDOW:
        row.window_started_at, row.failures, started = now, 0, now
    if row.failures >= per_minute:
        return max(1, int((started + RATE_WINDOW - now).total_seconds()) + 1)
    row.failures += 1
    row.updated_at = now
    session.add(row)
    return None


def require_scope(scope: str) -> Any:
    """``Depends`` that returns the :class:`MachineClient` of a valid token carrying *scope*.

    401: no token, an unknown, revoked or expired one; 403: the scope is missing; 429: over the
    per-minute limit (``LOTSE_API_TOKEN_REQUESTS_PER_MINUTE``), with ``Retry-After``.
    """
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}; known: {', '.join(SCOPES)}")

    @declare_access(AccessRule.for_scope(scope))
    def check_token(
        request: Request,
        session: SessionDep,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_BEARER)],
    ) -> MachineClient:
        if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
            raise _unauthorised(TOKEN_MISSING)
        token = find_token(session, credentials.credentials.strip())
        if token is None:
            raise _unauthorised(TOKEN_UNKNOWN)
        action = _route_name(request)
        state = token_state(token)
        if state == "revoked" and token.revoked_at is not None:
            _deny(session, token, action, "revoked")
            raise _unauthorised(TOKEN_REVOKED.format(prefix=token.prefix, when=as_utc(token.revoked_at).isoformat()))
        if state == "expired" and token.expires_at is not None:
            _deny(session, token, action, "expired")
            raise _unauthorised(TOKEN_EXPIRED.format(prefix=token.prefix, when=as_utc(token.expires_at).isoformat()))
        scopes = scopes_of(token)
        if scope not in scopes:
            _deny(session, token, action, f"scope {scope} missing")
            raise HTTPException(status_code=403, detail=SCOPE_MISSING.format(
                prefix=token.prefix, scope=scope, has=", ".join(sorted(scopes))))
        limit = request.app.state.settings.api_token_requests_per_minute
        wait = _count_use(session, token, limit)
        if wait is not None:
            session.commit()
            raise HTTPException(status_code=429, detail=RATE_LIMITED.format(prefix=token.prefix, limit=limit,
                                                                           seconds=wait),
                                headers={"Retry-After": str(wait)})
        token.last_used_at = utcnow()
        session.add(token)
        append_event(session, event_type=EventType.api_token_used, actor_role=MACHINE_ROLE,
                     actor_id=machine_actor(require_id(token)), action=action,
                     outputs={"token_id": token.id, "jobcenter_id": token.jobcenter_id, "scope": scope})
        session.commit()
        return MachineClient(token_id=require_id(token), jobcenter_id=token.jobcenter_id, scopes=scopes,
                             name=token.name, prefix=token.prefix)

    check_token.__name__ = f"require_scope_{scope.replace(':', '_')}"
    return Depends(check_token)


__all__ = ["MACHINE_ROLE", "MachineClient", "require_scope"]
