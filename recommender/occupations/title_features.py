"""Features of a normalised job title that carry German word structure.

German compounds put the deciding noun last (``Stapler|fahrer``, ``Werkzeugmechaniker|helfer``),
and BA titles put the occupation first and the specialisation after it. So besides whole
words and word pairs we emit word suffixes and prefixes (compound heads and modifiers) and
mark the first word, whose head usually decides the occupation.

``CompoundFeatures`` adds the parts of a compound split into words the training titles use
(``industriemechaniker`` -> ``industrie`` + ``mechaniker``), so an unseen compound borrows what
the model learnt for its head noun and its modifier. The lexicon is the training titles' own
words (no dictionary is downloaded); at load time it is read back from the stored ``w:`` terms.
"""

from __future__ import annotations

from collections.abc import Iterable

_AFFIX_LENGTHS = range(3, 9)
_HEAD_LENGTHS = range(3, 10)
_MIN_PART = 3
_MIN_COMPOUND = 6
_LINKS = ("", "s", "n", "en", "e", "es")  # Fugen: Betrieb|s|wirt, Garten|bau, Bühne|n|maler
WORD = "w:"


def title_features(normalised: str) -> list[str]:
    """Symbolic features of a title already passed through ``normalise_title``.

    Examples
    --------
    >>> "hs:fahrer" in title_features("staplerfahrer")
    True
    """
    words = normalised.split()
    out: list[str] = []
    for word in words:
        out.append(WORD + word)
        for n in _AFFIX_LENGTHS:
            if len(word) > n + 1:
                out.append("s:" + word[-n:])
                out.append("p:" + word[:n])
    out.extend("b:" + a + "_" + b for a, b in zip(words, words[1:], strict=False))
    if words:
        head = words[0]
        out.append("h:" + head)
        out.extend("hs:" + head[-n:] for n in _HEAD_LENGTHS if len(head) > n + 1)
    return out


def split_compound(word: str, lexicon: frozenset[str]) -> list[str]:
    """*word* as two or more *lexicon* words (linking ``s``/``n``/``en``/``e`` allowed), or ``[]``.

    Dynamic programming over split points: the fewest parts win, then the longest head (the
    last part, which decides the meaning).

    Examples
    --------
    >>> split_compound("hochbaufacharbeiter", frozenset({"hochbau", "facharbeiter", "bau"}))
    ['hochbau', 'facharbeiter']
    """
    n = len(word)
    if n < _MIN_COMPOUND:
        return []
    # best[i]: the best split of word[i:] as (parts, -len(head)), with its parts
    best: dict[int, tuple[tuple[int, int], list[str]]] = {n: ((0, 0), [])}
    for i in range(n - _MIN_PART, -1, -1):
        candidates = []
        for j in range(i + _MIN_PART, n + 1):
            part = word[i:j]
            if part not in lexicon or (i == 0 and j == n):
                continue
            for link in _LINKS if j < n else ("",):
                rest = best.get(j + len(link)) if word.startswith(link, j) else None
                if rest is not None and (j + len(link) < n or not link):
                    parts = [part, *rest[1]]
                    candidates.append(((len(parts), -len(parts[-1])), parts))
        if candidates:
            best[i] = min(candidates, key=lambda c: c[0])
    found = best.get(0)
    return found[1] if found and len(found[1]) >= 2 else []


class CompoundFeatures:
    """``title_features`` plus the compound parts of each word (see the module docstring)."""

    def __init__(self, lexicon: Iterable[str]) -> None:
        self.lexicon = frozenset(word for word in lexicon if len(word) >= _MIN_PART)
        self._cache: dict[str, list[str]] = {}

    @classmethod
    def from_vocabulary(cls, terms: Iterable[str]) -> CompoundFeatures:
        """The analyser of a stored model: its lexicon is the ``w:`` terms it was trained with."""
        return cls(term[len(WORD):] for term in terms if term.startswith(WORD))

    def parts(self, word: str) -> list[str]:
        if word not in self._cache:
            if len(self._cache) > 100_000:  # free text is unbounded; the lexicon's words repeat
                self._cache.clear()
            self._cache[word] = split_compound(word, self.lexicon)
        return self._cache[word]

    def __call__(self, normalised: str) -> list[str]:
        words = normalised.split()
        out = title_features(normalised)
        for position, word in enumerate(words):
            parts = self.parts(word)
            if parts:
                out.extend("c:" + part for part in parts)
                out.append("ch:" + parts[-1])
                if position == 0:
                    out.append("hc:" + parts[-1])
        return out
