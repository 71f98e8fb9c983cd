"""Assemble the article page: the article, its poll and its discussion."""

from __future__ import annotations

from flask import abort, render_template

from forum.article_pages.live import since_now
from forum.comments.page import discussion_context, viewer_for
from forum.comments.spam import page_stamp
from forum.models import Article
from forum.notices.page import reader_notice
from forum.polls.forms import build_poll_form
from forum.polls.reasons import (
    MIN_VOTERS_SHOWN,
    offered_reasons,
    reader_reasons,
    reason_shares,
    reasons_question,
)
from forum.polls.services import load_questions, poll_results
from forum.readers import current_reader_hash


def render_article_page(
    article: Article,
    *,
    poll_form=None,
    show_results: bool = False,
    status: int = 200,
    poll_error: str | None = None,
    ticked_reasons: frozenset[int] | None = None,
    comment_form=None,
    comment_error: str | None = None,
    comment_preview: str | None = None,
    discussion_page: int = 1,
    sort: str = "recent",
    stance: str | None = None,
    reply_to: int | None = None,
    after: int | None = None,
    whole_thread: int | None = None,
):
    """Render the whole page; the comment form (with its errors or preview) is re-shown."""
    reader_hash = current_reader_hash()
    questions = load_questions(article)
    poll = _poll_context(article, questions, reader_hash, poll_form, ticked_reasons)
    discussion = discussion_context(
        article,
        viewer_for(reader_hash, questions),
        form=comment_form,
        page=discussion_page,
        sort=sort,
        stance=stance,
        reply_to=reply_to,
        after=after,
        whole_thread=whole_thread,
    )
    if discussion is None:
        abort(404)
    page = render_template(
        "articles/show.html",
        article=article,
        **poll,
        poll_error=poll_error,
        show_results=show_results or poll["poll"].reader_has_voted or not article.poll_open,
        comment_error=comment_error,
        comment_preview=comment_preview,
        # Per reader: never in the page cached for visitors without identity.
        reply_notice=reader_notice(reader_hash),
        live_since=since_now(),
        **discussion,
    )
    return page, status


def render_poll_section(article: Article, *, notice: str) -> str:
    """The poll section alone, with the results, the reader's answers and a notice: the
    answer to a vote sent from the page (static/js/forum.js swaps it in place)."""
    poll = _poll_context(article, article.questions, current_reader_hash())
    return render_template(
        "polls/_poll.html", article=article, **poll, poll_notice=notice, show_results=True
    )


def _poll_context(
    article: Article,
    questions,
    reader_hash: str | None,
    poll_form=None,
    ticked_reasons: frozenset[int] | None = None,
) -> dict:
    """The results, and the form filled in with the reader's answers and reasons unless
    a form is given (then the reasons it sent)."""
    results = poll_results(questions, reader_hash)
    if poll_form is None:
        poll_form = build_poll_form(questions, data=_current_answers(results))
    # A visitor without an id sends the page's stamp with the vote (article_pages.first_vote).
    stamp = page_stamp() if reader_hash is None else None
    return {
        "poll": results,
        "poll_form": poll_form,
        "ballot_token": stamp,
        **_reasons_context(article, questions, results, reader_hash, ticked_reasons),
    }


def _reasons_context(article, questions, results, reader_hash, ticked) -> dict:
    """The reasons the form offers (cached under the article's version), those the reader
    ticked, and the shares per answer shown with the results (a query each at most)."""
    question = reasons_question(questions)
    offered = offered_reasons(article) if question is not None else []
    if not offered:
        return {"reasons": [], "ticked_reasons": frozenset(), "reason_shares": []}
    result = next(q for q in results.questions if q.id == question.id)
    if ticked is None and result.reader_choice_id is not None:
        ticked = reader_reasons(question.id, reader_hash)
    voters = {choice.id: choice.count for choice in result.choices}
    return {
        "reasons": offered,
        "reasons_question_id": question.id,
        "ticked_reasons": ticked or frozenset(),
        "reason_shares": reason_shares(question, voters, offered),
        "reasons_min_voters": MIN_VOTERS_SHOWN,
    }


def _current_answers(results) -> dict:
    return {f"q_{q.id}": q.reader_choice_id for q in results.questions if q.reader_choice_id}
