"""``lotse tokens create|list|revoke``: API tokens for a Fachverfahren or a citizen portal.

The token is printed once, at creation; Lotse keeps only its SHA-256, so a lost token cannot be
shown again: revoke it and create a new one.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import typer
from rich.table import Table

from api.auth.accounts import AccountError, jobcenter_by_code
from api.auth.api_tokens import SCOPES, TokenError, create_token, revoke_token, token_state, tokens_of
from api.cli.app import console, fail, transaction
from models.tables import as_utc

tokens_app = typer.Typer(help="API tokens of machine clients (Fachverfahren, portals).", no_args_is_help=True)
_EXPIRY_FORMAT = "--expires must be a date YYYY-MM-DD; got {given!r}."


def _expiry(given: str | None) -> datetime | None:
    if not given:
        return None
    try:
        day = datetime.strptime(given, "%Y-%m-%d")
    except ValueError:
        raise fail(_EXPIRY_FORMAT.format(given=given)) from None
    return day.replace(tzinfo=UTC) + timedelta(days=1)  # valid through that whole day (UTC)


@tokens_app.command("create")
def create(
    name: str = typer.Argument(..., help="Which client uses it, e.g. 'Fachverfahren Nord'."),
    scope: list[str] = typer.Option(..., "--scope", help=f"Repeat for several: {', '.join(SCOPES)}."),
    jobcenter: str = typer.Option("demo", help="Code of the Jobcenter whose data the token may reach."),
    expires: str | None = typer.Option(None, help="Last valid day (YYYY-MM-DD, UTC); none: no expiry."),
) -> None:
    """Create a token bound to one Jobcenter; it is shown once (only its hash is stored)."""
    with transaction(AccountError, TokenError) as session:
        center = jobcenter_by_code(session, jobcenter)
        issued = create_token(session, jobcenter=center, name=name, scopes=scope, expires_at=_expiry(expires))
    console.print(f"Created API token {issued.token_id} for Jobcenter '{jobcenter}' "
                  f"with scopes {', '.join(issued.scopes)}.")
    console.print("Token (shown once, store it in the client's secret store):")
    console.print(issued.secret, highlight=False, soft_wrap=True)


@tokens_app.command("list")
def list_tokens(jobcenter: str | None = typer.Option(None, help="Only tokens of this Jobcenter.")) -> None:
    """Tokens with Jobcenter, scopes, state and last use (never the token itself)."""
    with transaction(AccountError) as session:
        center = jobcenter_by_code(session, jobcenter) if jobcenter else None
        table = Table("id", "name", "jobcenter", "scopes", "prefix", "state", "created", "last used",
                      title="API tokens")
        for token in tokens_of(session, jobcenter=center):
            table.add_row(str(token.id), token.name, str(token.jobcenter_id), token.scopes, token.prefix + "...",
                          token_state(token), as_utc(token.created_at).strftime("%Y-%m-%d"),
                          as_utc(token.last_used_at).strftime("%Y-%m-%d %H:%M") if token.last_used_at else "never")
    console.print(table)


@tokens_app.command("revoke")
def revoke(
    token_id: int = typer.Argument(..., help="The id `lotse tokens list` shows."),
    jobcenter: str = typer.Option("demo", help="Code of the token's Jobcenter."),
    reason: str = typer.Option("", help="Why (written to the decision log)."),
) -> None:
    """Revoke a token at once; its next request is refused with 401."""
    with transaction(AccountError, TokenError) as session:
        center = jobcenter_by_code(session, jobcenter)
        changed = revoke_token(session, jobcenter=center, token_id=token_id, reason=reason)
    console.print(f"Revoked API token {token_id}." if changed else f"API token {token_id} was already revoked.")


def register(app: typer.Typer) -> None:
    app.add_typer(tokens_app, name="tokens")
