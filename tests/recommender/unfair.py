"""A deliberately unfair candidate for tests: trained with a proxy column (first-name origin).

It mimics a careless data scientist who joined a "name origin" column and trained on biased
historical outcomes (people with a non-German first name who got certain advice were logged as
not finding work). ``recommender.learn.train.fit`` would refuse the column, so it calls LightGBM
directly - exactly what the gates must catch.
"""

from __future__ import annotations

from dataclasses import dataclass

import lightgbm as lgb
import numpy as np

from recommender.decide.features import ALLOWED_FEATURES, MODULE_FEATURE
from recommender.evaluate.twins import PROXY_COLUMN, _origin_of
from recommender.simulate.population import SimulatedData

BIASED_MODULES = 8  # the most often logged modules are "learned" to fail for non-German names


@dataclass
class UnfairCandidate:
    booster: lgb.Booster
    module_codes: dict[str, int]
    feature_names: list[str]
    origin: np.ndarray


def train_unfair_candidate(data: SimulatedData, *, seed: int = 42) -> UnfairCandidate:
    rng = np.random.default_rng(seed)
    origin = _origin_of(np.asarray(data.protected["citizenship_group"]).astype(str), rng).astype(np.float64)
    common = np.argsort(-np.bincount(data.action, minlength=len(data.module_ids) + 1)[1:])[:BIASED_MODULES] + 1
    y = data.outcome.copy()
    y[(origin > 0) & np.isin(data.action, common)] = 0
    y[(origin == 0) & np.isin(data.action, common)] = 1
    names = [*ALLOWED_FEATURES, PROXY_COLUMN, MODULE_FEATURE]
    x = np.column_stack([data.features, origin, data.action.astype(np.float64)])
    params = {"objective": "binary", "num_leaves": 31, "learning_rate": 0.1, "min_data_in_leaf": 20,
              "verbose": -1, "num_threads": 1, "seed": seed, "deterministic": True}
    booster = lgb.train(params, lgb.Dataset(x, y, feature_name=names, categorical_feature=[MODULE_FEATURE]),
                        num_boost_round=80)
    codes = {"none": 0, **{m: j + 1 for j, m in enumerate(data.module_ids)}}
    return UnfairCandidate(booster, codes, names, origin)
