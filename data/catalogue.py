"""The advice catalogue: versioned data (``data/catalogue/advice.yaml``), validated by pydantic.

Advice content is data so that counsellors and content editors can change it without a code
release, and so that every decision can name the catalogue version it used. A file that does
not validate is refused as a whole with the file and line of the first fault, and the
catalogue that was active before stays active: a typo must never empty the advice list.

Eligibility rules are declarative (``field``, ``op``, ``value``) so the same rule can be checked
for one profile on a request and, vectorised, for a million simulated people.
"""

from __future__ import annotations

import re
import threading
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from sqlmodel import Session, select

from data.errors import ReferenceDataError
from data.languages import pick
from models.errors import InvalidError
from models.schemas import Profile
from models.tables import AdviceModule

DEFAULT_CATALOGUE_FILE = Path(__file__).resolve().parent / "catalogue" / "advice.yaml"

# Where a rule may look: the profile's own fields, its two sub-objects (constraints: hard filters;
# eligibility: legal rules only), the labour-market context of the target occupation and region,
# and facts derived from the target occupation's code.
MARKET_RULE_FIELDS: tuple[str, ...] = (
    "market.unemployed_per_vacancy",
    "market.vacancy_trend",
    "market.median_wage_eur",
    "market.shortage_occupation",
)
# Facts derived from the target occupation's code (data/physical_demand.py), for hard filters.
OCCUPATION_RULE_FIELDS: tuple[str, ...] = ("occupation.physically_demanding",)
RuleOp = Literal[
    "eq", "ne", "lt", "le", "gt", "ge", "in", "not_in", "present", "missing", "contains", "not_contains",
    "age_under", "age_at_least",
]
_VALUELESS_OPS = {"present", "missing"}
_AGE_OPS = {"age_under", "age_at_least"}
_LIST_OPS = {"contains", "not_contains"}
_SET_OPS = {"in", "not_in"}

# Advice that touches benefits or funded measures must wait for a counsellor (G8). If the legal
# basis names one of these paragraphs, the module must carry the approval flag.
REVIEW_REQUIRED_BASES: frozenset[tuple[str, str]] = frozenset({
    ("16a", "SGB II"), ("16b", "SGB II"), ("16h", "SGB II"), ("16i", "SGB II"), ("44", "SGB III"),
    ("45", "SGB III"), ("81", "SGB III"), ("112", "SGB III"), ("45a", "AufenthG"),
})
_PARAGRAPH = re.compile(r"§\s*(\d+[a-z]?)[^§]*?\b(SGB III|SGB II|AufenthG)\b")


def cited_paragraphs(legal_basis: str | None) -> set[tuple[str, str]]:
    """The (paragraph, law) pairs a legal basis cites, e.g. {("16a", "SGB II")}."""
    return {(number, law) for number, law in _PARAGRAPH.findall(legal_basis or "")}

_UNKNOWN_FIELD = "rule field {field!r} is unknown; allowed: {allowed}"
_BAD_VALUE = "rule {rule!r}: value {value!r} is not allowed for field {field!r}; allowed: {allowed}"
_VALUE_NEEDED = "rule {rule!r}: operator {op!r} needs a value"
_AGE_FIELD = "rule {rule!r}: operator {op!r} only works on 'eligibility.birth_year', not {field!r}"
_LIST_FIELD = "rule {rule!r}: operator {op!r} only works on list fields ({allowed}), not {field!r}"
_AGE_BASIS = "rule {rule!r} reads {field!r}, so it must name its legal_basis (G3)"
_DUPLICATE_ID = "module id {module_id!r} appears more than once"
_UNKNOWN_MODULE = "module {module_id!r} refers to unknown module id {ref!r}; known ids: {known}"
_APPROVAL_FLAG = ("module {module_id!r} has legal basis {basis!r}, which touches benefits or funded measures, "
                  "so needs_counsellor_approval must be true (G8)")
_NOT_FOUND = "no catalogue module with id {module_id!r}; known ids: {known}"
_UNREADABLE = "{file}: cannot read the catalogue: {error}"
_LOCATED = "{file}, line {line}: {message}"
_TRANSLATIONS_ELSEWHERE = "other languages belong in data/catalogue/translations/<locale>.yaml, not in advice.yaml"


class CatalogueError(ReferenceDataError, InvalidError):
    """A catalogue file that cannot be used; the message names the file and line of the fault."""


class LocalText(BaseModel):
    """A text in German (the source and default) and English, plus what translators gave.

    ``advice.yaml`` carries de and en; the other languages come from
    ``data/catalogue/translations/<locale>.yaml`` (``data/catalogue_translations.py``) and are
    kept in ``translations``. :meth:`get` falls back to German for a language without one.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    de: str = Field(min_length=1)
    en: str = Field(min_length=1)
    translations: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _translations_come_from_their_files(cls, data: Any) -> Any:
        if isinstance(data, dict) and "translations" in data:
            raise ValueError(_TRANSLATIONS_ELSEWHERE)
        return data

    def get(self, locale: str) -> str:
        """The text in *locale*, German where that language has none."""
        return pick({"de": self.de, "en": self.en, **self.translations}, locale)


def _profile_rule_fields() -> dict[str, Any]:
    """Every profile path a rule may name, with the literal values it may take (None: free)."""
    fields: dict[str, Any] = {}
    for name, info in Profile.model_fields.items():
        sub_model = info.annotation
        if name in ("constraints", "eligibility") and sub_model is not None:
            for sub_name, sub_info in sub_model.model_fields.items():
                fields[f"{name}.{sub_name}"] = sub_info.annotation
        else:
            fields[name] = info.annotation
    for name in MARKET_RULE_FIELDS:
        fields[name] = float
    for name in OCCUPATION_RULE_FIELDS:
        fields[name] = bool
    return fields


RULE_FIELDS: dict[str, Any] = _profile_rule_fields()
LIST_RULE_FIELDS: tuple[str, ...] = ("search_channels", "alternative_occupations", "constraints.health_limits")


@cache
def literal_values(field: str) -> tuple[str, ...] | None:
    """The allowed string values of a profile field (its Literal), or None for free values."""
    from typing import get_args, get_origin

    annotation = RULE_FIELDS[field]
    stack = [annotation]
    values: list[str] = []
    while stack:
        current = stack.pop()
        if get_origin(current) is Literal:
            values.extend(str(v) for v in get_args(current))
        else:
            stack.extend(get_args(current))
    return tuple(values) or None


class Rule(BaseModel):
    """One eligibility rule or hard filter of a module.

    ``kind: eligibility`` must hold for the module to be offered; ``kind: filter`` removes the
    module when it holds (user-set constraints such as health limits: they only remove, G3).
    ``reason_de``/``reason_en`` say why the rule *excludes* the advice; they are never shown
    beside advice that is offered (other languages: ``reason_translations``, :meth:`reason`).
    ``label`` names the rule wherever it is listed as checked, and ``because`` is the sentence
    that argues *for* the advice when the rule holds (rules that only check an answer is present
    have none: that fact tells nobody anything).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    kind: Literal["eligibility", "filter"] = "eligibility"
    field: str
    op: RuleOp
    value: Any = None
    legal_basis: str | None = None
    reason_de: str = Field(min_length=1)
    reason_en: str = Field(min_length=1)
    label: LocalText | None = None
    because: LocalText | None = None
    reason_translations: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _translations_come_from_their_files(cls, data: Any) -> Any:
        if isinstance(data, dict) and "reason_translations" in data:
            raise ValueError(_TRANSLATIONS_ELSEWHERE)
        return data

    def reason(self, locale: str) -> str:
        """Why the rule excludes the advice, in *locale* (German where that language has none)."""
        return pick({"de": self.reason_de, "en": self.reason_en, **self.reason_translations}, locale)

    @field_validator("field")
    @classmethod
    def _known_field(cls, value: str) -> str:
        if value not in RULE_FIELDS:
            raise ValueError(_UNKNOWN_FIELD.format(field=value, allowed=", ".join(sorted(RULE_FIELDS))))
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Rule:
        fmt = {"rule": self.id, "op": self.op, "field": self.field}
        if self.op not in _VALUELESS_OPS and self.value is None:
            raise ValueError(_VALUE_NEEDED.format(**fmt))
        if self.op in _AGE_OPS and self.field != "eligibility.birth_year":
            raise ValueError(_AGE_FIELD.format(**fmt))
        if self.op in _LIST_OPS and self.field not in LIST_RULE_FIELDS:
            raise ValueError(_LIST_FIELD.format(allowed=", ".join(LIST_RULE_FIELDS), **fmt))
        if self.field.startswith("eligibility.birth") and not self.legal_basis:
            raise ValueError(_AGE_BASIS.format(rule=self.id, field=self.field))
        allowed = literal_values(self.field)
        if allowed is not None and self.op not in _VALUELESS_OPS:
            given = self.value if isinstance(self.value, list) else [self.value]
            bad = [v for v in given if str(v) not in allowed]
            if bad:
                raise ValueError(_BAD_VALUE.format(rule=self.id, value=bad[0], field=self.field,
                                                   allowed=", ".join(allowed)))
        if self.op in _SET_OPS and not isinstance(self.value, list):
            raise ValueError(_VALUE_NEEDED.format(**fmt) + " (a list)")
        return self


class ModuleSpec(BaseModel):
    """One piece of advice: what it says, which obstacle it addresses, who may get it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)
    title: LocalText
    text: LocalText
    obstacle: Literal[
        "unclear_goal", "stuck_market", "missing_qualification", "search_method", "interview_conversion",
        "practical_barriers", "language_recognition", "long_search", "salary_mismatch",
    ]
    needs_counsellor_approval: bool
    legal_basis: str | None = None
    effort: Literal["low", "medium", "high"]
    evidence: str = Field(min_length=1)
    self_help: bool = True
    # Lotse never proposes it; only a counsellor who sees the need adds it (nothing a person tells
    # Lotse shows a need for debt or addiction counselling, and guessing it would judge the person, G7).
    counsellor_only: bool = False
    eligibility: list[Rule] = Field(default_factory=list)
    excludes: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _approval_flag(self) -> ModuleSpec:
        if cited_paragraphs(self.legal_basis) & REVIEW_REQUIRED_BASES and not self.needs_counsellor_approval:
            raise ValueError(_APPROVAL_FLAG.format(module_id=self.id, basis=self.legal_basis))
        return self


class Catalogue(BaseModel):
    """A validated, versioned set of advice modules."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = Field(min_length=1, max_length=32)
    synthetic: bool = False
    modules: list[ModuleSpec] = Field(min_length=1)

    def get(self, module_id: str) -> ModuleSpec:
        """The module with this id; ``KeyError`` names the known ids."""
        for module in self.modules:
            if module.id == module_id:
                return module
        raise KeyError(_NOT_FOUND.format(module_id=module_id, known=", ".join(self.ids)))

    @property
    def ids(self) -> list[str]:
        return [module.id for module in self.modules]


def yaml_line(node: yaml.Node | None, loc: tuple[Any, ...]) -> int:
    """Follow a pydantic error location through the YAML node tree to a 1-based line."""
    line = node.start_mark.line + 1 if node is not None else 1
    current = node
    for part in loc:
        if isinstance(current, yaml.MappingNode):
            match = next((v for k, v in current.value if getattr(k, "value", None) == part), None)
            if match is None:
                break
            current = match
        elif isinstance(current, yaml.SequenceNode) and isinstance(part, int) and part < len(current.value):
            current = current.value[part]
        else:
            break
        line = current.start_mark.line + 1
    return line


def _cross_checks(catalogue: Catalogue) -> list[tuple[tuple[Any, ...], str]]:
    """Faults that need the whole file: duplicate ids, references to unknown modules."""
    problems: list[tuple[tuple[Any, ...], str]] = []
    seen: set[str] = set()
    known = set(catalogue.ids)
    for index, module in enumerate(catalogue.modules):
        if module.id in seen:
            problems.append((("modules", index, "id"), _DUPLICATE_ID.format(module_id=module.id)))
        seen.add(module.id)
        for ref_index, ref in enumerate(module.excludes):
            if ref not in known:
                problems.append((("modules", index, "excludes", ref_index),
                                 _UNKNOWN_MODULE.format(module_id=module.id, ref=ref,
                                                        known=", ".join(sorted(known)))))
    return problems


def parse_catalogue(text: str, *, file: str = "<string>") -> Catalogue:
    """Validate catalogue YAML text; raise :class:`CatalogueError` naming file and line.

    Parameters
    ----------
    text : str
        The YAML document.
    file : str, default "<string>"
        Name used in error messages.

    Returns
    -------
    Catalogue
    """
    try:
        node = yaml.compose(text)
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise CatalogueError(_LOCATED.format(file=file, line=line, message=f"not valid YAML: {exc}")) from None
    try:
        catalogue = Catalogue.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        line = yaml_line(node, tuple(first["loc"]))
        where = ".".join(str(p) for p in first["loc"])
        message = f"{where}: {first['msg'].removeprefix('Value error, ')}"
        raise CatalogueError(_LOCATED.format(file=file, line=line, message=message)) from None
    problems = _cross_checks(catalogue)
    if problems:
        loc, message = problems[0]
        raise CatalogueError(_LOCATED.format(file=file, line=yaml_line(node, loc), message=message))
    return catalogue


def read_catalogue(path: Path) -> Catalogue:
    """Read and validate one catalogue file (no caching, nothing becomes active)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise CatalogueError(_UNREADABLE.format(file=path, error=exc)) from None
    return parse_catalogue(text, file=str(path))


_lock = threading.Lock()
_active: dict[str, Catalogue] = {}
_translation_problems: list[str] = []


def load_catalogue(path: Path | None = None) -> Catalogue:
    """The active catalogue; with *path*, validate that file and make it active.

    The default file is read once and cached. A file that fails validation raises
    :class:`CatalogueError` and leaves the previously active catalogue in place.

    Parameters
    ----------
    path : Path, optional
        A catalogue file to load instead of the shipped default.

    Returns
    -------
    Catalogue
    """
    from data.catalogue_translations import with_translations  # it builds on this module's types

    with _lock:
        if path is None and "active" in _active:
            return _active["active"]
        catalogue = read_catalogue(path or DEFAULT_CATALOGUE_FILE)
        problems: list[str] = []
        if path is None or Path(path).resolve() == DEFAULT_CATALOGUE_FILE:
            catalogue, problems = with_translations(catalogue)
        _active["active"] = catalogue
        _translation_problems[:] = problems
        return catalogue


def translation_problems() -> list[str]:
    """Why a translation of the active catalogue was left out (file, line, key); empty when none was."""
    return list(_translation_problems)


def reset_catalogue_cache() -> None:
    """Forget the active catalogue (tests; the next call reads the default file again)."""
    with _lock:
        _active.clear()
        _translation_problems.clear()


def seed_advice_modules(session: Session) -> str:
    """Upsert one AdviceModule reference row per catalogue module (idempotent).

    Modules that left the catalogue are kept but marked inactive, because old decisions
    still refer to them.
    """
    catalogue = load_catalogue()
    existing = {row.id: row for row in session.exec(select(AdviceModule)).all()}
    added = updated = retired = 0
    for module in catalogue.modules:
        values: dict[str, Any] = {
            "catalogue_version": catalogue.version, "title_de": module.title.de, "title_en": module.title.en,
            "obstacle": module.obstacle, "needs_counsellor_approval": module.needs_counsellor_approval,
            "legal_basis": module.legal_basis, "active": True}
        row = existing.get(module.id)
        if row is None:
            session.add(AdviceModule(id=module.id, **values))
            added += 1
        elif any(getattr(row, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(row, key, value)
            session.add(row)
            updated += 1
    for module_id, row in existing.items():
        if module_id not in catalogue.ids and row.active:
            row.active = False
            session.add(row)
            retired += 1
    return (f"Advice catalogue {catalogue.version}: {added} module(s) added, {updated} updated, "
            f"{retired} retired, {len(catalogue.modules)} active.")
