"""Property-based fuzzing of every importer through ``lotse data import``.

A valid file is broken in random ways (a cell or JSON value replaced by hostile text, numbers,
types, or the bytes cut at a random point). Whatever comes out, the command either imports a
file that is still valid (exit 0) or refuses it with exit 2 and a located message, and a refused
file changes nothing. Examples are bounded so the whole module runs in seconds.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.data.importers.import_cli import invoke_import, snapshot

FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
LOCATED = re.compile(r"(line \d+, column .+?|, \$\S*): ")
VALID_CSV = {
    "market": "stichtag;region;kldb;arbeitslose;gemeldete_arbeitsstellen\n2025-06;09362;62102;12;4\n"
              "2025-06;DG;621;5.000;*\n",
    "wages": "kldb5,median_eur,q25_eur,q75_eur\n62102,2650,2300,3100\n51312,2900.5,,-1\n",
    "isco": "kldb5,isco08,rank\n62102,5223,1\n51312,4321,2\n",
}
VALID_JOBSUCHE = {"stellenangebote": [
    {"refnr": "10000-1-S", "beruf": "Verkäufer/in", "titel": "Verkäufer (m/w/d)",
     "arbeitsort": {"ort": "Regensburg", "plz": "93047"}},
    {"refnr": "10000-2-S", "beruf": "Koch/Köchin", "arbeitsort": {"ort": "Ingolstadt, Donau"}},
]}
HOSTILE_TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", "\x00", "\ud800", "-1", "1e400", "NaN", "²", "١٢", "9" * 23, "\"", "a;b", "a,b", "\r\n",
                     "[/x]", "[bold]", "x" * 131_073]),
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | HOSTILE_TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(HOSTILE_TEXT, inner, max_size=3),
    max_leaves=6,
)


def _assert_refused_or_imported(var_dir: Path, path: Path, kind: str) -> None:
    before = snapshot(var_dir)
    result = invoke_import(kind, path)
    assert result.exit_code in (0, 2), f"exit {result.exit_code}: {result.output}\n{result.exception!r}"
    if result.exit_code == 2:
        assert LOCATED.search(result.output), result.output
        assert snapshot(var_dir) == before


def _replace_cell(text: str, delimiter: str, row: int, column: int, value: str) -> str:
    lines = text.splitlines()
    cells = lines[row].split(delimiter)
    cells[column % len(cells)] = value
    lines[row] = delimiter.join(cells)
    return "\n".join(lines) + "\n"


@settings(FUZZ, max_examples=80)
@given(kind=st.sampled_from(sorted(VALID_CSV)), row=st.integers(1, 2), column=st.integers(0, 3), value=HOSTILE_TEXT)
def test_csv_importer_refuses_a_broken_cell_with_its_location(
    cli_env: Path, kind: str, row: int, column: int, value: str
) -> None:
    text = VALID_CSV[kind]
    path = cli_env / f"{kind}.csv"
    path.write_bytes(_replace_cell(text, ";" if kind == "market" else ",", row, column, value)
                     .encode("utf-8", errors="surrogatepass"))
    _assert_refused_or_imported(cli_env, path, kind)


@FUZZ
@given(kind=st.sampled_from([*sorted(VALID_CSV), "jobsuche"]), cut=st.integers(1, 200), junk=st.binary(max_size=8))
def test_importer_refuses_a_truncated_or_garbled_file_with_its_location(
    cli_env: Path, kind: str, cut: int, junk: bytes
) -> None:
    raw = (json.dumps(VALID_JOBSUCHE) if kind == "jobsuche" else VALID_CSV[kind]).encode()
    path = cli_env / f"broken-{kind}"
    path.write_bytes(raw[:cut % len(raw)] + junk)
    _assert_refused_or_imported(cli_env, path, kind)


@FUZZ
@given(index=st.integers(0, 1), field=st.sampled_from(["refnr", "beruf", "titel", "arbeitsort", "ort", "plz", "x"]),
       value=JSON_VALUES)
def test_jobsuche_importer_refuses_a_value_of_the_wrong_type_at_its_json_path(
    cli_env: Path, index: int, field: str, value: object
) -> None:
    document = json.loads(json.dumps(VALID_JOBSUCHE))
    record = document["stellenangebote"][index]
    (record["arbeitsort"] if field in ("ort", "plz") else record)[field] = value
    path = cli_env / "jobs.json"
    path.write_text(json.dumps(document), encoding="utf-8", errors="surrogatepass")
    _assert_refused_or_imported(cli_env, path, "jobsuche")


@FUZZ
@given(document=JSON_VALUES)
def test_jobsuche_importer_refuses_any_other_json_document(cli_env: Path, document: object) -> None:
    path = cli_env / "other.json"
    path.write_text(json.dumps(document), encoding="utf-8", errors="surrogatepass")
    _assert_refused_or_imported(cli_env, path, "jobsuche")
