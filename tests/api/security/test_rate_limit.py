"""Anonymous trial cases are limited per client address (issue 17): each costs a case row."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from api.auth.login import throttle_key
from api.i18n import gettext
from api.security.rate_limit import TOO_MANY_NEW_CASES, TooManyNewCases, count_new_case
from api.settings import Settings
from models.db import session_scope
from models.staff import LoginThrottle
from models.tables import utcnow
from tests.api.security.test_input_guard import _cases, _seeded
from tests.api.staff_util import csrf
from tests.frontend.seeker_util import csrf_from


def test_anonymous_case_creation_is_limited_per_client(settings: Settings) -> None:
    from api.routes.recommendations import EXAMPLE_PROFILE
    from frontend.main import create_frontend_app
    from models.migrate import upgrade

    app = create_frontend_app(settings.model_copy(update={"anonymous_cases_per_hour": 2}))
    upgrade(app.state.engine)
    _seeded(app)
    answers = []
    for _ in range(3):
        client = TestClient(app)  # a fresh cookie jar: each request would open a new case
        answers.append(client.post("/api/v1/recommendations", json={"profile": EXAMPLE_PROFILE},
                                   headers={"X-CSRF-Token": csrf(client)}))
    assert [a.status_code for a in answers] == [201, 201, 429]
    assert answers[2].json()["detail"] == gettext(TOO_MANY_NEW_CASES, "de")
    assert 0 < int(answers[2].headers["Retry-After"]) <= 3600
    page = TestClient(app)
    refused = page.post("/start", data={"csrf_token": csrf_from(page.get("/").text)}, follow_redirects=False)
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    assert _cases(app) == 2


def test_the_count_is_exact_refused_counts_are_taken_back_and_an_old_window_starts_again(engine: Engine) -> None:
    def open_case() -> int | None:
        """Seconds to wait if refused; the caller's transaction rolls back on a refusal."""
        try:
            with session_scope(engine) as session:
                count_new_case(session, client="198.51.100.7", per_hour=2)
        except TooManyNewCases as refused:
            return refused.seconds
        return None

    assert [open_case(), open_case()] == [None, None]
    waits = [open_case(), open_case()]
    assert all(w is not None and 3500 < w <= 3600 for w in waits)
    with Session(engine) as session:
        row = session.get_one(LoginThrottle, throttle_key("new-case", "198.51.100.7"))
        assert row.failures == 2  # the two refusals did not count
        row.window_started_at = utcnow() - timedelta(hours=1, seconds=1)
        session.add(row)
        session.commit()
    assert open_case() is None  # a new hour
    with Session(engine) as session:
        assert session.get_one(LoginThrottle, throttle_key("new-case", "198.51.100.7")).failures == 1
