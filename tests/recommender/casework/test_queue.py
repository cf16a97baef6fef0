"""The caseload overview and the review queue: filters, sorts, never by model output (G7)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from models.db import session_scope
from models.tables import JobSeeker, UserAccount
from recommender.casework.queue import caseload_overview, review_queue
from recommender.casework.validation import ReviewError


def test_caseload_filters_open_reviews_and_never_sorts_by_score(engine: Engine, case: dict) -> None:
    with Session(engine) as session:
        user = session.get(UserAccount, case["counsellor"])
        rows = caseload_overview(session, user=user, open_reviews_only=True)
        assert [r.open_reviews for r in rows] == [2]
        with pytest.raises(ReviewError, match="Unknown sort 'score'"):
            caseload_overview(session, user=user, sort="score")
        assert len(review_queue(session, user=user)) == 2
        assert caseload_overview(session, user=session.get(UserAccount, case["colleague"])) == []


def test_caseload_filter_by_inactivity_shows_quiet_cases_only(engine: Engine, case: dict) -> None:

    from models.tables import utcnow

    with Session(engine) as session:
        user = session.get(UserAccount, case["counsellor"])
        assert caseload_overview(session, user=user, inactive_days=30) == []
    with session_scope(engine) as session:
        seeker = session.get(JobSeeker, case["seeker"])
        seeker.last_activity_at = utcnow() - timedelta(days=40)
        session.add(seeker)
    with Session(engine) as session:
        rows = caseload_overview(session, user=session.get(UserAccount, case["counsellor"]), inactive_days=30)
        assert len(rows) == 1


def test_review_queue_limit_keeps_the_longest_waiting(engine: Engine, case: dict) -> None:
    from recommender.casework.queue import review_queue_size

    with Session(engine) as session:
        user = session.get(UserAccount, case["counsellor"])
        assert review_queue_size(session, user=user) == 2
        first = review_queue(session, user=user, limit=1)
        assert [row.item_id for row in first] == [case["items"][0]]


def test_unassigned_case_items_reach_every_counsellor_of_the_jobcenter(engine: Engine, case: dict) -> None:
    from recommender.casework.queue import unassigned_queue, unassigned_queue_size

    with Session(engine) as session:
        colleague = session.get(UserAccount, case["colleague"])
        rows = unassigned_queue(session, jobcenter_id=colleague.jobcenter_id)
        assert [r.item_id for r in rows][:1] == [case["other_item"]]
        assert unassigned_queue_size(session, jobcenter_id=colleague.jobcenter_id) == len(rows) == 2
        assert case["items"][0] not in {r.item_id for r in rows}  # an assigned case stays with its counsellor
        assert unassigned_queue(session, jobcenter_id=colleague.jobcenter_id + 999) == []
