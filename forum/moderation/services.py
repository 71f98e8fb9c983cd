"""Moderation actions. Each one changes state and appends exactly one audit entry."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import event, select, update

from forum.extensions import db
from forum.models import Article, AuditEntry, Ban, Comment, Flag, User, WordRule, utcnow
from forum.models.articles import PREMODERATION_MODES
from forum.models.moderation import WORD_KINDS
from forum.moderation.audit_text import REASONS_SEPARATOR
from forum.moderation.policy import normalize_words
from forum.notices.services import record_reply_notice
from forum.polls.reasons import set_offered_reasons

BAN_DURATIONS: dict[str, timedelta | None] = {
    "24h": timedelta(hours=24),
    "7d": timedelta(days=7),
    "30d": timedelta(days=30),
    "permanent": None,
}


class AuditLogIsAppendOnly(RuntimeError):
    """Raised if code tries to change or remove an audit entry."""


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _refuse_audit_change(_mapper, _connection, entry: AuditEntry) -> None:
    raise AuditLogIsAppendOnly(f"audit entry {entry.id} cannot be changed or deleted")


class ActionRefused(ValueError):
    """The action does not apply to the target in its current state (a French message)."""


def record(
    actor: User | None,
    action: str,
    *,
    comment: Comment | None = None,
    article_id: int | None = None,
    reader_hash: str | None = None,
    reason: str = "",
    details: str = "",
) -> AuditEntry:
    """Append one audit entry; nothing in the app updates or deletes them."""
    entry = AuditEntry(
        actor_id=actor.id if actor else None,
        action=action,
        comment_id=comment.id if comment else None,
        article_id=article_id or (comment.article_id if comment else None),
        reader_hash=reader_hash or (comment.reader_hash if comment else None),
        reason=reason,
        details=details,
    )
    db.session.add(entry)
    return entry


def approve(comment: Comment, actor: User, reason: str = "") -> None:
    if comment.status == "approved" and comment.flag_count == 0:
        raise ActionRefused(_l("Ce commentaire est déjà publié et n'est pas signalé."))
    if comment.status == "rejected":
        raise ActionRefused(_l("Ce commentaire est refusé : utilisez « Rétablir »."))
    previous = comment.pending_reason or "flags"
    comment.publish()
    comment.pending_reason = None
    _resolve_flags(comment)
    record_reply_notice(comment)
    record(actor, "approve", comment=comment, details=f"was: {previous}")


def reject(comment: Comment, actor: User, reason: str) -> None:
    if comment.status == "rejected":
        raise ActionRefused(_l("Ce commentaire est déjà refusé."))
    if not reason.strip():
        raise ActionRefused(_l("Indiquez la raison du refus."))
    comment.status, comment.pending_reason = "rejected", None
    comment.reject_reason = reason.strip()
    comment.featured_at = None
    _resolve_flags(comment)
    record(actor, "reject", comment=comment, reason=comment.reject_reason)


def restore(comment: Comment, actor: User, reason: str = "") -> None:
    if comment.status != "rejected":
        raise ActionRefused(_l("Seul un commentaire refusé peut être rétabli."))
    previous = comment.reject_reason or ""
    comment.publish()
    comment.reject_reason = None
    record_reply_notice(comment)
    record(actor, "restore", comment=comment, details=f"was rejected: {previous}")


def feature(comment: Comment, actor: User, reason: str = "") -> None:
    if comment.status != "approved" or comment.deleted_at is not None:
        raise ActionRefused(_l("Seul un commentaire publié peut être mis en avant."))
    if comment.featured_at is not None:
        raise ActionRefused(_l("Ce commentaire est déjà mis en avant."))
    comment.featured_at = utcnow()
    record(actor, "feature", comment=comment)


def unfeature(comment: Comment, actor: User, reason: str = "") -> None:
    if comment.featured_at is None:
        raise ActionRefused(_l("Ce commentaire n'est pas mis en avant."))
    comment.featured_at = None
    record(actor, "unfeature", comment=comment)


COMMENT_ACTIONS: dict[str, Callable[[Comment, User, str], None]] = {
    "approve": approve,
    "reject": reject,
    "restore": restore,
    "feature": feature,
    "unfeature": unfeature,
}


def apply_to_selection(
    action: str, comments: list[Comment], actor: User, reason: str = ""
) -> tuple[int, int]:
    """Apply one action to each comment it fits; return (done, skipped)."""
    done = 0
    for comment in comments:
        try:
            COMMENT_ACTIONS[action](comment, actor, reason)
        except ActionRefused:
            continue
        done += 1
    return done, len(comments) - done


def _resolve_flags(comment: Comment) -> None:
    db.session.execute(
        update(Flag)
        .where(Flag.comment_id == comment.id, Flag.resolved_at.is_(None))
        .values(resolved_at=utcnow())
    )
    comment.flag_count = 0


def ban_author(
    comment: Comment, actor: User, duration: str, reason: str, include_address: bool
) -> Ban:
    """Ban the comment's author for one of BAN_DURATIONS: their address too is refused
    (include_address), or else its new comments are held for review while the ban lasts."""
    if duration not in BAN_DURATIONS:
        raise ActionRefused(_l("Choisissez une durée de bannissement."))
    if include_address and not comment.address_hash:
        raise ActionRefused(_l("L'adresse de ce commentaire n'est plus connue."))
    length = BAN_DURATIONS[duration]
    now = utcnow()
    ban = Ban(
        reader_hash=comment.reader_hash,
        address_hash=comment.address_hash if include_address else None,
        held_address_hash=None if include_address else comment.address_hash,
        reason=reason.strip(),
        created_at=now,
        expires_at=now + length if length else None,
        created_by_id=actor.id,
    )
    db.session.add(ban)
    record(
        actor,
        "ban",
        comment=comment,
        reason=ban.reason,
        details=f"duration={duration}; address={'yes' if include_address else 'no'}",
    )
    return ban


def lift_ban(ban: Ban, actor: User) -> None:
    if ban.lifted_at is not None or (ban.expires_at and ban.expires_at <= utcnow()):
        raise ActionRefused(_l("Ce bannissement n'est plus en vigueur."))
    ban.lifted_at = utcnow()
    record(actor, "unban", reader_hash=ban.reader_hash, details=f"ban={ban.id}")


def active_bans(now: datetime | None = None) -> list[Ban]:
    now = now or utcnow()
    return list(
        db.session.execute(
            select(Ban)
            .where(Ban.lifted_at.is_(None), (Ban.expires_at.is_(None)) | (Ban.expires_at > now))
            .order_by(Ban.created_at.desc())
        ).scalars()
    )


def update_article_settings(
    article: Article,
    actor: User,
    *,
    discussion_open: bool,
    poll_open: bool,
    premoderation: str,
    flag_threshold: int | None,
    reasons: list[str] | None = None,
) -> bool:
    """Apply the settings and the reasons offered to voters; record one audit entry
    listing what changed. False if nothing did."""
    if premoderation not in PREMODERATION_MODES:
        raise ActionRefused(_l("Mode de pré-modération inconnu."))
    wanted = {
        "discussion_open": discussion_open,
        "poll_open": poll_open,
        "premoderation": premoderation,
        "flag_threshold": flag_threshold,
    }
    changes = [
        f"{name}: {getattr(article, name)} -> {value}"
        for name, value in wanted.items()
        if getattr(article, name) != value
    ]
    before, after = set_offered_reasons(article.id, reasons) if reasons is not None else ([], [])
    if before != after:
        changes.append(
            f"reasons: {REASONS_SEPARATOR.join(before)} -> {REASONS_SEPARATOR.join(after)}"
        )
    if not changes:
        return False
    for name, value in wanted.items():
        setattr(article, name, value)
    record(actor, "article_settings", article_id=article.id, details="; ".join(changes))
    return True


def add_word(word: str, kind: str, actor: User) -> WordRule:
    normalized = normalize_words(word)
    if kind not in WORD_KINDS or not normalized:
        raise ActionRefused(_l("Indiquez un mot ou une expression (lettres ou chiffres)."))
    exists = db.session.execute(
        select(WordRule.id).where(WordRule.normalized == normalized, WordRule.kind == kind)
    ).first()
    if exists:
        raise ActionRefused(_l("Ce mot est déjà dans cette liste."))
    rule = WordRule(word=word.strip(), normalized=normalized, kind=kind, created_by_id=actor.id)
    db.session.add(rule)
    record(actor, "word_add", details=f"{kind}: {rule.word}")
    return rule


def remove_word(rule: WordRule, actor: User) -> None:
    record(actor, "word_remove", details=f"{rule.kind}: {rule.word}")
    db.session.delete(rule)
