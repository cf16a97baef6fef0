"""The model report shows each figure rounded, with its scale and meaning."""

from __future__ import annotations

import html

from recommender.decide.metric_glossary import GLOSSARY
from recommender.evaluate.model_report import render_html


def test_qini_is_shown_rounded_with_its_scale_and_meaning() -> None:
    page = render_html("v1", {"simulation": {"qini_coefficient": 0.004925414055898581}}, {})
    assert "Qini coefficient: 0.49 percentage points - " in page
    assert html.escape(GLOSSARY["qini_coefficient"].meaning) in page
    assert "0.004925414055898581" not in page


def test_missing_qini_says_it_was_not_computed() -> None:
    assert "Qini coefficient: not computed" in render_html("v1", {}, {})
