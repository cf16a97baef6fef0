"""The model card states what is so: data source, the seed LightGBM used, code version, data hash, scaled metrics."""

from __future__ import annotations

from pathlib import Path

from recommender.decide.metric_glossary import GLOSSARY, describe
from recommender.decide.model_card import REAL_BANNER, SIMULATED_BANNER
from recommender.decide.registry import ModelRegistry
from recommender.learn.train import fit
from recommender.learn.train_config import TrainConfig
from tests.recommender import simulated_model as sm


def test_card_names_data_source_seed_code_version_and_data_hash(tmp_path: Path) -> None:
    registry = ModelRegistry(tmp_path)
    result = fit(sm.data(5000, seed=11), TrainConfig.quick(seed=42, num_threads=1))
    version = registry.save(result, metrics={"qini_coefficient": 0.004925414055898581, "outcome_auc": 0.71234})
    card = (tmp_path / version / "MODEL_CARD.md").read_text(encoding="utf-8")
    meta = registry.meta(version)
    assert SIMULATED_BANNER in card and REAL_BANNER not in card
    assert "Data source: **simulated** (a simulated population)" in card
    assert "simulation seed: 11" in card and "Seed LightGBM and the validation split used: 42" in card
    assert meta.training.seed == 42 and meta.training.config["seed"] == 42
    assert f"Code version: {meta.training.code_version}" in card
    assert meta.training.code_version.kind in ("git", "package") and meta.training.code_version.value
    assert f"data sha256: `{meta.data.sha256}`" in card
    assert f"| `qini_coefficient` | 0.49 percentage points | {GLOSSARY['qini_coefficient'].meaning} |" in card
    assert "0.004925414055898581" not in card and "| `outcome_auc` | 0.712 |" in card


def test_metric_without_a_description_is_rounded_and_says_so() -> None:
    assert describe("new_metric", 0.123456789) == ("0.1235", "no description yet (raw figure, rounded)")
    assert describe("ope_dr_top1", {"estimate": 0.263612345})[0] == '{"estimate": 0.2636}'

