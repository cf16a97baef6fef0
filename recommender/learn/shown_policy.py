"""How likely the logging policy was to show each eligible module, read back from the decision log.

Why: a module's effect can only be learnt and evaluated by comparing people who were shown it
with comparable people who were not, re-weighted by how likely each was to be shown it. Since
``recommender.decide.exploration`` (policy ``explore-coin-v1``) every ``recommendation_generated``
event holds ``outputs.shown_policy``: the arm (model, explore, control, rules), the rates and,
for *every* eligible module, the probability that this policy showed it to this person. That
probability is the marginal over all arms, so decisions of the randomised rules control share
are weighted like every other decision (the arm is drawn at random, its probability is in the
mixture); rules-mode decisions (no model) log 1 or 0.

Old logs (decisions without a logged ``shown_policy``, and the simulated logs of
``recommender.simulate.simulated_log``) keep their rows' NaN here: the learner then uses the
item's logged ``propensity`` and off-policy evaluation the rank-1 propensity rebuilt by
:func:`top1_propensity` under the old shuffle, with its stated assumption.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

SHOWN_POLICY_EVENT = "recommendation_generated"
OLD_LOG_ARM = ""  # no shown policy logged: a decision from before explore-coin-v1


def shown_policies(events: Sequence[Any], decision_ids: list[str], module_ids: list[str],
                   items: Sequence[Any] = ()) -> tuple[np.ndarray, np.ndarray]:
    """Per decision (in *decision_ids* order): P(shown) per catalogue module, and the logged arm.

    Rows of decisions without a logged policy are NaN with arm :data:`OLD_LOG_ARM`; for logged
    ones a module absent from the policy (not eligible) has probability 0. Since issue 16 the
    event logs only the modules it did not show (``not_shown``); a shown module's probability is
    its item's propensity, read from *items* (``(decision_id, module_id, propensity)`` rows; a
    counsellor's own item has no catalogue module and is skipped).
    """
    codes = {m: j for j, m in enumerate(module_ids)}
    where = {d: i for i, d in enumerate(decision_ids)}
    probability = np.full((len(decision_ids), len(module_ids)), np.nan, dtype=np.float32)
    arm = np.full(len(decision_ids), OLD_LOG_ARM, dtype=object)
    shown_items: dict[str, list[tuple[str, float]]] = {}
    for decision_id, module_id, propensity in items:
        shown_items.setdefault(decision_id, []).append((module_id, propensity))
    for decision_id, outputs in events:
        policy = (outputs or {}).get("shown_policy")
        i = where.get(decision_id)
        if i is None or not policy:
            continue
        probability[i] = 0.0
        arm[i] = policy.get("arm", OLD_LOG_ARM)
        if "not_shown" in policy:
            entries = [*policy["not_shown"], *shown_items.get(decision_id, ())]
        else:
            entries = [(e["module_id"], e["probability"]) for e in policy.get("shown_probability", ())]
        for module_id, p in entries:
            j = codes.get(module_id)
            if j is not None:
                probability[i, j] = float(p)
    return probability, arm


def logged_item_propensity(action: np.ndarray, item_propensity: np.ndarray, shown_probability: np.ndarray
                           ) -> np.ndarray:
    """The training weight's denominator per row: the logged policy's P(shown) where it was logged.

    Falls back to the item's own logged propensity for old logs, for "no advice" rows (1) and
    for items the policy did not draw (a counsellor's own item logs probability 0 there).
    """
    rows = np.arange(len(action))
    logged = shown_probability[rows, np.maximum(action.astype(np.int64) - 1, 0)] if len(action) else np.empty(0)
    use = (action > 0) & np.isfinite(logged) & (logged > 0)
    return np.where(use, logged, item_propensity).astype(np.float32)


def top1_propensity(rows: pd.DataFrame, epsilon: float) -> np.ndarray:
    """Old logs only: P(the logging policy put this module first), for rows at rank 1; NaN elsewhere.

    Before ``explore-coin-v1`` the decision path ranked by the logging model's uplift and, in an
    exploration decision, shuffled only the self-help items among the self-help slots. So a
    review item that is the greedy top stays first with probability 1; otherwise the first slot
    holds the greedy top with ``1 - epsilon + epsilon / H`` and any other self-help item with
    ``epsilon / H`` (H = self-help items shown). Rules-mode decisions (no uplift) are
    deterministic. Without logged uplifts (e.g. imported or simulated logs) the logged P(shown)
    is used. **Assumption**: *epsilon* was the same for the whole log. Rows of decisions with a
    logged shown policy get NaN: off-policy evaluation reads their per-module probabilities.
    """
    out = np.full(len(rows), np.nan)
    if not len(rows):
        return out
    key = rows["decision_id"]
    uplift = rows["uplift"].astype(float)
    greedy_of_decision = uplift.fillna(-np.inf).groupby(key, sort=False).idxmax()
    greedy_idx = key.map(greedy_of_decision).to_numpy(dtype=np.int64)
    has_uplift = uplift.notna().groupby(key, sort=False).transform("sum").to_numpy() > 0
    self_help = (~rows["needs_review"]).groupby(key, sort=False).transform("sum")
    first = (rows["rank"] <= 1).to_numpy() & (rows["arm"] == OLD_LOG_ARM).to_numpy()
    is_greedy = rows.index.to_numpy() == greedy_idx
    greedy_review = rows["needs_review"].to_numpy(bool)[greedy_idx]
    h = np.maximum(self_help.to_numpy(), 1)
    model_p = np.where(greedy_review, np.where(is_greedy, 1.0, 0.0),
                       np.where(is_greedy, 1 - epsilon + epsilon / h, epsilon / h))
    p = np.where(has_uplift, model_p, rows["propensity"].astype(float).to_numpy())
    p = np.where(rows["action"].to_numpy() == 0, 1.0, p)
    out[first] = p[first]
    return out
