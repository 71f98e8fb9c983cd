"""Spam measures that need no third party: a honeypot, a minimum time between showing the
form and posting it, a cap on links, and no identical body twice in a short window."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from forum.comments.services import CommentError
from forum.extensions import db
from forum.models import Comment, utcnow
from forum.security import signed_serializer

STAMP_SALT = "forum.comment-form-rendered"
# A bare "www." counts too, but not the one inside "https://www.".
_LINK = re.compile(r"(?i)\b(?:https?://|ftp://|mailto:)|(?<![/\w.@])www\.")


@dataclass(frozen=True)
class SpamRules:
    min_post_seconds: float
    max_links: int
    duplicate_window: timedelta


def spam_rules() -> SpamRules:
    config = current_app.config
    return SpamRules(
        config["FORUM_MIN_POST_SECONDS"],
        config["FORUM_MAX_LINKS"],
        timedelta(minutes=config["FORUM_DUPLICATE_WINDOW_MINUTES"]),
    )


def render_stamp() -> str:
    """A signed record of when the form was shown, carried in a hidden field."""
    return _serializer().dumps(time.time())


def check_posting_delay(stamp: str | None, rules: SpamRules) -> None:
    """Refuse a form posted sooner after it was shown than a person can write."""
    if rules.min_post_seconds <= 0:
        return
    try:
        shown = float(_serializer().loads(stamp or ""))
    except (BadSignature, TypeError, ValueError):
        shown = time.time()  # a missing or forged stamp counts as "just shown"
    if time.time() - shown < rules.min_post_seconds:
        raise CommentError(
            _(
                "Votre commentaire a été envoyé très vite après l'affichage du "
                "formulaire. Relisez-le, puis envoyez-le de nouveau dans "
                "quelques secondes."
            )
        )


def check_body(reader_hash: str, text: str, rules: SpamRules) -> None:
    """Refuse a body with too many links, or one this reader has just posted."""
    links = len(_LINK.findall(text))
    if links > rules.max_links:
        raise CommentError(
            _(
                "Votre commentaire contient %(count)d liens : %(max)d au plus sont acceptés.",
                count=links,
                max=rules.max_links,
            ),
            field="body",
        )
    if rules.duplicate_window and _posted_recently(
        reader_hash, comparable_body(text), rules.duplicate_window
    ):
        raise CommentError(
            _(
                "Vous avez déjà publié ce même commentaire il y a peu. Modifiez-le "
                "ou attendez avant de le publier de nouveau."
            ),
            status=409,
            field="body",
        )


def comparable_body(text: str) -> str:
    """The text as duplicates are compared: case and runs of white space do not count."""
    return " ".join(text.casefold().split())


def _posted_recently(reader_hash: str, body: str, window: timedelta) -> bool:
    recent = db.session.execute(
        select(Comment.body_source).where(
            Comment.reader_hash == reader_hash, Comment.created_at >= utcnow() - window
        )
    ).scalars()
    return any(comparable_body(source) == body for source in recent)


def _serializer() -> URLSafeSerializer:
    return signed_serializer(STAMP_SALT)
