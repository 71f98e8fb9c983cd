"""What happens to a comment when a reader posts it (published, held, or refused) and when
readers flag it (held for review, or left to the queue).

The comments area calls judge_new_comment() for every new comment and every edit, and
hold_if_flagged() after every flag; the moderation area owns the rules (pre-moderation
mode, word lists, bans, which flags count).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import exists, func, or_, select, update
from sqlalchemy.orm import aliased

from forum.extensions import db
from forum.lookalikes import lookalike_key, strip_format
from forum.models import Article, Ban, Comment, Flag, Vote, WordRule, utcnow
from forum.page_cache import changes_pages
from forum.templating import format_moment


@dataclass(frozen=True)
class PostingVerdict:
    status: str = "approved"  # "approved" or "pending"
    pending_reason: str | None = None  # why it is held: "premoderation", "suspect_word", ...
    refusal: str | None = None  # set when the comment is refused outright: a French message
    # HTTP status to answer a refusal with: 403 for a banned reader, 400 for a banned word.
    refusal_status: int = 400


def judge_new_comment(
    article: Article, reader_hash: str, address_hash: str | None, text: str, staff: bool = False
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
    # A moderator may share the office address of an author they banned.
    if not staff and held_address(address_hash):
        return PostingVerdict("pending", "banned_address")
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


def held_address(address_hash: str | None) -> bool:
    """Whether a ban in force holds this address's new comments for review."""
    if not address_hash:
        return False
    now = utcnow()
    return (
        db.session.execute(
            select(Ban.id)
            .where(
                Ban.held_address_hash == address_hash,
                Ban.lifted_at.is_(None),
                or_(Ban.expires_at.is_(None), Ban.expires_at > now),
            )
            .limit(1)
        ).first()
        is not None
    )


def ban_message(ban: Ban) -> str:
    """Why a comment is refused: the ban's end and its reason."""
    if ban.expires_at is None:
        refusal = _("Votre commentaire est refusé : vous ne pouvez plus publier sur ce forum.")
    else:
        refusal = _(
            "Votre commentaire est refusé : vous ne pouvez pas publier jusqu'au %(date)s.",
            date=_ban_end(ban),
        )
    return f"{refusal} {ban_reason(ban)}".strip()


def ban_notice(ban: Ban) -> str:
    """What a banned reader reads in place of the comment form."""
    if ban.expires_at is None:
        notice = _("Vous ne pouvez plus publier de commentaires sur ce forum.")
    else:
        notice = _(
            "Vous ne pouvez pas publier de commentaires avant le %(date)s.", date=_ban_end(ban)
        )
    return f"{notice} {ban_reason(ban)}".strip()


def ban_reason(ban: Ban) -> str:
    if not ban.reason:
        return ""
    return _("Raison donnée par la modération : %(reason)s", reason=ban.reason)


def _ban_end(ban: Ban) -> str:
    return format_moment(ban.expires_at)


def _has_approved_comment(reader_hash: str) -> bool:
    return (
        db.session.execute(
            select(Comment.id)
            .where(Comment.reader_hash == reader_hash, Comment.status == "approved")
            .limit(1)
        ).first()
        is not None
    )


@dataclass(frozen=True)
class FlagRules:
    trust_after: timedelta  # a reader's history must be this old for their flag to count
    burst_flags: int  # that many flags from one address within burst_window: a burst
    burst_window: timedelta


def flag_rules() -> FlagRules:
    config = current_app.config
    return FlagRules(
        timedelta(hours=config["FORUM_TRUST_AFTER_HOURS"]),
        config["FORUM_FLAG_BURST_COUNT"],
        timedelta(minutes=config["FORUM_FLAG_BURST_MINUTES"]),
    )


def hold_if_flagged(comment: Comment, threshold: int, rules: FlagRules) -> bool:
    """Hold a reader's comment for review once `threshold` distinct addresses flagged it
    through established readers; say if it is held. A staff comment stays published (its
    flags put it in the "reported" tab)."""
    if comment.user_id is not None:
        return False
    if counted_flags(comment.id, utcnow() - rules.trust_after) < threshold:
        return False
    return (
        db.session.execute(
            update(Comment)
            .where(Comment.id == comment.id, Comment.status == "approved")
            .values(status="pending", pending_reason="flags")
            .execution_options(synchronize_session=False, **changes_pages(comment.article_id))
        ).rowcount
        > 0
    )


def counted_flags(comment_id: int, established_before) -> int:
    """Distinct addresses among the open flags of readers established before that time."""
    return db.session.execute(
        select(func.count(func.distinct(Flag.address_hash))).where(
            Flag.comment_id == comment_id,
            Flag.resolved_at.is_(None),
            Flag.address_hash.is_not(None),
            established_reader(Flag.reader_hash, established_before),
        )
    ).scalar_one()


def established_reader(reader_hash, before):
    """A reader with some history: a published comment, or a poll answer, from before
    `before` (a fresh cookie has neither, and cannot get one dated in the past)."""
    earlier = aliased(Comment)
    return or_(
        exists().where(
            earlier.reader_hash == reader_hash,
            earlier.status == "approved",
            earlier.deleted_at.is_(None),
            earlier.created_at <= before,
        ),
        exists().where(Vote.reader_hash == reader_hash, Vote.created_at <= before),
    )


def mark_flag_burst(address_hash: str | None, rules: FlagRules) -> bool:
    """Mark every flag of this address in the window once they make a burst; say if so."""
    if not address_hash or rules.burst_flags <= 0:
        return False
    in_window = (Flag.address_hash == address_hash) & (
        Flag.created_at >= utcnow() - rules.burst_window
    )
    flags = db.session.execute(select(func.count(Flag.id)).where(in_window)).scalar_one()
    if flags < rules.burst_flags:
        return False
    db.session.execute(
        update(Flag)
        .where(in_window, Flag.burst.is_(False))
        .values(burst=True)
        .execution_options(synchronize_session=False)
    )
    return True
