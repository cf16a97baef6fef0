"""Accounts, login and access control (issue 8, G20).

- ``passwords``: argon2id hashing and the password policy.
- ``deps``: ``CurrentUser``, ``OptionalUser``, ``require_roles``, ``StaffCase`` (caseload-checked
  and access-logged case lookup) - the one place where access is decided.
- ``policy``: how each route declares its access, and the route inventory the
  authorization-matrix test is generated from (see ``docs/security.md``).
"""

from api.auth.deps import (
    AdminUser,
    CounsellorUser,
    CurrentUser,
    OptionalUser,
    StaffCase,
    StaffUser,
    TeamLeadUser,
    case_for_staff,
    get_current_user,
    get_optional_user,
    require_roles,
)
from api.auth.passwords import check_password_policy, hash_password, verify_password
from api.auth.policy import PUBLIC, AccessRule, declare_access, route_inventory, undeclared_routes

__all__ = [
    "PUBLIC",
    "AccessRule",
    "AdminUser",
    "CounsellorUser",
    "CurrentUser",
    "OptionalUser",
    "StaffCase",
    "StaffUser",
    "TeamLeadUser",
    "case_for_staff",
    "check_password_policy",
    "declare_access",
    "get_current_user",
    "get_optional_user",
    "hash_password",
    "require_roles",
    "route_inventory",
    "undeclared_routes",
    "verify_password",
]
