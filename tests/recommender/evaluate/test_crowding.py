"""G17: the crowding monitor flags a Kreis x occupation where most people get the same steering advice."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from data.catalogue import load_catalogue
from models.db import session_scope
from models.tables import Decision, DecisionItem, utcnow
from recommender.evaluate.crowding import CROWDING_MODULES, crowding_report
from tests.factories import make_job_seeker, make_jobcenter, make_snapshot


def _decisions(engine: Engine, *, region: str, occupation: str, people: int, with_module: int) -> None:
    with session_scope(engine) as session:
        jobcenter = make_jobcenter(session, code=f"jc-{region}-{occupation}")
        for index in range(people):
            seeker = make_job_seeker(session, jobcenter=jobcenter)
            snapshot = make_snapshot(session, job_seeker=seeker,
                                     payload={"region_ags": region, "target_occupation": occupation, "n": index})
            decision = Decision(job_seeker_id=seeker.id, snapshot_id=snapshot.id, mode="model",  # type: ignore[arg-type]
                                model_version="m", feature_set_version="f", catalogue_version="c", features={},
                                guardrails=[], diagnostic=[])
            session.add(decision)
            session.flush()
            first = "broaden_occupations" if index < with_module else "cv_documents"
            session.add(DecisionItem(decision_id=decision.id, module_id=first, rank=1, reasons=[],
                                     review_state="not_required"))


def _report(engine: Engine):  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return crowding_report(session, since=utcnow() - timedelta(days=30))


def test_cell_where_most_people_get_the_same_steering_advice_is_flagged(engine: Engine) -> None:
    _decisions(engine, region="09362", occupation="62102", people=24, with_module=20)
    (cell,) = _report(engine)
    assert (cell.region_ags, cell.occupation_group, cell.module_id) == ("09362", "621", "broaden_occupations")
    assert (cell.people, cell.suggested) == (24, 20)
    assert cell.alert


def test_cell_below_the_cap_is_reported_without_alert(engine: Engine) -> None:
    _decisions(engine, region="09362", occupation="62102", people=24, with_module=8)
    (cell,) = _report(engine)
    assert cell.share < 0.5 and not cell.alert


def test_small_cells_are_suppressed(engine: Engine) -> None:
    _decisions(engine, region="09362", occupation="62102", people=12, with_module=12)
    assert _report(engine) == []


def test_crowding_modules_exist_in_the_catalogue() -> None:
    assert set(load_catalogue().ids) >= CROWDING_MODULES


def test_enough_vacancies_for_everyone_sent_means_no_alert(engine: Engine) -> None:
    from models.market import MarketIndicator

    _decisions(engine, region="09362", occupation="62102", people=24, with_module=20)
    with session_scope(engine) as session:
        session.add(MarketIndicator(kldb="621", ags="09362", period="2026-10", unemployed=300, vacancies=150,
                                    illustrative=True, source="test"))
    (cell,) = _report(engine)
    assert cell.vacancies == 150 and cell.illustrative_vacancies
    assert cell.share > 0.5 and not cell.alert


def test_crowding_command_exits_3_on_alert_when_asked(sqlite_engine: Engine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from api.cli import app
    from models.migrate import upgrade

    upgrade(sqlite_engine)
    _decisions(sqlite_engine, region="09362", occupation="62102", people=24, with_module=20)
    env = {"LOTSE_DATABASE_URL": str(sqlite_engine.url), "LOTSE_ENVIRONMENT": "test"}
    shown = CliRunner().invoke(app, ["audit", "crowding"], env=env)
    assert shown.exit_code == 0 and "ALERT Kreis 09362, KldB 621, broaden_occupations: 20/24" in shown.output
    assert CliRunner().invoke(app, ["audit", "crowding", "--fail-on-alert"], env=env).exit_code == 3
