"""Serve an app for the load benchmark the way ``lotse serve`` does: one worker in-process, more
as ``api.workers`` processes, each on its own socket.

Run: ``.venv/bin/python -m bench.serve MODULE:APP --port N [--workers K]``.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from api import workers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("app")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    options: dict[str, Any] = {"app": args.app, "host": args.host, "port": args.port, "log_level": "warning",
                               "access_log": False}
    sys.exit(workers.serve(options, args.workers))


if __name__ == "__main__":
    main()
