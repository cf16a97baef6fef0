"""Fold German job-title spellings onto one neutral form before matching.

Job-seekers and employers write the same occupation many ways: ``Verkäufer/in``,
``Verkäuferin``, ``Verkäufer*innen``, ``Verkäufer:in``, ``VerkäuferIn``, ``Verkäufer (m/w/d)``,
``Kaufmann/-frau``, ``Bürogehilf(e/in)``. The matcher and the classifier only ever see the
folded, lower-case masculine/base form, so spelling never decides the occupation.
"""

from __future__ import annotations

import re

# "(m/w/d)", "m/w/d", "(w/m/d)", "(all genders)", "(d/w/m)", "(gn)" ...
_GENDER_TAG = re.compile(
    r"\(?\s*\b(?:[mwdfx]\s*/\s*){1,3}[mwdfx]\b\s*\)?|\((?:all genders|gn\*?|alle geschlechter)\)", re.IGNORECASE
)
_BINNEN_I = re.compile(r"(?<=[a-zäöüß])In(nen)?\b")  # LehrerIn, LehrerInnen
_GENDER_STAR = re.compile(r"[*:_·](in|innen)\b", re.IGNORECASE)  # Lehrer*in, Lehrer:innen, Lehrer_in
_SLASH_IN = re.compile(r"/-?(in|innen)\b", re.IGNORECASE)  # Verkäufer/in, Verkäufer/-innen
_PAREN_IN = re.compile(r"\((in|innen)\)", re.IGNORECASE)  # Lehrer(in)
_E_IN = re.compile(r"\(e/in\)", re.IGNORECASE)  # Bürogehilf(e/in)
_R_ENDING = re.compile(r"(?<=e)(/r|\(r\))", re.IGNORECASE)  # Angestellte/r, Angestellte(r)
_SLASH_ALTERNATIVE = re.compile(r"/-[^\s/()]+")  # Kaufmann/-frau, Assistenzarzt/-ärztin
_FULL_ALTERNATIVE = re.compile(r"(\b[\wäöüß]+)/([\wäöüß]+in(nen)?)\b", re.IGNORECASE)  # Lehrer/Lehrerin
_NON_WORD = re.compile(r"[^\wäöüß.+#&]+")

# Female word endings -> base form, longest first. Words ending in "ein" (Verein, Stein) never
# reach these rules because every entry needs a consonant or vowel other than "e" before "in".
_FEMININE_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("ärztinnen", "arzt"), ("ärztin", "arzt"), ("anwältinnen", "anwalt"), ("anwältin", "anwalt"),
    ("köchinnen", "koch"), ("köchin", "koch"), ("gehilfinnen", "gehilfe"), ("gehilfin", "gehilfe"),
    ("beamtinnen", "beamter"), ("beamtin", "beamter"), ("bäuerin", "bauer"), ("bäuerinnen", "bauer"),
    ("ologin", "ologe"), ("ologinnen", "ologe"), ("agogin", "agoge"), ("agoginnen", "agoge"),
    ("kauffrau", "kaufmann"), ("fachfrau", "fachmann"), ("kauffrauen", "kaufmann"), ("fachfrauen", "fachmann"),
    ("frau", "mann"), ("frauen", "mann"), ("fachperson", "fachmann"), ("fachpersonen", "fachmann"),
    ("erinnen", "er"), ("erin", "er"), ("orinnen", "or"), ("orin", "or"), ("eurinnen", "eur"), ("eurin", "eur"),
    ("örinnen", "ör"), ("örin", "ör"), ("ärinnen", "är"), ("ärin", "är"), ("arinnen", "ar"), ("arin", "ar"),
    ("istinnen", "ist"), ("istin", "ist"), ("entinnen", "ent"), ("entin", "ent"), ("antinnen", "ant"),
    ("antin", "ant"), ("otinnen", "ot"), ("otin", "ot"), ("atinnen", "at"), ("atin", "at"), ("eutinnen", "eut"),
    ("eutin", "eut"), ("irtinnen", "irt"), ("irtin", "irt"), ("afinnen", "af"), ("afin", "af"),
    ("oninnen", "on"), ("onin", "on"), ("ierinnen", "ier"), ("ierin", "ier"), ("urinnen", "ur"), ("urin", "ur"),
)
_NOT_FEMININE = {"medizin", "disziplin", "termin", "vitamin", "benzin", "kabine", "magazin", "kamin", "heroin",
                 "protein", "routine", "urin", "mannequin", "insulin", "pinguin", "ehefrau", "hausfrau", "jungfrau"}
_WHOLE_WORDS = {"ärztin", "anwältin", "köchin", "gehilfin", "beamtin", "bäuerin", "köchinnen", "ärztinnen"}
_PLURALS = {"fachkräfte": "fachkraft", "hilfskräfte": "hilfskraft", "pflegekräfte": "pflegekraft",
            "bürokräfte": "bürokraft", "lehrkräfte": "lehrkraft", "kaufleute": "kaufmann", "fachleute": "fachmann",
            "arbeiten": "arbeit", "arbeiter": "arbeiter", "helfern": "helfer"}


# Inflected adjectives and plural nouns as titles and job ads write them ("Medizinische",
# "technischen", "Einrichtungen") -> one form. Written for Lotse instead of a general lemma table:
# such a table turned "Meister" into "meist" and "Montage" into "Montag", and took a second to load.
# "-er" is folded only after "isch"/"lich": after other endings it is often a noun ("Hersteller",
# "Maler", "Reiniger").
_ADJECTIVE_ER = re.compile(r"(isch|lich)(?:e|en|er|es|em)$")
_ADJECTIVE = re.compile(r"(ig|iv|al|ell|iert|ös|är|ar|ent|ant)(?:e|en|es|em)$")
_NOUN_PLURALS = re.compile(r"(ung|heit|keit|schaft|ation|tät|ik|ur|ei)en$")
# Nouns made from participles inflect like adjectives: "Angestellte", "Angestellter", "Angestellten".
_PARTICIPLE = re.compile(r"(gestellt|beschäftigt|beauftragt|bedienstet|reisend|kundig)(?:e|er|en|es|em)$")
_MIN_STEM = 3

def strip_gender_markers(text: str) -> str:
    """Remove gender tags and gendered spellings, keeping the base (masculine) word.

    Examples
    --------
    >>> strip_gender_markers("Verkäufer/in (m/w/d)")
    'Verkäufer'
    >>> strip_gender_markers("Kaufmann/-frau - Büromanagement")
    'Kaufmann - Büromanagement'
    """
    text = _GENDER_TAG.sub(" ", text)
    text = _E_IN.sub("e", text)
    text = _R_ENDING.sub("", text)
    text = _FULL_ALTERNATIVE.sub(r"\1", text)
    text = _SLASH_IN.sub("", text)
    text = _PAREN_IN.sub("", text)
    text = _GENDER_STAR.sub("", text)
    text = _BINNEN_I.sub("", text)
    text = _SLASH_ALTERNATIVE.sub("", text)
    return re.sub(r"\s+", " ", text).strip(" -/,")


def base_form(word: str) -> str:
    """Lower-case base form of one word: plural and feminine endings folded (``Köchinnen`` -> ``koch``)."""
    word = word.casefold()
    if word in _PLURALS:
        return _PLURALS[word]
    if word in _NOT_FEMININE or len(word) < 5:
        return word
    for suffix, replacement in _FEMININE_SUFFIXES:
        if word.endswith(suffix) and (len(word) - len(suffix) >= 2 or suffix in _WHOLE_WORDS):
            return word[: -len(suffix)] + replacement
    for pattern, min_stem in ((_PARTICIPLE, 0), (_ADJECTIVE_ER, _MIN_STEM), (_ADJECTIVE, _MIN_STEM),
                              (_NOUN_PLURALS, _MIN_STEM)):
        match = pattern.search(word)
        if match and match.start() >= min_stem:
            return word[: match.end(1)]
    return word


def normalise_title(text: str) -> str:
    """The folded form all matching uses: gender-neutral, lower-case, base forms, single spaces.

    Examples
    --------
    >>> normalise_title("Verkäuferin (m/w/d) Einzelhandel")
    'verkäufer einzelhandel'
    >>> normalise_title("Staplerfahrer:innen")
    'staplerfahrer'
    >>> normalise_title("Medizinische Fachangestellte")
    'medizinisch fachangestellte'
    """
    return " ".join(base_form(part) for part in _NON_WORD.split(strip_gender_markers(text)) if part)
