from __future__ import annotations

from functools import partial

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from forum.article_pages.anonymous_page import anonymous_page, is_anonymous_view
from forum.article_pages.assembly import render_article_page, render_poll_section
from forum.article_pages.both_sides import both_sides
from forum.article_pages.first_vote import first_voter_id
from forum.article_pages.over_time import render_over_time
from forum.articles.services import get_article, list_articles
from forum.comments.forms import CommentForm, add_field_error
from forum.comments.page import comment_location, current_author, discussion_settings, viewer_for
from forum.comments.services import CommentError, post_comment, preview_html
from forum.comments.spam import (
    check_posting_delay,
    screen_comment,
    spam_rules,
    submission_key,
)
from forum.comments.thread import thread_page
from forum.database import commit_if_used
from forum.extensions import db
from forum.limits import rate_limit
from forum.models import Article, Comment
from forum.next_page_notice import VOTE_RECORDED, VOTE_RECORDED_TEXT, leave_notice
from forum.parsing import bounded_int
from forum.polls.ballot import Outcome, record_ballot
from forum.polls.forms import build_poll_form
from forum.polls.reasons import FIELD as REASONS_FIELD
from forum.polls.services import get_article_with_poll, load_questions
from forum.readers import (
    current_address_hash,
    current_reader_hash,
    ensure_reader_hash,
    forget_new_reader,
)

bp = Blueprint("articles", __name__)


@bp.get("/")
def index():
    """List the articles with their vote and comment counts."""
    return render_template("articles/index.html", summaries=list_articles())


@bp.get("/articles/<slug>")
def show(slug: str):
    """Show the article, its poll and one page of its discussion."""
    args = request.args
    view = {
        "show_results": "resultats" in args,
        # A page number that is not one names no page: 0 makes the discussion answer 404.
        "discussion_page": bounded_int(args.get("page", "1"), default=0),
        "sort": args.get("sort", "recent"),
        "stance": args.get("stance") or None,
        "reply_to": bounded_int(args.get("repondre")),
        "after": bounded_int(args.get("apres")),
        # A long thread shown whole ("voir les N autres réponses").
        "whole_thread": bounded_int(args.get("fil")),
    }
    if is_anonymous_view(
        page=view["discussion_page"],
        after=view["after"],
        reply_to=view["reply_to"],
        whole_thread=view["whole_thread"],
        show_results=view["show_results"],
    ):
        page = anonymous_page(slug, sort=view["sort"], stance=view["stance"])
        if page is not None:
            return page
    article = get_article(slug) or abort(404)
    return render_article_page(article, **view)


@bp.get("/articles/<slug>/deux-camps")
def sides(slug: str):
    """The most useful comments of those who judge the announcement credible and of those
    who do not, side by side; the others below."""
    article = get_article(slug) or abort(404)
    return render_template("articles/both_sides.html", article=article, sides=both_sides(article))


@bp.get("/articles/<slug>/resultats-dans-le-temps")
def results_over_time(slug: str):
    """Each question's results and the comments of each side, period by period."""
    return render_over_time(get_article(slug) or abort(404))


@bp.post("/articles/<slug>/vote")
@rate_limit("vote")
def vote(slug: str):
    """Record the reader's answers, then show the results."""
    # forum.cross_origin has checked where it came from; a ballot needs no form object.
    # A reader with a cookie votes as themselves: the first-vote id (signature check and
    # two cache round trips) is only for a visitor without one.
    reader_hash = current_reader_hash() or ensure_reader_hash(
        first_voter_id(request.form.get("ballot"))
    )
    outcome = record_ballot(slug, request.form, reader_hash, current_address_hash())
    if outcome is not Outcome.RECORDED:
        forget_new_reader()
        return _refused_vote(slug, outcome)
    commit_if_used()
    return _acknowledged(slug)


def _refused_vote(slug: str, outcome: Outcome):
    """The page with the poll form explaining why nothing was recorded."""
    if outcome is Outcome.UNKNOWN_ARTICLE:
        abort(404)
    article = get_article_with_poll(slug) or abort(404)
    form = build_poll_form(article.questions)
    # The reasons as sent, back in their boxes (those that name one the form offers).
    ticked = frozenset(bounded_int(value) for value in request.form.getlist(REASONS_FIELD))
    if outcome is Outcome.POLL_CLOSED:
        return render_article_page(
            article,
            poll_form=form,
            status=409,
            poll_error=_("Ce sondage est clos : il n'accepte plus de votes ni de changements."),
            ticked_reasons=ticked,
        )
    if outcome is Outcome.UNKNOWN_REASON:
        return render_article_page(
            article,
            poll_form=form,
            status=400,
            poll_error=_(
                "Votre vote n'a pas été enregistré : cochez seulement des raisons de la liste "
                "proposée, chacune une fois."
            ),
            ticked_reasons=ticked,
        )
    form.validate()  # each question's own message
    return render_article_page(
        article,
        poll_form=form,
        status=400,
        poll_error=_("Votre vote n'a pas été enregistré."),
        ticked_reasons=ticked,
    )


def _acknowledged(slug: str):
    if request.headers.get("X-Requested-With") == "fetch":
        # The page votes in place: the poll section alone, no redirect, nothing flashed.
        article = get_article_with_poll(slug) or abort(404)
        return render_poll_section(article, notice=_(VOTE_RECORDED_TEXT))
    page = redirect(url_for("articles.show", slug=slug, _anchor="sondage"))
    return leave_notice(page, VOTE_RECORDED)


@bp.post("/articles/<slug>/comments")
@rate_limit("comment")
def create_comment(slug: str):
    """Preview or publish a comment or a reply, then show it in place."""
    article = get_article(slug) or abort(404)
    form = CommentForm()
    if not article.discussion_open:
        return _reshow_comment_form(
            article, form, _("La discussion est close : elle n'accepte plus de commentaires."), 409
        )
    if not form.validate_on_submit():
        return _reshow_comment_form(article, form, _("Votre commentaire n'a pas été publié."), 400)
    if form.honeypot_filled:
        # Silently dropped: the bot sees what a reader sees and learns nothing.
        flash(_("Votre commentaire est publié."), "success")
        return redirect(url_for("articles.show", slug=slug, _anchor="discussion"))
    rules = spam_rules()
    try:
        if form.preview.data and not form.submit.data:
            return _reshow_comment_form(
                article, form, None, 200, preview=preview_html(form.body.data)
            )
        check_posting_delay(form.rendered_at.data, rules)
        comment = post_comment(
            article,
            current_author(),
            discussion_settings(),
            pseudonym=form.pseudonym.data,
            body=form.body.data,
            parent_id=form.parent_id.data,
            submission_token=form.submission_token.data
            or submission_key(
                form.rendered_at.data, current_address_hash(), form.parent_id.data, form.body.data
            ),
            language=str(get_locale()),
            screen=partial(screen_comment, stamp=form.rendered_at.data, rules=rules),
        )
    except CommentError as error:
        db.session.rollback()
        add_field_error(form, error)
        return _reshow_comment_form(article, form, error.message, error.status)
    db.session.commit()
    flash(
        _("Votre commentaire est publié.")
        if comment.status == "approved"
        else _(
            "Votre commentaire est en attente de modération : il sera visible de tous après "
            "relecture."
        ),
        "success",
    )
    return redirect(comment_location(comment, article))


def _reshow_comment_form(
    article: Article, form: CommentForm, error: str | None, status: int, preview: str | None = None
):
    page = 1
    parent = db.session.get(Comment, form.parent_id.data) if form.parent_id.data else None
    if parent is not None and parent.article_id == article.id:
        viewer = viewer_for(current_reader_hash(), load_questions(article))
        page = thread_page(parent, article, viewer) or 1
    else:
        form.parent_id.data = None
    return render_article_page(
        article,
        comment_form=form,
        comment_error=error,
        comment_preview=preview,
        status=status,
        discussion_page=page,
    )
