"""The numpy TF-IDF used at run time gives the vectors scikit-learn trained on."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from recommender.occupations.title_features import CompoundFeatures, title_features
from recommender.occupations.vectorise import Neighbours, SparseColumns, TfidfTable, char_wb_ngrams

TRAIN = ["verkäufer einzelhandel", "koch", "staplerfahrer lager", "kfz mechatroniker", "a b"]


@pytest.mark.parametrize("text", [*TRAIN, "verkäufer koch koch", "xyz", "lagerhelfer", "staplerkoch"])
def test_runtime_vectors_equal_scikit_learns(text: str) -> None:
    compounds = CompoundFeatures(word for title in TRAIN for word in title.split())
    for analyser, runtime in (("char_wb", char_wb_ngrams), (title_features, title_features), (compounds, compounds)):
        options = {"ngram_range": (2, 5)} if analyser == "char_wb" else {}
        fitted = TfidfVectorizer(analyzer=analyser, sublinear_tf=True, dtype=np.float32, **options).fit(TRAIN)
        table = TfidfTable(dict(fitted.vocabulary_), fitted.idf_.astype(np.float32), runtime)
        expected = fitted.transform([text]).toarray()[0]
        columns, values = table.transform(text)
        got = np.zeros_like(expected)
        got[columns] = values
        assert np.allclose(got, expected, atol=1e-6)


def test_each_code_gets_the_similarity_of_its_closest_training_title() -> None:
    fitted = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, dtype=np.float32).fit(TRAIN)
    rows = fitted.transform(TRAIN).T.tocsr()  # titles 0-1 are code 0, 2-4 code 1
    neighbours = Neighbours(SparseColumns(rows.data, rows.indices, rows.indptr, len(TRAIN)), np.array([0, 2]),
                            np.array([2, 0]))
    table = TfidfTable(dict(fitted.vocabulary_), fitted.idf_.astype(np.float32), char_wb_ngrams)
    nearest = neighbours.nearest(*table.transform("staplerfahrer lager"), n_codes=3)
    assert nearest[0] == pytest.approx(1.0, abs=1e-5)  # title 2 itself, filed under model column 0
    assert 0.0 < nearest[2] < 0.5 and nearest[1] == 0.0  # a code without titles scores nothing
