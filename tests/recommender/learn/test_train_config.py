"""TrainConfig refuses settings of the wrong type or range with a message naming the range."""

from __future__ import annotations

import pytest

from recommender.errors import _TRAIN_CONFIG_INVALID, TrainConfigError
from recommender.learn.train_config import TrainConfig


@pytest.mark.parametrize(("setting", "value", "kind", "interval"), [
    ("effect_rounds", -3, "an int", "[1, 10000]"),
    ("effect_rounds", 2.5, "an int", "[1, 10000]"),
    ("baseline_rounds", True, "an int", "[1, 10000]"),
    ("validation_share", 1.0, "a float", "(0, 1)"),
    ("baseline_learning_rate", 0.0, "a float", "(0, 1]"),
    ("weight_clip", 0.5, "a float", "[1, inf)"),
    ("seed", -1, "an int", "[0, 2147483647]"),
    ("effect_lambda_l2", float("nan"), "a float", "[0, inf)"),
])
def test_setting_out_of_range_is_refused_with_its_range(setting: str, value: object, kind: str,
                                                        interval: str) -> None:
    with pytest.raises(TrainConfigError) as refused:
        TrainConfig(**{setting: value})  # type: ignore[arg-type]
    assert str(refused.value) == _TRAIN_CONFIG_INVALID.format(name=setting, kind=kind, interval=interval,
                                                              value=value)


def test_message_reads_like_the_example_in_the_issue() -> None:
    with pytest.raises(TrainConfigError, match=r"^effect_rounds must be an int in \[1, 10000\]; got -3$"):
        TrainConfig(effect_rounds=-3)


def test_legacy_shorthands_are_gone() -> None:
    with pytest.raises(TypeError, match="num_boost_round"):
        TrainConfig(num_boost_round=20)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="min_data_in_leaf"):
        TrainConfig(min_data_in_leaf=20)  # type: ignore[call-arg]


def test_quick_config_takes_overrides_and_checks_them() -> None:
    assert TrainConfig.quick(seed=7).seed == 7 and TrainConfig.quick().effect_rounds == 60
    with pytest.raises(TrainConfigError, match="^num_threads must be an int"):
        TrainConfig.quick(num_threads=0)
