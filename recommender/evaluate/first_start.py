"""First-start gate evidence: what a fresh install can show before anyone has been advised.

On a fresh install there is no logged decision, so ``lotse evaluate --candidate`` and ``lotse
audit proxies`` have nothing to read and the first model would never pass its gates: the fixed
rules would give all advice forever. A simulated population, where the truth is known, can still
answer the gates' questions honestly, as long as it says so: every result here is stored with
data source ``"simulated"`` and ``first_start=True``, and ``recommender.evaluate.gates`` accepts
first-start evidence only while no model is active and no decision is logged. Every simulated
set is drawn with its own seed, none of them the training seed, so the model never saw these people.

- policy value: per held-out person, the true uplift of the candidate's top-k modules minus the
  rules' top-k; the gate reads the mean paired difference and its 95 % interval;
- proxies: :func:`recommender.evaluate.proxies.probe_proxies` on the model's features against
  the simulated people's protected attributes;
- twins: :func:`recommender.evaluate.twins.run_twins` exactly as ``lotse audit twins`` runs it (so it is
  stored as that command's ordinary evidence, not as first-start evidence).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from pydantic import BaseModel

from data.catalogue import Catalogue
from recommender.decide.baselines import rule_scores
from recommender.decide.features import MODULE_FEATURE
from recommender.decide.ranker import LoadedModel
from recommender.evaluate.evidence import Evidence, simulated_data_hash
from recommender.evaluate.proxies import probe_proxies
from recommender.evaluate.true_uplift import predicted_uplift, top_k
from recommender.evaluate.twins import MIN_TWINS, TWIN_SEED, model_scorer, run_twins
from recommender.learn.provenance import SIMULATED
from recommender.simulate.population import SimulatedData, simulate
from recommender.simulate.scenario import load_scenario

PEOPLE = 20_000
POLICY_SEED = 7_001  # held-out people for the policy value; training uses --seed (42 by default)
PROXY_SEED = 7_002
TOP_K = 3
Z95 = 1.959964


class SimulatedPolicyValue(BaseModel):
    """Candidate minus rules in mean true uplift (P(job) within 6 months) on simulated held-out people."""

    against: str = "rules"
    people: int
    k: int
    candidate: float
    rules: float
    difference: float
    low: float
    high: float


def _top_k_uplift(scores: np.ndarray, data: SimulatedData, k: int) -> np.ndarray:
    """Per person: the mean true uplift of the k eligible modules *scores* rank first (0 if none)."""
    idx, ok = top_k(scores, data.eligible, k)
    tau = np.take_along_axis(data.tau, idx, 1)
    return np.where(ok, tau, 0.0).sum(axis=1) / np.maximum(ok.sum(axis=1), 1)


def simulated_policy_value(model: LoadedModel, data: SimulatedData, *, k: int = TOP_K) -> SimulatedPolicyValue:
    """The candidate's top-k against the rules' top-k on the same people: a paired difference with its 95 % CI."""
    p_mod, p_none = predicted_uplift(model, data)
    tie = np.random.default_rng(POLICY_SEED).random(data.eligible.shape) * 1e-6
    candidate = _top_k_uplift(p_mod - p_none[:, None], data, k)
    rules = _top_k_uplift(rule_scores(data.feature_dict(), data.module_ids) + tie, data, k)
    paired = candidate - rules
    half = Z95 * float(paired.std(ddof=1)) / np.sqrt(len(paired))
    mean = float(paired.mean())
    return SimulatedPolicyValue(people=len(paired), k=k, candidate=float(candidate.mean()), rules=float(rules.mean()),
                                difference=mean, low=mean - half, high=mean + half)


def simulated_proxies(model: LoadedModel, data: SimulatedData) -> dict[str, object]:
    """The proxy probe on the model's features (as the simulated people have them) and their protected attributes."""
    names = [n for n in model.feature_names if n != MODULE_FEATURE]
    columns = list(data.feature_dict())
    x = data.features[:, [columns.index(n) for n in names]]
    return {**probe_proxies(x, names, data.protected), "features": names, "people": data.n}


def first_start_evidence(model: LoadedModel, scenario: Path, catalogue: Catalogue, *,
                         people: int = PEOPLE) -> list[Evidence]:
    """Policy value, proxy and twins evidence for *model* on simulated people it never saw (first start only)."""
    world = load_scenario(scenario, catalogue)
    held_out = simulate(world, catalogue, people, seed=POLICY_SEED)
    probed = simulate(world, catalogue, people, seed=PROXY_SEED)
    twin_rows = max(4 * MIN_TWINS, 4000)
    twins = simulate(world, catalogue, twin_rows, seed=TWIN_SEED)

    def evidence(kind: str, rows: int, seed: int, result: dict[str, object], first_start: bool = True) -> Evidence:
        return Evidence.model_validate({"kind": kind, "model_version": model.version, "data_source": SIMULATED,
                                        "data_hash": simulated_data_hash(scenario, rows, seed),
                                        "first_start": first_start, "result": result})

    return [evidence("policy_value", people, POLICY_SEED, simulated_policy_value(model, held_out).model_dump()),
            evidence("proxy_auc", people, PROXY_SEED, simulated_proxies(model, probed)),
            evidence("twins", twin_rows, TWIN_SEED,
                     run_twins(model_scorer(model, twins.module_ids), twins, n=MIN_TWINS, model=model), False)]
