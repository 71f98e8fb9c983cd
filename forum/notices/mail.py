"""Reply notices by e-mail: the subscription (double opt-in, signed links without sign-in),
the messages, and sending them through the operator's SMTP server (FORUM_SMTP_URL).

Nothing here runs inside a request but the subscription rules: the messages are written
and sent by the queue's worker (forum.notices.mail_queue).
"""

from __future__ import annotations

import re
import smtplib
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import delete, select

from forum.extensions import db
from forum.languages.selection import is_language
from forum.models import Article, Comment, Notice, NoticeMail, utcnow
from forum.notices.mail_queue import send_after_commit
from forum.templating import absolute_url

ADDRESS = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s.]+$")
CONFIRM_SALT = "notices.mail.confirm"
UNSUBSCRIBE_SALT = "notices.mail.unsubscribe"
CONFIRM_MAX_AGE = 7 * 86400


def mail_enabled() -> bool:
    return bool(current_app.config["FORUM_SMTP_URL"])


def reader_mail(reader_hash: str) -> NoticeMail | None:
    return db.session.execute(
        select(NoticeMail).where(NoticeMail.reader_hash == reader_hash)
    ).scalar_one_or_none()


def subscribe(reader_hash: str, address: str, language: str) -> NoticeMail:
    """Store the address, unconfirmed, and have a confirmation link sent to it; the mails
    will be written in language, the interface language the reader subscribed in."""
    subscription = reader_mail(reader_hash) or NoticeMail(reader_hash=reader_hash)
    subscription.address, subscription.confirmed_at = address.strip(), None
    subscription.language = language
    db.session.add(subscription)
    db.session.flush()
    send_after_commit("confirmation", subscription.id)
    return subscription


def forget_mail(reader_hash: str) -> bool:
    """Delete the reader's address; whether there was one."""
    return bool(
        db.session.execute(delete(NoticeMail).where(NoticeMail.reader_hash == reader_hash)).rowcount
    )


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def link_token(subscription: NoticeMail, salt: str) -> str:
    return _serializer(salt).dumps([subscription.id, subscription.address])


def subscription_for(token: str, salt: str) -> NoticeMail | None:
    """The subscription a signed link names, if it still holds that address."""
    max_age = CONFIRM_MAX_AGE if salt == CONFIRM_SALT else None
    try:
        value = _serializer(salt).loads(token, max_age=max_age)
    except BadSignature:
        return None
    if not (isinstance(value, list) and len(value) == 2 and isinstance(value[0], int)):
        return None
    subscription = db.session.get(NoticeMail, value[0])
    return subscription if subscription and subscription.address == value[1] else None


def confirm(subscription: NoticeMail) -> None:
    subscription.confirmed_at = subscription.confirmed_at or utcnow()


# --- In the worker ------------------------------------------------------------------


def send_confirmation_mail(subscription_id: int) -> None:
    subscription = db.session.get(NoticeMail, subscription_id)
    if subscription is None or subscription.confirmed_at is not None:
        return
    link = absolute_url("notices.confirm_mail", token=link_token(subscription, CONFIRM_SALT))
    with force_locale(mail_language(subscription)):
        body = _(
            "Bonjour,\n\nQuelqu'un, sans doute vous, a demandé à recevoir un e-mail à chaque "
            "réponse à ses commentaires sur le Forum des lecteurs. Pour confirmer cette "
            "adresse, ouvrez ce lien et validez :\n\n%(link)s\n\nSans confirmation, vous ne "
            "recevrez rien.",
            link=link,
        )
        message = _message(subscription, _("Confirmez votre adresse"), body)
    deliver(message)


def send_reply_mail(notice_id: int) -> None:
    """One e-mail for one published reply, to its reader's confirmed address, once."""
    row = db.session.execute(
        select(Notice, Comment, Article.title, NoticeMail)
        .join(Comment, Comment.id == Notice.reply_id)
        .join(Article, Article.id == Comment.article_id)
        .join(NoticeMail, NoticeMail.reader_hash == Notice.recipient_hash)
        .where(
            Notice.id == notice_id,
            Notice.mailed_at.is_(None),
            NoticeMail.confirmed_at.is_not(None),
            Comment.status == "approved",
            Comment.deleted_at.is_(None),
        )
    ).first()
    if row is None:
        return
    notice, reply, title, subscription = row
    with force_locale(mail_language(subscription)):
        author = reply.author_name + (f" ({_('Rédaction')})" if reply.user_id else "")
        body = _(
            "%(name)s vous a répondu sur « %(title)s » :\n\n%(text)s\n\nLire la réponse : %(link)s",
            name=author,
            title=title,
            text=reply.body_source,
            link=absolute_url("comments.permalink", comment_id=reply.id),
        )
        subject = _("Nouvelle réponse à votre commentaire sur « %(title)s »", title=title)
        message = _message(subscription, subject, body)
    deliver(message)
    notice.mailed_at = utcnow()
    db.session.commit()


def mail_language(subscription: NoticeMail) -> str:
    """The language the reader subscribed in, while the forum still offers it."""
    if is_language(subscription.language):
        return subscription.language
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def _message(subscription: NoticeMail, subject: str, body: str) -> EmailMessage:
    unsubscribe = absolute_url(
        "notices.unsubscribe_mail", token=link_token(subscription, UNSUBSCRIBE_SALT)
    )
    message = EmailMessage()
    message["From"] = current_app.config["FORUM_MAIL_FROM"]
    message["To"] = subscription.address
    message["Subject"] = subject
    message["List-Unsubscribe"] = f"<{unsubscribe}>"
    message["Auto-Submitted"] = "auto-generated"
    footer = _(
        "Vous recevez ce message parce que cette adresse a demandé à être prévenue des "
        "réponses à ses commentaires. Pour ne plus rien recevoir : %(link)s",
        link=unsubscribe,
    )
    message.set_content(f"{body}\n\n-- \n{footer}\n")
    return message


def deliver(message: EmailMessage) -> None:
    """Send through FORUM_SMTP_URL: smtp://[user:password@]host[:port][?starttls=1], or
    smtps:// (TLS from the start)."""
    url = urlsplit(current_app.config["FORUM_SMTP_URL"])
    secure = url.scheme == "smtps"
    client = smtplib.SMTP_SSL if secure else smtplib.SMTP
    with client(url.hostname, url.port or (465 if secure else 25), timeout=30) as smtp:
        if parse_qs(url.query).get("starttls") == ["1"]:
            smtp.starttls()
        if url.username:
            smtp.login(unquote(url.username), unquote(url.password or ""))
        smtp.send_message(message)
