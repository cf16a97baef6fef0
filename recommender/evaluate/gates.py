"""Promotion gates (G1, G2, G4, G5, G16): what a candidate must show before it serves anyone.

Each gate reads the stored result of the command that produced its evidence
(``recommender.evaluate.evidence``), for exactly this model version, and cites it: data source
(real log or simulated), data hash, command and date. A candidate is promoted only if

1. ``policy_value``: ``lotse evaluate --candidate V`` on decisions V never saw (the time split)
   gives a paired difference candidate - active whose 95 % lower bound is at least
   ``-POLICY_VALUE_MARGIN`` (one percentage point of P(job within the window));
2. ``proxy_auc``: ``lotse audit proxies`` on a log with every feature V reads: no protected
   attribute predicted with AUC > 0.65 from the features other than the legally justified ones
   in the register (``recommender.records.justified_features``; the AUC with them is reported
   beside it), and every attribute actually measured;
3. ``twins``: ``lotse audit twins V``: counterfactual twins keep their top-5 (mean Jaccard >= 0.9)
   and explanations never mention protected attributes;
4. ``feature_allow_list``: every feature is on the allow-list, none on the deny-list;
5. ``report``: ``lotse ds report V`` wrote the HTML + JSON report (a works council and the DPO read it).

First start (``lotse train --if-missing`` with no active model and no logged decision): the
policy value and the proxies may instead cite first-start evidence on SIMULATED people the
model never saw (``recommender.evaluate.first_start``): the candidate against the fixed rules
on simulated held-out people (same margin), and the probe on a simulated population. The gates
accept it only in that situation (``GateEvidence.first_start``); every later promotion needs the
commands' own evidence.

Evidence that is missing counts as a failed gate: "not measured" is not "fine". A data
scientist may override with ``force`` and a written reason; the override and the failed
gates are written into the ``model_promoted`` event of the hash-chained log.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlmodel import Session

from models.errors import ConflictError
from recommender.decide.features import ALLOWED_FEATURES, MODULE_FEATURE
from recommender.decide.registry import ModelRegistry
from recommender.errors import RecommenderError
from recommender.evaluate.evidence import Evidence, EvidenceStore
from recommender.evaluate.first_start import SimulatedPolicyValue
from recommender.evaluate.logged_comparison import ACTIVE, RULES, LoggedEvaluation
from recommender.evaluate.proxies import MAX_PROXY_AUC
from recommender.evaluate.twins import MIN_JACCARD
from recommender.records.protected import denied_names

REPORT_HTML = "report.html"
REPORT_JSON = "report.json"
POLICY_VALUE_MARGIN = 0.01  # candidate may be at most 1 point of P(job) worse than active, at the 95 % bound
GATES = ("policy_value", "proxy_auc", "twins", "feature_allow_list", "report")
_BLOCKED = "model {version!r} is not promoted; failed gates: {gates}. Fix them, or use --force --reason \"...\"."
FIRST_START_ONLY = ("first-start evidence on simulated people counts only while no model is active and no "
                    "decision is logged: run `lotse evaluate --candidate {version}`")
FIRST_START_SOURCE = "simulated held-out people (no logged decisions yet)"
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
    policy_value: Evidence | None = None
    proxies: Evidence | None = None
    twins: Evidence | None = None
    report: Evidence | None = None
    report_path: Path | None = None
    first_start: bool = False  # no active model and no logged decision: first-start evidence counts


def _policy_value(evidence: GateEvidence) -> GateResult:
    found = evidence.policy_value
    if found is None:
        return GateResult("policy_value", False, f"not measured: run `lotse evaluate --candidate {evidence.version}`")
    if found.first_start:
        return _simulated_policy_value(evidence, found)
    result = LoggedEvaluation.model_validate(found.result)
    if not result.held_out:
        return GateResult("policy_value", False, f"not held-out: {result.held_out_note} ({found.cite()})")
    # Without another active model the rules baseline is what serves people today, so the first
    # model must not be worse than the rules; comparing a candidate with itself would prove nothing.
    alone = result.against == evidence.version
    d = result.difference(RULES if alone else ACTIVE)
    against = "rules baseline, no other active model" if alone else f"active ({result.against})"
    detail = (f"DR candidate - {against} {d.value:+.4f} [{d.low:+.4f}, {d.high:+.4f}], lower bound must "
              f"be >= -{POLICY_VALUE_MARGIN}; {result.decisions:,} held-out decisions ({found.cite()})")
    return GateResult("policy_value", d.low >= -POLICY_VALUE_MARGIN, detail)


def _simulated_policy_value(evidence: GateEvidence, found: Evidence) -> GateResult:
    if not evidence.first_start:
        return GateResult("policy_value", False, f"{FIRST_START_ONLY.format(version=evidence.version)} "
                                                 f"({found.cite()})")
    d = SimulatedPolicyValue.model_validate(found.result)
    detail = (f"true uplift candidate - rules (top-{d.k}) {d.difference:+.4f} [{d.low:+.4f}, {d.high:+.4f}], lower "
              f"bound must be >= -{POLICY_VALUE_MARGIN}; {d.people:,} {FIRST_START_SOURCE} ({found.cite()})")
    return GateResult("policy_value", d.low >= -POLICY_VALUE_MARGIN, detail)


def _proxy_auc(evidence: GateEvidence) -> GateResult:
    found = evidence.proxies
    if found is None:
        return GateResult("proxy_auc", False, "not measured: run `lotse audit proxies`")
    names = [n for n in evidence.feature_names if n != MODULE_FEATURE]
    unprobed = sorted(set(names) - set(found.result.get("features", [])))
    if unprobed:
        return GateResult("proxy_auc", False, f"features not probed: {', '.join(unprobed)} ({found.cite()})")
    attributes = found.result["attributes"]
    aucs = {k: v.get("auc") for k, v in attributes.items()}
    missing = [k for k, v in aucs.items() if v is None]
    bad = {k: v for k, v in aucs.items() if v is not None and v > MAX_PROXY_AUC}
    parts = [f"{k} AUC {v:.3f}" + (f" ({attributes[k]['auc_with_declared']:.3f} with the declared features)"
                                   if attributes[k].get("auc_with_declared") is not None else "")
             for k, v in aucs.items() if v is not None] + [f"{k} not measured" for k in missing]
    declared = found.result.get("declared") or []
    gated = f"gated without the declared features {', '.join(declared)}; " if declared else ""
    detail = f"{', '.join(parts) or 'no attribute probed'} ({gated}max {MAX_PROXY_AUC}; {found.cite()})"
    return GateResult("proxy_auc", bool(aucs) and not bad and not missing, detail)


def _twins(evidence: GateEvidence) -> GateResult:
    found = evidence.twins
    if found is None:
        return GateResult("twins", False, f"not measured: run `lotse audit twins {evidence.version}`")
    twins = found.result
    ok = twins["min_mean_jaccard"] >= MIN_JACCARD and twins.get("explanations_clean") is not False
    detail = f"min mean top-5 Jaccard {twins['min_mean_jaccard']:.3f} (min {MIN_JACCARD}; {found.cite()})"
    if twins.get("explanations_clean") is False:
        detail += "; explanations mention protected attributes"
    return GateResult("twins", bool(ok), detail)


def check_gates(evidence: GateEvidence) -> list[GateResult]:
    """Every gate with its outcome and a one-line reason citing its evidence, in :data:`GATES` order."""
    names = [n for n in evidence.feature_names if n != MODULE_FEATURE]
    denied = denied_names(names)
    unlisted = [n for n in names if n not in ALLOWED_FEATURES and n not in denied]
    problems = ([f"deny-listed: {', '.join(denied)}"] if denied else []) + (
        [f"not on the allow-list: {', '.join(unlisted)}"] if unlisted else [])
    features = GateResult("feature_allow_list", not problems, "; ".join(problems) or f"{len(names)} features ok")
    exists = evidence.report is not None and evidence.report_path is not None and evidence.report_path.exists()
    report = GateResult("report", exists, f"{evidence.report_path} ({evidence.report.cite()})" if exists and
                        evidence.report else f"no report: run `lotse ds report {evidence.version}`")
    return [_policy_value(evidence), _proxy_auc(evidence), _twins(evidence), features, report]


def failed_gates(evidence: GateEvidence) -> list[GateResult]:
    return [g for g in check_gates(evidence) if not g.passed]


def evidence_store(registry: ModelRegistry) -> EvidenceStore:
    """The evidence of every version lives beside the models: ``<models_dir>/evidence``."""
    return EvidenceStore(registry.root / "evidence")


def evidence_from_registry(registry: ModelRegistry, version: str, *, first_start: bool = False) -> GateEvidence:
    """Gate evidence of a stored version: its features and the stored results of the commands.

    With *first_start* (no active model, no logged decision) the version's own simulated proxy
    probe stands in for ``lotse audit proxies``, which has no log to read yet.
    """
    meta = registry.meta(version)
    store = evidence_store(registry)
    proxies = (store.load("proxy_auc", version) if first_start else None) or store.load("proxy_auc", None)
    return GateEvidence(version, list(meta.features), store.load("policy_value", version), proxies,
                        store.load("twins", version), store.load("report", version),
                        registry.root / version / REPORT_HTML, first_start)


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
