"""A serving worker does not import the packages only the CLI, training, evaluation and reports need (issue 16).

Each is tens of MB in every uvicorn worker (matplotlib with its font and image stack: about 29 MB);
the target is <= 400 MB per worker after start. The app is imported in a fresh interpreter, so
nothing another test imported counts.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# matplotlib (and PIL, which only it brings) is imported on the first chart of the benchlearning page;
# the others were never needed by the app, and this keeps it so.
NOT_WHILE_SERVING = ("matplotlib", "PIL", "fairlearn", "spacy", "typer", "dask", "distributed", "schemathesis")


def test_importing_the_app_leaves_out_the_packages_only_reports_and_the_cli_need() -> None:
    code = (f"import sys\nimport frontend.main\n"
            f"print(' '.join(name for name in {NOT_WHILE_SERVING!r} if name in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.split() == []
