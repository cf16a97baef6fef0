"""The data scientist's model page lists stored versions with their reports; other roles are refused."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi import FastAPI

from api.settings import Settings
from data.catalogue import load_catalogue
from models.db import session_scope
from models.tables import utcnow
from recommender.decide.registry import ModelRegistry
from recommender.evaluate.drift import TOO_FEW_DECISIONS
from recommender.evaluate.model_report import write_report
from recommender.learn.train import TrainConfig, fit
from recommender.simulate.population import simulate
from recommender.simulate.scenario import DEFAULT_SCENARIO, load_scenario
from tests.api.staff_util import StaffWorld, build_world, cheap_argon2  # noqa: F401  (fixture)
from tests.frontend.staff_pages_util import page_login
from tests.recommender.evaluate.test_drift import plant_log

pytestmark = pytest.mark.usefixtures("cheap_argon2")


@pytest.fixture
def versions(settings: Settings) -> tuple[str, str]:
    catalogue = load_catalogue()
    data = simulate(load_scenario(DEFAULT_SCENARIO, catalogue), catalogue, 2000, seed=42)
    registry = ModelRegistry(settings.models_dir)
    with_report = registry.save(fit(data, TrainConfig.quick(num_threads=1)), catalogue_version=catalogue.version)
    without = registry.save(fit(data, TrainConfig.quick(num_threads=1, seed=7)), catalogue_version=catalogue.version)
    gates = [{"gate": "proxy_auc", "passed": False, "detail": "nationality_group AUC 0.99"},
             {"gate": "report", "passed": True, "detail": "ok"}]
    write_report(registry.root / with_report, with_report, {"gates": gates, "fairness": {"alerts": [{}, {}]}}, {})
    return with_report, without


def test_data_scientist_sees_versions_failed_gates_and_downloads_the_report(app: FastAPI,
                                                                           versions: tuple[str, str]) -> None:
    world: StaffWorld = build_world(app)
    client = page_login(app, world.usernames["data_scientist"])
    page = client.get("/staff/data/models")
    assert page.status_code == 200
    with_report, without = versions
    assert with_report in page.text and without in page.text
    assert "proxy_auc" in page.text and "SYNTHETIC" in page.text
    assert not re.search(r"\d,\d{3}", page.text)  # German pages write 60.000, never 60,000
    assert page.text.count("/report\"") == 1
    report = client.get(f"/staff/data/models/{with_report}/report")
    assert report.status_code == 200 and "Model report" in report.text
    assert "attachment" in report.headers["content-disposition"]
    assert client.get(f"/staff/data/models/{without}/report").status_code == 404
    assert client.get("/staff/data/models/..%2F..%2Fetc/report").status_code == 404


def test_model_page_shows_each_version_stage_including_the_shadow_model(app: FastAPI, settings: Settings,
                                                                       versions: tuple[str, str]) -> None:
    world: StaffWorld = build_world(app)
    active, shadow = versions
    registry = ModelRegistry(settings.models_dir)
    with session_scope(app.state.engine) as session:
        registry.promote(active, session=session, actor="ds:1")
        registry.set_shadow(shadow, session=session, actor="ds:1")
    client = page_login(app, world.usernames["data_scientist"])
    page = client.get("/staff/data/models", headers={"Accept-Language": "en"})
    rows = {version: page.text.split(f"<td>{version}</td>")[1].split("</tr>")[0] for version in versions}
    assert "<td>production (active)</td>" in rows[active]
    assert "<td>shadow (scores beside the active model, never shown)</td>" in rows[shadow]


def test_counsellor_and_anonymous_visitor_cannot_open_the_model_page(app: FastAPI) -> None:
    world = build_world(app)
    counsellor = page_login(app, world.usernames["counsellor"])
    assert counsellor.get("/staff/data/models").status_code == 403
    from fastapi.testclient import TestClient

    anonymous = TestClient(app).get("/staff/data/models", follow_redirects=False)
    assert anonymous.status_code == 303 and "/login" in anonymous.headers["location"]


def test_data_page_names_review_states_in_words(app: FastAPI) -> None:
    world: StaffWorld = build_world(app)
    html = page_login(app, world.usernames["data_scientist"]).get("/staff/data").text
    assert "wartet auf Prüfung" in html and "keine Prüfung nötig" in html
    assert "pending_review" not in html and "not_required" not in html


def test_model_page_flags_a_shifted_input_in_the_drift_table(app: FastAPI) -> None:
    world: StaffWorld = build_world(app)
    with session_scope(app.state.engine) as session:
        plant_log(session, shift_months=24.0, start=utcnow() - timedelta(days=160))
    page = page_login(app, world.usernames["data_scientist"]).get("/staff/data/models",
                                                                  headers={"Accept-Language": "en"})
    row = page.text.split("<td>months_unemployed</td>")[1].split("</tr>")[0]
    assert "<td>shift</td>" in row and "Inputs have shifted" in page.text


def test_model_page_suppresses_drift_when_the_log_is_too_small(app: FastAPI) -> None:
    world: StaffWorld = build_world(app)  # two decisions only
    page = page_login(app, world.usernames["data_scientist"]).get("/staff/data/models",
                                                                  headers={"Accept-Language": "en"})
    assert TOO_FEW_DECISIONS.split("(")[0] in page.text and "months_unemployed" not in page.text


def test_team_lead_page_names_a_shifted_input_without_per_person_figures(app: FastAPI) -> None:
    world: StaffWorld = build_world(app)
    with session_scope(app.state.engine) as session:
        plant_log(session, shift_months=24.0, start=utcnow() - timedelta(days=160))
    page = page_login(app, world.usernames["team_lead"]).get("/staff/team", headers={"Accept-Language": "en"})
    assert "The model's inputs have shifted since the first days of the log (months_unemployed)" in page.text


def test_model_page_explains_suppressed_drift_in_german_by_default(app: FastAPI) -> None:
    world: StaffWorld = build_world(app)  # two decisions only
    page = page_login(app, world.usernames["data_scientist"]).get("/staff/data/models")
    assert "Zu wenige Entscheidungen für einen Vergleich" in page.text
    assert TOO_FEW_DECISIONS.split("(")[0] not in page.text
