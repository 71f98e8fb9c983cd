"""Load a staff member from the session: the id carries a version that revokes old sessions."""

from __future__ import annotations

from flask import Flask

from forum.extensions import db, login_manager
from forum.models import User


def init_app(app: Flask) -> None:
    login_manager.session_protection = "strong"
    login_manager.user_loader(load_user)


def load_user(session_id: str) -> User | None:
    user_id, _, version = session_id.partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user
