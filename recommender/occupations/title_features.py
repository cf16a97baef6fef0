"""Features of a normalised job title that carry German word structure.

German compounds put the deciding noun last (``Stapler|fahrer``, ``Werkzeugmechaniker|helfer``),
and BA titles put the occupation first and the specialisation after it. So besides whole
words and word pairs we emit word suffixes and prefixes (compound heads and modifiers) and
mark the first word, whose head usually decides the occupation.
"""

from __future__ import annotations

_AFFIX_LENGTHS = range(3, 9)
_HEAD_LENGTHS = range(3, 10)


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
        out.append("w:" + word)
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
