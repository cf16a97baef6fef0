"""``lotse audit verify | checkpoint | keygen``: prove the decision log complete and unchanged.

``verify`` walks the chain from the newest signed checkpoint (``--full``: from the first event),
checks the rows the events bind and the log against the checkpoints, and seals a new checkpoint
when the log verifies and a key is configured, so a cron job running it also writes the
periodic seals. ``checkpoint`` seals (and exports) on demand; ``keygen`` creates the key.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer
from sqlmodel import Session

from api.cli.app import console, fail, load_settings, open_engine
from api.settings import Settings
from models.db import session_scope
from models.tables import AuditCheckpoint
from recommender.records.checkpoints import (
    CheckpointError,
    LogReport,
    append_journal,
    export_record,
    generate_key,
    load_key,
    read_export,
    seal_if_verified,
    trusted_keys,
    verify_log,
)

_DEFAULT_KEY = Path("var/checkpoint.key")


def _verify(settings: Settings, *, full: bool, public_keys: list[Path], against: list[Path],
            seal: bool, require_key: bool = False) -> tuple[LogReport, AuditCheckpoint | None]:
    try:
        trusted = trusted_keys(settings.checkpoint_key, public_keys)
        exported = [read_export(path) for path in against]
        key = load_key(settings.checkpoint_key) if require_key or (seal and settings.checkpoint_key) else None
    except CheckpointError as exc:
        raise fail(str(exc)) from None
    engine = open_engine(settings)
    with Session(engine) as session:
        report = verify_log(session, trusted=trusted, journal=settings.checkpoint_journal_path, full=full,
                            exported=exported)
    sealed = None
    if key is not None and report.ok:
        with session_scope(engine) as session:
            sealed = seal_if_verified(session, key, report)
        if sealed is not None:
            append_journal(settings.checkpoint_journal_path, sealed)
    return report, sealed


def _print(report: LogReport, sealed: AuditCheckpoint | None, as_json: bool) -> None:
    chain = report.chain
    if as_json:
        console.print_json(json.dumps({
            "ok": report.ok, "checked": chain.checked, "broken": chain.broken.__dict__ if chain.broken else None,
            "row_problems": list(chain.problems), "checkpoint_problems": list(report.seal_problems),
            "resumed_from_checkpoint": report.resumed_from, "sealed_checkpoint": sealed.seq if sealed else None,
        }))
        return
    start = f" (from checkpoint {report.resumed_from})" if report.resumed_from else " (from the first event)"
    if report.ok:
        console.print(f"[green]OK[/]: {chain.checked} events{start}, chain intact; rows and checkpoints match.")
    if chain.broken is not None:
        b = chain.broken
        console.print(f"[bold red]BROKEN[/] at {b.table} id {b.event_id} (position {b.position}): {b.problem}\n"
                      f"  expected {b.expected}\n  found    {b.found}")
    for problem in [*report.seal_problems, *chain.problems]:
        console.print(f"[bold red]PROBLEM[/]: {problem}", soft_wrap=True, highlight=False)
    if sealed is not None:
        console.print(f"Sealed checkpoint {sealed.seq}: {sealed.event_count} events up to id {sealed.last_event_id}.")


def audit_verify(
    full: bool = typer.Option(False, "--full", help="Walk from the first event, not from the newest checkpoint."),
    against: list[Path] = typer.Option([], "--against", help="An exported checkpoint the log must still hold."),
    public_key: list[Path] = typer.Option([], "--public-key", help="Also trust this public key (PEM)."),
    no_seal: bool = typer.Option(False, "--no-seal", help="Do not seal a new checkpoint after a clean walk."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Verify the decision log; exit 1 if anything was changed, removed or cut off."""
    report, sealed = _verify(load_settings(), full=full, public_keys=public_key, against=against, seal=not no_seal)
    _print(report, sealed, as_json)
    if not report.ok:
        raise typer.Exit(1)


def audit_checkpoint(
    export: Path | None = typer.Option(None, "--export", help="Also write the newest checkpoint to this file."),
) -> None:
    """Verify the log from the newest checkpoint and seal its head (needs LOTSE_CHECKPOINT_KEY)."""
    settings = load_settings()
    report, sealed = _verify(settings, full=False, public_keys=[], against=[], seal=True, require_key=True)
    _print(report, sealed, as_json=False)
    if not report.ok:
        raise typer.Exit(1)
    if export is not None:
        with Session(open_engine(settings)) as session:
            newest = session.get(AuditCheckpoint, sealed.seq if sealed else report.newest_seal)
        if newest is None:
            raise fail("the log is empty: there is nothing to seal yet")
        export.write_text(json.dumps(export_record(newest), indent=2) + "\n", encoding="utf-8")
        console.print(f"Exported checkpoint {newest.seq} to {export}.")


def audit_keygen(
    out: Path | None = typer.Option(None, "--out", help="Private key file (default LOTSE_CHECKPOINT_KEY)."),
) -> None:
    """Create the Ed25519 checkpoint key (PEM, mode 0600) and its public key (.pub) beside it."""
    path = out or load_settings().checkpoint_key or _DEFAULT_KEY
    try:
        public = generate_key(path)
    except CheckpointError as exc:
        raise fail(str(exc)) from None
    console.print(f"Wrote {path} (keep it outside the database and its backups) and {path.with_suffix('.pub')}.\n"
                  f"Public key: {public}")


def register(audit_app: typer.Typer) -> None:
    audit_app.command("verify")(audit_verify)
    audit_app.command("checkpoint")(audit_checkpoint)
    audit_app.command("keygen")(audit_keygen)
