"""Password hashing with argon2id; the parameters travel inside each stored hash."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

MIN_PASSWORD_LENGTH = 12
# argon2-cffi's defaults (RFC 9106 "low memory" profile): 3 passes over 64 MiB, 4 lanes.
# Settings FORUM_ARGON2_TIME_COST / FORUM_ARGON2_MEMORY_KIB tune them (tests lower them).
DEFAULT_TIME_COST = 3
DEFAULT_MEMORY_KIB = 64 * 1024


@cache
def _hasher(time_cost: int, memory_kib: int) -> tuple[PasswordHasher, str]:
    hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib)
    # Verified against when the email is unknown, so both failures take the same time.
    return hasher, hasher.hash("not a real password, only spends the same time")


def _current() -> tuple[PasswordHasher, str]:
    config = current_app.config
    return _hasher(
        int(config.get("FORUM_ARGON2_TIME_COST", DEFAULT_TIME_COST)),
        int(config.get("FORUM_ARGON2_MEMORY_KIB", DEFAULT_MEMORY_KIB)),
    )


def hash_password(password: str) -> str:
    return _current()[0].hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    hasher, dummy = _current()
    try:
        return hasher.verify(stored_hash or dummy, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """Whether the hash was made with other parameters than today's settings."""
    return _current()[0].check_needs_rehash(stored_hash)
