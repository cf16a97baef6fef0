"""Read what people really type: job-ad titles and short answers, with their noise taken off.

Official titles name an occupation and nothing else. Job-ad titles and what job-seekers type
carry much more: gender tags in every spelling (``(m/w/d)``, ``(w/m/d)``, ``m|w|d``, ``(gn)``),
working hours (``in Teilzeit``), ``ab sofort``, ``gesucht!``, the place (``in Bamberg``, ``für
unsere Filiale in Erlangen``), company names, pay (``ab 17 €``), ``Minijob``, ``Ausbildung als``.
None of it says which occupation is meant, and some of it ("Filiale", "Bamberg") looks like one
to a character model.

``read_job_title`` removes that noise and splits what remains into the **main title** (before
`` - ``, ``|``, ``,`` or a bracket) and the **specialisation** after it, so the classifier can
weigh them separately: "Koch (m/w/d) - Gemeinschaftsverpflegung" is a Koch first. It also
expands abbreviations and trade jargon (``aliases``) and reads a skill-level hint from the
wording (``level_hint``).

Written for Lotse from the patterns in German job ads; no code or word list was copied.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from recommender.occupations.aliases import expand_aliases
from recommender.occupations.normalise import strip_gender_markers

# Gender tags beyond what ``normalise`` folds: "?" and "|" where an ad's encoding broke a slash,
# "(m,w,d)", "m/w/x", "(gn)", "(all genders)", "(d/m/w)", "[m/w/d]", "m-w-d".
_GENDER_TAGS = re.compile(
    r"[(\[]?\s*\b[mwdfx]\s*[/|,\-]\s*[mwdfx]\s*(?:[/|,\-]\s*[mwdfx]){0,2}\b\s*[)\]]?"
    r"|\((?:gn|all genders|alle geschlechter|divers)\*?\)|\bgn\*?\b",
    re.IGNORECASE,
)
# Words and phrases that never decide the occupation. Order matters: longer phrases first.
_NOISE_PHRASES = re.compile(
    r"\b(?:"
    r"(?:in|auf)\s+(?:voll-?\s*(?:und|/|oder)?\s*)?(?:teilzeit|vollzeit|minijob|minijobbasis|450|520)(?:basis)?"
    r"|voll-\s*(?:und|oder|/)\s*teilzeit|vollzeit|teilzeit|minijob(?:ber)?|nebenjob|aushilfsjob|ferienjob"
    r"|(?:ab\s+)?sofort|ab\s+\d{1,2}\.\d{1,2}\.(?:\d{2,4})?|zum\s+nächstmöglichen\s+zeitpunkt"
    r"|dringend|gesucht|gesuchte?|wir\s+suchen(?:\s+dich|\s+sie)?|gesucht\s+ab|jetzt\s+bewerben"
    r"|zur\s+verstärkung(?:\s+unseres\s+teams)?|unbefristet|befristet|(?:mit\s+)?übernahme(?:option|chance)?"
    r"|quereinsteiger(?:\s+willkommen)?|quereinstieg(?:\s+möglich)?|auch\s+für\s+quereinsteiger"
    r"|top[\s-]gehalt|übertariflich|tarifvertrag|tariflich|(?:mit\s+)?(?:guter\s+)?bezahlung"
    r"|früh-?\s*(?:und|/)?\s*spätschicht|nachtschicht|schichtarbeit|(?:im\s+)?schichtbetrieb|\d-schicht(?:system)?"
    r"|homeoffice|home\s+office|remote|hybrid|bundesweit|deutschlandweit"
    r"|ausbildung(?:splatz)?\s+(?:als|zum|zur|zu)|ausbildung\s+\d{4}|umschulung\s+(?:als|zum|zur)"
    r"|werkstudent|praktikum|duales\s+studium|azubi|trainee"
    r"|junior|senior|erfahrene[rn]?|engagierte[rn]?|motivierte[rn]?|freundliche[rn]?|zuverlässige[rn]?"
    r")\b",
    re.IGNORECASE,
)
# "für unsere Filiale in Leipzig", "für unseren Standort", "in unserem Team": always an address.
_OUR = re.compile(r"\b(?:für|in|bei|an)\s+(?:unser|unsere|unseren|unserem|unserer|ihr|ihre)\b.*$", re.IGNORECASE)
# Pay: "ab 17 €", "14,50 EUR/Std.", "bis zu 3.500 € brutto".
_PAY = re.compile(r"(?:\b(?:ab|bis\s+zu|bis|mind\.?|mindestens|von)\s+)?\d[\d.,]*\s*(?:€|\x80|eur\b|euro\b)"
                  r"(?:\s*(?:/|pro|je)\s*(?:std\.?|stunde|h|monat))?(?:\s*brutto)?", re.IGNORECASE)
# Company forms end a company name; the name before them goes too ("bei Müller Logistik GmbH").
_COMPANY = re.compile(r"(?:\b(?:bei|@)\s+)?(?:[\w&.\-]+\s+){0,3}\b(?:GmbH(?:\s*&\s*Co\.?\s*KG)?|AG|KG|SE|mbH|"
                      r"e\.\s?V\.|UG|OHG|GbR|Ltd\.?|Inc\.?)(?=\s|$|[,;)])")
# A place after "in", "im Raum", "Raum", "Standort", "Region" written with a capital letter
# ("in Bamberg", "in Nürnberg-West", "Raum Erlangen"), at the end or before a separator.
_PLACE = re.compile(r"\b(?:in|im\s+raum|raum|region|standort|nähe|bei)\s+(?=[A-ZÄÖÜ])[\w\-äöüß.]+"
                    r"(?:\s*[-/,]\s*[A-ZÄÖÜ][\w\-äöüß]+)*(?:\s+(?:und|oder)\s+[A-ZÄÖÜ][\w\-äöüß]+)?"
                    r"\s*(?=$|[,;|!)(]| - )")
_SEPARATOR = re.compile(r"\s[-–—|:]\s|\s*[|;]\s*|,\s|\s[–—]|[–—]\s")
_BRACKETS = re.compile(r"[(\[]([^()\[\]]*)[)\]]")
_JUNK = re.compile(r"[!?¡¿*•·#„“\"'«»]+|\x80")
_SPACES = re.compile(r"\s+")
_MIN_LETTERS = 3

# Level from the wording. The 5th KldB digit is the skill level: 1 Helfer, 2 Fachkraft,
# 3 Spezialist (Meister, Techniker), 4 Experte (Ingenieur, Leiter, studied). Only words that
# say it on their own count; "Meister" inside "Hausmeister" or "Bürgermeister" does not.
_LEVEL_WORDS: tuple[tuple[re.Pattern[str], int], ...] = (
    (re.compile(r"(?:helfer|hilfe|hilfskraft|hilfskräfte|aushilfe|aushilfen|hilfsarbeiter|ungelernt|"
                r"angelernt)\b", re.IGNORECASE), 1),
    (re.compile(r"(?<!haus)(?<!bürger)(?<!schicht)(?<!bau)(?<!hof)(?<!platz)(?<!kapell)(?<!bahnhofs)"
                r"(?<!bürgermeister)meister\b|\btechniker\b|\bfachwirt\b|\bbetriebswirt\b", re.IGNORECASE), 3),
    (re.compile(r"ingenieur|\bleiter\b|\bleitung\b|\bhead\s+of\b|\bdirektor|\bdipl\.?-ing|\bmaster\b|"
                r"\bb\.?\s?sc\b|\bm\.?\s?sc\b|\bpromoviert|\bdr\.", re.IGNORECASE), 4),
)


@dataclass(frozen=True)
class JobTitle:
    """A typed title after the noise is gone.

    Attributes
    ----------
    full : str
        The cleaned title, main part and specialisation (abbreviations expanded).
    main : str
        The part before the first separator or bracket: what the occupation is called.
    specialisation : str
        What follows it (``"Gemeinschaftsverpflegung"``); may be empty.
    level : int or None
        Skill level (1-4) the wording states, else None.
    """

    full: str
    main: str
    specialisation: str
    level: int | None


def strip_noise(text: str) -> str:
    """The title without gender tags, hours, start dates, places, pay and company names.

    Examples
    --------
    >>> strip_noise("Verkäuferin (m/w/d) in Teilzeit ab sofort")
    'Verkäuferin'
    >>> strip_noise("Koch (m/w/d) für unsere Filiale in Leipzig")
    'Koch'
    """
    text = _GENDER_TAGS.sub(" ", strip_gender_markers(text))  # "Reiniger*in" before "*" goes as junk
    text = _JUNK.sub(" ", text)
    text = _OUR.sub(" ", text)
    text = _PAY.sub(" ", text)
    text = _NOISE_PHRASES.sub(" ", text)
    text = _COMPANY.sub(" ", text)
    text = _PLACE.sub(" ", text)
    text = re.sub(r"\(\s*\)|\[\s*\]", " ", text)
    return _SPACES.sub(" ", text).strip(" -–—/|,.;:")


def level_hint(text: str) -> int | None:
    """The skill level the wording states (Helfer -> 1, Meister/Techniker -> 3, Ingenieur/Leiter -> 4).

    Examples
    --------
    >>> level_hint("Küchenhilfe"), level_hint("Hausmeister"), level_hint("Elektromeister")
    (1, None, 3)
    """
    found = [level for pattern, level in _LEVEL_WORDS if pattern.search(text)]
    return found[0] if len(found) == 1 else None


def read_job_title(text: str) -> JobTitle:
    """Noise off, abbreviations expanded, main title and specialisation apart, level read.

    Examples
    --------
    >>> read_job_title("Koch / Köchin (w/m/d) - Gemeinschaftsverpflegung in Erlangen").main
    'Koch / Köchin'
    """
    cleaned = expand_aliases(strip_noise(text))
    level = level_hint(cleaned)
    parts = [p.strip(" -–—/|,.;:") for p in _SEPARATOR.split(_BRACKETS.sub(r" | \1 | ", cleaned))]
    parts = [p for p in parts if sum(ch.isalpha() for ch in p) >= _MIN_LETTERS]  # not "(54c)"
    if not parts:
        return JobTitle(cleaned, cleaned, "", level)
    main, rest = parts[0], " ".join(parts[1:])
    return JobTitle(_SPACES.sub(" ", f"{main} {rest}").strip(), main, rest, level)
