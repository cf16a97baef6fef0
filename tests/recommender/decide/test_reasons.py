"""Explanations are faithful to the model, plain and bilingual."""

from __future__ import annotations

import itertools
import re

from recommender.decide.features import ALLOWED_FEATURES
from recommender.decide.reasons import MAX_WORDS, SUPPORTING, argues_for, explain
from tests.recommender import simulated_model as sm


def test_explanations_are_faithful_plain_and_bilingual() -> None:
    model = sm.trained().model
    rows = sm.data(5000).features[:100]
    explained = 0
    for row, module in itertools.product(rows, sorted(SUPPORTING)):
        if not model.knows(module):
            continue
        features = dict(zip(ALLOWED_FEATURES, row.astype(float), strict=True))
        reasons = explain(model, features, module, top=3)
        contributions = model.contributions(features, module)
        expected = sorted((n for n, v in contributions.items() if v > 0 and argues_for(module, n, features)),
                          key=lambda n: -contributions[n])[:3]
        assert [r.feature for r in reasons] == expected
        explained += bool(reasons)
        for reason in reasons:
            assert reason.contribution == contributions[reason.feature] > 0
            for text in (reason.text_de, reason.text_en):
                assert reason.feature not in text and "_" not in text
                for sentence in re.split(r"(?<=\.)\s+", text):
                    assert len(sentence.split()) <= MAX_WORDS
    assert explained > 0
