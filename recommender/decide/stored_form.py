"""The compact stored form of a decision (issue 16: <= 5 KB per decision, nothing the log keeps lost).

What every decision of a catalogue version repeats is stored once, in a content-addressed
*shared record* (``models.blobs``, kind ``catalogue``; no personal data): the rules a decision
can log (``rules``: ``[rule_id, module_id, legal_basis]``), the fixed reasons (``reasons``: a
rule's ``because`` sentence, the general tip), the model's sentences and the obstacle titles
(``texts``: ``[de, en]``), the fixed diagnostic evidence (``evidence``), the feature names
(``features``) and the profile field names (``fields``). A decision names the record by its
digest (``decision.record_digest``; the chained event binds the decision's fixed digest, which
covers it, and ``lotse audit verify`` re-hashes the record) and stores against it:

- ``guardrails``: one integer per rule checked, ``4 * i + o`` (``i`` the rule's place in
  ``rules``, ``o`` its outcome's place in :data:`OUTCOMES`), in the order the rules were checked;
- ``features``: the values in the order of ``features``; ``missing_fields``: places in ``fields``;
- a reason or a piece of evidence the record holds whole: ``{"r": i}``; a text pair the record
  holds (the model's sentence, an obstacle title): ``"t": i`` instead of the two texts. A sentence
  that states the person's own answer (a model reason, "Sie suchen seit 18 Monaten") is not in
  the record and stays in the row, where erasure empties it.

Packing is lossless by construction: a value is replaced only by an entry that holds exactly
it, and unpacking gives back the full form, key for key. Rows stored before issue 16 (no
``record_digest``) are in the full form and are read as they are.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from sqlalchemy import Connection

from data.catalogue import Catalogue
from models.blobs import blob_body, remember
from models.hashing import canonical_json
from recommender.decide.diagnostic import FIXED_EVIDENCE, OBSTACLE_TITLES, evidence_record
from recommender.decide.features import ALLOWED_FEATURES
from recommender.decide.guardrails import APPROVAL_RULE_ID, COUNSELLOR_ONLY_RULE_ID, EXCLUDED_RULE_ID, FIELD_LABELS
from recommender.decide.reasons import MODEL_EXPECTS_LITTLE, MODEL_HELPS, general_reason, rule_reasons

RECORD_KIND = "catalogue"
OUTCOMES = ("eligible", "ineligible", "needs_review", "filtered")
TEXT_KEY = "t"
REASON_KEY = "r"
# The text pairs a stored dict may hold, as (German key, English key).
REASON_TEXT = ("de", "en")
TITLE_TEXT = ("title_de", "title_en")


@dataclass(frozen=True)
class CatalogueRecord:
    """A catalogue record's body and digest, with the look-ups packing needs."""

    digest: str
    body: dict[str, Any]

    @cached_property
    def rule_index(self) -> dict[tuple[str, str | None, str | None], int]:
        return {(r[0], r[1], r[2]): i for i, r in enumerate(self.body["rules"])}

    @cached_property
    def text_index(self) -> dict[tuple[str, str], int]:
        return {(de, en): i for i, (de, en) in enumerate(self.body["texts"])}

    @cached_property
    def reason_index(self) -> dict[str, int]:
        return {canonical_json(r): i for i, r in enumerate(self.body["reasons"])}

    @cached_property
    def evidence_index(self) -> dict[str, int]:
        return {canonical_json(e): i for i, e in enumerate(self.body["evidence"])}


_RECORDS: dict[int, tuple[Catalogue, CatalogueRecord]] = {}
_MAX_RECORDS = 8


def record_for(catalogue: Catalogue) -> CatalogueRecord:
    """The record of *catalogue* (built once per catalogue object)."""
    known = _RECORDS.get(id(catalogue))
    if known is not None and known[0] is catalogue:
        return known[1]
    rules: list[list[str | None]] = []
    reasons: list[dict[str, Any]] = [general_reason()]
    for module in catalogue.modules:
        rules.append([COUNSELLOR_ONLY_RULE_ID, module.id, module.legal_basis])
        rules.extend([rule.id, module.id, rule.legal_basis] for rule in module.eligibility)
        rules.append([APPROVAL_RULE_ID, module.id, module.legal_basis])
        rules.append([EXCLUDED_RULE_ID, module.id, None])
        reasons.extend(rule_reasons(module, [rule.id for rule in module.eligibility]))
    texts = [list(MODEL_HELPS), list(MODEL_EXPECTS_LITTLE), *([t.de, t.en] for t in OBSTACLE_TITLES.values())]
    body = {"catalogue_version": catalogue.version, "rules": _unique(rules), "texts": texts,
            "reasons": [dict(r) for r in {canonical_json(r): r for r in reasons}.values()],
            "features": list(ALLOWED_FEATURES), "evidence": [evidence_record(e) for e in FIXED_EVIDENCE],
            "fields": list(FIELD_LABELS)}
    record = CatalogueRecord(remember(body), body)
    if len(_RECORDS) >= _MAX_RECORDS:  # catalogues are loaded once and cached; this only bounds tests
        _RECORDS.clear()
    _RECORDS[id(catalogue)] = (catalogue, record)
    return record


def _unique(rows: Iterable[list[Any]]) -> list[list[Any]]:
    seen: set[tuple[Any, ...]] = set()
    out = []
    for row in rows:
        if tuple(row) not in seen:
            seen.add(tuple(row))
            out.append(row)
    return out


def load_record(connection: Connection, digest: str | None) -> CatalogueRecord | None:
    """The record a stored decision names (None for a decision stored in full)."""
    if digest is None:
        return None
    body = blob_body(connection, digest)
    if body is None:
        raise LookupError(f"stored_blob {digest} is missing")
    return CatalogueRecord(digest, body)


def pack_guardrails(outcomes: Sequence[dict[str, Any]], record: CatalogueRecord) -> list[Any]:
    """Integers for *outcomes* (``RuleOutcome.as_log()`` dicts); the full list if one is not in the record."""
    codes = []
    for outcome in outcomes:
        index = record.rule_index.get((outcome["rule_id"], outcome["module_id"], outcome["legal_basis"]))
        if index is None:
            return list(outcomes)
        codes.append(4 * index + OUTCOMES.index(outcome["outcome"]))
    return codes


def unpack_guardrails(stored: Sequence[Any], record: CatalogueRecord | None) -> list[dict[str, Any]]:
    """The full guardrail list, whichever form *stored* is in."""
    if record is None or not stored or not isinstance(stored[0], int):
        return list(stored)
    rules = record.body["rules"]
    return [{"legal_basis": rules[code // 4][2], "module_id": rules[code // 4][1], "outcome": OUTCOMES[code % 4],
             "rule_id": rules[code // 4][0]} for code in stored]


def pack_texts(value: dict[str, Any], record: CatalogueRecord, keys: tuple[str, str]) -> dict[str, Any]:
    """*value* with its text pair under *keys* replaced by ``"t"`` if the record holds that pair."""
    if keys[0] not in value or keys[1] not in value:
        return value
    index = record.text_index.get((value[keys[0]], value[keys[1]]))
    if index is None:
        return value
    return {**{k: v for k, v in value.items() if k not in keys}, TEXT_KEY: index}


def unpack_texts(value: dict[str, Any], record: CatalogueRecord | None, keys: tuple[str, str]) -> dict[str, Any]:
    if record is None or TEXT_KEY not in value:
        return value
    de, en = record.body["texts"][value[TEXT_KEY]]
    out = {k: v for k, v in value.items() if k != TEXT_KEY}
    out[keys[0]], out[keys[1]] = de, en
    return dict(sorted(out.items()))


def pack_reasons(reasons: Sequence[dict[str, Any]], record: CatalogueRecord) -> list[dict[str, Any]]:
    """``{"r": i}`` for a reason the record holds whole (a rule's ``because``), else texts packed."""
    out = []
    for reason in reasons:
        index = record.reason_index.get(canonical_json(reason))
        out.append({REASON_KEY: index} if index is not None else pack_texts(reason, record, REASON_TEXT))
    return out


def unpack_reasons(reasons: Sequence[dict[str, Any]] | None, record: CatalogueRecord | None) -> list[dict[str, Any]]:
    if record is None:
        return list(reasons or [])
    return [dict(sorted(record.body["reasons"][r[REASON_KEY]].items())) if REASON_KEY in r
            else unpack_texts(r, record, REASON_TEXT) for r in reasons or []]


def pack_diagnostic(obstacles: Sequence[dict[str, Any]], record: CatalogueRecord) -> list[dict[str, Any]]:
    """Titles as ``"t"``; evidence the record holds whole (it states no figure) as ``{"r": i}``."""
    out = []
    for obstacle in obstacles:
        evidence = []
        for entry in obstacle.get("evidence", ()):
            index = record.evidence_index.get(canonical_json(entry))
            evidence.append(entry if index is None else {REASON_KEY: index})
        out.append({**pack_texts(obstacle, record, TITLE_TEXT), "evidence": evidence})
    return out


def unpack_diagnostic(obstacles: Sequence[dict[str, Any]] | None, record: CatalogueRecord | None
                      ) -> list[dict[str, Any]]:
    if record is None:
        return list(obstacles or [])
    out = []
    for obstacle in obstacles or []:
        evidence = [dict(sorted(record.body["evidence"][e[REASON_KEY]].items())) if REASON_KEY in e else e
                    for e in obstacle.get("evidence", ())]
        out.append(unpack_texts({**obstacle, "evidence": evidence}, record, TITLE_TEXT))
    return out


def pack_features(features: dict[str, float | None], record: CatalogueRecord) -> Any:
    """The values in the order of the record's ``features`` names (the dict if its names differ)."""
    names = record.body["features"]
    if sorted(features) != sorted(names):
        return features
    return [features[name] for name in names]


def unpack_features(stored: Any, record: CatalogueRecord | None) -> Any:
    """The feature dict (or what retention or erasure left: ``{"purged": true}``, ...)."""
    if record is None or not isinstance(stored, list):
        return stored
    return dict(sorted(zip(record.body["features"], stored, strict=True)))


def pack_fields(fields: Sequence[str], record: CatalogueRecord) -> list[Any]:
    """Profile field names as their places in the record's ``fields`` (the names if one is not there)."""
    names = record.body["fields"]
    return [names.index(f) for f in fields] if all(f in names for f in fields) else list(fields)


def unpack_fields(stored: Sequence[Any], record: CatalogueRecord | None) -> list[str]:
    if record is None:
        return list(stored)
    return [record.body["fields"][f] if isinstance(f, int) else f for f in stored]


def full_decision_row(row: dict[str, Any], record: CatalogueRecord | None) -> dict[str, Any]:
    """A stored decision row (a mapping of its columns) as it was stored before issue 16."""
    out = {k: v for k, v in row.items() if k != "record_digest"}
    out["features"] = unpack_features(row.get("features"), record)
    out["missing_fields"] = unpack_fields(row.get("missing_fields") or [], record)
    out["guardrails"] = unpack_guardrails(row.get("guardrails") or [], record)
    out["diagnostic"] = unpack_diagnostic(row.get("diagnostic"), record)
    return out
