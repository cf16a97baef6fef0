"""Malformed import files end in one located message per problem and exit 2, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from data.errors import ImportFileError
from data.importers.jobsuche_records import parse_jobsuche
from data.importers.market import import_market
from models.db import session_scope
from models.market import MarketIndicator
from tests.data.importers.import_cli import invoke_import, snapshot

HEADER = "stichtag;region;kldb;arbeitslose;gemeldete_arbeitsstellen\n"
LONG = "9" * 131_073


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("kind", "text", "column"),
    [
        ("market", HEADER + f"2025-06;09362;62102;{LONG};4\n", "arbeitslose"),
        ("wages", f"kldb5,median_eur\n62102,{LONG}\n", "median_eur"),
        ("isco", f"kldb5,isco08\n62102,{LONG}\n", "isco08"),
    ],
)
def test_csv_field_over_the_field_limit_is_located_and_exits_2(
    cli_env: Path, tmp_path: Path, kind: str, text: str, column: str
) -> None:
    before = snapshot(cli_env)
    result = invoke_import(kind, _write(tmp_path, f"{kind}.csv", text))
    assert result.exit_code == 2, result.output
    assert f"{kind}.csv, line 2, column '{column}'" in result.output and "131072" in result.output
    assert snapshot(cli_env) == before


def test_count_too_large_for_the_database_is_refused_before_insert(engine: Engine, tmp_path: Path) -> None:
    path = _write(tmp_path, "market.csv", HEADER + "2025-06;09362;62102;12345678901234567890123;4\n")
    with pytest.raises(ImportFileError) as caught, session_scope(engine) as session:
        import_market(session, path)
    problem = caught.value.problems[0]
    assert (problem.line, problem.column) == (2, "arbeitslose") and "too large" in problem.message
    with Session(engine) as session:
        assert session.exec(select(MarketIndicator)).all() == []


def test_wrong_field_count_does_not_hide_the_other_problems(tmp_path: Path, sqlite_engine: Engine) -> None:
    from models.migrate import upgrade

    upgrade(sqlite_engine)
    text = HEADER + "2025-06;09362;62102;1;2;3;4\n2025-13;09362;62102;1;2\n2025-06;09362;99999;1;2\n"
    with pytest.raises(ImportFileError) as caught, session_scope(sqlite_engine) as session:
        import_market(session, _write(tmp_path, "market.csv", text))
    located = [(p.line, p.column) for p in caught.value.problems]
    assert located == [(2, "field 6"), (3, "stichtag"), (4, "kldb")]


V4 = {"stellenangebote": [{"refnr": "1-A", "beruf": "Koch/Köchin", "arbeitsort": {"ort": "Regensburg"}}]}


def _v4_with(**fields: object) -> dict[str, object]:
    return {"stellenangebote": [{**V4["stellenangebote"][0], **fields}]}  # type: ignore[index]


@pytest.mark.parametrize(
    ("document", "path"),
    [
        (_v4_with(arbeitsort="Regensburg"), "$.stellenangebote[0].arbeitsort"),
        (_v4_with(arbeitsort={"ort": ["Regensburg"]}), "$.stellenangebote[0].arbeitsort.ort"),
        (_v4_with(refnr=12345), "$.stellenangebote[0].refnr"),
        (_v4_with(refnr=10**40), "$.stellenangebote[0].refnr"),
        (_v4_with(beruf=["Koch"]), "$.stellenangebote[0].beruf"),
        ({"stellenangebote": [{"x": 1}]}, "$.stellenangebote[0].refnr"),
        ({"ergebnisliste": [{"referenznummer": "1", "stellenangebotsTitel": "Koch", "stellenlokationen": "x"}]},
         "$.ergebnisliste[0].stellenlokationen"),
        ({"ergebnisliste": [{"referenznummer": "1", "stellenangebotsTitel": "Koch",
                             "stellenlokationen": [{"adresse": "Regensburg"}]}]},
         "$.ergebnisliste[0].stellenlokationen[0].adresse"),
    ],
)
def test_jobsuche_record_of_the_wrong_type_is_refused_at_its_json_path(
    tmp_path: Path, document: object, path: str
) -> None:
    with pytest.raises(ImportFileError) as caught:
        parse_jobsuche(_write(tmp_path, "jobs.json", json.dumps(document)))
    shown = str(caught.value)
    assert path in shown and "line 0" not in shown


def test_json_nested_100000_deep_is_refused_with_line_and_column(cli_env: Path, tmp_path: Path) -> None:
    text = '{"stellenangebote": [\n' + "[" * 100_000 + "]" * 100_000 + "]}"
    result = invoke_import("jobsuche", _write(tmp_path, "deep.json", text))
    assert result.exit_code == 2, result.output
    assert "deep.json, line 2, column" in result.output and "nested" in result.output


@pytest.mark.parametrize(
    "document",
    [_v4_with(arbeitsort=7), _v4_with(beruf={"a": 1}), {"ergebnisliste": [{"referenznummer": "1",
                                                                           "stellenlokationen": [None, 3]}]}],
)
def test_jobsuche_wrong_types_exit_2_through_the_cli(cli_env: Path, tmp_path: Path, document: object) -> None:
    before = snapshot(cli_env)
    result = invoke_import("jobsuche", _write(tmp_path, "jobs.json", json.dumps(document)))
    assert result.exit_code == 2, result.output
    assert "jobs.json, $." in result.output and snapshot(cli_env) == before


def test_text_that_looks_like_console_markup_is_reported_verbatim(cli_env: Path, tmp_path: Path) -> None:
    folder = tmp_path / "[bold]exports[red]"
    folder.mkdir()
    result = invoke_import("wages", _write(folder, "w.csv", "kldb5,median_eur\n62102,[/x]\n"))
    assert result.exit_code == 2, result.output
    assert "column 'median_eur': '[/x]' is not an amount" in result.output and "[bold]exports[red]" in result.output
