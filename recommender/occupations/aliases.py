"""Abbreviations and trade jargon people type, written out as the official titles say them.

"MFA" shares no letters with "Medizinische/r Fachangestellte/r", so no character model can find
it; "Fachinformatiker AE" needs "Anwendungsentwicklung"; "Staplerfahrer" is fine already. This
table holds only what job ads and job-seekers commonly abbreviate (written for Lotse from the
official titles' own wording; no list was copied). Each entry replaces a whole word, matched
without regard to case; the expansion is written as in the KldB titles, so the classifier and
the gazetteer see familiar words.
"""

from __future__ import annotations

import re

ALIASES: dict[str, str] = {
    # health and care
    "mfa": "Medizinische/r Fachangestellte/r",
    "zfa": "Zahnmedizinische/r Fachangestellte/r",
    "tfa": "Tiermedizinische/r Fachangestellte/r",
    "pta": "Pharmazeutisch-technische/r Assistent/in",
    "mta": "Medizinisch-technische/r Assistent/in",
    "mtla": "Medizinisch-technische/r Laboratoriumsassistent/in",
    "mtra": "Medizinisch-technische/r Radiologieassistent/in",
    "mtr": "Medizinische/r Technologe/-in für Radiologie",
    "ota": "Operationstechnische/r Assistent/in",
    "ata": "Anästhesietechnische/r Assistent/in",
    "pka": "Pharmazeutisch-kaufmännische/r Angestellte/r",
    "gukp": "Gesundheits- und Krankenpfleger/in",
    "hep": "Heilerziehungspfleger/in",
    "pfk": "Pflegefachkraft",
    "pflegefachkraft": "Pflegefachmann/-frau",
    "altenpflegehelfer": "Altenpflegehelfer/in",
    # vehicles, logistics
    "lkw-fahrer": "Berufskraftfahrer/in (Güterverkehr/LKW)",
    "cdl": "Berufskraftfahrer/in",
    "ce-fahrer": "Berufskraftfahrer/in (Güterverkehr/LKW)",
    "gabelstaplerfahrer": "Staplerfahrer/in",
    "fachlagerist": "Fachlagerist/in",
    "fkl": "Fachkraft für Lagerlogistik",
    "flf": "Fachkraft für Lagerlogistik",
    "kep": "Kurier-, Express- und Postdienstleistungen",
    # IT
    "ae": "Anwendungsentwicklung",
    "si": "Systemintegration",
    "fisi": "Fachinformatiker/in - Systemintegration",
    "fiae": "Fachinformatiker/in - Anwendungsentwicklung",
    "dev": "Softwareentwickler/in",
    "developer": "Softwareentwickler/in",
    "admin": "Administrator/in",
    "sysadmin": "Systemadministrator/in",
    "devops": "Softwareentwickler/in Systemadministrator/in",
    "frontend": "Softwareentwickler/in Web",
    "backend": "Softwareentwickler/in",
    # trades
    "shk": "Anlagenmechaniker/in - Sanitär-, Heizungs- und Klimatechnik",
    "galabau": "Garten- und Landschaftsbau",
    "galabauer": "Gärtner/in - Garten- und Landschaftsbau",
    "elektriker": "Elektroniker/in",
    "sps": "Steuerungstechnik",
    "hlk": "Heizungs-, Lüftungs- und Klimatechnik",
    # office, commerce, services
    "hr": "Personal",
    "buha": "Buchhaltung",
    "fibu": "Finanzbuchhaltung",
    "stb": "Steuerberater/in",
    "stfa": "Steuerfachangestellte/r",
    "refa": "Rechtsanwaltsfachangestellte/r",
    "renofa": "Rechtsanwalts- und Notarfachangestellte/r",
    "bwl": "Betriebswirtschaft",
    "kita": "Kindertagesstätte Erzieher/in",
    "hausmeisterin": "Hausmeister/in",
    "putzfrau": "Reinigungskraft",
    "putzkraft": "Reinigungskraft",
    "kassierer": "Kassierer/in",
    "barista": "Barista Servicekraft Gastronomie",
    "kellner": "Kellner/in",
    "spüler": "Küchenhilfe Spüler/in",
    "spülkraft": "Küchenhilfe Spüler/in",
    "callcenter": "Callcenteragent/in",
    "call-center": "Callcenteragent/in",
    "picker": "Kommissionierer/in",
    "packer": "Verpacker/in",
    "fahrradkurier": "Kurier/in",
}
_WORD = re.compile(r"[\wäöüß/\-]+", re.IGNORECASE)


def expand_aliases(text: str) -> str:
    """*text* with every abbreviation or jargon word written out (whole words only).

    Examples
    --------
    >>> expand_aliases("MFA gesucht")
    'Medizinische/r Fachangestellte/r gesucht'
    >>> expand_aliases("Fachinformatiker AE")
    'Fachinformatiker Anwendungsentwicklung'
    """
    def replace(match: re.Match[str]) -> str:
        word = match.group(0)
        whole = ALIASES.get(word.casefold())
        if whole is not None:
            return whole
        # "Kfz-Mechatroniker", "SHK-Helfer": the abbreviation is the first part of a compound.
        first, dash, rest = word.partition("-")
        expanded = ALIASES.get(first.casefold()) if dash and rest else None
        return f"{expanded}-{rest}" if expanded and " " not in expanded else word

    return _WORD.sub(replace, text)
