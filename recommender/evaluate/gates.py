"""Promotion gates (G1, G2, G4, G5, G16): what a candidate must show before it serves anyone.

A candidate is promoted only if

1. ``policy_value``: its off-policy value is not worse than the active model's beyond the
   confidence interval (``recommender.evaluate.ope.compare``);
2. ``proxy_auc``: no protected attribute can be predicted from its features with AUC > 0.65;
3. ``twins``: counterfactual twins keep their top-5 (mean Jaccard >= 0.9) and explanations
   never mention protected attributes;
4. ``feature_allow_list``: every feature is on the allow-list, none on the deny-list;
5. ``report``: the HTML + JSON report exists (a works council and the DPO read it).

Evidence that is missing counts as a failed gate: "not measured" is not "fine". A data
scientist may override with ``force`` and a written reason; the override and the failed
gates are written into the ``model_promoted`` event of the hash-chained log.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlmodel import Session

from models.errors import ConflictError
from recommender.decide.features import ALLOWED_FEATURES, MODULE_FEATURE
from recommender.decide.registry import ModelRegistry
from recommender.errors import RecommenderError
from recommender.evaluate.proxies import MAX_PROXY_AUC
from recommender.evaluate.twins import MIN_JACCARD
from recommender.records.protected import denied_names

REPORT_HTML = "report.html"
REPORT_JSON = "report.json"
GATES = ("policy_value", "proxy_auc", "twins", "feature_allow_list", "report")
_BLOCKED = "model {version!r} is not promoted; failed gates: {gates}. Fix them, or use --force --reason \"...\"."
_FORCE_REASON = "--force needs a written --reason (it is logged with the failed gates)"


class PromotionBlocked(RecommenderError, ConflictError):
    """The candidate failed one or more gates and no override was given."""

    def __init__(self, version: str, failed: list[GateResult]) -> None:
        self.failed = failed
        super().__init__(_BLOCKED.format(version=version, gates="; ".join(f"{g.gate} ({g.detail})" for g in failed)))


@dataclass(frozen=True)
class GateResult:
    gate: str
    passed: bool
    detail: str


@dataclass
class GateEvidence:
    """Everything the gates look at; ``None`` = not measured."""

    version: str
    feature_names: list[str]
    ope: dict[str, Any] | None = None  # recommender.evaluate.ope.compare(...)
    proxies: dict[str, Any] | None = None  # recommender.evaluate.proxies.probe_proxies(...)
    twins: dict[str, Any] | None = None  # recommender.evaluate.twins.run_twins(...)
    report_path: Path | None = None


def check_gates(evidence: GateEvidence) -> list[GateResult]:
    """Every gate with its outcome and a one-line reason, in :data:`GATES` order."""
    results = []
    ope = evidence.ope
    if ope is None:
        results.append(GateResult("policy_value", False, "no off-policy comparison with the active model"))
    else:
        c, a = ope["candidate"], ope["active"]
        detail = (f"{ope['estimator']}: candidate {c['value']:.4f} [{c['low']:.4f}, {c['high']:.4f}] vs active "
                  f"{a['value']:.4f}")
        results.append(GateResult("policy_value", bool(ope["not_worse"]), detail))
    proxies = evidence.proxies
    if proxies is None:
        results.append(GateResult("proxy_auc", False, "proxy probe not run"))
    else:
        aucs = {k: v.get("auc") for k, v in proxies["attributes"].items()}
        bad = {k: v for k, v in aucs.items() if v is not None and v > MAX_PROXY_AUC}
        detail = ", ".join(f"{k} AUC {v:.3f}" for k, v in aucs.items() if v is not None) or "no groups to probe"
        results.append(GateResult("proxy_auc", not bad, f"{detail} (max {MAX_PROXY_AUC})"))
    twins = evidence.twins
    if twins is None:
        results.append(GateResult("twins", False, "twin test not run"))
    else:
        ok = twins["min_mean_jaccard"] >= MIN_JACCARD and twins.get("explanations_clean") is not False
        detail = f"min mean top-5 Jaccard {twins['min_mean_jaccard']:.3f} (min {MIN_JACCARD})"
        if twins.get("explanations_clean") is False:
            detail += "; explanations mention protected attributes"
        results.append(GateResult("twins", bool(ok), detail))
    names = [n for n in evidence.feature_names if n != MODULE_FEATURE]
    denied = denied_names(names)
    unlisted = [n for n in names if n not in ALLOWED_FEATURES and n not in denied]
    problems = ([f"deny-listed: {', '.join(denied)}"] if denied else []) + (
        [f"not on the allow-list: {', '.join(unlisted)}"] if unlisted else [])
    results.append(GateResult("feature_allow_list", not problems, "; ".join(problems) or f"{len(names)} features ok"))
    exists = evidence.report_path is not None and evidence.report_path.exists()
    detail = str(evidence.report_path) if exists else "no report; run `lotse ds report`"
    results.append(GateResult("report", exists, detail))
    return results


def failed_gates(evidence: GateEvidence) -> list[GateResult]:
    return [g for g in check_gates(evidence) if not g.passed]


def evidence_from_registry(registry: ModelRegistry, version: str) -> GateEvidence:
    """Gate evidence of a stored version: its features and the sections of its report.json."""
    meta = registry.meta(version)
    path = registry.root / version / REPORT_JSON
    report: dict[str, Any] = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    html = registry.root / version / REPORT_HTML
    return GateEvidence(version, list(meta.get("features", [])), report.get("ope_vs_active"),
                        report.get("proxies"), report.get("twins"), html)


def promote_with_gates(registry: ModelRegistry, version: str, *, session: Session, actor: str, force: bool = False,
                       reason: str | None = None, evidence: GateEvidence | None = None) -> list[GateResult]:
    """Promote *version* if every gate passes, or with ``force`` and a reason; return the failed gates.

    Parameters
    ----------
    registry : ModelRegistry
    version : str
    session : Session
        The promotion event is appended in this transaction.
    actor : str
        Who promotes (logged).
    force : bool
        Promote despite failed gates; needs *reason*. The event's reason lists the failed gates.
    reason : str, optional
    evidence : GateEvidence, optional
        Default: :func:`evidence_from_registry`.

    Raises
    ------
    PromotionBlocked
        A gate failed and ``force`` is not set (nothing is changed).
    RecommenderError
        ``force`` without a reason.
    """
    evidence = evidence or evidence_from_registry(registry, version)
    failed = failed_gates(evidence)
    if failed and not force:
        raise PromotionBlocked(version, failed)
    if force and not (reason and reason.strip()):
        raise RecommenderError(_FORCE_REASON)
    logged_reason = reason
    if failed:
        logged_reason = f"FORCED past failed gates [{', '.join(g.gate for g in failed)}]: {reason}"
    registry.promote(version, session=session, actor=actor, reason=logged_reason)
    return failed


def gates_as_json(results: list[GateResult]) -> list[dict[str, Any]]:
    return [asdict(r) for r in results]
