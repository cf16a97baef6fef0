"""The numpy TF-IDF used at run time gives the vectors scikit-learn trained on."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from recommender.occupations.title_features import title_features
from recommender.occupations.vectorise import TfidfTable, char_wb_ngrams

TRAIN = ["verkäufer einzelhandel", "koch", "staplerfahrer lager", "kfz mechatroniker", "a b"]


@pytest.mark.parametrize("text", [*TRAIN, "verkäufer koch koch", "xyz", "lagerhelfer"])
def test_runtime_vectors_equal_scikit_learns(text: str) -> None:
    for analyser, runtime in (("char_wb", char_wb_ngrams), (title_features, title_features)):
        options = {"ngram_range": (2, 5)} if analyser == "char_wb" else {}
        fitted = TfidfVectorizer(analyzer=analyser, sublinear_tf=True, dtype=np.float32, **options).fit(TRAIN)
        table = TfidfTable(dict(fitted.vocabulary_), fitted.idf_.astype(np.float32), runtime)
        expected = fitted.transform([text]).toarray()[0]
        columns, values = table.transform(text)
        got = np.zeros_like(expected)
        got[columns] = values
        assert np.allclose(got, expected, atol=1e-6)
