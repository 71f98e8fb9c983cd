"""Spam measures that need no third party: a honeypot, a minimum time between showing the
form and posting it, a maximum age and a single use for each shown form, a cap on links,
and no identical body twice in a short window from one reader or one address.

The form's stamp (when it was shown, and a random id) carries nothing of the visitor: a
shared cache may give one copy of the page, stamp included, to every visitor for a few
seconds. So a stamp is spent per address (one copy, one comment from each address), and a
form sent twice (a double click) is known by its stamp, address, place and text
(submission_key) rather than by a token of its own."""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app, g
from flask_babel import format_number
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from forum.comments.services import Author, CommentError
from forum.extensions import db
from forum.models import Comment, SpentStamp, utcnow
from forum.readers import keyed_hash
from forum.security import signed_serializer

STAMP_SALT = "forum.comment-form-rendered"
# A bare "www." counts too, but not the one inside "https://www.".
_LINK = re.compile(r"(?i)\b(?:https?://|ftp://|mailto:)|(?<![/\w.@])www\.")


@dataclass(frozen=True)
class SpamRules:
    min_post_seconds: float
    max_links: int
    duplicate_window: timedelta
    form_max_age: timedelta  # zero: a shown form never grows too old


def spam_rules() -> SpamRules:
    config = current_app.config
    return SpamRules(
        config["FORUM_MIN_POST_SECONDS"],
        config["FORUM_MAX_LINKS"],
        timedelta(minutes=config["FORUM_DUPLICATE_WINDOW_MINUTES"]),
        timedelta(minutes=config["FORUM_FORM_MAX_AGE_MINUTES"]),
    )


@dataclass(frozen=True)
class Stamp:
    shown: float  # when the form was shown, in seconds since the epoch
    stamp_id: str  # random: spent once a comment is published with it


def render_stamp() -> str:
    """A signed record of when the form was shown, carried in a hidden field."""
    return _serializer().dumps([time.time(), secrets.token_urlsafe(12)])


def page_stamp() -> str:
    """The stamp of this request's page, the same in each of its forms (comment, poll)."""
    if "page_stamp" not in g:
        g.page_stamp = render_stamp()
    return g.page_stamp


def fresh_stamp(raw: str | None, rules: SpamRules) -> Stamp | None:
    """The stamp, when it is genuine and not too old to serve."""
    stamp = read_stamp(raw)
    return None if stamp is None or _too_old(stamp, rules) else stamp


def submission_key(
    raw_stamp: str | None, address_hash: str, parent_id: int | None, text: str
) -> str | None:
    """What tells a form sent twice from a copy of the page without a submission token of
    its own (the cached one): the same stamp, address, parent and text. None without a
    genuine stamp."""
    stamp = read_stamp(raw_stamp)
    if stamp is None:
        return None
    value = f"{stamp.stamp_id}|{address_hash}|{parent_id or ''}|{comparable_body(text)}"
    return keyed_hash("submission", value)


def read_stamp(raw: str | None) -> Stamp | None:
    """The stamp's time and id, or None when it is missing or forged."""
    try:
        value = _serializer().loads(raw or "")
    except BadSignature:
        return None
    if not (isinstance(value, list) and len(value) == 2):
        return None
    shown, stamp_id = value
    if not isinstance(shown, int | float) or not isinstance(stamp_id, str):
        return None
    return Stamp(float(shown), stamp_id[:32])


def stale_stamp(raw: str | None, rules: SpamRules, address_hash: str) -> bool:
    """Whether a re-shown form's stamp can no longer serve (too old, or spent from this
    address): the form then gets a fresh one, so that the reader can send their text again."""
    stamp = read_stamp(raw)
    return stamp is not None and (_too_old(stamp, rules) or _spent(stamp, address_hash))


def check_posting_delay(raw_stamp: str | None, rules: SpamRules) -> None:
    """Refuse a form posted sooner after it was shown than a person can write, or one
    shown too long ago (a stamp kept to be replayed)."""
    stamp = read_stamp(raw_stamp)
    if stamp is not None and _too_old(stamp, rules):
        raise CommentError(
            _(
                "Ce formulaire a été affiché il y a plus de %(hours)s heures. Votre texte "
                "est conservé ci-dessous : envoyez-le de nouveau.",
                hours=_hours(rules.form_max_age),
            )
        )
    if rules.min_post_seconds <= 0:
        return
    # A missing or forged stamp counts as "just shown".
    shown = stamp.shown if stamp is not None else time.time()
    if time.time() - shown < rules.min_post_seconds:
        raise CommentError(
            _(
                "Votre commentaire a été envoyé très vite après l'affichage du "
                "formulaire. Relisez-le, puis envoyez-le de nouveau dans "
                "quelques secondes."
            )
        )


def screen_comment(author: Author, text: str, *, stamp: str | None, rules: SpamRules) -> None:
    """The spam rules on a new comment: its links, duplicates, then its form's stamp spent."""
    check_body(author, text, rules)
    spend_stamp(stamp, rules, author.address_hash)


def spend_stamp(raw_stamp: str | None, rules: SpamRules, address_hash: str) -> None:
    """Record the form's stamp as used from this address, in the comment's transaction;
    refuse one already used from it."""
    stamp = read_stamp(raw_stamp)
    if stamp is None:
        return  # missing or forged: check_posting_delay refuses it when the delay is on
    lifetime = rules.form_max_age or timedelta(days=1)
    shown = datetime.fromtimestamp(stamp.shown, UTC).replace(tzinfo=None)
    try:
        with db.session.begin_nested():
            db.session.add(
                SpentStamp(stamp_id=_spent_id(stamp, address_hash), expires_at=shown + lifetime)
            )
    except IntegrityError as error:
        raise CommentError(
            _(
                "Ce formulaire a déjà servi à publier un commentaire. Votre texte est "
                "conservé ci-dessous : envoyez-le de nouveau."
            ),
            status=409,
        ) from error


def check_body(author: Author, text: str, rules: SpamRules) -> None:
    """Refuse a body with too many links, or one just posted by this reader or address."""
    links = len(_LINK.findall(text))
    if links > rules.max_links:
        raise CommentError(
            _(
                "Votre commentaire contient %(count)s liens : %(max)s au plus sont acceptés.",
                count=format_number(links),
                max=format_number(rules.max_links),
            ),
            field="body",
        )
    if not rules.duplicate_window:
        return
    poster = _recent_poster_of(author, comparable_body(text), rules.duplicate_window)
    if poster == author.reader_hash:
        raise CommentError(
            _(
                "Vous avez déjà publié ce même commentaire il y a peu. Modifiez-le "
                "ou attendez avant de le publier de nouveau."
            ),
            status=409,
            field="body",
        )
    if poster is not None:
        raise CommentError(
            _(
                "Ce même commentaire vient d'être publié depuis votre connexion. "
                "Modifiez-le ou attendez avant de le publier."
            ),
            status=409,
            field="body",
        )


def comparable_body(text: str) -> str:
    """The text as duplicates are compared: case and runs of white space do not count."""
    return " ".join(text.casefold().split())


def _recent_poster_of(author: Author, body: str, window: timedelta) -> str | None:
    """Who posted this body within the window, from this reader or this address (the
    reader first); None when nobody did."""
    posters = [Comment.reader_hash == author.reader_hash]
    if author.address_hash:
        posters.append(Comment.address_hash == author.address_hash)
    recent = db.session.execute(
        select(Comment.reader_hash, Comment.body_source).where(
            or_(*posters), Comment.created_at >= utcnow() - window
        )
    ).all()
    same = {reader for reader, source in recent if comparable_body(source) == body}
    if author.reader_hash in same:
        return author.reader_hash
    return next(iter(same), None)


def _too_old(stamp: Stamp, rules: SpamRules) -> bool:
    age = rules.form_max_age.total_seconds()
    return age > 0 and time.time() - stamp.shown > age


def _spent(stamp: Stamp, address_hash: str) -> bool:
    return db.session.get(SpentStamp, _spent_id(stamp, address_hash)) is not None


def _spent_id(stamp: Stamp, address_hash: str) -> str:
    # A copy of the form may have been shown to many visitors (a shared cache): it is spent
    # per address. Hashed to the column's 32 characters.
    return keyed_hash("spent-stamp", f"{stamp.stamp_id}|{address_hash}")[:32]


def _hours(age: timedelta) -> str:
    return f"{age.total_seconds() / 3600:g}"


def _serializer() -> URLSafeSerializer:
    return signed_serializer(STAMP_SALT)
