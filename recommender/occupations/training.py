"""Train the title classifier from the shipped KldB titles and ESCO synonyms (scikit-learn).

Kept apart from ``classifier`` so that serving never imports scikit-learn: the trained linear
heads and TF-IDF tables are stored as plain arrays and applied with numpy there.

Rebuild the shipped artefact with one command (``make occupations-model``; about 10-15 minutes
on two cores), which runs ``python -m recommender.occupations.training``: it trains on every
official title, then calibrates the confidence on the TUNE half of
``../shared/data/job_titles/titles_freetext_dev.csv`` when that folder is present (else it keeps
the calibration of the artefact it replaces and says so).
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

from data.esco import esco_label_groups
from data.kldb import occupations_at_level
from recommender.occupations.classifier import (
    ARTEFACT_DIR,
    HEADS,
    SYNONYM_CODES,
    Calibration,
    TitleClassifier,
    fit_calibration,
)
from recommender.occupations.normalise import normalise_title
from recommender.occupations.title_features import title_features
from recommender.occupations.vectorise import CHAR_NGRAMS, SparseColumns, TfidfTable, char_wb_ngrams

# Chosen on the official-title TUNE split (bench/occupations.py, issue 5 work): C 0.5 -> 2 gave
# +1.1 points top-1; more weight on the 4-/3-digit parents +0.8 top-10; damping the word
# features +0.5 top-1; pruning below 0.05 keeps the artefact small at -0.1 points.
DEFAULT_WEIGHTS = {"l5": 1.0, "l4": 1.0, "l3": 1.5, "l2": 0.5, "lev": 1.0}
logger = logging.getLogger(__name__)
FREETEXT = Path(__file__).resolve().parents[3] / "shared" / "data" / "job_titles" / "titles_freetext_dev.csv"


def training_examples(exclude: Iterable[str] = ()) -> tuple[list[str], list[str]]:
    """Titles and codes from the shipped KldB: every Berufsgattung's names and official titles.

    Parameters
    ----------
    exclude : iterable of str
        Official titles to leave out (the benchmark removes its held-out titles here).
    """
    skip = set(exclude)
    titles: list[str] = []
    codes: list[str] = []
    for occupation in occupations_at_level(5):
        for text in (occupation.title, occupation.short_title, *occupation.example_titles):
            if text and text not in skip:
                titles.append(text)
                codes.append(occupation.code)
    return titles, codes


def _fit_head(features: object, labels: np.ndarray, c: float) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """One-vs-rest scores as (n_features, n_classes); one or two classes are handled too."""
    classes = sorted(set(labels.tolist()))
    n_features = features.shape[1]  # type: ignore[attr-defined]
    if len(classes) == 1:  # nothing to decide at this level
        return np.zeros((n_features, 1), np.float32), np.zeros(1, np.float32), classes
    svc = LinearSVC(C=c, random_state=42).fit(features, labels)
    coef, intercept = svc.coef_.T.astype(np.float32), svc.intercept_.astype(np.float32)
    if len(classes) == 2:  # liblinear returns one column for the second class
        coef, intercept = np.hstack([-coef, coef]), np.concatenate([-intercept, intercept])
    return coef, intercept, [str(c) for c in svc.classes_]


def _sparse_columns(coef: np.ndarray, prune: float) -> SparseColumns:
    from scipy import sparse  # scikit-learn depends on it; only training needs it here

    coef[np.abs(coef) < prune] = 0.0
    matrix = sparse.csr_matrix(coef.astype(np.float16).astype(np.float32))  # the precision the artefact keeps
    return SparseColumns(matrix.data, matrix.indices.astype(np.int32), matrix.indptr.astype(np.int32), coef.shape[1])


def _gazetteer(normalised: Sequence[str], codes: Sequence[str]) -> dict[str, tuple[str, ...]]:
    found: dict[str, Counter[str]] = {}
    for text, code in zip(normalised, codes, strict=True):
        if text:
            found.setdefault(text, Counter())[code] += 1
    return {text: tuple(code for code, _ in counter.most_common()) for text, counter in found.items()}


def _synonym_votes(model: TitleClassifier,
                   groups: Sequence[Sequence[str]]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Normalised synonym -> (code indices, weights in (0, 1]) of its groups' top codes.

    Each group votes with the model's own probabilities for all of its names, so a rare name
    ("Takelmacher") borrows what the model knows about its common synonyms.
    """
    labels = [(g, normalise_title(name)) for g, names in enumerate(groups) for name in names]
    labels = [(g, name) for g, name in labels if name]
    votes = np.zeros((len(groups), len(model.codes_)), dtype=np.float32)
    for group, name in labels:
        probs = model.probabilities(model.score(name))
        top = np.argsort(-probs)[:10]
        votes[group, top] += probs[top]
    votes /= np.maximum(votes.sum(axis=1, keepdims=True), 1e-9)
    groups_of: dict[str, list[int]] = {}
    for group, name in labels:
        groups_of.setdefault(name, []).append(group)
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for name, members in groups_of.items():
        vote = votes[sorted(set(members))].mean(axis=0)
        best = np.argsort(-vote)[:SYNONYM_CODES]
        out[name] = (best.astype(np.int32), (vote[best] / vote[best[0]]).astype(np.float32))
    return out


def train_title_classifier(titles: Sequence[str], codes: Sequence[str], synonym_groups: Sequence[Sequence[str]] = (),
                           *, C: float = 2.0, weights: dict[str, float] | None = None,  # noqa: N803 (sklearn's name)
                           word_weight: float = 0.6, prune: float = 0.05,
                           temperature: float = 2.0) -> TitleClassifier:
    """Train every head on raw *titles* (normalised here) with their 5-digit *codes*.

    Parameters
    ----------
    C : float, default=2.0
        Regularisation of each LinearSVC head (titles are short, most codes have few of them).
    weights : dict of str to float, optional
        Weight of each head (``l5``, ``l4``, ``l3``, ``l2``, ``lev``) in a code's score.
    word_weight : float, default=0.6
        Scale of the word-feature block against the character n-gram block.
    prune : float, default=0.05
        Coefficients smaller in magnitude are dropped (a smaller artefact, a faster load).
    temperature : float, default=2.0
        Softmax sharpness that turns scores into confidences.
    synonym_groups : sequence of sequences of str
        Names that mean the same job (ESCO occupations); a title that is one of them also gets
        the codes the trained model gives the whole group.
    """
    if len(titles) != len(codes) or not titles:
        raise ValueError(f"need as many codes as titles (>0); got {len(titles)} titles, {len(codes)} codes")
    normalised = [normalise_title(t) for t in titles]
    char = TfidfVectorizer(analyzer="char_wb", ngram_range=CHAR_NGRAMS, sublinear_tf=True, dtype=np.float32)
    word = TfidfVectorizer(analyzer=title_features, sublinear_tf=True, dtype=np.float32)
    from scipy import sparse  # scikit-learn depends on it; only training needs it here

    features = sparse.hstack([char.fit_transform(normalised), word_weight * word.fit_transform(normalised)]).tocsr()
    all_codes = np.array(sorted(set(codes)))
    heads: dict[str, tuple[SparseColumns, np.ndarray, np.ndarray]] = {}
    for head, part in HEADS.items():
        coef, intercept, classes = _fit_head(features, np.array([code[part] for code in codes]), C)
        index = np.array([classes.index(code[part]) for code in all_codes])
        heads[head] = (_sparse_columns(coef, prune), intercept, index)
    model = TitleClassifier(
        char=TfidfTable(dict(char.vocabulary_), char.idf_.astype(np.float32), char_wb_ngrams),
        word=TfidfTable(dict(word.vocabulary_), word.idf_.astype(np.float32), title_features),
        word_weight=word_weight, codes=all_codes, heads=heads, weights=dict(weights or DEFAULT_WEIGHTS),
        temperature=temperature, gazetteer=_gazetteer(normalised, codes),
        meta={"C": C, "prune": prune})
    model.synonyms_ = _synonym_votes(model, synonym_groups)
    return model


def freetext_halves(path: Path = FREETEXT) -> dict[str, list[dict[str, str]]]:
    """The free-text dev titles in a TUNE and a REPORT half, deterministic and documented.

    Variants of one job ad ("Logopäde (m/w/d)", "Logopäde / Logopädin (m/w/d) für Hausbesuche")
    share their first word, so the split is by first word (as the file itself was cut from its
    holdout): within each source (job ads, survey answers) the first words are ordered by their
    SHA-256 and dealt alternately to TUNE and REPORT, which keeps both sources in both halves.
    """
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    groups: dict[tuple[str, str], list[dict[str, str]]] = {}
    for row in rows:
        words = normalise_title(row["title"]).split()
        groups.setdefault((row["source"].split(":")[0], words[0] if words else ""), []).append(row)
    halves: dict[str, list[dict[str, str]]] = {"tune": [], "report": []}
    for source in sorted({source for source, _ in groups}):
        keys = sorted((key for key in groups if key[0] == source),
                      key=lambda key: hashlib.sha256("|".join(key).encode()).hexdigest())
        for i, key in enumerate(keys):
            halves["tune" if i % 2 == 0 else "report"].extend(groups[key])
    return halves


def calibrate(model: TitleClassifier, rows: Sequence[dict[str, str]], *, fitted_on: str) -> Calibration:
    """Isotonic calibration of the first suggestion's confidence on *rows* (title, kldb5)."""
    confidences, correct = [], []
    for row in rows:
        code, confidence, _ = model.top_k(row["title"], 1)[0]
        confidences.append(confidence)
        correct.append(code == row["kldb5"])
    return fit_calibration(confidences, correct, fitted_on=fitted_on)


def finish(model: TitleClassifier, directory: Path) -> Path:
    """Calibrate a trained model on the free-text TUNE half and save it to *directory*.

    Kept apart from fitting so a new calibration (after a change to how free text is read)
    needs no refit: ``python -m recommender.occupations.training --recalibrate``.
    """
    previous = directory / "occupations.json"
    old = json.loads(previous.read_text(encoding="utf-8")).get("calibration") if previous.is_file() else None
    if FREETEXT.is_file():
        model.calibration_ = calibrate(model, freetext_halves()["tune"],
                                       fitted_on="TUNE half of titles_freetext_dev.csv (bench/occupations.py)")
    elif old:
        logger.warning("%s is absent: keeping the previous calibration (%s)", FREETEXT, old["fitted_on"])
        model.calibration_ = Calibration(**old)
    meta = {**model.meta_,
            "trained_on": "KldB 2010 (revised 2020) titles and official job titles, data/reference/kldb2010.csv; "
                          "synonyms: ESCO v1.2.0 German labels, data/reference/esco_occupations_de.csv"}
    return model.save(directory, meta)


def train_shipped_model(directory: Path = ARTEFACT_DIR) -> Path:
    """Retrain the shipped model from ``data/reference/``, then ``finish`` it (see the module docstring)."""
    titles, codes = training_examples()
    return finish(train_title_classifier(titles, codes, esco_label_groups()), directory)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if "--recalibrate" in sys.argv[1:]:
        logger.info("wrote %s", finish(TitleClassifier.load(ARTEFACT_DIR), ARTEFACT_DIR))
    else:
        logger.info("wrote %s", train_shipped_model())
