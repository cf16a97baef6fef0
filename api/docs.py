"""Interactive API docs at ``/docs`` served from this machine: no CDN, no inline script.

FastAPI's default page loads Swagger UI from a CDN and starts it with an inline script; the
first does not work on an offline Jobcenter network, the second is forbidden by our CSP.
The assets come from the pinned ``swagger-ui-bundle-v2`` package instead.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

DOCS_ASSETS = "/docs/assets"
_INIT_SCRIPT = Path(__file__).parent / "static"
# Swagger UI sets a few inline styles; this relaxed style rule applies to the docs page only.
DOCS_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
)
_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Lotse API</title>
<link rel="stylesheet" href="{assets}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script src="{assets}/swagger-ui-standalone-preset.js"></script>
<script src="/docs/init/swagger-init.js"></script>
</body>
</html>
"""


def install_docs(app: FastAPI) -> None:
    app.mount(DOCS_ASSETS, StaticFiles(directory=swagger_ui_path), name="docs-assets")
    app.mount("/docs/init", StaticFiles(directory=_INIT_SCRIPT), name="docs-init")

    @app.get("/docs", include_in_schema=False)
    def read_docs() -> HTMLResponse:
        return HTMLResponse(_PAGE.format(assets=DOCS_ASSETS), headers={"Content-Security-Policy": DOCS_CSP})
