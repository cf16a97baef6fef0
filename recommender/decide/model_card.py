"""MODEL_CARD.md for each stored model (G1): intended use, users, data, metrics, limits.

The template lives in ``docs/model_card_template.md`` for reviewers; this module fills it.
"""

from __future__ import annotations

import json
from typing import Any

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
- Scenario / source: `{scenario}`; rows: {rows}; seed: {seed}; data sha256: `{data_sha}`
- Synthetic: **{synthetic}**

## Metrics
```
{metrics}
```

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


def render_card(version: str, meta: dict[str, Any]) -> str:
    """Fill the model card for one stored model from its metadata."""
    data = meta.get("data", {})
    synthetic = bool(data.get("synthetic", True))
    banner = ("**SYNTHETIC**: trained on simulated data only. Its figures describe a simulated "
              "world, not real job-seekers." if synthetic else "Trained on logged Lotse data.")
    return _TEMPLATE.format(
        version=version,
        synthetic_banner=banner,
        learner=meta.get("learner", "?"),
        feature_set_version=meta.get("feature_set_version", "?"),
        features=", ".join(f"`{f}`" for f in meta.get("features", [])),
        num_trees=meta.get("num_trees", "?"),
        calibration=json.dumps(meta.get("calibration", {})),
        scenario=data.get("scenario", "?"),
        rows=data.get("rows", "?"),
        seed=data.get("seed", "?"),
        data_sha=data.get("sha256", "?"),
        synthetic=synthetic,
        metrics=json.dumps(meta.get("metrics", {}), indent=2, sort_keys=True),
        data_kind="simulated data" if synthetic else "logged data",
        created_at=meta.get("created_at", "?"),
        libraries=", ".join(f"{k} {v}" for k, v in meta.get("libraries", {}).items()),
        justified="\n".join(f"- `{j.feature}` (correlates with {j.correlates_with}): {j.legal_reason}"
                            for j in JUSTIFIED_FEATURES.values()),
    )
