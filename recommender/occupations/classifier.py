"""Job title -> KldB 2010 occupation (5-digit Berufsgattung), with a confidence.

How a title is matched, in order:

1. ``normalise_title`` folds gender forms, plurals and spelling (``Verkäuferin (m/w/d)`` ->
   ``verkäufer``) with spaCy's blank German pipeline and lookup lemmatizer.
2. A gazetteer of the official titles of the KldB (the ~18,800 Berufsbenennungen the BA
   lists under each Berufsgattung, plus the Berufsgattung names) answers exact matches.
3. Otherwise a linear model over character n-grams and German word features (compound
   heads, first-word head, word pairs) scores every code. It is hierarchical: separate
   heads score the 5-digit code, its 4-, 3- and 2-digit parents and the skill level (5th
   digit, decided by qualifiers such as ``Helfer``, ``Meister``, ``(Uni)``); a code's score
   is the weighted sum of its own and its parents' scores, so evidence for "a Helfer job in
   Gartenbau" reaches ``12101`` even if no training title looked like the input.
4. A title that is an ESCO synonym ("Klarinettist") also gets the codes the model gives all
   names of its ESCO occupation (``data.esco``): spelling alone does not tell that a
   Klarinettist is a musician, but its synonyms "Musiker", "Geiger" and "Gitarrist" do.

Everything is trained only on shipped files, the KldB and the ESCO labels (free reuse with
attribution, see ``data/README.md``). Artefacts are a compressed ``.npz`` of arrays plus JSON
metadata with its SHA-256 (checked before loading), never pickles.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC
from sklearn.utils.validation import check_is_fitted

from data.esco import esco_label_groups
from data.kldb import get_occupation, occupations_at_level
from recommender.occupations.errors import ModelArtefactError
from recommender.occupations.normalise import normalise_title
from recommender.occupations.title_features import title_features

logger = logging.getLogger(__name__)

ARTEFACT_DIR = Path(__file__).resolve().parent / "artefacts"
HEADS: dict[str, slice] = {"l5": slice(0, 5), "l4": slice(0, 4), "l3": slice(0, 3), "l2": slice(0, 2),
                           "lev": slice(4, 5)}
# Chosen on the TUNE split of bench/occupations.py (TEST titles never used for a decision): more
# weight on the 4- and 3-digit parents lifts TUNE top-10 by 0.8 points (top-1 +0.15).
DEFAULT_WEIGHTS = {"l5": 1.0, "l4": 1.0, "l3": 1.5, "l2": 0.5, "lev": 1.0}
MAX_TEXT = 500
_EXACT_CONFIDENCE = 0.97
# A title that is an ESCO synonym gets its synonym group's three most voted codes lifted by
# this much (in units of the combined score). Chosen on the TUNE split of bench/occupations.py:
# 3 lifted TUNE top-1 by 0.8, top-3 by 0.8 and top-10 by 0.6 points (2 and 4 were not better).
SYNONYM_WEIGHT = 3.0
_SYNONYM_CODES = 3
_BAD_K = "k must be between 1 and 50; got {k}"


@dataclass(frozen=True)
class OccupationSuggestion:
    """One suggested Berufsgattung.

    Attributes
    ----------
    code : str
        5-digit KldB 2010 code.
    title, short_title : str
        Official names.
    confidence : float
        In (0, 1]; the suggestions of one query sum to at most 1.
    matched_by : str
        ``"official_title"`` (exact gazetteer match) or ``"model"``.
    """

    code: str
    title: str
    short_title: str
    confidence: float
    matched_by: str


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


def _char_vectorizer(vocabulary: dict[str, int] | None = None) -> TfidfVectorizer:
    return TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, dtype=np.float32,
                           vocabulary=vocabulary)


def _word_vectorizer(vocabulary: dict[str, int] | None = None) -> TfidfVectorizer:
    return TfidfVectorizer(analyzer=title_features, sublinear_tf=True, dtype=np.float32, vocabulary=vocabulary)


class TitleClassifier(BaseEstimator):
    """Hierarchical linear title classifier (scikit-learn estimator contract).

    Parameters
    ----------
    C : float, default=2.0
        Regularisation of each LinearSVC head. Titles are short and most codes have fewer than
        ten of them, so weak regularisation fits better (TUNE top-1 with the former weights:
        C 0.25 63.7 %, 0.5 65.6 %, 1 66.2 %, 2 66.7 %, 4 66.3 %).
    weights : dict of str to float, optional
        Weight of each head (``l5``, ``l4``, ``l3``, ``l2``, ``lev``) in a code's score.
    word_weight : float, default=0.6
        Scale of the word-feature block against the character n-gram block (each is L2-normed).
        Word features are sparse and sharp; damping them lets the character n-grams, which also
        see unseen compounds, decide more often (TUNE top-1 +0.5 points against 1.0; 1.5 and
        0.35 were not better).
    prune : float, default=0.05
        Coefficients smaller in magnitude are dropped, keeping the artefact small and its load
        fast (3.4 million weights remain instead of 4.9 million at 0.03; TUNE top-1 -0.1 points).
    temperature : float, default=2.0
        Softmax sharpness that turns scores into confidences. 2.0 keeps the confidence scale that
        callers' thresholds were set on (``journey.MIN_TITLE_CONFIDENCE``): on TUNE the mean top-1
        confidence is 77 % as with the previous model, for 67 % top-1 accuracy (1.5 would match
        the two and has the lowest log-loss, but would push typo matches under that threshold).
    """

    def __init__(self, *, C: float = 2.0, weights: dict[str, float] | None = None, word_weight: float = 0.6,
                 prune: float = 0.05, temperature: float = 2.0) -> None:
        self.C = C
        self.weights = weights
        self.word_weight = word_weight
        self.prune = prune
        self.temperature = temperature

    def fit(self, titles: Sequence[str], codes: Sequence[str],
            synonym_groups: Sequence[Sequence[str]] = ()) -> TitleClassifier:
        """Train every head on raw *titles* (normalised here) with their 5-digit *codes*.

        *synonym_groups* are names that mean the same job (ESCO occupations, ``data.esco``); a
        title that is one of them also gets the codes the trained model gives the whole group.
        """
        if len(titles) != len(codes) or not titles:
            raise ValueError(f"need as many codes as titles (>0); got {len(titles)} titles, {len(codes)} codes")
        normalised = [normalise_title(t) for t in titles]
        self.char_vectorizer_ = _char_vectorizer()
        self.word_vectorizer_ = _word_vectorizer()
        self.char_vectorizer_.fit(normalised)
        self.word_vectorizer_.fit(normalised)
        features = self._features(normalised)
        self.codes_ = np.array(sorted(set(codes)))
        self.weights_ = dict(self.weights or DEFAULT_WEIGHTS)
        self.heads_: dict[str, tuple[sparse.csr_matrix, np.ndarray, np.ndarray]] = {}
        for head, part in HEADS.items():
            labels = np.array([code[part] for code in codes])
            coef, intercept, classes = self._fit_head(features, labels)
            coef[np.abs(coef) < self.prune] = 0.0
            coef = coef.astype(np.float16).astype(np.float32)  # what the artefact stores
            index = np.array([classes.index(code[part]) for code in self.codes_])
            self.heads_[head] = (sparse.csr_matrix(coef), intercept, index)
        self.gazetteer_ = _gazetteer(normalised, codes)
        self.synonyms_ = self._synonym_votes(synonym_groups)
        return self

    def _synonym_votes(self, groups: Sequence[Sequence[str]]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Normalised synonym -> (code indices, weights in (0, 1]) of its groups' top codes.

        Each group votes with the model's own probabilities for all of its names, so a rare
        name ("Takelmacher") borrows what the model knows about its common synonyms.
        """
        labels = [(g, normalise_title(name)) for g, names in enumerate(groups) for name in names]
        labels = [(g, name) for g, name in labels if name]
        if not labels:
            return {}
        votes = np.zeros((len(groups), len(self.codes_)), dtype=np.float32)
        for start in range(0, len(labels), 2000):
            chunk = labels[start:start + 2000]
            scores = self.decision_function([name for _, name in chunk])
            probs = np.exp(self.temperature * (scores - scores.max(axis=1, keepdims=True)))
            probs /= probs.sum(axis=1, keepdims=True)
            top = np.argsort(-probs, axis=1)[:, :10]
            for row, (group, _) in enumerate(chunk):
                votes[group, top[row]] += probs[row, top[row]]
        votes /= np.maximum(votes.sum(axis=1, keepdims=True), 1e-9)
        groups_of: dict[str, list[int]] = {}
        for group, name in labels:
            groups_of.setdefault(name, []).append(group)
        out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for name, members in groups_of.items():
            vote = votes[sorted(set(members))].mean(axis=0)
            best = np.argsort(-vote)[:_SYNONYM_CODES]
            out[name] = (best.astype(np.int32), (vote[best] / vote[best[0]]).astype(np.float32))
        return out

    def _fit_head(self, features: sparse.csr_matrix, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[str]]:
        """One-vs-rest scores as (n_features, n_classes); one or two classes are handled too."""
        classes = sorted(set(labels.tolist()))
        if len(classes) == 1:  # nothing to decide at this level
            return np.zeros((features.shape[1], 1), np.float32), np.zeros(1, np.float32), classes
        svc = LinearSVC(C=self.C, random_state=42).fit(features, labels)
        coef, intercept = svc.coef_.T.astype(np.float32), svc.intercept_.astype(np.float32)
        if len(classes) == 2:  # liblinear returns one column for the second class
            coef, intercept = np.hstack([-coef, coef]), np.concatenate([-intercept, intercept])
        return coef, intercept, [str(c) for c in svc.classes_]

    def _features(self, normalised: Sequence[str]) -> sparse.csr_matrix:
        return sparse.hstack([self.char_vectorizer_.transform(normalised),
                              self.word_weight * self.word_vectorizer_.transform(normalised)]).tocsr()

    def decision_function(self, normalised: Sequence[str]) -> np.ndarray:
        """Combined scores, shape (n_texts, n_codes), for texts already normalised."""
        check_is_fitted(self, "heads_")
        features = self._features(normalised)
        total = np.zeros((len(normalised), len(self.codes_)), dtype=np.float32)
        for head, (coef, intercept, index) in self.heads_.items():
            scores = (features @ coef).toarray() + intercept
            total += self.weights_[head] * scores[:, index]
        return total

    def top_k(self, text: str, k: int = 10) -> list[tuple[str, float, str]]:
        """``(code, confidence, matched_by)`` for one raw text, best first."""
        normalised = normalise_title(text)
        scores = self.decision_function([normalised])[0]
        vote = self.synonyms_.get(normalised)
        if vote is not None:
            scores[vote[0]] += SYNONYM_WEIGHT * vote[1]
        z = self.temperature * (scores - scores.max())
        probs = np.exp(z) / np.exp(z).sum()
        order = np.argsort(-probs)[: k + 5]
        result: list[tuple[str, float, str]] = []
        exact = self.gazetteer_.get(normalised, ())
        if exact:
            share = _EXACT_CONFIDENCE / len(exact)
            result = [(code, share, "official_title") for code in exact]
            rest = 1.0 - _EXACT_CONFIDENCE
            taken = set(exact)
            result += [(str(self.codes_[i]), float(probs[i]) * rest, "model") for i in order
                       if self.codes_[i] not in taken]
        else:
            result = [(str(self.codes_[i]), float(probs[i]), "model") for i in order]
        return result[:k]

    # -- artefacts: arrays in .npz, metadata in JSON, never pickles --------------------------
    def save(self, directory: Path) -> Path:
        check_is_fitted(self, "heads_")
        directory.mkdir(parents=True, exist_ok=True)
        arrays: dict[str, np.ndarray] = {
            "char_vocab": _pack(_terms(self.char_vectorizer_)),
            "char_idf": self.char_vectorizer_.idf_.astype(np.float32),
            "word_vocab": _pack(_terms(self.word_vectorizer_)),
            "word_idf": self.word_vectorizer_.idf_.astype(np.float32),
            "codes": self.codes_,
            "gazetteer_keys": _pack(list(self.gazetteer_)),
            "gazetteer_values": _pack(["|".join(v) for v in self.gazetteer_.values()]),
            "synonym_keys": _pack(list(self.synonyms_)),
            "synonym_codes": np.array([v[0] for v in self.synonyms_.values()], np.int32).reshape(-1, _SYNONYM_CODES),
            "synonym_weights": np.array([v[1] for v in self.synonyms_.values()],
                                        np.float16).reshape(-1, _SYNONYM_CODES),
        }
        for head, (coef, intercept, index) in self.heads_.items():
            coef = coef.copy()
            coef.eliminate_zeros()
            arrays[f"{head}_data"], arrays[f"{head}_indices"], arrays[f"{head}_indptr"] = (
                coef.data.astype(np.float16), coef.indices.astype(np.int32), coef.indptr.astype(np.int32))
            arrays[f"{head}_shape"] = np.array(coef.shape)
            arrays[f"{head}_intercept"], arrays[f"{head}_index"] = intercept, index
        path = directory / "occupations.npz"
        # numpy's stub types **kwds as if a key could be its bool allow_pickle, which none of ours is.
        np.savez_compressed(path, **arrays)  # type: ignore[arg-type]
        meta = {"format": 4, "sha256": _sha256(path), "C": self.C, "weights": self.weights_,
                "word_weight": self.word_weight, "prune": self.prune, "temperature": self.temperature,
                "n_codes": len(self.codes_), "synonym_weight": SYNONYM_WEIGHT, "n_synonyms": len(self.synonyms_),
                "trained_on": "KldB 2010 (revised 2020) titles and official job titles, data/reference/kldb2010.csv; "
                              "synonyms: ESCO v1.2.0 German labels, data/reference/esco_occupations_de.csv"}
        (directory / "occupations.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n",
                                                    encoding="utf-8")
        return path

    @classmethod
    def load(cls, directory: Path) -> TitleClassifier:
        """Load artefacts written by :meth:`save`; refuses files whose hash does not match."""
        meta_path, path = directory / "occupations.json", directory / "occupations.npz"
        if not meta_path.is_file() or not path.is_file():
            raise ModelArtefactError(
                f"no occupation model in {directory}; run `python -m recommender.occupations.classifier`")
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if _sha256(path) != meta["sha256"]:
            raise ModelArtefactError(f"{path} does not match the SHA-256 in {meta_path}; refusing to load it")
        model = cls(C=meta["C"], weights=meta["weights"], word_weight=meta["word_weight"], prune=meta["prune"],
                    temperature=meta["temperature"])
        with np.load(path, allow_pickle=False) as arrays:
            model.char_vectorizer_ = _restore(_char_vectorizer, _unpack(arrays["char_vocab"]), arrays["char_idf"])
            model.word_vectorizer_ = _restore(_word_vectorizer, _unpack(arrays["word_vocab"]), arrays["word_idf"])
            model.codes_ = arrays["codes"]
            model.weights_ = dict(meta["weights"])
            model.heads_ = {}
            for head in HEADS:
                data = arrays[f"{head}_data"].astype(np.float32)
                coef = sparse.csr_matrix((data, arrays[f"{head}_indices"], arrays[f"{head}_indptr"]),
                                         shape=tuple(arrays[f"{head}_shape"]))
                model.heads_[head] = (coef, arrays[f"{head}_intercept"], arrays[f"{head}_index"])
            model.gazetteer_ = {
                key: tuple(value.split("|"))
                for key, value in zip(_unpack(arrays["gazetteer_keys"]), _unpack(arrays["gazetteer_values"]),
                                      strict=True)
            }
            model.synonyms_ = {}
            if "synonym_keys" in arrays.files:  # format 4 on
                # Each ``arrays[name]`` decompresses the whole member again: read once, then index.
                codes = arrays["synonym_codes"]
                weights = arrays["synonym_weights"].astype(np.float32)
                model.synonyms_ = {key: (codes[i], weights[i])
                                   for i, key in enumerate(_unpack(arrays["synonym_keys"]))}
        return model


def _gazetteer(normalised: Sequence[str], codes: Sequence[str]) -> dict[str, tuple[str, ...]]:
    found: dict[str, Counter[str]] = {}
    for text, code in zip(normalised, codes, strict=True):
        if text:
            found.setdefault(text, Counter())[code] += 1
    return {text: tuple(code for code, _ in counter.most_common()) for text, counter in found.items()}


def _terms(vectorizer: TfidfVectorizer) -> list[str]:
    terms = [""] * len(vectorizer.vocabulary_)
    for term, index in vectorizer.vocabulary_.items():
        terms[index] = term
    return terms


def _pack(strings: Sequence[str]) -> np.ndarray:
    """Strings as newline-joined UTF-8 bytes: compact, and loadable without pickle."""
    if any("\n" in text for text in strings):
        raise ValueError("artefact strings must not contain newlines")
    return np.frombuffer("\n".join(strings).encode("utf-8"), dtype=np.uint8)


def _unpack(packed: np.ndarray) -> list[str]:
    return packed.tobytes().decode("utf-8").split("\n") if packed.size else []


def _restore(
    factory: Callable[[dict[str, int]], TfidfVectorizer], vocab: list[str], idf: np.ndarray
) -> TfidfVectorizer:
    vectorizer = factory({term: i for i, term in enumerate(vocab)})
    vectorizer.idf_ = idf
    return vectorizer


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


_LOAD_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def _load_shipped() -> TitleClassifier:
    return TitleClassifier.load(ARTEFACT_DIR)


def get_classifier() -> TitleClassifier:
    """The shipped model, loaded once per process (under a second).

    ``lru_cache`` alone lets two threads that miss at the same time both load it (twice the
    memory); the lock makes the second caller wait for the first load instead.
    """
    with _LOAD_LOCK:
        return _load_shipped()


def suggest_occupations(text: str, k: int = 10) -> list[OccupationSuggestion]:
    """Top-*k* KldB 5-digit occupations for a free-text job title.

    Parameters
    ----------
    text : str
        What a person typed, e.g. ``"Verkäuferin (m/w/d) Einzelhandel"``; at most 500 characters.
    k : int, default=10
        Number of suggestions (1-50).

    Returns
    -------
    list of OccupationSuggestion
        Best first; empty for blank text.

    Examples
    --------
    >>> suggest_occupations("Staplerfahrerin", k=1)[0].code
    '52531'
    """
    if not 1 <= k <= 50:
        raise ValueError(_BAD_K.format(k=k))
    text = (text or "")[:MAX_TEXT]
    if not text.strip():
        return []
    out = []
    for code, confidence, matched_by in get_classifier().top_k(text, k):
        occupation = get_occupation(code)
        if occupation is not None:
            out.append(OccupationSuggestion(code, occupation.title, occupation.short_title, confidence, matched_by))
    return out


def train_shipped_model(directory: Path = ARTEFACT_DIR) -> Path:
    """Retrain the shipped model from ``data/reference/`` (KldB titles, ESCO synonyms; a few minutes)."""
    titles, codes = training_examples()
    return TitleClassifier().fit(titles, codes, esco_label_groups()).save(directory)


if __name__ == "__main__":
    train_shipped_model()
