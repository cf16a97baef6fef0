"""Journey services: notice, step-by-step answers, feedback, outcomes - each logged."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from models.tables import Decision, DecisionItem, Event, JobSeeker, ProfileSnapshot
from recommender.casework import journey
from tests.factories import make_job_seeker, make_snapshot

TODAY = date(2026, 11, 25)


def _item(session: Session, person: JobSeeker, state: str = "not_required") -> DecisionItem:
    snapshot = make_snapshot(session, job_seeker=person)
    decision = Decision(job_seeker_id=person.id, snapshot_id=snapshot.id, mode="rules", model_version="rules",
                        feature_set_version="f1", catalogue_version="c1", features={}, guardrails=[], diagnostic=[])
    session.add(decision)
    session.flush()
    item = DecisionItem(decision_id=decision.id, module_id="cv_documents", rank=1, review_state=state, reasons=[])
    session.add(item)
    session.flush()
    return item


def test_answers_are_merged_step_by_step_into_new_snapshots(engine: Engine) -> None:
    with Session(engine) as session:
        person = make_job_seeker(session)
        journey.save_answers(session, job_seeker=person, answers={"months_unemployed": 4})
        profile = journey.save_answers(session, job_seeker=person,
                                       answers={"constraints.childcare_needed": True, "has_cv": False})
        assert (profile.months_unemployed, profile.constraints.childcare_needed, profile.has_cv) == (4, True, False)
        journey.save_answers(session, job_seeker=person, answers={"has_cv": False})  # unchanged: no new row
        assert len(session.exec(select(ProfileSnapshot)).all()) == 2


def test_out_of_bounds_answer_saves_nothing(engine: Engine) -> None:
    with Session(engine) as session:
        person = make_job_seeker(session)
        journey.save_answers(session, job_seeker=person, answers={"months_unemployed": 4})
        with pytest.raises(ValidationError):
            journey.save_answers(session, job_seeker=person, answers={"max_commute_minutes": -1})
        assert journey.current_profile(session, job_seeker=person).max_commute_minutes is None
        assert len(session.exec(select(ProfileSnapshot)).all()) == 1


def test_notice_acknowledgement_is_versioned(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    with Session(engine) as session:
        person = make_job_seeker(session)
        assert journey.notice_needed(person)
        journey.acknowledge_notice(session, job_seeker=person, locale="en")
        assert not journey.notice_needed(person)
        monkeypatch.setattr(journey, "NOTICE_VERSION", "2099-01-01")
        assert journey.notice_needed(person)
        event = session.exec(select(Event)).one()
    assert event.event_type == "notice_acknowledged" and event.ui_text_version == "2026-11-25"


def test_items_of_others_or_under_review_are_not_reachable(engine: Engine) -> None:
    with Session(engine) as session:
        person, other = make_job_seeker(session), None
        other = journey.start_anonymous_case(session)
        pending = _item(session, person, state="pending_review")
        own = _item(session, person)
        for who, item_id in ((person, pending.id), (other, own.id), (person, "nope")):
            with pytest.raises(journey.JourneyError, match="No advice"):
                journey.record_feedback(session, job_seeker=who, item_id=item_id, kind="helpful")


def test_feedback_kind_and_comment_length_are_checked(engine: Engine) -> None:
    with Session(engine) as session:
        person = make_job_seeker(session)
        item = _item(session, person)
        with pytest.raises(journey.JourneyError, match="'great' is not allowed"):
            journey.record_feedback(session, job_seeker=person, item_id=item.id, kind="great")
        with pytest.raises(journey.JourneyError, match="2001 characters"):
            journey.record_feedback(session, job_seeker=person, item_id=item.id, kind="helpful", comment="x" * 2001)
        journey.record_feedback(session, job_seeker=person, item_id=item.id, kind="helpful", comment="  ")
        assert journey.latest_feedback(session, job_seeker=person)[item.id].comment is None


def test_outcome_in_the_future_is_refused(engine: Engine) -> None:
    with Session(engine) as session:
        person = make_job_seeker(session)
        with pytest.raises(journey.JourneyError, match="outside the allowed range"):
            journey.report_outcome(session, job_seeker=person, kind="job_found",
                                   occurred_on=TODAY + timedelta(days=1), today=TODAY)
        journey.report_outcome(session, job_seeker=person, kind="job_found", occurred_on=TODAY, today=TODAY)
        assert [o.kind for o in journey.outcomes_of(session, job_seeker=person)] == ["job_found"]


@pytest.mark.parametrize(("typed", "code"), [("Kassiererin", "62112"), ("Kassierer", "62112"),
                                             ("62112", "62112"), ("", None), ("Kasierer", "62112")])
def test_typed_job_titles_are_mapped_to_kldb(typed: str, code: str | None) -> None:
    assert journey.match_occupation(typed) == code


def test_suggestions_need_two_letters_and_put_word_starts_first() -> None:
    assert journey.suggest_occupations("k") == []
    titles = [title for _code, title in journey.suggest_occupations("koch", limit=3)]
    assert titles and all(t.lower().startswith("koch") for t in titles)


def test_regions_are_found_by_name_or_code() -> None:
    assert journey.match_region("Nürnberg").ags == "09564"  # type: ignore[union-attr]
    assert journey.match_region("09162").name.startswith("München")  # type: ignore[union-attr]
    assert journey.match_region("Atlantis") is None
