"""TF-IDF features of a title with numpy alone, so loading the model needs no scikit-learn.

Importing scikit-learn took most of the model's cold start (1.6 s of 2 s, issue 16). Training
still uses ``TfidfVectorizer``; at run time this module rebuilds the same vectors from the
stored vocabulary and idf weights: character n-grams of 2-5 inside word boundaries (the
``char_wb`` analyser: each word padded with one space, a word shorter than *n* gives one
shorter n-gram), sublinear term frequency ``1 + log(count)``, times idf, L2-normalised.
A test checks both give the same vectors.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

CHAR_NGRAMS = (2, 5)


def char_wb_ngrams(text: str, low: int = CHAR_NGRAMS[0], high: int = CHAR_NGRAMS[1]) -> list[str]:
    """Character n-grams of each space-padded word of the lower-cased *text*.

    Examples
    --------
    >>> char_wb_ngrams("Koch", 4, 5)
    [' koc', 'koch', 'och ', ' koch', 'koch ']
    """
    out: list[str] = []
    for word in text.lower().split():
        padded = f" {word} "
        for n in range(low, high + 1):
            if len(padded) <= n:
                out.append(padded)
                break
            out.extend(padded[i: i + n] for i in range(len(padded) - n + 1))
    return out


@dataclass
class TfidfTable:
    """Vocabulary and idf weights of one fitted TF-IDF block, applied with numpy only."""

    vocabulary: dict[str, int]
    idf: np.ndarray
    analyse: Callable[[str], Iterable[str]]

    def transform(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(column indices, values) of the L2-normalised sublinear TF-IDF row of *text*."""
        counts = Counter(i for i in map(self.vocabulary.get, self.analyse(text)) if i is not None)
        if not counts:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        columns = np.fromiter(counts.keys(), np.int64, len(counts))
        tf = 1.0 + np.log(np.fromiter(counts.values(), np.float32, len(counts)))
        values = tf * self.idf[columns]
        return columns, (values / np.linalg.norm(values)).astype(np.float32)


@dataclass
class SparseColumns:
    """A (n_features, n_classes) CSR matrix as three arrays; rows are gathered for a sparse input."""

    data: np.ndarray
    indices: np.ndarray
    indptr: np.ndarray
    n_classes: int

    def dot(self, columns: np.ndarray, values: np.ndarray) -> np.ndarray:
        """``x @ M`` for one sparse row *x* given as (column indices, values): shape (n_classes,)."""
        starts, ends = self.indptr[columns], self.indptr[columns + 1]
        lengths = ends - starts
        total = int(lengths.sum())
        if total == 0:
            return np.zeros(self.n_classes, np.float32)
        offsets = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths) + np.arange(total)
        weights = self.data[offsets].astype(np.float32) * np.repeat(values, lengths)
        return np.bincount(self.indices[offsets], weights=weights, minlength=self.n_classes).astype(np.float32)
