"""``lotse users create|disable|reset-password|totp|list``: account administration by hand.

Passwords are never taken as command-line arguments (they would land in shell history and
process lists): they are asked for without echo, read from ``--password-stdin``, or
generated and shown once.
"""

from __future__ import annotations

import sys

import typer
from rich.table import Table
from sqlmodel import select

from api.auth.accounts import (
    AccountError,
    create_user,
    disable_user,
    enable_totp,
    generate_password,
    jobcenter_by_code,
    require_user,
    reset_password,
    team_by_name,
)
from api.cli.app import console, fail, load_settings, open_engine, transaction
from models.db import session_scope
from models.errors import require_id
from models.tables import JobSeeker, UserAccount

users_app = typer.Typer(help="Staff and job-seeker accounts.", no_args_is_help=True)
_CLI_ACTOR = ("admin", "cli")


def _read_password(from_stdin: bool, generate: bool) -> tuple[str, bool]:
    if generate:
        return generate_password(), True
    if from_stdin:
        return sys.stdin.readline().rstrip("\n"), False
    first = typer.prompt("New password", hide_input=True)
    second = typer.prompt("Repeat the password", hide_input=True)
    if first != second:
        raise fail("the two passwords differ; nothing was changed.")
    return first, False


@users_app.command("create")
def create(
    username: str = typer.Argument(..., help="Login name (letters, digits, . - _)."),
    role: str = typer.Option(..., help="job_seeker | counsellor | team_lead | data_scientist | admin"),
    jobcenter: str = typer.Option("demo", help="Code of the Jobcenter the account belongs to."),
    team: str | None = typer.Option(None, help="Team name within the Jobcenter (counsellors, team leads)."),
    display_name: str = typer.Option("", help="Name shown in the staff pages."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from stdin."),
    generate: bool = typer.Option(False, "--generate", help="Generate a random password and show it once."),
) -> None:
    """Create an account (the password must have at least 12 characters and not be a common one)."""
    password, generated = _read_password(password_stdin, generate)
    with transaction(AccountError) as session:
        center = jobcenter_by_code(session, jobcenter)
        center_id = require_id(center)
        team_id = team_by_name(session, jobcenter_id=center_id, name=team).id if team else None
        user = create_user(session, username=username, password=password, role=role, jobcenter_id=center_id,
                           team_id=team_id, display_name=display_name, actor_role=_CLI_ACTOR[0],
                           actor_id=_CLI_ACTOR[1])
        created = (user.username, user.role)
    console.print(f"Created {created[1]} account '{created[0]}'.")
    if generated:
        console.print(f"Password (shown once, pass it on securely): [bold]{password}[/]", highlight=False)


@users_app.command("disable")
def disable(
    username: str = typer.Argument(...),
    reason: str = typer.Option("", help="Why (written to the event log)."),
) -> None:
    """Disable an account; its sessions end at the next request."""
    with transaction(AccountError) as session:
        user = require_user(session, username)
        changed = disable_user(session, user=user, actor_role=_CLI_ACTOR[0], actor_id=_CLI_ACTOR[1],
                               reason=reason)
    console.print(f"Disabled '{username}'." if changed else f"'{username}' was already disabled.")


@users_app.command("reset-password")
def reset(
    username: str = typer.Argument(...),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the new password from stdin."),
    generate: bool = typer.Option(False, "--generate", help="Generate a random password and show it once."),
) -> None:
    """Set a new password; the account's sessions end and its lock-out is lifted."""
    password, generated = _read_password(password_stdin, generate)
    with transaction(AccountError) as session:
        user = require_user(session, username)
        reset_password(session, user=user, new_password=password, actor_role=_CLI_ACTOR[0],
                       actor_id=_CLI_ACTOR[1])
    console.print(f"New password set for '{username}'.")
    if generated:
        console.print(f"Password (shown once, pass it on securely): [bold]{password}[/]", highlight=False)


@users_app.command("totp")
def totp(username: str = typer.Argument(...)) -> None:
    """Set up two-step sign-in: prints the otpauth:// URI to add to an authenticator app."""
    with transaction(AccountError) as session:
        uri = enable_totp(session, user=require_user(session, username))
    console.print("Add this to the authenticator app (shown once):")
    console.print(uri, highlight=False, soft_wrap=True)


@users_app.command("list")
def list_users() -> None:
    """Accounts with role, team and status (no password data)."""
    engine = open_engine(load_settings())
    with session_scope(engine) as session:
        rows = session.exec(select(UserAccount).order_by(UserAccount.username)).all()
        table = Table("username", "role", "team", "active", "2-step")
        for user in rows:
            table.add_row(user.username, user.role, str(user.team_id or ""), "yes" if user.is_active else "no",
                          "yes" if user.totp_secret else "no")
    console.print(table)


DEMO_ACCOUNTS = [
    ("demo.beraterin", "counsellor", "Demo-Beraterin (Demo)"),
    ("demo.berater2", "counsellor", "Demo-Berater 2 (Demo)"),
    ("demo.berater3", "counsellor", "Demo-Berater 3 (Demo)"),
    ("demo.berater4", "counsellor", "Demo-Berater 4 (Demo)"),
    ("demo.teamleitung", "team_lead", "Demo-Teamleitung (Demo)"),
    ("demo.admin", "admin", "Demo-Administration (Demo)"),
    ("demo.datascience", "data_scientist", "Demo-Data-Science (Demo)"),
]
DEMO_ONLY_IN_DEVELOPMENT = (
    "Demo accounts are created only when LOTSE_ENVIRONMENT=development (now: {environment}); "
    "use `lotse users create` for real accounts."
)


@users_app.command("demo")
def demo() -> None:
    """Development only: demo staff for the demo Jobcenter, with random passwords shown once."""
    from data.seed import DEMO_JOBCENTER_CODE, DEMO_TEAM_NAME

    settings = load_settings()
    if settings.environment != "development":
        raise fail(DEMO_ONLY_IN_DEVELOPMENT.format(environment=settings.environment))
    engine = open_engine(settings)
    created: list[tuple[str, str, str]] = []
    try:
        with session_scope(engine) as session:
            center = jobcenter_by_code(session, DEMO_JOBCENTER_CODE)
            center_id = require_id(center)
            team = team_by_name(session, jobcenter_id=center_id, name=DEMO_TEAM_NAME)
            for username, role, display_name in DEMO_ACCOUNTS:
                if session.exec(select(UserAccount).where(UserAccount.username == username)).first():
                    continue
                password = generate_password()
                create_user(session, username=username, password=password, role=role, jobcenter_id=center_id,
                            team_id=team.id if role in ("counsellor", "team_lead") else None,
                            display_name=display_name, actor_role=_CLI_ACTOR[0], actor_id=_CLI_ACTOR[1])
                created.append((username, role, password))
    except AccountError as exc:
        raise fail(f"{exc} Run `lotse seed` first.") from None
    if not created:
        console.print("Demo accounts already exist; use `lotse users reset-password NAME --generate` for a new one.")
        return
    table = Table("username", "role", "password (shown once)", title="Demo accounts (development only)")
    for row in created:
        table.add_row(*row)
    console.print(table)


@users_app.command("assign")
def assign(
    pseudonym: str = typer.Argument(..., help="The case's pseudonym."),
    username: str = typer.Argument(..., help="The counsellor who looks after it from now on."),
    reason: str = typer.Option(..., help="Why (written to the event log)."),
) -> None:
    """Assign a case to a counsellor (or move it); logged as case_reassigned."""
    from recommender.casework.assignment import reassign_case
    from recommender.casework.validation import ReviewError

    engine = open_engine(load_settings())
    try:
        with session_scope(engine) as session:
            counsellor = require_user(session, username)
            seeker = session.exec(select(JobSeeker).where(JobSeeker.pseudonym == pseudonym)).first()
            if seeker is None or seeker.jobcenter_id != counsellor.jobcenter_id:
                raise fail(f"no case {pseudonym!r} in the Jobcenter of {username!r}.")
            # The operator acts for the team lead of the counsellor's team.
            operator = UserAccount(id=None, username="cli", role="admin", team_id=counsellor.team_id,
                                   jobcenter_id=counsellor.jobcenter_id, password_hash="")
            reassign_case(session, job_seeker=seeker, team_lead=operator, new_counsellor_id=counsellor.id or 0,
                          reason=reason)
    except (AccountError, ReviewError) as exc:
        raise fail(str(exc)) from None
    console.print(f"Case {pseudonym[:8]} is now looked after by '{username}'.")


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users")
