"""Does a new version of a published JSON Schema break clients of the old one? (issue 20)

A client written against version 1 must keep working: so a field may be added (optional), but
not removed or renamed, not made required, not retyped, and its allowed values and limits may
not change. :func:`breaking_changes` lists each such change with its place; the snapshot test
and ``lotse schemas snapshot`` use it to demand a new version path (``/api/v2``) instead.
"""

from __future__ import annotations

from typing import Any

_CONSTRAINTS = ("type", "enum", "const", "pattern", "format", "maxLength", "minLength", "maximum", "minimum",
                "maxItems", "minItems", "$ref")


def breaking_changes(old: dict[str, Any], new: dict[str, Any], where: str = "") -> list[str]:
    """Changes from *old* to *new* that a client of *old* would notice, as ``place: what`` lines."""
    found: list[str] = []
    place = where or "(document)"
    for key in _CONSTRAINTS:
        if old.get(key) != new.get(key):
            found.append(f"{place}: {key} changed from {old.get(key)!r} to {new.get(key)!r}")
    old_props, new_props = old.get("properties", {}), new.get("properties", {})
    for name, old_prop in old_props.items():
        if name not in new_props:
            found.append(f"{where}.{name}: field removed")
        else:
            found += breaking_changes(old_prop, new_props[name], f"{where}.{name}")
    for name in sorted(set(new.get("required", [])) - set(old.get("required", []))):
        found.append(f"{where}.{name}: became required")
    for combinator in ("anyOf", "oneOf", "allOf"):
        old_parts, new_parts = old.get(combinator, []), new.get(combinator, [])
        if len(old_parts) != len(new_parts):
            found.append(f"{place}: {combinator} has {len(new_parts)} alternatives, was {len(old_parts)}")
        else:
            for index, (a, b) in enumerate(zip(old_parts, new_parts, strict=True)):
                found += breaking_changes(a, b, f"{where}[{combinator} {index}]")
    if "items" in old:
        found += breaking_changes(old["items"], new.get("items", {}), f"{where}[]")
    for name, old_def in old.get("$defs", {}).items():
        if name in new.get("$defs", {}):
            found += breaking_changes(old_def, new["$defs"][name], f"$defs.{name}")
    return found
