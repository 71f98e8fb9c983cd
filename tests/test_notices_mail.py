"""Reply notices by e-mail: double opt-in, one e-mail per published reply, sent by the
queue's worker through a real SMTP server (aiosmtpd, the `inbox` fixture) whose inbox the
tests read."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.languages.selection import COOKIE
from forum.models import Article, NoticeMail
from tests.comment_helpers import post_comment
from tests.conftest import ARTICLE_SLUG, CROSS_SITE_HEADERS, Reader, act, make_app

ADDRESS = "alice@example.org"
LINK_RE = re.compile(r"http://localhost(/mes-reponses/courriel/\w+/[\w.\-]+)")


@pytest.fixture
def app_config(inbox, tmp_path) -> dict:
    return {
        "FORUM_SMTP_URL": f"smtp://127.0.0.1:{inbox.port}",
        "FORUM_QUEUE_URL": str(tmp_path / "mail-queue.sqlite3"),
    }


def run_worker(app) -> None:
    """What `flask notices worker` does, until the queue is empty."""
    queue, _tasks = app.extensions["notices_queue"]
    while (task := queue.dequeue()) is not None:
        queue.execute(task)


def commented(reader: Reader, body: str, name: str, parent_id: int | None = None) -> int:
    assert post_comment(reader, body, pseudonym=name, parent_id=parent_id).status_code == 302
    with reader.app.app_context():
        from forum.models import Comment

        return db.session.execute(
            select(Comment.id).where(Comment.body_source == body)
        ).scalar_one()


def subscribe(reader: Reader, address: str = ADDRESS):
    return reader.post_form("/mes-reponses/courriel", {"address": address}, page="/mes-reponses")


def follow(reader: Reader, message, button: str):
    """Open the link of a message, then press the page's button."""
    path = LINK_RE.search(message.get_content()).group(1)
    page = reader.client.get(path)
    assert page.status_code == 200 and button in page.get_data(as_text=True)
    return path, reader.post_form(path, {}, page=path)


@pytest.fixture
def alice(app, make_reader):
    reader = make_reader()
    reader.first = commented(reader, "Le premier avis d'Alice.", "Alice")
    return reader


def confirmed(app, inbox, alice) -> None:
    assert subscribe(alice).status_code == 303
    run_worker(app)
    [message] = inbox.messages
    _path, response = follow(Reader(app), message, "Confirmer mon adresse")
    assert response.status_code == 200
    inbox.messages.clear()


def test_a_confirmed_reader_gets_one_mail_per_reply_sent_by_the_worker(
    app, inbox, alice, make_reader, tmp_path
):
    assert subscribe(alice).status_code == 303
    assert inbox.messages == [], "nothing is sent inside the request"
    run_worker(app)
    [confirmation] = inbox.messages
    assert confirmation["To"] == ADDRESS and "List-Unsubscribe" in confirmation
    bob = make_reader()
    commented(bob, "Bob répond avant la confirmation.", "Bob", parent_id=alice.first)
    run_worker(app)
    assert len(inbox.messages) == 1, "no reply mail to an unconfirmed address"

    # Opening the link (as a mail scanner does) confirms nothing; the button does.
    path = LINK_RE.search(confirmation.get_content()).group(1)
    assert "Confirmer mon adresse" in Reader(app).client.get(path).get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(select(NoticeMail.confirmed_at)).scalar_one() is None
    _path, response = follow(Reader(app), confirmation, "Confirmer mon adresse")
    assert "Votre adresse est confirmée" in response.get_data(as_text=True)

    reply = commented(bob, "Bob répond enfin.", "Bob", parent_id=alice.first)
    commented(bob, "Un avis de Bob, pas une réponse.", "Bob")
    assert len(inbox.messages) == 1
    # The worker of a restarted server finds the mail the request queued.
    restarted = make_app(app.config["SQLALCHEMY_DATABASE_URI"], **app_config_of(app))
    run_worker(restarted)
    run_worker(app)
    [mail] = inbox.messages[1:]
    assert mail["To"] == ADDRESS and "Bob vous a répondu" in mail.get_content()
    assert "Bob répond enfin." in mail.get_content()
    assert f"http://localhost/comments/{reply}" in mail.get_content()
    unsubscribe = re.search(
        r"<(http://localhost/mes-reponses/courriel/desabonner/[^>]+)>", mail["List-Unsubscribe"]
    )
    assert unsubscribe and unsubscribe.group(1) in mail.get_content()
    assert "Le premier avis" not in mail.get_content()


def app_config_of(app) -> dict:
    return {name: app.config[name] for name in ("FORUM_SMTP_URL", "FORUM_QUEUE_URL", "SECRET_KEY")}


def test_pending_and_rejected_replies_mail_no_one(app, inbox, alice, make_reader, moderator):
    confirmed(app, inbox, alice)
    with app.app_context():
        article = db.session.execute(
            select(Article).where(Article.slug == ARTICLE_SLUG)
        ).scalar_one()
        article.premoderation = "all"
        db.session.commit()
    bob = make_reader()
    held = commented(bob, "Bob attend.", "Bob", parent_id=alice.first)
    refused = commented(bob, "Bob sera refusé.", "Bob", parent_id=alice.first)
    run_worker(app)
    assert inbox.messages == []
    assert act(moderator, refused, "reject", reason="off_topic").status_code == 303
    run_worker(app)
    assert inbox.messages == []
    assert act(moderator, held, "approve").status_code == 303
    # Published, then rejected before the worker's turn: its e-mail is not sent.
    late = commented(bob, "Bob, refusé après coup.", "Bob", parent_id=alice.first)
    assert act(moderator, late, "approve").status_code == 303
    assert act(moderator, late, "reject", reason="off_topic").status_code == 303
    assert inbox.messages == []
    run_worker(app)
    [mail] = inbox.messages
    assert "Bob attend." in mail.get_content()


def test_the_unsubscribe_link_works_without_signing_in(app, inbox, alice, make_reader):
    confirmed(app, inbox, alice)
    bob = make_reader()
    commented(bob, "Bob répond.", "Bob", parent_id=alice.first)
    run_worker(app)
    [mail] = inbox.messages
    _path, response = follow(Reader(app), mail, "Me désabonner")  # another browser
    assert "Cette adresse est désabonnée" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(select(NoticeMail)).first() is None
    commented(bob, "Bob insiste.", "Bob", parent_id=alice.first)
    run_worker(app)
    assert len(inbox.messages) == 1


def test_the_address_is_deleted_on_demand_and_with_the_readers_data(app, inbox, alice):
    confirmed(app, inbox, alice)
    page = alice.client.get("/mes-reponses").get_data(as_text=True)
    assert ADDRESS in page
    assert ADDRESS not in Reader(app).client.get("/mes-reponses").get_data(as_text=True)
    assert alice.client.get("/mes-donnees.json").json["notice_mail"]["address"] == ADDRESS
    response = alice.post_form("/mes-donnees/supprimer", {"confirm": "y"}, page="/mes-donnees")
    assert response.status_code == 303
    with app.app_context():
        assert db.session.execute(select(NoticeMail)).first() is None


def test_a_reader_deletes_her_address(app, inbox, alice):
    subscribe(alice)
    response = alice.post_form("/mes-reponses/courriel/supprimer", {}, page="/mes-reponses")
    assert response.status_code == 303
    with app.app_context():
        assert db.session.execute(select(NoticeMail)).first() is None
    run_worker(app)
    assert inbox.messages == [], "the confirmation of a deleted address is not sent"


def test_a_wrong_address_is_refused_with_a_message(app, inbox, alice):
    response = subscribe(alice, "pas une adresse")
    assert response.status_code == 400
    assert "Cette adresse e-mail n'est pas valide." in response.get_data(as_text=True)


@pytest.mark.parametrize("headers", CROSS_SITE_HEADERS)
def test_subscribing_from_another_site_is_refused(app, inbox, alice, headers):
    response = alice.client.post(
        "/mes-reponses/courriel", data={"address": ADDRESS}, headers=headers
    )
    assert response.status_code == 403
    with app.app_context():
        assert db.session.execute(select(NoticeMail)).first() is None


def test_a_forged_confirmation_link_confirms_nothing(app, inbox, alice):
    subscribe(alice)
    run_worker(app)
    path = LINK_RE.search(inbox.messages[0].get_content()).group(1)
    response = Reader(app).client.get(path[:-3] + "xyz")
    assert response.status_code == 404 and 'lang="fr"' in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "language, confirmation_subject, reply_phrase, footer",
    [
        ("en", "Confirm your address", "Bob replied to you on", "You receive this message"),
        ("fr", "Confirmez votre adresse", "Bob vous a répondu sur", "Vous recevez ce message"),
    ],
)
def test_mails_are_written_in_the_language_the_reader_subscribed_in(
    app, inbox, make_reader, language, confirmation_subject, reply_phrase, footer
):
    alice = make_reader()
    alice.client.set_cookie(COOKIE, language)
    first = commented(alice, "Le premier avis d'Alice.", "Alice")
    assert subscribe(alice).status_code == 303
    run_worker(app)
    [confirmation] = inbox.messages
    assert confirmation["Subject"] == confirmation_subject
    assert footer in confirmation.get_content()
    # The confirmation link is opened in a French browser, and the reply is written by a
    # reader of the French interface: neither changes the language of Alice's mails.
    _path, response = follow(Reader(app), confirmation, "Confirmer mon adresse")
    assert response.status_code == 200
    commented(make_reader(), "Bob répond.", "Bob", parent_id=first)
    run_worker(app)
    [_confirmation, mail] = inbox.messages
    assert reply_phrase in mail.get_content() and footer in mail.get_content()
    assert "Bob répond." in mail.get_content()
    assert alice.client.get("/mes-donnees.json").json["notice_mail"]["language"] == language
