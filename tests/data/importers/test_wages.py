"""Wage import: sentinels stay out of arithmetic, bad files change nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from data import imported, wages
from data.errors import ImportFileError
from data.importers.wages import import_wages


@pytest.fixture
def var_dir(tmp_path: Path):  # type: ignore[no-untyped-def]
    imported.use_var_dir(tmp_path)
    yield tmp_path
    imported.use_var_dir(Path("var"))


def test_imported_wages_take_precedence_and_sentinels_become_none(var_dir: Path) -> None:
    source = var_dir / "entgelt.csv"
    source.write_text("kldb5,median_eur,q25_eur,q75_eur\n62102,2999,2500,3500\n43414,-2,6000,-2\n34203,-1,-1,-1\n",
                      encoding="utf-8")
    dry = import_wages(source, dry_run=True)
    assert not dry.applied and wages.median_wage("62102") != 2999.0
    result = import_wages(source)
    assert result.applied and result.diff.changed == 1
    assert wages.median_wage("62102") == 2999.0
    assert wages.median_wage("43414") is None and wages.get_wage("43414").censored_above == 7100.0
    assert wages.median_wage("34203") is None


def test_wage_file_with_unknown_code_and_duplicate_is_refused(var_dir: Path) -> None:
    source = var_dir / "bad.csv"
    source.write_text("kldb5,median_eur\n62102,2999\n62102,3000\n99999,1\n62112,abc\n", encoding="utf-8")
    with pytest.raises(ImportFileError) as caught:
        import_wages(source)
    found = {(p.line, p.column) for p in caught.value.problems}
    assert found == {(3, "kldb5"), (4, "kldb5"), (5, "median_eur")}
    assert not wages.imported_wages_file().exists()


def test_isco_crosswalk_import_ranks_matches_and_refuses_bad_rows(var_dir: Path) -> None:
    from data.isco import import_isco, isco_codes

    good = var_dir / "isco.csv"
    good.write_text("kldb5,isco08,rank\n62102,5223,1\n62102,5249,2\n", encoding="utf-8")
    assert isco_codes("62102") == ()  # nothing ships (CC BY-NC-SA source)
    assert import_isco(good, dry_run=True).diff.added == 2 and isco_codes("62102") == ()
    import_isco(good)
    assert isco_codes("62102") == ("5223", "5249")
    bad = var_dir / "bad_isco.csv"
    bad.write_text("kldb5,isco08\n62102,52\n99999,5223\n", encoding="utf-8")
    with pytest.raises(ImportFileError) as caught:
        import_isco(bad)
    assert {(p.line, p.column) for p in caught.value.problems} == {(2, "isco08"), (3, "kldb5")}
    assert isco_codes("62102") == ("5223", "5249")
