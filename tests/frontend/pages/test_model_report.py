"""The active model's report in the browser, in German and English (issue 15, finding 9).

It used to be only a download and only in English. Data scientists and team leads read it
on a staff page; counsellors and visitors cannot.
"""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.settings import Settings
from data.catalogue import load_catalogue
from models.db import session_scope
from recommender.decide.registry import ModelRegistry
from recommender.evaluate.model_report import write_report
from recommender.learn.train import TrainConfig, fit
from recommender.simulate.population import simulate
from recommender.simulate.scenario import DEFAULT_SCENARIO, load_scenario
from tests.api.staff_util import StaffWorld, build_world, cheap_argon2  # noqa: F401  (fixture)
from tests.frontend.staff_pages_util import page_login

pytestmark = pytest.mark.usefixtures("cheap_argon2")

REPORT = {
    "synthetic": True,
    "simulation": {"qini_coefficient": 0.00123,
                   "policy_value_top1_true_uplift": {
                       "learned": {"value": 0.0412, "low": 0.0398, "high": 0.0425},
                       "rules": {"value": 0.0309, "low": 0.0302, "high": 0.0315},
                       "random": {"value": 0.0106, "low": 0.0100, "high": 0.0114},
                       "oracle": {"value": 0.0502, "low": 0.0493, "high": 0.0514},
                       "no_advice": {"value": 0.0, "low": 0.0, "high": 0.0}}},
    "fairness": {"people": 20000, "alerts": [
        {"attribute": "gender", "kind": "ratio", "metric": "exposure_if_eligible:temporary_agency_work",
         "ratio": 0.7408, "ratio_ci": [0.5122, 0.8992], "lowest_group": "male", "funded": False, "clear": False,
         "line": 0.8}]},
    "held_out": {"source": "first start: SIMULATED held-out people", "differences": [
        {"baseline": "rules (SIMULATED, true uplift)", "value": 0.0103, "low": 0.0091, "high": 0.0114}]},
    "gates": [{"gate": "policy_value", "passed": True, "detail": "candidate - rules +0.0103 [+0.0091, +0.0114]"},
              {"gate": "proxy_auc", "passed": False, "detail": "nationality_group AUC 0.71 without declared features"},
              {"gate": "twins", "passed": True, "detail": "min Jaccard 0.95"},
              {"gate": "feature_allow_list", "passed": True, "detail": "22 features ok"},
              {"gate": "report", "passed": True, "detail": "report.html"}],
}


@pytest.fixture
def active_version(settings: Settings, app: FastAPI) -> str:
    catalogue = load_catalogue()
    data = simulate(load_scenario(DEFAULT_SCENARIO, catalogue), catalogue, 2000, seed=42)
    registry = ModelRegistry(settings.models_dir)
    version = registry.save(fit(data, TrainConfig.quick(num_threads=1)), catalogue_version=catalogue.version,
                            metrics={"share_of_oracle_top3": 0.823, "brier": 0.2011})
    write_report(registry.root / version, version, REPORT, {})
    with session_scope(app.state.engine) as session:
        registry.promote(version, session=session, actor="ds:1")
    return version


def _page(app: FastAPI, world: StaffWorld, role: str, locale: str, path: str = "/staff/model-report") -> str:
    response = page_login(app, world.usernames[role]).get(path, headers={"Accept-Language": locale})
    assert response.status_code == 200
    return response.text


def test_team_lead_reads_the_active_models_report_in_german(app: FastAPI, active_version: str) -> None:
    page = _page(app, build_world(app), "team_lead", "de")
    assert f"Version {active_version} – Produktion (aktiv)." in page
    assert "Modellbericht" in page and "Modellkarte" in page and "SYNTHETISCH:" in page
    assert "Stellvertreter-Test (geschützte Merkmale)</td><td class=\"state state-rejected\">nicht bestanden" in page
    assert "<td>dieses Modell</td><td>4,12</td><td>3,98 – 4,25</td>" in page  # points, German numbers
    assert "<td>feste Regeln</td><td>3,09</td>" in page
    assert "gezeigt, wenn berechtigt: Denken Sie an Zeitarbeit" in page and "<td>Männer</td>" in page
    assert "Anteil am bestmöglichen Zusatznutzen" in page  # metric meaning translated
    assert "Lotse nutzt Ihre Deutschkenntnisse" in page
    assert "<script" not in page
    assert "Archivierten Bericht herunterladen" not in page  # the download is the data scientist's


def test_data_scientist_reads_it_in_english_with_the_download_link(app: FastAPI, active_version: str) -> None:
    world = build_world(app)
    page = _page(app, world, "data_scientist", "en")
    assert "Model card" in page and "SYNTHETIC:" in page
    assert "Proxy probe (protected attributes)</td><td class=\"state state-rejected\">failed" in page
    assert "<td>this model</td><td>4.12</td><td>3.98 – 4.25</td>" in page
    assert "shown when eligible: Consider temporary agency work" in page and "<td>men</td>" in page
    assert "95 % CI" in page and "%%" not in page
    assert f'href="/staff/data/models/{active_version}/report"' in page
    by_version = _page(app, world, "data_scientist", "en", f"/staff/model-report/{active_version}")
    assert by_version.split("<main")[1].split("</main>")[0] == page.split("<main")[1].split("</main>")[0]


def test_without_an_active_model_the_page_says_the_rules_give_the_advice(app: FastAPI) -> None:
    page = _page(app, build_world(app), "team_lead", "de")
    assert "Kein Modell ist aktiv. Arbeitsuchende bekommen ihre Tipps nach festen Regeln, ohne KI." in page


def test_counsellors_visitors_and_unknown_versions_get_no_report(app: FastAPI) -> None:
    world = build_world(app)
    assert page_login(app, world.usernames["counsellor"]).get("/staff/model-report").status_code == 403
    anonymous = TestClient(app).get("/staff/model-report", follow_redirects=False)
    assert anonymous.status_code == 303 and "/login" in anonymous.headers["location"]
    reader = page_login(app, world.usernames["data_scientist"])
    assert reader.get("/staff/model-report/no-such-version").status_code == 404
    assert reader.get("/staff/model-report/..%2F..%2Fetc").status_code == 404
