"""Password hashing (argon2id) and the password policy (G20, BSI / NIST SP 800-63B).

Length beats complexity rules: a long passphrase is easier to remember and harder to guess
than ``P@ssw0rd!``. So the policy asks for at least 12 characters, refuses the passwords
attackers try first (a small list shipped beside this module) and the username itself,
and imposes no composition rules.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")

PASSWORD_TOO_SHORT = (
    "The password has {given} characters; it needs at least {minimum}. A phrase of several words works well."
)
PASSWORD_TOO_LONG = "The password has {given} characters; at most {maximum} are allowed."
PASSWORD_TOO_COMMON = "This password is on the list of passwords attackers try first. Please choose another one."
PASSWORD_IS_USERNAME = "The password must not be the username."
PASSWORD_ONE_CHARACTER = "The password repeats a single character. Please choose a phrase or several words."

# argon2-cffi's defaults are the RFC 9106 low-memory profile of argon2id (t=3, m=64 MiB, p=4).
_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    """Return an argon2id hash (``$argon2id$...``) with a fresh random salt."""
    return _hasher.hash(password)


def verify_password(hash: str, password: str) -> bool:  # noqa: A002  (mirrors argon2's argument order)
    """True if *password* matches *hash*; False for a wrong password or an unusable hash."""
    try:
        return _hasher.verify(hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(hash: str) -> bool:  # noqa: A002
    """True when the hash was made with weaker parameters than today's; rehash at next login."""
    try:
        return _hasher.check_needs_rehash(hash)
    except InvalidHashError:
        return True


# Verifying against this when an account does not exist makes a wrong username take as long
# as a wrong password, so response times do not reveal which usernames exist.
_DUMMY_HASH = _hasher.hash("lotse-timing-equaliser-not-a-password")


def burn_verify_time(password: str) -> None:
    verify_password(_DUMMY_HASH, password)


def _normalise(text: str) -> str:
    return "".join(text.lower().split())


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(_normalise(line) for line in lines if line.strip() and not line.startswith("#"))


def check_password_policy(password: str, *, username: str = "") -> list[str]:
    """Problems with *password*, as messages for the person choosing it; empty means acceptable."""
    problems: list[str] = []
    length = len(password)
    if length < MIN_PASSWORD_LENGTH:
        problems.append(PASSWORD_TOO_SHORT.format(given=length, minimum=MIN_PASSWORD_LENGTH))
    if length > MAX_PASSWORD_LENGTH:
        problems.append(PASSWORD_TOO_LONG.format(given=length, maximum=MAX_PASSWORD_LENGTH))
    normalised = _normalise(password)
    if normalised in common_passwords():
        problems.append(PASSWORD_TOO_COMMON)
    if username and normalised == _normalise(username):
        problems.append(PASSWORD_IS_USERNAME)
    if length and len(set(password)) == 1:
        problems.append(PASSWORD_ONE_CHARACTER)
    return problems
