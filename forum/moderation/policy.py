"""What happens to a comment when a reader posts it: published, held, or refused.

The comments area calls judge_new_comment() for every new comment and every edit; the
moderation area owns the rules (pre-moderation mode, word lists, bans).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy import or_, select

from forum.extensions import db
from forum.lookalikes import lookalike_key, strip_format
from forum.models import Article, Ban, Comment, WordRule, utcnow


@dataclass(frozen=True)
class PostingVerdict:
    status: str = "approved"  # "approved" or "pending"
    pending_reason: str | None = None  # why it is held: "premoderation", "suspect_word", ...
    refusal: str | None = None  # set when the comment is refused outright: a French message
    # HTTP status to answer a refusal with: 403 for a banned reader, 400 for a banned word.
    refusal_status: int = 400


def judge_new_comment(
    article: Article, reader_hash: str, address_hash: str | None, text: str
) -> PostingVerdict:
    """Decide the fate of a new or edited comment before it is stored."""
    ban = active_ban(reader_hash, address_hash)
    if ban is not None:
        return PostingVerdict(refusal=ban_message(ban), refusal_status=403)
    matches = matching_words(text)
    if matches["banned"]:
        return PostingVerdict(
            refusal=_(
                "Votre commentaire est refusé : il contient un mot interdit sur ce forum "
                "(« %(word)s »). Reformulez-le.",
                word=matches["banned"][0],
            )
        )
    if matches["suspect"]:
        return PostingVerdict("pending", "suspect_word")
    if article.premoderation == "all":
        return PostingVerdict("pending", "premoderation")
    if article.premoderation == "first" and not _has_approved_comment(reader_hash):
        return PostingVerdict("pending", "first_comment")
    return PostingVerdict()


LIGATURES = str.maketrans({"œ": "oe", "æ": "ae"})


def normalize_words(text: str) -> str:
    """Lower-case, accent-free text with single spaces, look-alike letters folded and
    invisible characters dropped, for whole-word comparisons."""
    # Split into words before folding look-alikes: the fold reads some punctuation as
    # letters ("|" as "l"), which would glue a listed word to the next one.
    words = re.findall(r"\w+", unicodedata.normalize("NFKC", strip_format(text).casefold()))
    folded = " ".join(lookalike_key(word) for word in words).translate(LIGATURES)
    decomposed = unicodedata.normalize("NFKD", folded)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.findall(r"\w+", bare))


def matching_words(text: str) -> dict[str, list[str]]:
    """The listed words present in text as whole words, by kind ("banned", "suspect")."""
    found: dict[str, list[str]] = {"banned": [], "suspect": []}
    rules = db.session.execute(select(WordRule).order_by(WordRule.word)).scalars().all()
    if not rules:
        return found
    padded = f" {normalize_words(text)} "
    for rule in rules:
        if rule.normalized and f" {rule.normalized} " in padded:
            found[rule.kind].append(rule.word)
    return found


def active_ban(reader_hash: str | None, address_hash: str | None) -> Ban | None:
    """The ban that lasts longest among those covering this reader or address, if any."""
    targets = []
    if reader_hash:
        targets.append(Ban.reader_hash == reader_hash)
    if address_hash:
        targets.append(Ban.address_hash == address_hash)
    if not targets:
        return None
    now = utcnow()
    bans = (
        db.session.execute(
            select(Ban).where(
                or_(*targets),
                Ban.lifted_at.is_(None),
                or_(Ban.expires_at.is_(None), Ban.expires_at > now),
            )
        )
        .scalars()
        .all()
    )
    return max(bans, key=lambda b: b.expires_at or now.max, default=None)


def ban_message(ban: Ban) -> str:
    if ban.expires_at is None:
        return _("Votre commentaire est refusé : vous ne pouvez plus publier sur ce forum.")
    return _(
        "Votre commentaire est refusé : vous ne pouvez pas publier jusqu'au %(date)s.",
        date=format_datetime(ban.expires_at, "d MMMM y 'à' HH:mm"),
    )


def _has_approved_comment(reader_hash: str) -> bool:
    return (
        db.session.execute(
            select(Comment.id)
            .where(Comment.reader_hash == reader_hash, Comment.status == "approved")
            .limit(1)
        ).first()
        is not None
    )
