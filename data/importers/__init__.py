"""Importers for official file formats behind ``lotse data import KIND FILE``.

Every importer validates the whole file first and reports each problem with file, line and
column; only a fully valid file is applied, in one transaction, after a diff summary.
"""

from data.importers.base import ImportDiff, ImportResult
from data.importers.market import MARKET_COLUMNS, import_market, parse_market_file
from data.importers.wages import WAGE_COLUMNS, import_wages, parse_wage_file

KINDS = ("market", "wages", "jobsuche", "isco")

__all__ = [
    "KINDS",
    "MARKET_COLUMNS",
    "WAGE_COLUMNS",
    "ImportDiff",
    "ImportResult",
    "import_market",
    "import_wages",
    "parse_market_file",
    "parse_wage_file",
]
