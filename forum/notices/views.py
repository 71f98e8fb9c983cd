from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from forum.extensions import db
from forum.limits import rate_limit
from forum.models import utcnow
from forum.notices.forms import FeedForm, MailForm, MailLinkForm
from forum.notices.mail import (
    CONFIRM_SALT,
    UNSUBSCRIBE_SALT,
    confirm,
    forget_mail,
    mail_enabled,
    reader_mail,
    subscribe,
    subscription_for,
)
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
from forum.security import vary_on_cookie

bp = Blueprint("notices", __name__)


@bp.after_request
def _keep_private(response: Response) -> Response:
    # Replies to one reader: never kept by a browser cache or a shared proxy.
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    vary_on_cookie(response)
    return response


@bp.get("/mes-reponses")
def my_replies():
    """List the replies this reader's comments received, newest first, and their feed."""
    return _my_replies_page(current_reader_hash())


def _my_replies_page(reader_hash: str | None, mail_form: MailForm | None = None, status=200):
    replies = replies_received(reader_hash) if reader_hash else []
    if replies:
        remember_seen(replies[0].notice_id)
    feed = reader_feed(reader_hash) if reader_hash else None
    page = render_template(
        "notices/my_replies.html",
        has_reader=reader_hash is not None,
        replies=replies,
        feed_token=feed_token(feed) if feed else None,
        form=FeedForm(),
        mail_enabled=mail_enabled(),
        subscription=reader_mail(reader_hash) if reader_hash else None,
        mail_form=mail_form or MailForm(formdata=None),
        forget_form=MailLinkForm(formdata=None),
    )
    return page, status


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


@bp.post("/mes-reponses/courriel")
@rate_limit("notices")
def subscribe_mail():
    """Store the reader's address and send it a confirmation link."""
    reader_hash = current_reader_hash()
    form = MailForm()
    if not mail_enabled() or reader_hash is None:
        flash(_("Ce forum n'envoie pas d'e-mails."), "info")
        return redirect(url_for("notices.my_replies"), 303)
    if not form.validate_on_submit():
        return _my_replies_page(reader_hash, mail_form=form, status=400)
    subscribe(reader_hash, form.address.data, str(get_locale()))
    db.session.commit()
    flash(
        _(
            "Un lien de confirmation part vers cette adresse : ouvrez-le pour recevoir les "
            "réponses par e-mail."
        ),
        "success",
    )
    return redirect(url_for("notices.my_replies", _anchor="courriel"), 303)


@bp.post("/mes-reponses/courriel/supprimer")
@rate_limit("notices")
def forget_mail_address():
    """Delete the reader's address: no more e-mails."""
    reader_hash = current_reader_hash()
    if not MailLinkForm().validate_on_submit():
        abort(400)
    if reader_hash and forget_mail(reader_hash):
        db.session.commit()
        flash(_("Votre adresse e-mail est supprimée : vous ne recevrez plus rien."), "success")
    return redirect(url_for("notices.my_replies", _anchor="courriel"), 303)


@bp.route("/mes-reponses/courriel/confirmer/<token>", methods=["GET", "POST"])
@rate_limit("notices")
def confirm_mail(token: str):
    """The mailed confirmation link: a page whose button confirms the address."""
    subscription = subscription_for(token, CONFIRM_SALT) or abort(404)
    form = MailLinkForm()
    if not form.validate_on_submit():
        return render_template("notices/mail_link.html", action="confirm", form=form)
    confirm(subscription)
    db.session.commit()
    return render_template("notices/mail_link.html", action="confirmed", form=None)


@bp.route("/mes-reponses/courriel/desabonner/<token>", methods=["GET", "POST"])
@rate_limit("notices")
def unsubscribe_mail(token: str):
    """The unsubscribe link of every e-mail: a page whose button deletes the address."""
    subscription = subscription_for(token, UNSUBSCRIBE_SALT)
    form = MailLinkForm()
    if subscription is None or not form.validate_on_submit():
        action = "unsubscribe" if subscription else "unsubscribed"
        return render_template("notices/mail_link.html", action=action, form=form)
    forget_mail(subscription.reader_hash)
    db.session.commit()
    return render_template("notices/mail_link.html", action="unsubscribed", form=None)
