"""The data scientist's model page: every stored model version with its report and gate results.

Only aggregate, pseudonymised artefacts are shown (docs/security.md: data scientists see no
names, contact data or case pages). Reports are the self-contained HTML files written by
``lotse ds report``; they are served as downloads because they carry their own inline styles,
which the app's strict Content-Security-Policy rightly refuses to render inline.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from api.auth.deps import require_roles
from api.deps import SessionDep, SettingsDep
from frontend.pages.staff_common import render_staff
from models.tables import Role, UserAccount
from recommender.decide.registry import ModelRegistry
from recommender.evaluate.drift import MIN_DECISIONS, PSI_SHIFT, PSI_WATCH, drift_report
from recommender.evaluate.gates import REPORT_HTML, REPORT_JSON

router = APIRouter(prefix="/staff/data", include_in_schema=False)
DataScientist = Annotated[UserAccount, require_roles(Role.data_scientist)]


def _summary(registry: ModelRegistry, version: str) -> dict[str, Any]:
    path = registry.root / version / REPORT_JSON
    report = json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
    gates = (report or {}).get("gates") or []
    return {
        "has_report": (registry.root / version / REPORT_HTML).exists(),
        "failed_gates": [g["gate"] for g in gates if not g.get("passed")],
        "gates_known": bool(gates),
        "alerts": len(((report or {}).get("fairness") or {}).get("alerts", [])),
    }


@router.get("/models", response_class=HTMLResponse)
def read_models_page(request: Request, settings: SettingsDep, session: SessionDep, user: DataScientist) -> Response:
    """Model versions (stage, report, failed gates) and the log's input and outcome drift, aggregated."""
    registry = ModelRegistry(settings.models_dir)
    models = [{"info": info, **_summary(registry, info.version)} for info in reversed(registry.list_versions())]
    drift = drift_report(session, outcome_window_days=settings.outcome_window_days)
    return render_staff(request, "staff/datascience.html", user,
                        {"models": models, "drift": drift, "psi_watch": PSI_WATCH, "psi_shift": PSI_SHIFT,
                         "min_decisions": MIN_DECISIONS})


@router.get("/models/{version}/report")
def read_model_report(version: str, settings: SettingsDep, user: DataScientist) -> Response:
    """Download one version's self-contained HTML report (unknown versions: 404)."""
    registry = ModelRegistry(settings.models_dir)
    if version not in registry.versions():
        raise HTTPException(status_code=404, detail=f"no model version {version!r}")
    path = registry.root / version / REPORT_HTML
    if not path.exists():
        raise HTTPException(status_code=404, detail=f"model version {version!r} has no report yet")
    return FileResponse(path, media_type="text/html", filename=f"lotse-model-report-{version}.html")
