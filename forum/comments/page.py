"""The discussion part of the article page, as template data, and what the views that show
it need of the request: the settings, the viewer, the author, where a comment is shown."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from functools import partial

from flask import current_app, render_template, url_for
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup

from forum.comments.forms import CommentForm, UsefulForm
from forum.comments.services import Author, Settings, remembered_pseudonym
from forum.comments.thread import (
    Discussion,
    Viewer,
    has_footprint,
    known_order_and_side,
    load_discussion,
    thread_page,
)
from forum.cross_origin import token_field
from forum.models import Article, Comment, PollQuestion
from forum.models.articles import CREDIBILITY_QUESTION_KEY
from forum.moderation.policy import active_ban, ban_notice
from forum.page_cache import article_key, cached
from forum.polls.services import load_questions
from forum.readers import current_address_hash, current_reader_hash, ensure_reader_hash

# Stands for the CSRF field of the "utile" forms in HTML cached for every viewer: each
# response fills it (a signed-in session's token field, nothing for a reader).
CSRF_PLACEHOLDER = "\x00csrf\x00"


class SharedUsefulForm:
    """The "utile" form as HTML cached for every viewer renders it: its token field is the
    placeholder (rendering it never touches the session, so no cookie is set)."""

    @staticmethod
    def csrf_token(**_attributes) -> Markup:
        return Markup(CSRF_PLACEHOLDER)


def fill_token_fields(html: str) -> Markup:
    """Cached HTML with this response's CSRF fields in place."""
    return Markup(html.replace(CSRF_PLACEHOLDER, token_field()))


def discussion_settings() -> Settings:
    config = current_app.config
    return Settings(
        max_depth=config["FORUM_MAX_DEPTH"],
        edit_window=timedelta(minutes=config["FORUM_EDIT_WINDOW_MINUTES"]),
        flag_threshold=config["FORUM_FLAG_THRESHOLD"],
        useful_per_address=config["FORUM_USEFUL_PER_ADDRESS"],
    )


def viewer_for(reader_hash: str | None, questions: list[PollQuestion]) -> Viewer:
    question_id = next((q.id for q in questions if q.key == CREDIBILITY_QUESTION_KEY), None)
    return Viewer(
        reader_hash,
        question_id,
        discussion_settings(),
        current_app.config["FORUM_COMMENTS_PER_PAGE"],
        has_footprint(reader_hash),
    )


def signed_in_staff():
    """The logged-in staff member, or None for a reader."""
    return current_user if current_user.is_authenticated else None


def current_author() -> Author:
    return Author(ensure_reader_hash(), current_address_hash(), signed_in_staff())


def comment_location(comment: Comment, article: Article) -> str:
    """Where the comment is shown to this reader: its page and anchor, else the discussion."""
    viewer = viewer_for(current_reader_hash(), load_questions(article))
    page = thread_page(comment, article, viewer)
    if page is None:
        return url_for("articles.show", slug=article.slug, _anchor="discussion")
    return url_for(
        "articles.show",
        slug=article.slug,
        page=page if page > 1 else None,
        fil=comment.thread_id,  # a reply is shown even in a long, collapsed thread
        _anchor=f"c{comment.id}",
    )


def discussion_context(
    article: Article,
    viewer: Viewer,
    *,
    form: CommentForm | None,
    page: int,
    sort: str,
    stance: str | None,
    reply_to: int | None,
    after: int | None = None,
    whole_thread: int | None = None,
) -> dict | None:
    """Template data of one discussion page; None when the page does not exist."""
    staff = signed_in_staff()
    threads_html = None
    # Threads shown whole: the one asked for, and the one holding the comment answered.
    answered = form.parent_id.data if form is not None else reply_to
    whole = frozenset(i for i in (whole_thread, answered) if i)
    if staff is None and not viewer.personal and reply_to is None:
        shared = shared_threads(
            article, viewer, page=page, sort=sort, stance=stance, after=after, whole=whole
        )
        if shared is None:
            return None
        discussion, threads_html = shared
    else:
        discussion = load_discussion(
            article, viewer, page=page, sort=sort, stance=stance, after=after, whole=whole
        )
    if discussion is None:
        return None
    if form is None:
        form = CommentForm(formdata=None)
        form.pseudonym.data = (
            staff.display_name if staff else remembered_pseudonym(viewer.reader_hash)
        )
        form.parent_id.data = reply_to
    form.ensure_token()
    notice = None if staff else reader_ban_notice(viewer.reader_hash)
    if notice:
        _withdraw_edit_links(discussion.threads)
    if notice or form.parent_id.data not in _shown_ids(discussion.threads):
        form.parent_id.data = None
    return {
        "discussion": discussion,
        "comment_form": form,
        "action_form": UsefulForm(),
        "reply_target": form.parent_id.data,
        "signed_in_staff": staff,
        "threads_html": threads_html,
        "ban_notice": notice,
    }


def reader_ban_notice(reader_hash: str | None) -> str | None:
    """Why this reader may not comment and until when, shown in place of the form; None
    when no ban holds (nor edits of their comments: an edit is judged as a new comment)."""
    if reader_hash is None:
        return None
    ban = active_ban(reader_hash, current_address_hash())
    return ban_notice(ban) if ban else None


def shared_threads(
    article: Article,
    viewer: Viewer,
    *,
    page: int,
    sort: str,
    stance: str | None,
    after: int | None,
    whole: frozenset[int] = frozenset(),
) -> tuple[Discussion, Markup] | None:
    """The page's threads as every reader without marks of their own sees them, cached."""
    sort, stance = known_order_and_side(sort, stance)
    render = partial(_render_shared_threads, article, viewer, page, sort, stance, after, whole)
    # A thread shown whole is asked for by number: not cached, or any number would fill it.
    key = article_key(article, "threads-html", page, sort, stance, after, get_locale())
    entry = render() if whole else cached(key, render)
    if entry is None:
        return None
    discussion, html = entry
    return discussion, fill_token_fields(html)


def _render_shared_threads(
    article, viewer, page, sort, stance, after, whole
) -> tuple[Discussion, str] | None:
    discussion = load_discussion(
        article, viewer, page=page, sort=sort, stance=stance, after=after, whole=whole
    )
    if discussion is None:
        return None
    html = render_template(
        "comments/_threads.html",
        article=article,
        discussion=discussion,
        action_form=SharedUsefulForm,
        reply_target=None,
    )
    return replace(discussion, threads=[]), html


def _withdraw_edit_links(nodes) -> None:
    for node in nodes:
        node.editable = False
        _withdraw_edit_links(node.replies)


def _shown_ids(nodes) -> set[int]:
    """Ids of the comments a reader can answer on this page (not the placeholders)."""
    ids: set[int] = set()
    for node in nodes:
        if node.visible:
            ids.add(node.comment.id)
        ids |= _shown_ids(node.replies)
    return ids
