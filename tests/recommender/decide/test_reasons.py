"""Explanations are faithful to the model, plain and bilingual."""

from __future__ import annotations

import math
import re

from recommender.decide.features import ALLOWED_FEATURES
from recommender.decide.reasons import MAX_WORDS, explain
from tests.recommender import simulated_model as sm


def test_explanations_are_faithful_plain_and_bilingual() -> None:
    model = sm.trained().model
    row = sm.data(5000).features[3]
    features = dict(zip(ALLOWED_FEATURES, row.astype(float), strict=True))
    module = "cv_documents"
    reasons = explain(model, features, module, top=3)
    contributions = model.contributions(features, module)
    expected = sorted((n for n, v in contributions.items() if v != 0), key=lambda n: -abs(contributions[n]))[:3]
    assert [r.feature for r in reasons] == expected
    for reason in reasons:
        assert math.copysign(1, reason.contribution) == math.copysign(1, contributions[reason.feature])
        for text in (reason.text_de, reason.text_en):
            assert reason.feature not in text and "_" not in text
            for sentence in re.split(r"(?<=\.)\s+", text):
                assert len(sentence.split()) <= MAX_WORDS
