"""Anonymous trial cases are limited per client address (issue 17): each costs a case row."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.i18n import gettext
from api.security.rate_limit import TOO_MANY_NEW_CASES
from api.settings import Settings
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
