"""``lotse backup`` / ``lotse restore``: a restore never brings back a person erased after the backup."""

from __future__ import annotations

import tarfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select
from typer.testing import CliRunner

from api.cli import app as cli
from api.cli.backup import FILE_EXISTS
from models.audit_store import create_audit_schema, make_audit_engine, read_audit_attributes, record_attributes
from models.backup import MANIFEST
from models.db import make_engine, session_scope
from models.migrate import upgrade
from models.tables import JobSeeker, ProfileSnapshot
from recommender.casework import data_rights as privacy
from recommender.casework.erasure_journal import JOURNAL_FILE, erasure_journal
from tests.conftest import POSTGRES_URL, _postgres_unavailable
from tests.factories import make_job_seeker, make_jobcenter, make_snapshot


@dataclass(frozen=True)
class Installation:
    app_url: str
    audit_url: str
    var_dir: Path


def _postgres_schemas(count: int) -> list[str]:
    names = [f"b_{uuid.uuid4().hex[:12]}" for _ in range(count)]
    admin = make_engine(POSTGRES_URL)
    try:
        with admin.begin() as connection:
            for name in names:
                connection.execute(text(f'CREATE SCHEMA "{name}"'))
    except OperationalError as exc:
        _postgres_unavailable(f"{POSTGRES_URL} is unreachable ({exc.orig})")
    finally:
        admin.dispose()
    return names


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def installation(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                 ) -> Iterator[Installation]:
    """A migrated installation on SQLite or PostgreSQL (app and audit store), configured for the CLI."""
    schemas: list[str] = []
    if request.param == "sqlite":
        app_url, audit_url = f"sqlite:///{tmp_path / 'app.db'}", f"sqlite:///{tmp_path / 'audit.db'}"
    else:
        schemas = _postgres_schemas(2)
        app_url, audit_url = (f"{POSTGRES_URL}?options=-csearch_path%3D{name}" for name in schemas)
    for name, value in {"DATABASE_URL": app_url, "AUDIT_DATABASE_URL": audit_url, "VAR_DIR": str(tmp_path / "var"),
                        "MODELS_DIR": str(tmp_path / "var" / "models"), "ENVIRONMENT": "test"}.items():
        monkeypatch.setenv(f"LOTSE_{name}", value)
    engine = make_engine(app_url)
    upgrade(engine)
    engine.dispose()
    yield Installation(app_url, audit_url, tmp_path / "var")
    if schemas:
        admin = make_engine(POSTGRES_URL)
        with admin.begin() as connection:
            for name in schemas:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        admin.dispose()


def _two_people(site: Installation) -> tuple[str, str]:
    """Two cases with a profile; the first also answered the voluntary audit questions."""
    engine, audit = make_engine(site.app_url), make_audit_engine(site.audit_url)
    create_audit_schema(audit)
    with session_scope(engine) as session:
        center = make_jobcenter(session)
        people = [make_job_seeker(session, jobcenter=center) for _ in range(2)]
        for person in people:
            make_snapshot(session, job_seeker=person)
        pseudonyms = (people[0].pseudonym, people[1].pseudonym)
    record_attributes(audit, case_pseudonym=pseudonyms[0], attributes={"gender": "female"}, consent_version="1")
    engine.dispose()
    audit.dispose()
    return pseudonyms


def _erase(site: Installation, pseudonym: str) -> None:
    engine, audit = make_engine(site.app_url), make_audit_engine(site.audit_url)
    with session_scope(engine) as session:
        person = session.exec(select(JobSeeker).where(JobSeeker.pseudonym == pseudonym)).one()
        privacy.erase_personal_data(session, job_seeker=person, confirmation="DELETE", audit_engine=audit,
                                    journal=erasure_journal(site.var_dir))
    engine.dispose()
    audit.dispose()


def _state(site: Installation) -> dict[str, tuple[bool, object, bool]]:
    """Per pseudonym: erased?, profile payload, audit answers present?"""
    engine, audit = make_engine(site.app_url), make_audit_engine(site.audit_url)
    answers = read_audit_attributes(audit)
    with Session(engine) as session:
        state = {
            person.pseudonym: (person.erased_at is not None,
                               session.exec(select(ProfileSnapshot).where(ProfileSnapshot.job_seeker_id == person.id))
                               .one().payload, person.pseudonym in answers)
            for person in session.exec(select(JobSeeker))
        }
    engine.dispose()
    audit.dispose()
    return state


def test_restore_erases_again_whoever_was_erased_after_the_backup(installation: Installation, tmp_path: Path) -> None:
    erased, kept = _two_people(installation)
    models = installation.var_dir / "models"
    models.mkdir(parents=True)
    (models / "model.txt").write_text("version 1", encoding="utf-8")
    archive = tmp_path / "backups" / "lotse.tar.gz"
    made = CliRunner().invoke(cli, ["backup", str(archive)])
    assert made.exit_code == 0, made.output
    before = _state(installation)
    _erase(installation, erased)
    (models / "model.txt").write_text("version 2", encoding="utf-8")

    restored = CliRunner().invoke(cli, ["restore", str(archive), "--yes"])

    assert restored.exit_code == 0, restored.output
    assert "1 erasure(s) made after it applied again" in restored.output and "chain intact" in restored.output
    after = _state(installation)
    assert before[erased][0] is False and after[erased] == (True, privacy.ERASED, False)
    assert after[kept] == before[kept]
    assert (models / "model.txt").read_text(encoding="utf-8") == "version 1"


def test_backup_is_private_and_holds_no_erasure_journal(installation: Installation, tmp_path: Path) -> None:
    erased, _ = _two_people(installation)
    _erase(installation, erased)
    archive = tmp_path / "lotse.tar.gz"
    assert CliRunner().invoke(cli, ["backup", str(archive)]).exit_code == 0
    with tarfile.open(archive) as opened:
        names = opened.getnames()
    assert MANIFEST in names and {"app", "audit"} <= set(names) and not any(JOURNAL_FILE in n for n in names)
    assert archive.stat().st_mode & 0o077 == 0
    journal = (installation.var_dir / JOURNAL_FILE).read_text(encoding="utf-8")
    assert erased in journal and "gender" not in journal and "payload" not in journal


def test_backup_refuses_to_overwrite_and_restore_refuses_a_foreign_file(
    installation: Installation, tmp_path: Path
) -> None:
    existing = tmp_path / "old.tar.gz"
    existing.write_bytes(b"keep me")
    refused = CliRunner().invoke(cli, ["backup", str(existing)])
    assert refused.exit_code == 2 and FILE_EXISTS.format(file=existing)[:20] in refused.output
    assert existing.read_bytes() == b"keep me"
    foreign = CliRunner().invoke(cli, ["restore", str(existing), "--yes"])
    assert foreign.exit_code == 2 and "is not a Lotse backup" in foreign.output
