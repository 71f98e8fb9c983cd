"""The discussion rules: posting, editing, deleting, "utile" votes and flags."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import format_number
from flask_babel import gettext as _
from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute

from forum.comments.pseudonyms import (
    InvalidPseudonym,
    check_pseudonym,
    clean_pseudonym,
    fold_name,
)
from forum.extensions import db
from forum.markdown import render_comment
from forum.models import (
    Article,
    ChangedMindMark,
    Comment,
    CommentVote,
    Flag,
    Reader,
    User,
    utcnow,
)
from forum.models.comments import FLAG_REASONS
from forum.moderation.policy import (
    flag_rules,
    hold_if_flagged,
    judge_new_comment,
    mark_flag_burst,
)
from forum.notices.services import record_reply_notice
from forum.page_cache import changes_pages

MAX_BODY = 5000
# C0/C1 control characters except tab and newline: PostgreSQL refuses NUL, XML refuses all.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


class CommentError(Exception):
    """A refused action; `message` is French for the reader, `status` the HTTP answer."""

    def __init__(self, message: str, status: int = 400, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.field = field


@dataclass(frozen=True)
class Author:
    """Who is posting: a reader (hash, address) and, when logged in, a staff account."""

    reader_hash: str
    address_hash: str | None
    staff: User | None = None


@dataclass(frozen=True)
class Settings:
    max_depth: int
    edit_window: timedelta
    flag_threshold: int
    useful_per_address: int = 0  # "utile" marks one address may give a comment (0: no cap)


def clean_body(raw: str) -> str:
    """Normalise line ends, drop control characters, trim; refuse empty or too long."""
    text = _CONTROL.sub("", (raw or "").replace("\r\n", "\n").replace("\r", "\n")).strip()
    if not text:
        raise CommentError(_("Votre commentaire est vide."), field="body")
    if len(text) > MAX_BODY:
        raise CommentError(
            _(
                "Votre commentaire dépasse %(max)s caractères (%(len)s).",
                max=format_number(MAX_BODY),
                len=format_number(len(text)),
            ),
            field="body",
        )
    return text


def preview_html(raw: str) -> str:
    return render_comment(clean_body(raw))


def post_comment(
    article: Article,
    author: Author,
    settings: Settings,
    *,
    pseudonym: str,
    body: str,
    parent_id: int | None,
    submission_token: str | None,
    language: str,
    screen: Callable[[Author, str], None] | None = None,
) -> Comment:
    """Store a new comment (or return the one this form already created).

    `screen(author, text)` may refuse a reader's new text (the spam rules) by raising
    CommentError; a re-sent form that already stored its comment is not screened again.
    """
    if not article.discussion_open:
        raise CommentError(
            _("La discussion est close : elle n'accepte plus de commentaires."), status=409
        )
    if submission_token:
        existing = _by_token(submission_token)
        if existing is not None:
            return existing
    text = clean_body(body)
    if screen is not None and not author.staff:
        try:
            screen(author, text)
        except CommentError:
            # The same form sent at the same instant (a double click) won the race for its
            # stamp while this one waited: its comment is this one's.
            existing = _by_token(submission_token) if submission_token else None
            if existing is None:
                raise
            return existing
    name = author.staff.display_name if author.staff else _valid_pseudonym(pseudonym)
    comment = Comment(
        article_id=article.id,
        reader_hash=author.reader_hash,
        address_hash=author.address_hash,
        user_id=author.staff.id if author.staff else None,
        author_name=name,
        body_source=text,
        body_html=render_comment(text),
        submission_token=submission_token,
        language=language,
    )
    if parent_id is not None:
        _attach_reply(comment, _reply_target(article, parent_id, author), settings.max_depth)
    verdict = judge_new_comment(
        article, author.reader_hash, author.address_hash, text, staff=author.staff is not None
    )
    _apply_verdict(comment, verdict)
    stored = _insert_once(comment)
    # The name is claimed after the insert: a racing duplicate of this form waits on the
    # token above and returns the first comment, instead of fighting over the name.
    if stored is comment and not author.staff:
        _claim_pseudonym(author.reader_hash, name)
    if stored is comment:
        record_reply_notice(comment)
    return stored


def _by_token(token: str) -> Comment | None:
    return db.session.execute(
        select(Comment).where(Comment.submission_token == token)
    ).scalar_one_or_none()


def _insert_once(comment: Comment) -> Comment:
    # A concurrent double submission races on the unique token: the loser returns the
    # winner's comment instead of failing.
    try:
        with db.session.begin_nested():
            db.session.add(comment)
    except IntegrityError:
        existing = _by_token(comment.submission_token) if comment.submission_token else None
        if existing is None:
            raise
        return existing
    return comment


def _valid_pseudonym(raw: str) -> str:
    name = clean_pseudonym(raw)
    staff_names = list(db.session.execute(select(User.display_name)).scalars())
    try:
        check_pseudonym(name, staff_names)
    except InvalidPseudonym as error:
        raise CommentError(str(error), field="pseudonym") from error
    return name


def _claim_pseudonym(reader_hash: str, name: str) -> None:
    """Remember the name for this reader; one reader per name."""
    key = fold_name(name)
    owner = _pseudonym_owner(key)
    if owner is not None and owner != reader_hash:
        raise CommentError(
            _("Ce pseudonyme est déjà utilisé par un autre lecteur."), field="pseudonym"
        )
    _remember_pseudonym(reader_hash, name, key)


def _remember_pseudonym(reader_hash: str, name: str, key: str) -> None:
    # An upsert on the reader; a unique-key failure is harmless when the name's owner turns
    # out to be this same reader (a double submission racing with itself).
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(Reader).values(
        reader_hash=reader_hash, pseudonym=name, pseudonym_key=key, created_at=utcnow()
    )
    statement = statement.on_conflict_do_update(
        index_elements=["reader_hash"], set_={"pseudonym": name, "pseudonym_key": key}
    )
    try:
        with db.session.begin_nested():
            db.session.execute(statement)
    except IntegrityError as error:
        if _pseudonym_owner(key) != reader_hash:
            raise CommentError(
                _("Ce pseudonyme vient d'être pris par un autre lecteur."),
                status=409,
                field="pseudonym",
            ) from error


def _pseudonym_owner(key: str) -> str | None:
    return db.session.execute(
        select(Reader.reader_hash).where(Reader.pseudonym_key == key)
    ).scalar_one_or_none()


def remembered_pseudonym(reader_hash: str | None) -> str:
    if not reader_hash:
        return ""
    return (
        db.session.execute(
            select(Reader.pseudonym).where(Reader.reader_hash == reader_hash)
        ).scalar_one_or_none()
        or ""
    )


def _reply_target(article: Article, parent_id: int, author: Author) -> Comment:
    parent = db.session.get(Comment, parent_id)
    if parent is None or parent.article_id != article.id or not _open_to_replies(parent, author):
        raise CommentError(_("Ce commentaire n'accepte plus de réponses."), status=409)
    return parent


def _open_to_replies(parent: Comment, author: Author) -> bool:
    if parent.deleted_at is not None:
        return False
    return parent.status == "approved" or parent.reader_hash == author.reader_hash


def _attach_reply(comment: Comment, target: Comment, max_depth: int) -> None:
    """Thread under target; past the depth cap, attach beside it and say whom it answers."""
    comment.thread_id = target.thread_id or target.id
    if target.depth < max_depth:
        comment.parent_id, comment.depth = target.id, target.depth + 1
        return
    comment.parent_id, comment.depth = target.parent_id, target.depth
    comment.reply_to_id = target.id


def _apply_verdict(comment: Comment, verdict) -> None:
    if verdict.refusal:
        raise CommentError(verdict.refusal, status=verdict.refusal_status, field="body")
    if verdict.status == "pending":
        comment.status, comment.pending_reason = "pending", verdict.pending_reason
    elif comment.status is None:
        comment.publish()


def editable(comment: Comment, reader_hash: str | None, settings: Settings) -> bool:
    """Whether this reader may still edit or delete the comment."""
    return (
        reader_hash is not None
        and comment.reader_hash == reader_hash
        and comment.deleted_at is None
        and comment.status != "rejected"
        and utcnow() - comment.created_at <= settings.edit_window
    )


def edit_time_left(comment: Comment, settings: Settings) -> timedelta:
    """How long the author may still edit or delete the comment (zero once the window ends)."""
    return max(timedelta(0), comment.created_at + settings.edit_window - utcnow())


def check_editable(comment: Comment, reader_hash: str | None, settings: Settings) -> None:
    if reader_hash is None or comment.reader_hash != reader_hash:
        raise CommentError(_("Seul l'auteur peut modifier ou supprimer ce commentaire."), 403)
    if comment.deleted_at is not None:
        raise CommentError(_("Ce commentaire a été supprimé."), 410)
    if not editable(comment, reader_hash, settings):
        raise CommentError(
            _(
                "Le délai de %(minutes)d minutes pour modifier ou supprimer ce commentaire est "
                "passé.",
                minutes=int(settings.edit_window.total_seconds() // 60),
            ),
            403,
        )


def edit_comment(
    comment: Comment, article: Article, author: Author, settings: Settings, body: str
) -> None:
    check_editable(comment, author.reader_hash, settings)
    text = clean_body(body)
    verdict = judge_new_comment(
        article, author.reader_hash, author.address_hash, text, staff=author.staff is not None
    )
    _apply_verdict(comment, verdict)
    comment.body_source, comment.body_html = text, render_comment(text)
    comment.edited_at = utcnow()


def delete_comment(comment: Comment, reader_hash: str | None, settings: Settings) -> None:
    """Clear the text; replies stay, under a "commentaire supprimé" placeholder."""
    check_editable(comment, reader_hash, settings)
    comment.deleted_at = utcnow()
    comment.body_source = comment.body_html = ""


def _check_public(comment: Comment) -> None:
    if comment.status != "approved" or comment.deleted_at is not None:
        raise CommentError(_("Ce commentaire n'est plus visible."), 409)


@dataclass(frozen=True)
class MarkKind:
    """A reaction a reader gives a comment once, with the count it keeps on the comment."""

    model: type[CommentVote] | type[ChangedMindMark]
    count: InstrumentedAttribute[int]
    own_comment_refusal: Callable[[], str]
    address_cap_refusal: Callable[[int], str]


USEFUL = MarkKind(
    CommentVote,
    Comment.useful_count,
    lambda: _("Vous ne pouvez pas marquer votre propre commentaire comme utile."),
    lambda cap: _(
        "Ce commentaire a déjà reçu %(max)d marques « utile » depuis votre connexion.", max=cap
    ),
)
CHANGED_MIND = MarkKind(
    ChangedMindMark,
    Comment.changed_minds_count,
    lambda: _("Votre propre commentaire ne peut pas vous avoir fait changer d'avis."),
    lambda cap: _(
        "Ce commentaire a déjà reçu %(max)d marques « m'a fait changer d'avis » depuis votre "
        "connexion.",
        max=cap,
    ),
)


def toggle_useful(
    comment: Comment, reader_hash: str, address_hash: str | None = None, per_address: int = 0
) -> bool:
    """Add or remove this reader's "utile" mark; return whether it is now marked.

    One address gives a comment `per_address` marks at most, whatever its readers (0: no
    cap): one client cannot move a comment up the "most useful" sort with fresh cookies.
    """
    return toggle_mark(USEFUL, comment, reader_hash, address_hash, per_address)


def toggle_changed_mind(
    comment: Comment, reader_hash: str, address_hash: str | None = None, per_address: int = 0
) -> bool:
    """Add or remove this reader's "m'a fait changer d'avis"; return whether it is now given.
    The same cap per address as "utile" keeps one client from leading the sort by it."""
    return toggle_mark(CHANGED_MIND, comment, reader_hash, address_hash, per_address)


def toggle_mark(
    kind: MarkKind,
    comment: Comment,
    reader_hash: str,
    address_hash: str | None,
    per_address: int,
) -> bool:
    _check_public(comment)
    if comment.reader_hash == reader_hash:
        raise CommentError(kind.own_comment_refusal(), 403)
    mark = kind.model
    removed = db.session.execute(
        delete(mark).where(mark.comment_id == comment.id, mark.reader_hash == reader_hash)
    ).rowcount
    if removed:
        _add_to_count(comment, kind.count, -1)
        return False
    _lock(comment)
    if per_address and _marks_from(mark, comment, address_hash) >= per_address:
        raise CommentError(kind.address_cap_refusal(per_address), 409)
    try:
        with db.session.begin_nested():
            db.session.add(
                mark(comment_id=comment.id, reader_hash=reader_hash, address_hash=address_hash)
            )
    except IntegrityError:
        return True  # A concurrent request of the same reader marked it already.
    _add_to_count(comment, kind.count, 1)
    return True


def _marks_from(mark, comment: Comment, address_hash: str | None) -> int:
    if not address_hash:
        return 0
    return db.session.execute(
        select(func.count(mark.id)).where(
            mark.comment_id == comment.id, mark.address_hash == address_hash
        )
    ).scalar_one()


def _add_to_count(comment: Comment, column, step: int) -> None:
    # In SQL, not in Python: concurrent votes never lose an increment.
    db.session.execute(
        update(Comment)
        .where(Comment.id == comment.id)
        .values({column: column + step})
        .execution_options(synchronize_session=False, **changes_pages(comment.article_id))
    )


def flag_comment(
    comment: Comment,
    reader_hash: str,
    address_hash: str | None,
    reason: str,
    note: str,
    threshold: int,
) -> None:
    """Store one flag per reader; the comment is held for review once flags from enough
    established readers on distinct addresses count (forum.moderation.policy)."""
    _check_public(comment)
    if reason not in FLAG_REASONS:
        raise CommentError(_("Choisissez une raison de signalement."), field="reason")
    if comment.reader_hash == reader_hash:
        raise CommentError(_("Vous ne pouvez pas signaler votre propre commentaire."), 403)
    _lock(comment)
    try:
        with db.session.begin_nested():
            db.session.add(
                Flag(
                    comment_id=comment.id,
                    reader_hash=reader_hash,
                    reason=reason,
                    note=_CONTROL.sub("", note or "").strip()[:1000],
                    address_hash=address_hash,
                )
            )
    except IntegrityError as error:
        raise CommentError(_("Vous avez déjà signalé ce commentaire."), 409) from error
    _add_to_count(comment, Comment.flag_count, 1)
    rules = flag_rules()
    hold_if_flagged(comment, threshold, rules)
    mark_flag_burst(address_hash, rules)
    db.session.expire(comment)


def _lock(comment: Comment) -> None:
    # Concurrent flags or marks on one comment count one after the other (PostgreSQL; a
    # SQLite write already waits for the previous one).
    db.session.execute(select(Comment.id).where(Comment.id == comment.id).with_for_update())


def flag_threshold(article: Article, default: int) -> int:
    return article.flag_threshold or default
