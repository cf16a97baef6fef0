"""Job title -> KldB 2010 occupation (5-digit Berufsgattung), with a calibrated confidence.

How a title is matched, in order:

1. ``job_ad.read_job_title`` takes off what never names an occupation (gender tags in every
   spelling, hours, "ab sofort", places, pay, company names), writes out abbreviations and
   jargon ("MFA", "Kfz", "AE"), splits the **main title** from the specialisation after a dash
   or in brackets and reads a skill level from the wording (Helfer -> 1, Meister -> 3).
2. ``normalise_title`` folds gender forms, plurals and inflection (``Verkäuferin`` ->
   ``verkäufer``) with rules of its own (no lemma tables to load).
3. A gazetteer of the official titles (the ~18,800 Berufsbenennungen of the KldB and the
   Berufsgattung names) answers exact matches of the whole text, the cleaned text or its main title.
4. Otherwise a linear model over character n-grams and German word features scores every code.
   It is hierarchical: heads for the 5-digit code, its 4-, 3- and 2-digit parents and the skill
   level add up, so evidence for "a Helfer job in Gartenbau" reaches ``12101`` even if no training
   title looked like the input.
5. A title that is an ESCO synonym ("Klarinettist") also gets the codes the model gives all
   names of its ESCO occupation (``data.esco``).
6. The first suggestion's softmax confidence is mapped to the **chance that it is right**, an
   isotonic (monotone) calibration fitted on the TUNE half of the free-text job titles
   (``bench/occupations.py``). Below ``UNSURE_BELOW`` the onboarding asks instead of guessing.

This module only loads and applies the model (numpy; no scikit-learn, no spaCy), so a fresh
process is ready in well under a second. Training is in ``training.py``. Artefacts are a
compressed ``.npz`` of arrays plus JSON metadata with its SHA-256 (checked before loading),
never pickles.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from data.kldb import get_occupation
from recommender.occupations.job_ad import JobTitle, read_job_title
from recommender.occupations.normalise import normalise_title
from recommender.occupations.title_features import title_features
from recommender.occupations.vectorise import SparseColumns, TfidfTable, char_wb_ngrams

logger = logging.getLogger(__name__)

ARTEFACT_DIR = Path(__file__).resolve().parent / "artefacts"
HEADS: dict[str, slice] = {"l5": slice(0, 5), "l4": slice(0, 4), "l3": slice(0, 3), "l2": slice(0, 2),
                           "lev": slice(4, 5)}
MAX_TEXT = 500
FORMAT = 5
_EXACT_CONFIDENCE = 0.97
# A title that is an ESCO synonym gets its synonym group's three most voted codes lifted by
# this much (in units of the combined score); chosen on the official-title TUNE split.
SYNONYM_WEIGHT = 3.0
SYNONYM_CODES = 3
# Below this calibrated chance that the first suggestion is right (more likely wrong than right),
# the onboarding asks for the field of work and the level instead of taking the first suggestion.
# On the free-text TUNE half it asks about 22 % of titles; the others are right 82 % of the time
# (0.6 would ask 31 % for 84 %, 0.4 asks 15 % for 78 %).
UNSURE_BELOW = 0.5
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


@dataclass(frozen=True)
class TitleAssessment:
    """What the classifier makes of a typed title, and how sure it is.

    Attributes
    ----------
    suggestions : list of OccupationSuggestion
        Best first.
    chance_right : float
        Calibrated probability that the first suggestion is the right code (0 when there is none).
    unsure : bool
        True when ``chance_right`` is below ``UNSURE_BELOW``: ask, do not guess.
    level : int or None
        Skill level (1-4) the wording states ("Helfer" -> 1), else None.
    """

    suggestions: list[OccupationSuggestion]
    chance_right: float
    unsure: bool
    level: int | None


@dataclass
class Calibration:
    """Monotone map from the first suggestion's confidence to the chance that it is right.

    ``points`` and ``chances`` are the knots of an isotonic regression (pool adjacent violators)
    fitted on held-out titles; between knots the chance is interpolated linearly, so it never
    falls when the confidence rises.
    """

    points: list[float] = field(default_factory=lambda: [0.0, 1.0])
    chances: list[float] = field(default_factory=lambda: [0.0, 1.0])
    fitted_on: str = "not calibrated: the confidence itself"

    def chance(self, confidence: float) -> float:
        return float(np.interp(confidence, self.points, self.chances))


def fit_calibration(confidences: Sequence[float], correct: Sequence[bool], *, fitted_on: str,
                    min_bin: int = 20) -> Calibration:
    """Isotonic calibration of *confidences* against *correct*, in pooled bins of at least *min_bin*.

    Pool adjacent violators: sort by confidence, start with bins of ``min_bin`` answers, merge
    neighbouring bins while a later bin is less often right than an earlier one.
    """
    order = np.argsort(confidences)
    conf, hit = np.asarray(confidences, float)[order], np.asarray(correct, float)[order]
    blocks = [[conf[i:i + min_bin].tolist(), hit[i:i + min_bin].tolist()] for i in range(0, len(conf), min_bin)]
    merged: list[list[list[float]]] = []
    for block in blocks:
        merged.append(block)
        while len(merged) > 1 and np.mean(merged[-2][1]) >= np.mean(merged[-1][1]):
            last = merged.pop()
            merged[-1] = [merged[-1][0] + last[0], merged[-1][1] + last[1]]
    points = [float(np.mean(c)) for c, _ in merged]
    chances = [float(np.mean(h)) for _, h in merged]
    return Calibration(points, chances, fitted_on)  # outside the knots np.interp keeps the end values


class TitleClassifier:
    """The trained title model, applied with numpy (built by ``training.train_title_classifier``).

    Attributes
    ----------
    codes_ : ndarray of str
        The 5-digit codes it ranks.
    heads_ : dict
        Per head (``l5``, ``l4``, ``l3``, ``l2``, ``lev``): coefficients, intercepts and the
        column of each code's parent in that head.
    gazetteer_ : dict of str to tuple of str
        Normalised official title -> its codes.
    synonyms_ : dict
        Normalised ESCO label -> (code indices, weights) of its synonym group's best codes.
    calibration_ : Calibration
        Confidence -> chance that the first suggestion is right.
    """

    def __init__(self, *, char: TfidfTable, word: TfidfTable, word_weight: float, codes: np.ndarray,
                 heads: dict[str, tuple[SparseColumns, np.ndarray, np.ndarray]], weights: dict[str, float],
                 temperature: float, gazetteer: dict[str, tuple[str, ...]],
                 synonyms: dict[str, tuple[np.ndarray, np.ndarray]] | None = None,
                 calibration: Calibration | None = None, meta: dict[str, object] | None = None) -> None:
        self.char_, self.word_, self.word_weight = char, word, word_weight
        self.codes_, self.heads_, self.weights_, self.temperature = codes, heads, weights, temperature
        self.gazetteer_ = gazetteer
        self.synonyms_ = synonyms or {}
        self.calibration_ = calibration or Calibration()
        self.meta_ = meta or {}

    # -- scoring ------------------------------------------------------------------------------
    def _row(self, normalised: str) -> tuple[np.ndarray, np.ndarray]:
        char_cols, char_vals = self.char_.transform(normalised)
        word_cols, word_vals = self.word_.transform(normalised)
        return (np.concatenate([char_cols, word_cols + len(self.char_.idf)]),
                np.concatenate([char_vals, self.word_weight * word_vals]))

    def score(self, normalised: str) -> np.ndarray:
        """Combined score of every code for one normalised text, shape (n_codes,)."""
        columns, values = self._row(normalised)
        total = np.zeros(len(self.codes_), np.float32)
        for head, (coef, intercept, index) in self.heads_.items():
            total += self.weights_[head] * (coef.dot(columns, values) + intercept)[index]
        return total

    def decision_function(self, normalised: Sequence[str]) -> np.ndarray:
        """Combined scores, shape (n_texts, n_codes), for texts already normalised."""
        return np.vstack([self.score(text) for text in normalised]) if normalised else np.zeros((0, len(self.codes_)))

    def title_scores(self, title: JobTitle) -> np.ndarray:
        """Scores of a read title (its cleaned text), with the synonym votes.

        The main title is not scored again on its own: on the free-text TUNE half that gained 0.8
        points top-1, but official titles put what decides the code after the dash
        ("Helfer/in - Gartenbau"), and it cost them 4 points (README, "Job title -> occupation").
        """
        full = normalise_title(title.full)
        scores = self.score(full)
        vote = self.synonyms_.get(full)
        if vote is not None:
            scores[vote[0]] += SYNONYM_WEIGHT * vote[1]
        return scores

    def probabilities(self, scores: np.ndarray) -> np.ndarray:
        z = np.exp(self.temperature * (scores - scores.max()))
        return z / z.sum()

    def exact_codes(self, text: str, title: JobTitle) -> tuple[str, ...]:
        """Codes of the official title the raw or the cleaned text is.

        Never the main title alone: "Verkäufer/in - Metzgerei" is not "Verkäufer/in", and many
        official titles are a general title plus a specialisation that moves the code.
        """
        for candidate in (text, title.full):
            codes = self.gazetteer_.get(normalise_title(candidate), ())
            if codes:
                return codes
        return ()

    def top_k(self, text: str, k: int = 10) -> list[tuple[str, float, str]]:
        """``(code, confidence, matched_by)`` for one raw text, best first."""
        title = read_job_title(text)
        probs = self.probabilities(self.title_scores(title))
        order = np.argsort(-probs)[: k + 5]
        exact = self.exact_codes(text, title)
        if not exact:
            return [(str(self.codes_[i]), float(probs[i]), "model") for i in order][:k]
        share = _EXACT_CONFIDENCE / len(exact)
        rest = 1.0 - _EXACT_CONFIDENCE
        result = [(code, share, "official_title") for code in exact]
        result += [(str(self.codes_[i]), float(probs[i]) * rest, "model") for i in order if self.codes_[i] not in exact]
        return result[:k]

    def ranked_within(self, text: str, prefix: str, level: int | None) -> list[str]:
        """Codes under the KldB *prefix* (and of *level*, if given), best first for *text*.

        The onboarding's follow-up: once the person named the field of work and the level, the
        typed title still orders the few occupations that remain.
        """
        keep = np.array([code.startswith(prefix) and (level is None or code[4] == str(level))
                         for code in self.codes_])
        if not keep.any():
            return []
        scores = self.title_scores(read_job_title(text)) if text.strip() else np.zeros(len(self.codes_))
        candidates = np.flatnonzero(keep)
        return [str(self.codes_[i]) for i in candidates[np.argsort(-scores[candidates], kind="stable")]]

    # -- artefacts: arrays in .npz, metadata in JSON, never pickles --------------------------
    def save(self, directory: Path, meta: dict[str, object]) -> Path:
        """Write ``occupations.npz`` and ``occupations.json`` (with the npz's SHA-256) to *directory*."""
        directory.mkdir(parents=True, exist_ok=True)
        synonym_keys = list(self.synonyms_)
        arrays: dict[str, np.ndarray] = {
            "char_vocab": _pack(_terms(self.char_.vocabulary)), "char_idf": self.char_.idf.astype(np.float32),
            "word_vocab": _pack(_terms(self.word_.vocabulary)), "word_idf": self.word_.idf.astype(np.float32),
            "codes": self.codes_,
            "gazetteer_keys": _pack(list(self.gazetteer_)),
            "gazetteer_values": _pack(["|".join(v) for v in self.gazetteer_.values()]),
            "synonym_keys": _pack(synonym_keys),
            "synonym_codes": np.array([self.synonyms_[key][0] for key in synonym_keys], np.int32).reshape(
                -1, SYNONYM_CODES),
            "synonym_weights": np.array([self.synonyms_[key][1] for key in synonym_keys], np.float16).reshape(
                -1, SYNONYM_CODES),
        }
        for head, (coef, intercept, index) in self.heads_.items():
            # Half precision and 16-bit class columns (at most 1,301 classes): a smaller file that
            # decompresses faster and takes half the memory; scores are summed in float32 anyway.
            arrays[f"{head}_data"] = coef.data.astype(np.float16)
            arrays[f"{head}_indices"] = coef.indices.astype(np.uint16 if coef.n_classes <= 2**16 else np.int32)
            arrays[f"{head}_indptr"] = coef.indptr.astype(np.int32)
            arrays[f"{head}_shape"] = np.array([len(coef.indptr) - 1, coef.n_classes])
            arrays[f"{head}_intercept"], arrays[f"{head}_index"] = intercept, index
        path = directory / "occupations.npz"
        # numpy's stub types **kwds as if a key could be its bool allow_pickle, which none of ours is.
        np.savez_compressed(path, **arrays)  # type: ignore[arg-type]
        full_meta = {**meta, "format": FORMAT, "sha256": _sha256(path), "weights": self.weights_,
                     "word_weight": self.word_weight, "temperature": self.temperature,
                     "n_codes": len(self.codes_), "n_synonyms": len(self.synonyms_),
                     "calibration": vars(self.calibration_)}
        (directory / "occupations.json").write_text(json.dumps(full_meta, indent=2, ensure_ascii=False) + "\n",
                                                    encoding="utf-8")
        return path

    @classmethod
    def load(cls, directory: Path) -> TitleClassifier:
        """Load artefacts written by :meth:`save`; refuses files whose hash does not match."""
        meta_path, path = directory / "occupations.json", directory / "occupations.npz"
        if not meta_path.is_file() or not path.is_file():
            raise _artefact_error(f"no occupation model in {directory}; run `make occupations-model`")
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if _sha256(path) != meta["sha256"]:
            raise _artefact_error(f"{path} does not match the SHA-256 in {meta_path}; refusing to load it")
        with np.load(path, allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}  # each access decompresses again: read once
        char = TfidfTable(_vocabulary(arrays["char_vocab"]), arrays["char_idf"], char_wb_ngrams)
        word = TfidfTable(_vocabulary(arrays["word_vocab"]), arrays["word_idf"], title_features)
        heads = {}
        for head in HEADS:
            coef = SparseColumns(arrays[f"{head}_data"], arrays[f"{head}_indices"],
                                 arrays[f"{head}_indptr"], int(arrays[f"{head}_shape"][1]))
            heads[head] = (coef, arrays[f"{head}_intercept"], arrays[f"{head}_index"])
        gazetteer = {key: tuple(value.split("|")) for key, value in
                     zip(_unpack(arrays["gazetteer_keys"]), _unpack(arrays["gazetteer_values"]), strict=True)}
        synonym_codes, synonym_weights = arrays["synonym_codes"], arrays["synonym_weights"].astype(np.float32)
        synonyms = {key: (synonym_codes[i], synonym_weights[i])
                    for i, key in enumerate(_unpack(arrays["synonym_keys"]))}
        calibration = Calibration(**meta["calibration"]) if "calibration" in meta else None
        return cls(char=char, word=word, word_weight=meta["word_weight"], codes=arrays["codes"], heads=heads,
                   weights=dict(meta["weights"]), temperature=meta["temperature"], gazetteer=gazetteer,
                   synonyms=synonyms, calibration=calibration, meta=meta)


def _artefact_error(message: str) -> Exception:
    """``ModelArtefactError``, imported only to raise it.

    The error hierarchy pulls in ``models`` (SQLAlchemy: one to three seconds), which a process
    that only loads the model to classify titles does not otherwise need.
    """
    from recommender.occupations.errors import ModelArtefactError

    return ModelArtefactError(message)


def _terms(vocabulary: dict[str, int]) -> list[str]:
    terms = [""] * len(vocabulary)
    for term, index in vocabulary.items():
        terms[index] = term
    return terms


def _vocabulary(packed: np.ndarray) -> dict[str, int]:
    return {term: i for i, term in enumerate(_unpack(packed))}


def _pack(strings: Sequence[str]) -> np.ndarray:
    """Strings as newline-joined UTF-8 bytes: compact, and loadable without pickle."""
    if any("\n" in text for text in strings):
        raise ValueError("artefact strings must not contain newlines")
    return np.frombuffer("\n".join(strings).encode("utf-8"), dtype=np.uint8)


def _unpack(packed: np.ndarray) -> list[str]:
    return packed.tobytes().decode("utf-8").split("\n") if packed.size else []


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


_LOAD_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def _load_shipped() -> TitleClassifier:
    return TitleClassifier.load(ARTEFACT_DIR)


def get_classifier() -> TitleClassifier:
    """The shipped model, loaded once per process (well under a second; call it at start-up).

    ``lru_cache`` alone lets two threads that miss at the same time both load it (twice the
    memory); the lock makes the second caller wait for the first load instead.
    """
    with _LOAD_LOCK:
        return _load_shipped()


def _suggestions(ranked: list[tuple[str, float, str]]) -> list[OccupationSuggestion]:
    out = []
    for code, confidence, matched_by in ranked:
        occupation = get_occupation(code)
        if occupation is not None:
            out.append(OccupationSuggestion(code, occupation.title, occupation.short_title, confidence, matched_by))
    return out


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
    return _suggestions(get_classifier().top_k(text, k))


def assess_title(text: str, k: int = 10) -> TitleAssessment:
    """Suggestions for *text* with the calibrated chance that the first is right, and whether to ask.

    Examples
    --------
    >>> assess_title("Verkäuferin (m/w/d) in Teilzeit ab sofort").suggestions[0].code
    '62102'
    """
    suggestions = suggest_occupations(text, k)
    if not suggestions:
        return TitleAssessment([], 0.0, True, None)
    chance = get_classifier().calibration_.chance(suggestions[0].confidence)
    return TitleAssessment(suggestions, chance, chance < UNSURE_BELOW, read_job_title(text[:MAX_TEXT]).level)
