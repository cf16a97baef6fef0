"""Market-indicator import: good files replace the table, any bad file changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from data.errors import ImportFileError
from data.importers.market import import_market, seed_illustrative_market
from data.market import get_market_indicators
from models.db import session_scope
from models.market import MarketIndicator

HEADER = "stichtag;region;kldb;arbeitslose;gemeldete_arbeitsstellen;gemeldete_arbeitsstellen_vorjahr\n"
GOOD = HEADER + "2025-06;09362;62102;120;40;50\n2025-06;DG;621;5.000;2.500;2.000\n2025-06;DG;62102;900;*;\n"


def _write(tmp_path: Path, text: str, name: str = "market.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _rows(engine: Engine) -> list[tuple[str, str, int, int]]:
    with Session(engine) as session:
        return sorted((r.kldb, r.ags, r.unemployed, r.vacancies) for r in session.exec(select(MarketIndicator)))


def test_good_file_is_imported_with_diff_and_fallbacks(engine: Engine, tmp_path: Path) -> None:
    with session_scope(engine) as session:
        result = import_market(session, _write(tmp_path, GOOD))
    assert result.applied and result.diff.added == 3 and result.diff.removed == 0
    with Session(engine) as session:
        local = get_market_indicators(session=session, kldb5="62102", ags="09362")
        assert local is not None and local.unemployed_per_vacancy == 3.0 and local.trend == pytest.approx(-0.2)
        assert not local.illustrative and "Bundesagentur" in local.source
        national_group = get_market_indicators(session=session, kldb5="62112", ags="09362")
        assert national_group is not None and (national_group.kldb, national_group.ags) == ("621", None)
        suppressed = get_market_indicators(session=session, kldb5="62102", ags=None)
        assert suppressed is not None and suppressed.vacancies == 1  # '*' means 1-2 and counts as 1
        assert get_market_indicators(session=session, kldb5="43412", ags=None) is None


def test_dry_run_reports_the_diff_and_changes_nothing(engine: Engine, tmp_path: Path) -> None:
    with session_scope(engine) as session:
        import_market(session, _write(tmp_path, GOOD))
    before = _rows(engine)
    changed = HEADER + "2025-06;09362;62102;125;40;50\n2025-06;DG;43412;10;20;\n"
    with session_scope(engine) as session:
        result = import_market(session, _write(tmp_path, changed, "new.csv"), dry_run=True)
    assert (result.diff.added, result.diff.removed, result.diff.changed) == (1, 2, 1)
    assert not result.applied
    assert _rows(engine) == before


@pytest.mark.parametrize(
    ("text", "line", "column", "fragment"),
    [
        ("stichtag;region;beruf_x;arbeitslose\n2025-06;DG;621;1\n", 1, "-", "missing column(s) kldb"),
        (HEADER + "2025-06;09362;62102;1;2;3\n2025-06;09362;62102;4;5;6\n", 3, "kldb", "duplicate row"),
        (HEADER + "2025-06;09362;99999;1;2;3\n", 2, "kldb", "does not exist in the KldB"),
        (HEADER + "2025-06;09362;6210;1;2;3\n", 2, "kldb", "expected 3 or 5 digits"),
        (HEADER + "2025-06;12345;62102;1;2;3\n", 2, "region", "not a known Kreis"),
        (HEADER + "2025-13;09362;62102;1;2;3\n", 2, "stichtag", "not a month"),
        (HEADER + "2025-06;09362;62102;-4;2;3\n", 2, "arbeitslose", "not a count"),
    ],
)
def test_bad_file_names_line_and_column_and_changes_nothing(
    sqlite_engine: Engine, tmp_path: Path, text: str, line: int, column: str, fragment: str
) -> None:
    from models.migrate import upgrade

    upgrade(sqlite_engine)
    with session_scope(sqlite_engine) as session:
        import_market(session, _write(tmp_path, GOOD, "first.csv"))
    before = _rows(sqlite_engine)
    with pytest.raises(ImportFileError) as caught, session_scope(sqlite_engine) as session:
        import_market(session, _write(tmp_path, text))
    problem = caught.value.problems[0]
    assert (problem.line, problem.column) == (line, column) and fragment in problem.message
    assert problem.file.endswith("market.csv")
    assert _rows(sqlite_engine) == before


def test_latin1_file_is_refused_with_its_line_and_accepted_with_the_encoding_option(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    from models.migrate import upgrade

    upgrade(sqlite_engine)
    text = "Stichtag;Region;Beruf (KldB 2010);Arbeitslose;Gemeldete Arbeitsstellen\n2025-06;DG;621 Verkäufer;3;4\n"
    path = _write(tmp_path, text, encoding="latin-1")
    with pytest.raises(ImportFileError) as caught, session_scope(sqlite_engine) as session:
        import_market(session, path)
    problem = caught.value.problems[0]
    assert problem.line == 2 and problem.column == "Beruf (KldB 2010)" and "not valid UTF-8" in problem.message
    assert _rows(sqlite_engine) == []
    with session_scope(sqlite_engine) as session:
        assert import_market(session, path, encoding="latin-1").rows == 1


def test_seed_loads_the_illustrative_table_once_and_labels_it(sqlite_engine: Engine) -> None:
    from models.migrate import upgrade

    upgrade(sqlite_engine)
    with session_scope(sqlite_engine) as session:
        assert "ILLUSTRATIVE" in seed_illustrative_market(session)
    with session_scope(sqlite_engine) as session:
        assert "already present" in seed_illustrative_market(session)
        figures = get_market_indicators(session=session, kldb5="62102", ags="09362")
    assert figures is not None and figures.illustrative and "NOT official" in figures.source
