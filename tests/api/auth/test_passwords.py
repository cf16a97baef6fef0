"""Passwords: argon2id with the RFC 9106 parameters, salted; the policy (length over complexity)."""

from __future__ import annotations

import pytest

from api.auth.passwords import (
    PASSWORD_IS_USERNAME,
    PASSWORD_TOO_COMMON,
    check_password_policy,
    hash_password,
    needs_rehash,
    verify_password,
)


def test_production_hash_uses_rfc9106_parameters() -> None:
    stored = hash_password("a long passphrase here")
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert not needs_rehash(stored)
    weaker = "$argon2id$v=19$m=1024,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$" + "A" * 43
    assert needs_rehash(weaker)


def test_password_hash_is_argon2id_and_salted() -> None:
    first, second = hash_password("a long passphrase here"), hash_password("a long passphrase here")
    assert first.startswith("$argon2id$")
    assert first != second
    assert verify_password(first, "a long passphrase here")
    assert not verify_password(first, "a long passphrase herE")
    assert not verify_password("not-a-hash", "anything")


@pytest.mark.parametrize(
    ("password", "username", "expected_fragment"),
    [
        ("short", "", "at least 12"),
        ("Passwort1234", "", PASSWORD_TOO_COMMON),
        ("jobcenter 2025", "", PASSWORD_TOO_COMMON),
        ("maria.mustermann", "Maria.Mustermann", PASSWORD_IS_USERNAME),
        ("aaaaaaaaaaaaaaaa", "", "single character"),
        ("x" * 300, "", "at most 256"),
    ],
)
def test_password_policy_refuses_weak_password_with_reason(
    password: str, username: str, expected_fragment: str
) -> None:
    problems = check_password_policy(password, username=username)
    assert any(expected_fragment in problem for problem in problems), problems


def test_password_policy_accepts_long_passphrase_without_symbols() -> None:
    assert check_password_policy("grüne wiese hinter dem haus", username="maria") == []


