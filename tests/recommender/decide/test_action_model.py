"""One multiclass call gives each module exactly what its own booster gives (issue 16)."""

from __future__ import annotations

import lightgbm as lgb
import numpy as np
import pytest

from recommender.decide.action_model import ActionModel
from recommender.decide.features import ALLOWED_FEATURES
from recommender.decide.ranker import action_texts, split_models
from tests.recommender import simulated_model as sm


def _action_texts() -> dict[str, str]:
    return action_texts(split_models(sm.trained().model_text))


def _rows(n: int) -> np.ndarray:
    """Answers as requests bring them: inside and far outside the trained ranges, some unanswered."""
    rng = np.random.default_rng(16)
    rows = rng.uniform(-5, 250, size=(n, len(ALLOWED_FEATURES)))
    rows[rng.random(rows.shape) < 0.3] = np.nan
    return np.vstack([rows, sm.data(2000).features[:n]])


def test_each_module_gets_its_own_boosters_margin_and_contributions_bit_for_bit() -> None:
    texts = _action_texts()
    alone = {module_id: lgb.Booster(model_str=text) for module_id, text in texts.items()}
    assert len({booster.num_trees() for booster in alone.values()}) > 1  # the shorter ones are padded
    joined = ActionModel.join(texts)
    assert joined is not None
    for row in _rows(200):
        one = row.reshape(1, -1)
        raw, contributions = joined.figures(one)
        for module_id, booster in alone.items():
            k = joined.index[module_id]
            assert raw[k] == booster.predict(one, raw_score=True, num_threads=1)[0]
            assert np.array_equal(contributions[k], booster.predict(one, pred_contrib=True, num_threads=1)[0])


def test_a_single_booster_is_used_as_it_is_and_none_gives_none() -> None:
    module_id, text = next(iter(_action_texts().items()))
    joined = ActionModel.join({module_id: text})
    assert joined is not None and joined.index == {module_id: 0}
    one = _rows(1)[:1]
    assert np.array_equal(joined.figures(one)[1][0],
                          lgb.Booster(model_str=text).predict(one, pred_contrib=True, num_threads=1)[0])
    assert ActionModel.join({}) is None


def test_boosters_that_read_different_features_are_refused() -> None:
    texts = _action_texts()
    first, second = list(texts)[:2]
    renamed = texts[second].replace("feature_names=months_unemployed", "feature_names=months_registered")
    with pytest.raises(ValueError, match="different features"):
        ActionModel.join({first: texts[first], second: renamed})


def test_the_model_scores_and_explains_each_person_with_their_own_figures() -> None:
    """Through ``LoadedModel``: the ranking's probabilities are the batch path's (one booster call per
    module), and each reason's contributions are the module's own booster's, also for the next person."""
    trained = sm.trained()
    model, alone = trained.model, {module_id: lgb.Booster(model_str=text)
                                   for module_id, text in _action_texts().items()}
    modules = [m for m in model.module_codes if m != "none"]
    rows = _rows(40)
    batch = model.predict_all(rows, num_threads=1)
    for i, row in enumerate(rows):
        features = dict(zip(ALLOWED_FEATURES, row.astype(float), strict=True))
        scores = {s.module_id: s.score for s in model.score(features, modules)}
        for module_id in modules:
            assert scores[module_id] == pytest.approx(batch[i, model.module_codes[module_id]], abs=1e-12)
        following = rows[(i + 1) % len(rows)]  # scored last: not what this person's figures were
        for module_id, booster in alone.items():
            own = booster.predict(following.reshape(1, -1), pred_contrib=True, num_threads=1)[0, :-1]
            explained = model.contributions(dict(zip(ALLOWED_FEATURES, following.astype(float), strict=True)),
                                            module_id)
            assert [explained[name] for name in ALLOWED_FEATURES] == own.tolist()
