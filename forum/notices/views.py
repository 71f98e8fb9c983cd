from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from forum.extensions import db
from forum.limits import rate_limit
from forum.models import utcnow
from forum.notices.forms import FeedForm
from forum.notices.page import remember_seen
from forum.notices.services import (
    FEED_ENTRIES,
    feed_reader,
    feed_token,
    reader_feed,
    renew_feed,
    replies_received,
)
from forum.readers import current_reader_hash

bp = Blueprint("notices", __name__)


@bp.after_request
def _keep_private(response: Response) -> Response:
    # Replies to one reader: never kept by a browser cache or a shared proxy.
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    response.vary.add("Cookie")
    return response


@bp.get("/mes-reponses")
def my_replies():
    """List the replies this reader's comments received, newest first, and their feed."""
    reader_hash = current_reader_hash()
    replies = replies_received(reader_hash) if reader_hash else []
    if replies:
        remember_seen(replies[0].notice_id)
    feed = reader_feed(reader_hash) if reader_hash else None
    token = feed_token(feed) if feed else None
    return render_template(
        "notices/my_replies.html",
        has_reader=reader_hash is not None,
        replies=replies,
        feed_token=token,
        form=FeedForm(),
    )


@bp.post("/mes-reponses/flux")
@rate_limit("notices")
def renew_feed_address():
    """Give this reader a private feed address, replacing the previous one."""
    form = FeedForm()
    reader_hash = current_reader_hash()
    if not form.validate_on_submit():
        abort(400)
    if reader_hash is None:
        flash(
            _("Ce navigateur n'a pas d'identifiant de lecteur : aucune réponse à suivre."), "info"
        )
        return redirect(url_for("notices.my_replies"), 303)
    had_feed = reader_feed(reader_hash) is not None
    renew_feed(reader_hash)
    db.session.commit()
    flash(
        _("Votre flux a une nouvelle adresse : l'ancienne ne fonctionne plus.")
        if had_feed
        else _("Votre flux est prêt : copiez son adresse dans votre lecteur de flux."),
        "success",
    )
    return redirect(url_for("notices.my_replies", _anchor="flux"), 303)


@bp.get("/mes-reponses/<token>.atom")
def feed(token: str):
    """The replies to one reader, for whoever holds the address (a feed reader)."""
    reader_hash = feed_reader(token) or abort(404)
    xml = render_template(
        "notices/feed.xml",
        token=token,
        replies=replies_received(reader_hash, FEED_ENTRIES),
        now=utcnow(),
    )
    return Response(xml, mimetype="application/atom+xml")
