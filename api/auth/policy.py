"""Every route declares who may call it; the authorization-matrix test reads the declarations.

A route declares its access through one of its dependencies (directly, on the router, or
nested inside another dependency):

- ``CurrentUser`` / ``require_roles(Role.x, ...)`` / ``case_for_staff`` -> logged-in roles;
- ``PUBLIC`` (``dependencies=[PUBLIC]``) -> anyone, no login (start page, login form, probes);
- a dependency decorated with ``@declare_access(AccessRule.job_seeker())`` -> the job-seeker's
  own session; data is scoped to that session's pseudonym by the dependency itself;
- ``require_scope("feed:read")`` (``api/auth/scopes.py``) -> a machine client's API token with
  that scope, never a person's session; data is scoped to the token's Jobcenter.

Framework routes that cannot take dependencies (OpenAPI docs, static files) are listed in
``PUBLIC_ALLOW_LIST``. ``undeclared_routes(app)`` lists every route with no declaration; the
test ``tests/api/auth/test_policy.py`` fails on any, so a new route without a rule cannot
be merged unnoticed. See ``docs/security.md``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from fastapi import Depends, FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.routing import Mount, Route

from models.tables import Role

ACCESS_ATTRIBUTE = "__lotse_access__"
ALL_ROLES = frozenset(role.value for role in Role)

# (method, path) of framework routes that take no dependencies; "*" matches any method.
PUBLIC_ALLOW_LIST: frozenset[tuple[str, str]] = frozenset(
    {
        ("*", "/docs"),
        ("*", "/docs/oauth2-redirect"),
        ("*", "/redoc"),
        ("*", "/openapi.json"),
    }
)
PUBLIC_MOUNTS: frozenset[str] = frozenset({"/static", "/docs/assets", "/docs/init"})

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class AccessRule:
    """Who may call a route: ``public``, logged-in ``roles``, the ``job_seeker``'s own session, or an
    API token with a ``scope``."""

    kind: Literal["public", "roles", "job_seeker", "scope"]
    roles: frozenset[str] = field(default_factory=frozenset)
    scope: str | None = None

    @classmethod
    def public(cls) -> AccessRule:
        return cls("public")

    @classmethod
    def for_roles(cls, roles: Iterable[str]) -> AccessRule:
        return cls("roles", frozenset(str(r) for r in roles))

    @classmethod
    def job_seeker(cls) -> AccessRule:
        return cls("job_seeker")

    @classmethod
    def for_scope(cls, scope: str) -> AccessRule:
        return cls("scope", scope=scope)


def declare_access(rule: AccessRule) -> Callable[[F], F]:
    """Mark a dependency callable with the access rule it enforces."""

    def mark(func: F) -> F:
        setattr(func, ACCESS_ATTRIBUTE, rule)
        return func

    return mark


@declare_access(AccessRule.public())
def public_access() -> None:
    """Declares a route public on purpose (no login needed); enforces nothing."""


PUBLIC = Depends(public_access)


@dataclass(frozen=True)
class RouteAccess:
    path: str
    methods: tuple[str, ...]
    name: str
    rules: tuple[AccessRule, ...]
    route: Any = None

    @property
    def effective(self) -> AccessRule | None:
        """The strictest declared rule: roles (intersected) > scope > job_seeker > public."""
        role_rules = [r for r in self.rules if r.kind == "roles"]
        if role_rules:
            roles = frozenset.intersection(*(r.roles for r in role_rules))
            return AccessRule.for_roles(roles)
        scope_rules = [r for r in self.rules if r.kind == "scope"]
        if scope_rules:
            return scope_rules[0]
        if any(r.kind == "job_seeker" for r in self.rules):
            return AccessRule.job_seeker()
        if self.rules:
            return AccessRule.public()
        return None


def _walk(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _walk(sub)


def _rules_of_dependant(dependant: Dependant | None) -> tuple[AccessRule, ...]:
    if dependant is None:
        return ()
    found = []
    for call in _walk(dependant):
        rule = getattr(call, ACCESS_ATTRIBUTE, None)
        if isinstance(rule, AccessRule):
            found.append(rule)
    return tuple(found)


def _allow_listed(path: str, methods: Iterable[str]) -> bool:
    return all(("*", path) in PUBLIC_ALLOW_LIST or (m, path) in PUBLIC_ALLOW_LIST for m in methods)


def _flat_routes(app: FastAPI) -> Iterator[Any]:
    """Every route with its effective path and dependencies, also inside included routers.

    FastAPI >= 0.120 keeps included routers as ``_IncludedRouter`` entries and resolves
    prefixes and router-level dependencies lazily; ``iter_route_contexts`` flattens them.
    """
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # older FastAPI: app.routes is already flat
        yield from app.routes
        return
    yield from iter_route_contexts(app.routes)


def route_inventory(app: FastAPI) -> list[RouteAccess]:
    """Every route of *app* with its declared access rules (allow-listed ones count as public)."""
    inventory = []
    for entry in _flat_routes(app):
        original = getattr(entry, "original_route", entry)
        path = entry.path
        if isinstance(original, APIRoute):
            methods = tuple(sorted(entry.methods or ()))
            rules = _rules_of_dependant(getattr(entry, "dependant", None))
            if not rules and _allow_listed(path, methods):
                rules = (AccessRule.public(),)
            inventory.append(RouteAccess(path, methods, entry.name or "", rules, entry))
        elif isinstance(original, Mount):
            rules = (AccessRule.public(),) if path in PUBLIC_MOUNTS else ()
            inventory.append(RouteAccess(path, ("GET",), entry.name or "", rules, entry))
        elif isinstance(original, Route):
            methods = tuple(sorted(entry.methods or ("GET",)))
            rules = (AccessRule.public(),) if _allow_listed(path, methods) else ()
            inventory.append(RouteAccess(path, methods, entry.name or "", rules, entry))
    return inventory


def undeclared_routes(app: FastAPI) -> list[str]:
    """``METHOD path`` of each route that declares no access rule."""
    return [
        f"{','.join(entry.methods)} {entry.path}" for entry in route_inventory(app) if entry.effective is None
    ]
