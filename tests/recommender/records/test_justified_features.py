"""The protected-attribute promise is true and the default advice is plausible (issue 15, finding 10)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine

from data.catalogue import load_catalogue
from models.schemas import Profile
from recommender.decide.features import ALLOWED_FEATURES, MarketContext
from recommender.decide.guardrails import evaluate_guardrails
from recommender.decide.registry import CARD_FILE, ModelRegistry
from recommender.learn.train import fit
from recommender.learn.train_config import TrainConfig
from recommender.records.justified_features import JUSTIFIED_FEATURES
from tests.recommender import simulated_model as sm
from tests.recommender.decide.test_reasons_true import FOREIGN_UNRECOGNISED, _decide

CATALOGUE = load_catalogue()


def test_every_declared_feature_is_a_model_feature_with_a_legal_reason() -> None:
    for name, justification in JUSTIFIED_FEATURES.items():
        assert name in ALLOWED_FEATURES
        assert "AGG" in justification.legal_reason and justification.plain_de.startswith("Lotse nutzt")


def test_explanation_page_says_in_plain_words_what_german_skills_are_used_for(engine: Engine) -> None:
    de, en = _decide(engine, FOREIGN_UNRECOGNISED, None)
    assert any(line.startswith("Lotse nutzt Ihre Deutschkenntnisse, um") for line in de.how_it_works)
    assert any(line.startswith("Lotse uses your German skills to") for line in en.how_it_works)
    assert any("§ 3 Abs. 2 AGG" in line for line in de.how_it_works)


def test_model_card_lists_the_register_with_its_legal_reasons(tmp_path: Path) -> None:
    registry = ModelRegistry(tmp_path)
    version = registry.save(fit(sm.data(5000, seed=11), TrainConfig.quick(seed=42, num_threads=1)))
    card = (tmp_path / version / CARD_FILE).read_text(encoding="utf-8")
    for name, justification in JUSTIFIED_FEATURES.items():
        assert f"`{name}` (correlates with {justification.correlates_with}): {justification.legal_reason}" in card


def test_debt_and_addiction_counselling_are_never_proposed_automatically() -> None:
    profile = Profile.model_validate({"target_occupation": "43104", "months_unemployed": 30})
    eligible = evaluate_guardrails(profile, CATALOGUE, MarketContext()).eligible
    assert "addiction_counselling" not in eligible and "debt_counselling" not in eligible
    columns = sm.data(5000)
    offered = dict(zip(columns.module_ids, columns.eligible.any(axis=0), strict=True))
    assert not offered["addiction_counselling"] and not offered["debt_counselling"]


def test_einstiegsgeld_is_only_proposed_after_a_year_of_search() -> None:
    def eligible(months: int) -> list[str]:
        profile = Profile.model_validate({"target_occupation": "43104", "months_unemployed": months})
        return evaluate_guardrails(profile, CATALOGUE, MarketContext()).eligible

    assert "einstiegsgeld" not in eligible(3)
    assert "einstiegsgeld" in eligible(14)
