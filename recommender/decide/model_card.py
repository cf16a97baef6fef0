"""MODEL_CARD.md for each stored model (G1): intended use, users, data, metrics, limits.

The template lives in ``docs/model_card_template.md`` for reviewers; this module fills it.
"""

from __future__ import annotations

import json

from recommender.decide.metric_glossary import describe
from recommender.decide.model_meta import LOGS_SCENARIO, StoredMeta
from recommender.records.justified_features import JUSTIFIED_FEATURES

_TEMPLATE = """# Model card: {version}

{synthetic_banner}

## Intended use
Ranks job-search advice modules for one job-seeker at a German Jobcenter (SGB II) by the
estimated increase of their chance of finding work within 6 months. It recommends *actions*;
it never scores, segments or sorts people (G7). Advice touching benefits or funded measures
is only a draft until a counsellor approves it (G8).

## Users
Job-seekers (see the ranked advice with reasons), counsellors (review and decide),
data scientists (train, evaluate, promote, roll back).

## Model
- Learner: {learner}
- Feature set: `{feature_set_version}`; features: {features}
- Trees: {num_trees}; calibration: {calibration}
- Protected attributes (gender, age, nationality, ethnic origin, religion, disability/health,
  sexual identity, family status, name, photo) are not features; the registry refuses to load a
  model whose feature names match the deny-list (G2).

## Features that correlate with origin (register, G4)
These features differ between groups by citizenship but are used knowingly, each for a legal
reason (`recommender/records/justified_features.py`). The proxy gate reports the AUC with and
without them and gates on the rest; the explanation page names them in plain words.

{justified}

## Training data
- Data source: **{source}** ({source_note})
- Scenario / extract: `{scenario}`; rows: {rows}; data sha256: `{data_sha}`{simulation_seed}{window}

## Training
- Seed LightGBM and the validation split used: {seed}
- Code version: {code_version}
- Trained on: {where}
- Settings: `{settings}`

## Metrics
| metric | value | scale and meaning |
|---|---|---|
{metrics}

## Limits
- Trained on {data_kind}; effect sizes in the simulator come from published studies with
  documented uncertainty (docs/scenarios.md). Real effects must be confirmed by randomised
  comparisons inside Lotse (G18).
- The model cannot see constraints (childcare, health limits) or eligibility facts; these only
  filter advice through the guardrails.
- Fairness results: not yet available for this version (run `lotse audit fairness`).

## Versions
Created {created_at} with {libraries}.
"""


SIMULATED_BANNER = ("**SYNTHETIC**: trained on simulated data only. Its figures describe a simulated "
                    "world, not real job-seekers.")
REAL_BANNER = "Trained on decisions and outcomes Lotse logged for real job-seekers."


def _metric_rows(metrics: dict[str, object]) -> str:
    if not metrics:
        return "| none yet | | run `lotse evaluate` or `lotse ds report` |"
    rows = []
    for name in sorted(metrics):
        shown, meaning = describe(name, metrics[name])
        rows.append(f"| `{name}` | {shown.replace('|', '/')} | {meaning} |")
    return "\n".join(rows)


def render_card(meta: StoredMeta) -> str:
    """Fill the model card for one stored model from its validated metadata."""
    data = meta.data
    from_log = data.scenario == LOGS_SCENARIO
    note = ("a log written by the simulator" if from_log else "a simulated population") if data.synthetic \
        else "decisions logged by Lotse"
    workers = f" with {meta.training.workers} workers" if meta.training.where == "dask" else ""
    return _TEMPLATE.format(
        version=meta.version,
        synthetic_banner=SIMULATED_BANNER if data.synthetic else REAL_BANNER,
        learner=meta.learner,
        feature_set_version=meta.feature_set_version,
        features=", ".join(f"`{f}`" for f in meta.features),
        num_trees=meta.num_trees,
        calibration=f"Platt scaling a={meta.calibration.a:.4f}, b={meta.calibration.b:.4f}",
        source=data.source,
        source_note=note,
        scenario=data.scenario,
        rows=f"{data.rows:,}",
        data_sha=data.sha256,
        simulation_seed="" if data.simulation_seed is None else f"; simulation seed: {data.simulation_seed}",
        window="" if data.window_days is None else f"; outcome window: {data.window_days} days",
        seed=meta.training.seed,
        code_version=meta.training.code_version,
        where=f"{meta.training.where}{workers}",
        settings=json.dumps(meta.training.config, sort_keys=True),
        metrics=_metric_rows(meta.metrics),
        data_kind="simulated data" if data.synthetic else "logged data",
        created_at=meta.created_at,
        libraries=", ".join(f"{k} {v}" for k, v in meta.libraries.items()),
        justified="\n".join(f"- `{j.feature}` (correlates with {j.correlates_with}): {j.legal_reason}"
                            for j in JUSTIFIED_FEATURES.values()),
    )
