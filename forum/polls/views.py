from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _

from forum.articles.page import render_article_page, render_poll_section
from forum.extensions import db
from forum.limits import rate_limit
from forum.polls.ballot import Outcome, record_ballot
from forum.polls.forms import build_poll_form
from forum.polls.services import get_article_with_poll
from forum.readers import current_address_hash, ensure_reader_hash, forget_new_reader

bp = Blueprint("polls", __name__)


@bp.post("/articles/<slug>/vote")
@rate_limit("vote")
def vote(slug: str):
    """Record the reader's answers, then show the results."""
    # CSRFProtect has checked the token before the view; a ballot needs no form object.
    outcome = record_ballot(slug, request.form, ensure_reader_hash(), current_address_hash())
    if outcome is not Outcome.RECORDED:
        forget_new_reader()
        return _refused(slug, outcome)
    db.session.commit()
    return _acknowledged(slug)


def _refused(slug: str, outcome: Outcome):
    """The page with the poll form explaining why nothing was recorded."""
    if outcome is Outcome.UNKNOWN_ARTICLE:
        abort(404)
    article = get_article_with_poll(slug) or abort(404)
    form = build_poll_form(article.questions)
    if outcome is Outcome.POLL_CLOSED:
        return render_article_page(
            article,
            poll_form=form,
            status=409,
            poll_error=_("Ce sondage est clos : il n'accepte plus de votes ni de changements."),
        )
    form.validate()  # each question's own message
    return render_article_page(
        article, poll_form=form, status=400, poll_error=_("Votre vote n'a pas été enregistré.")
    )


def _acknowledged(slug: str):
    notice = _("Votre vote est enregistré. Vous pouvez le modifier tant que le sondage est ouvert.")
    if request.headers.get("X-Requested-With") == "fetch":
        # The page votes in place: the poll section alone, no redirect, nothing flashed.
        article = get_article_with_poll(slug) or abort(404)
        return render_poll_section(article, notice=notice)
    flash(notice, "success")
    return redirect(url_for("articles.show", slug=slug, _anchor="sondage"))
