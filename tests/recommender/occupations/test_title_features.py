"""Compound words are split into words the training titles use, and a stored model splits them alike."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from recommender.occupations.classifier import TitleClassifier
from recommender.occupations.title_features import CompoundFeatures, split_compound
from recommender.occupations.training import train_title_classifier

LEXICON = frozenset({"industrie", "mechaniker", "hochbau", "facharbeiter", "betrieb", "wirt", "garten", "bau"})


def test_a_compound_is_split_into_known_words_with_its_linking_s() -> None:
    assert split_compound("industriemechaniker", LEXICON) == ["industrie", "mechaniker"]
    assert split_compound("hochbaufacharbeiter", LEXICON) == ["hochbau", "facharbeiter"]
    assert split_compound("betriebswirt", LEXICON) == ["betrieb", "wirt"]


def test_a_known_word_alone_or_an_unknown_rest_is_not_split() -> None:
    assert split_compound("mechaniker", LEXICON) == []
    assert split_compound("zweiradmechaniker", LEXICON) == []


def test_an_unseen_compound_shares_the_features_of_its_head_noun() -> None:
    features = CompoundFeatures(LEXICON)("industriemechaniker")
    assert {"c:industrie", "c:mechaniker", "ch:mechaniker", "hc:mechaniker"} <= set(features)


def test_a_stored_model_reads_compounds_as_the_trained_one_did(tmp_path: Path) -> None:
    titles = ["Mechaniker/in", "Industriekaufmann/-frau", "Maurer/in", "Hochbaufacharbeiter/in", "Koch/Köchin"]
    codes = ["25102", "71302", "32122", "32102", "29302"]
    model = train_title_classifier(titles, codes, C=1.0)
    model.save(tmp_path, {})
    loaded = TitleClassifier.load(tmp_path)
    assert np.allclose(loaded.score("industriemechaniker"), model.score("industriemechaniker"), atol=1e-2)
    assert model.top_k("Industriemechaniker", 1)[0][0] == "25102"
