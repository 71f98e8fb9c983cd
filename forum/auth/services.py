"""Staff accounts: creating them, signing in, and revoking their sessions."""

from __future__ import annotations

import unicodedata
from urllib.parse import unquote, urlsplit

from sqlalchemy import select

from forum.auth.passwords import MIN_PASSWORD_LENGTH, hash_password, needs_rehash, verify_password
from forum.extensions import db
from forum.models import AuditEntry, User, utcnow
from forum.models.staff import ROLES


class StaffError(ValueError):
    """A staff account change that cannot be made, with a message for the operator."""


def normalize_email(email: str) -> str:
    return email.strip().lower()


def get_staff(email: str) -> User | None:
    return db.session.execute(
        select(User).where(User.email == normalize_email(email))
    ).scalar_one_or_none()


def require_staff(email: str) -> User:
    user = get_staff(email)
    if user is None:
        raise StaffError(f"No staff account with the email {normalize_email(email)}.")
    return user


def list_staff() -> list[User]:
    return list(db.session.execute(select(User).order_by(User.email)).scalars())


def create_staff(email: str, password: str, role: str, display_name: str | None = None) -> User:
    email = normalize_email(email)
    if "@" not in email or len(email) > 254:
        raise StaffError(f"{email!r} is not an email address.")
    if get_staff(email) is not None:
        raise StaffError(f"A staff account already uses {email}.")
    _check_role(role)
    user = User(
        email=email,
        display_name=(display_name or email.split("@")[0])[:40],
        password_hash=_hash_checked(password),
        role=role,
    )
    db.session.add(user)
    db.session.flush()
    record_account_change(None, "staff_create", user, f"role={role}")
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active account matching these credentials, or None (same cost either way)."""
    user = get_staff(email)
    if not verify_password(user.password_hash if user else None, password):
        return None
    if not user.active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user


def end_sessions(user: User) -> None:
    """Revoke every login session of this account: their session ids stop matching."""
    user.session_version += 1


def set_password(user: User, password: str, actor: User | None = None) -> None:
    user.password_hash = _hash_checked(password)
    end_sessions(user)
    record_account_change(actor, "staff_password", user)


def set_role(user: User, role: str, actor: User | None = None) -> None:
    _check_role(role)
    previous, user.role = user.role, role
    end_sessions(user)
    record_account_change(actor, "staff_role", user, f"{previous} -> {role}")


def set_active(user: User, active: bool, actor: User | None = None) -> None:
    user.active = active
    end_sessions(user)
    record_account_change(actor, "staff_enable" if active else "staff_disable", user)


def record_account_change(actor: User | None, action: str, user: User, details: str = "") -> None:
    db.session.add(
        AuditEntry(
            actor_id=actor.id if actor else None,
            action=action,
            target_user_id=user.id,
            details=details,
        )
    )


def safe_next(target: str | None) -> str | None:
    """Return target if it is a same-site relative path, else None (no open redirect)."""
    if not target or len(target) > 2000:
        return None
    decoded = unquote(target)
    for candidate in (target, decoded):
        if any(unicodedata.category(ch)[0] == "C" for ch in candidate):
            return None  # tabs, newlines, NUL: browsers strip some of them
        if not candidate.startswith("/") or candidate.startswith(("//", "/\\")):
            return None
        if "\\" in candidate:
            return None
        parts = urlsplit(candidate)
        if parts.scheme or parts.netloc:
            return None
    return target


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise StaffError(f"Unknown role {role!r}: choose one of {', '.join(ROLES)}.")


def _hash_checked(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise StaffError(f"The password must have at least {MIN_PASSWORD_LENGTH} characters.")
    return hash_password(password)
