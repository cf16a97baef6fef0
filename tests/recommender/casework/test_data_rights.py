"""Export, erasure and objection for a job-seeker (G14), on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from sqlalchemy import Column, ForeignKey, Integer, MetaData, String, Table
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select

from models.tables import Decision, DecisionItem, Event, Feedback, JobSeeker, Outcome, ProfileSnapshot
from recommender.casework import data_rights as privacy
from recommender.casework.journey import record_feedback, report_outcome
from recommender.records.chain import verify_chain
from tests.factories import make_job_seeker, make_snapshot


def _case_with_everything(session: Session) -> JobSeeker:
    person = make_job_seeker(session)
    snapshot = make_snapshot(session, job_seeker=person, payload={"target_occupation_text": "Koch",
                                                                  "months_unemployed": 9})
    decision = Decision(job_seeker_id=person.id, snapshot_id=snapshot.id, mode="rules", model_version="rules",
                        feature_set_version="f1", catalogue_version="c1", features={"months_unemployed": 9.0},
                        guardrails=[], diagnostic=[{"id": "x", "title_de": "a", "title_en": "a", "evidence": []}])
    session.add(decision)
    session.flush()
    item = DecisionItem(decision_id=decision.id, module_id="cv_documents", rank=1, review_state="not_required",
                        reasons=[{"de": "weil", "en": "because"}])
    session.add(item)
    session.flush()
    record_feedback(session, job_seeker=person, item_id=item.id, kind="helpful", comment="Sehr gut, danke Frau Meier")
    report_outcome(session, job_seeker=person, kind="job_found", occurred_on=date(2026, 1, 5))
    return person


def test_every_table_pointing_at_job_seeker_is_found() -> None:
    found = {p.table.name for p in privacy.personal_tables()}
    direct = {t.name for t in SQLModel.metadata.sorted_tables
              if any(fk.column.table.name == "job_seeker" for fk in t.foreign_keys)}
    assert direct <= found
    assert "decision_item" in found  # reached through decision, not directly


def test_a_new_personal_table_is_exported_without_code_changes(engine: Engine) -> None:
    metadata = MetaData()
    for table in SQLModel.metadata.sorted_tables:
        table.to_metadata(metadata)
    diary = Table("job_diary", metadata, Column("id", Integer, primary_key=True),
                  Column("job_seeker_id", Integer, ForeignKey("job_seeker.id")), Column("entry", String(200)))
    diary.create(engine)
    with Session(engine) as session:
        person = make_job_seeker(session)
        session.execute(diary.insert().values(job_seeker_id=person.id, entry="Bewerbung bei Bäckerei"))
        export = privacy.export_personal_data(session, job_seeker=person, metadata=metadata, log=False)
        assert export.data["tables"]["job_diary"][0]["entry"] == "Bewerbung bei Bäckerei"
        assert privacy.unplanned_tables(metadata) == ["job_diary"]
        with pytest.raises(privacy.PrivacyError, match="job_diary"):
            privacy.erase_personal_data(session, job_seeker=person, confirmation="DELETE", metadata=metadata)


def test_every_personal_table_has_an_erasure_decision() -> None:
    assert privacy.unplanned_tables() == []


def test_export_contains_all_personal_data_and_is_logged(engine: Engine) -> None:
    with Session(engine) as session:
        person = _case_with_everything(session)
        export = privacy.export_personal_data(session, job_seeker=person)
        data = json.loads(export.to_json())
        assert {"profile_snapshot", "decision", "decision_item", "feedback", "outcome"} <= set(data["tables"])
        assert data["tables"]["feedback"][0]["comment"] == "Sehr gut, danke Frau Meier"
        assert data["job_seeker"]["pseudonym"] == person.pseudonym
        assert [e["decision_id"] for e in data["explanations"]] == [data["tables"]["decision"][0]["id"]]
        assert [e["event_type"] for e in data["events"]][:2] == ["client_feedback", "client_outcome"]
        logged = session.exec(select(Event).where(Event.event_type == "data_exported")).one()
        assert logged.outputs["tables"]["feedback"] == 1
        assert "Meier" not in json.dumps(logged.outputs)


def test_csv_export_has_one_row_per_field_and_opens_as_csv(engine: Engine) -> None:
    with Session(engine) as session:
        person = _case_with_everything(session)
        rows = list(csv.reader(io.StringIO(privacy.export_personal_data(session, job_seeker=person).to_csv())))
    assert rows[0] == ["section", "row", "field", "value"]
    assert ["job_seeker", "1", "pseudonym", person.pseudonym] in rows
    assert any(r[0] == "feedback" and r[2] == "comment" and "Meier" in r[3] for r in rows)


def test_export_never_contains_password_hashes(engine: Engine) -> None:
    with Session(engine) as session:
        person = make_job_seeker(session)
        text = privacy.export_personal_data(session, job_seeker=person, log=False).to_json()
    assert "password" not in text and "totp" not in text


def test_erasure_needs_confirmation_and_changes_nothing_without_it(engine: Engine) -> None:
    with Session(engine) as session:
        person = _case_with_everything(session)
        with pytest.raises(privacy.PrivacyError, match="confirmation word 'DELETE'"):
            privacy.erase_personal_data(session, job_seeker=person, confirmation="ja")
        assert person.erased_at is None
        assert session.exec(select(Feedback)).one().comment


def test_erasure_removes_payloads_and_the_chain_still_verifies(engine: Engine) -> None:
    with Session(engine) as session:
        person = _case_with_everything(session)
        session.commit()
        report = privacy.erase_personal_data(session, job_seeker=person, confirmation="delete")
        session.commit()
        assert report.changed["feedback"] == 1 and report.changed["profile_snapshot"] == 1
        assert session.exec(select(Feedback)).all() == []
        assert session.exec(select(Outcome)).all() == []
        snapshot = session.exec(select(ProfileSnapshot)).one()
        assert snapshot.payload == privacy.ERASED and len(snapshot.sha256) == 64  # hash kept for the log
        decision = session.exec(select(Decision)).one()
        assert decision.features == privacy.ERASED
        assert session.exec(select(DecisionItem)).one().reasons == []
        assert person.erased_at is not None and person.objection_active
        assert verify_chain(session).ok
        assert session.exec(select(Event).order_by(Event.id.desc())).first().event_type == "data_erased"
        everything = privacy.export_personal_data(session, job_seeker=person, log=False).to_json()
        assert "Koch" not in everything and "Meier" not in everything
        with pytest.raises(privacy.PrivacyError, match="already erased"):
            privacy.erase_personal_data(session, job_seeker=person, confirmation="DELETE")


def test_objection_switches_flag_and_is_logged_once(engine: Engine) -> None:
    with Session(engine) as session:
        person = make_job_seeker(session)
        assert privacy.file_objection(session, job_seeker=person) is True
        assert privacy.file_objection(session, job_seeker=person) is False
        assert person.objection_active
        assert privacy.withdraw_objection(session, job_seeker=person) is True
        kinds = [e.event_type for e in session.exec(select(Event).order_by(Event.id)).all()]
    assert kinds == ["objection_filed", "objection_withdrawn"]


def test_export_marks_pending_advice_and_holds_account_and_voluntary_answers(engine: Engine, tmp_path) -> None:
    from models.audit_store import create_audit_schema, make_audit_engine, record_attributes
    from models.tables import UserAccount
    from tests.factories import make_decision

    audit = make_audit_engine(f"sqlite:///{tmp_path / 'audit.db'}")
    create_audit_schema(audit)
    with Session(engine) as session:
        person = make_job_seeker(session)
        account = UserAccount(jobcenter_id=person.jobcenter_id, username="ich.selbst", password_hash="$argon2id$x",
                              role="job_seeker")
        session.add(account)
        session.flush()
        person.user_id = account.id
        make_decision(session, job_seeker=person)
        record_attributes(audit, case_pseudonym=person.pseudonym, attributes={"gender": "female"},
                          consent_version="t")
        data = privacy.export_personal_data(session, job_seeker=person, log=False, audit_engine=audit).data
    items = data["tables"]["decision_item"]
    assert {i["status"] for i in items if i["review_state"] == "pending_review"} == {"wird geprüft"}
    assert all("status" not in i for i in items if i["review_state"] != "pending_review")
    assert data["account"]["username"] == "ich.selbst" and "password_hash" not in data["account"]
    assert data["voluntary_audit_answers"] == {"gender": "female"}
    assert all(i["score"] is None for i in items)
