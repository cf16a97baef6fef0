"""Which occupations count as physically demanding, read off their KldB 2010 code.

Used for one purpose only: a person who said they must not lift heavy loads
(``constraints.health_limits: no_heavy_lifting``) is not pointed towards such work, and is
offered a talk about work that fits their health instead. It is a rule of thumb from the
classification, not a medical or workplace assessment (the Jobcenter's medical service does
that for the person): the KldB has no field for physical load, so the rule names the parts of
the hierarchy whose work is mainly manual handling of loads, and for most of them only the
two lower skill levels (5th digit 1 Helfer, 2 Fachkraft), because the Spezialist and Experte
levels of the same groups are mostly planning, supervising and office work. The table and its
reasons are also in docs/recommender.md.
"""

from __future__ import annotations

# KldB prefix -> skill levels (5th digit) that count; () means every level.
PHYSICALLY_DEMANDING: dict[str, tuple[int, ...]] = {
    "11": (1, 2),   # farming, animal husbandry, forestry
    "12": (1, 2),   # gardening, landscaping, floristry
    "21": (1, 2),   # mining, raw materials, glass and ceramics
    "22": (1, 2),   # plastics and wood working
    "24": (1, 2),   # metal production, metal construction, welding
    "25": (1, 2),   # machine and vehicle technology (mechanics)
    "26": (1, 2),   # electrical installation
    "28": (1, 2),   # textile and leather production
    "29": (1, 2),   # food production, cooks
    "32": (1, 2),   # building construction and civil engineering
    "33": (1, 2),   # interior finishing (floors, painting, dry walls)
    "34": (1, 2),   # plumbing, heating, building services
    "513": (),      # warehouse, post and parcel delivery, cargo handling
    "52": (),       # drivers (loading and unloading is part of the work)
    "54": (),       # cleaning
    "633": (1, 2),  # restaurants and catering
    "813": (1, 2),  # nursing, ambulance service
    "821": (1, 2),  # care for the elderly
}


def physically_demanding(kldb5: str | None) -> bool | None:
    """Whether the KldB Berufsgattung *kldb5* counts as physically demanding; None if unknown."""
    if not kldb5 or len(kldb5) != 5 or not kldb5.isdigit():
        return None
    level = int(kldb5[4])
    return any(kldb5.startswith(prefix) and (not levels or level in levels)
               for prefix, levels in PHYSICALLY_DEMANDING.items())
