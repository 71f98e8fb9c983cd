"""Replies a reader is told about: the notice on the article page, their page, their feed."""

from __future__ import annotations

import json
import re

import feedparser
import pytest
from sqlalchemy import event, select

from forum.extensions import db
from forum.models import Article, Comment, Notice, NoticeFeed
from forum.notices.services import NEW_SHOWN, new_replies
from tests.comment_helpers import post_comment
from tests.conftest import ARTICLE_SLUG, CROSS_SITE_HEADERS, CROSS_SITE_MESSAGE, Reader, act

FEED_RE = re.compile(r'value="http://localhost(/mes-reponses/[^"]+\.atom)"')


def comment_id(app, body: str) -> int:
    with app.app_context():
        return db.session.execute(
            select(Comment.id).where(Comment.body_source == body)
        ).scalar_one()


def notice(reader: Reader) -> str:
    """The notice of new replies on the article page as this reader sees it ('' if none)."""
    html = reader.open_article().get_data(as_text=True)
    match = re.search(r'<section class="notice reply-notice".*?</section>', html, re.S)
    return match.group(0) if match else ""


def commented(app, reader: Reader, body: str, name: str, parent_id: int | None = None) -> int:
    response = post_comment(reader, body, pseudonym=name, parent_id=parent_id)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return comment_id(app, body)


@pytest.fixture
def alice_and_bob(app, make_reader):
    alice, bob = make_reader(), make_reader()
    first = commented(app, alice, "Le premier avis d'Alice.", "Alice")
    return alice, bob, first


def test_a_reply_reaches_the_author_on_her_next_visit_then_is_no_longer_new(app, alice_and_bob):
    alice, bob, first = alice_and_bob
    assert notice(alice) == ""
    reply = commented(app, bob, "Bob lui répond.", "Bob", parent_id=first)

    shown = notice(alice)
    assert "1 nouvelle réponse à vos commentaires" in shown
    assert f'href="/comments/{reply}"' in shown and "Bob vous a répondu" in shown
    assert notice(alice) == "", "a reply shown once is no longer new"
    assert notice(bob) == "", "Bob is told of nothing: no one answered him"

    second = commented(app, bob, "Bob insiste.", "Bob", parent_id=first)
    third = commented(app, Reader(app), "Carole aussi.", "Carole", parent_id=first)
    shown = notice(alice)
    assert "2 nouvelles réponses à vos commentaires" in shown
    assert f'href="/comments/{second}"' in shown and f'href="/comments/{third}"' in shown
    assert f'href="/comments/{reply}"' not in shown


def test_a_reader_is_not_told_of_her_own_replies(app, alice_and_bob):
    alice, _bob, first = alice_and_bob
    commented(app, alice, "Alice précise son avis.", "Alice", parent_id=first)
    assert notice(alice) == ""


def test_the_notice_never_reaches_the_page_cached_for_visitors_without_identity(app, alice_and_bob):
    alice, bob, first = alice_and_bob
    alice.open_article()  # shows her the message flashed after her comment: nothing pending
    visitor_page = Reader(app).open_article().get_data(as_text=True)  # fills the shared cache
    assert "reply-notice" not in visitor_page
    commented(app, bob, "Bob lui répond.", "Bob", parent_id=first)
    assert "Bob vous a répondu" in notice(alice)
    for _ in range(2):
        page = Reader(app).open_article().get_data(as_text=True)
        assert "Bob lui répond." in page and "vous a répondu" not in page


@pytest.mark.parametrize("app_config", [{"FORUM_MAX_DEPTH": 1}])
def test_a_reply_past_the_depth_cap_reaches_the_comment_it_answers(app, make_reader, app_config):
    xavier, alice, bob = make_reader(), make_reader(), make_reader()
    top = commented(app, xavier, "Xavier ouvre le fil.", "Xavier")
    answer = commented(app, alice, "Alice répond à Xavier.", "Alice", parent_id=top)
    notice(xavier)  # Xavier has seen Alice's reply
    commented(app, bob, "Bob répond à Alice.", "Bob", parent_id=answer)
    assert "Bob vous a répondu" in notice(alice)
    assert notice(xavier) == "", "attached under Xavier's thread, it answers Alice"


def test_pending_and_rejected_replies_notify_no_one_until_approved(app, alice_and_bob, moderator):
    alice, bob, first = alice_and_bob
    with app.app_context():
        article = db.session.execute(
            select(Article).where(Article.slug == ARTICLE_SLUG)
        ).scalar_one()
        article.premoderation = "all"
        db.session.commit()
    held = commented(app, bob, "Bob attend la relecture.", "Bob", parent_id=first)
    refused = commented(app, bob, "Bob sera refusé.", "Bob", parent_id=first)
    assert notice(alice) == ""
    # While Bob's replies wait, Carole's is published, and Alice sees it.
    carole = commented(app, Reader(app), "Carole répond.", "Carole", parent_id=first)
    assert act(moderator, carole, "approve").status_code == 303
    assert "1 nouvelle réponse" in notice(alice)

    assert act(moderator, refused, "reject", reason="off_topic").status_code == 303
    assert notice(alice) == ""
    assert act(moderator, held, "approve").status_code == 303
    shown = notice(alice)
    assert "1 nouvelle réponse" in shown and f'href="/comments/{held}"' in shown, (
        "new when published, however long it waited"
    )
    received = alice.client.get("/mes-reponses").get_data(as_text=True)
    assert f"/comments/{held}" in received and f"/comments/{refused}" not in received

    # Rejected after it was published: no longer among the replies received.
    assert act(moderator, held, "reject", reason="off_topic").status_code == 303
    assert f"/comments/{held}" not in alice.client.get("/mes-reponses").get_data(as_text=True)


def test_staff_replies_are_marked_as_such(app, alice_and_bob, moderator):
    alice, _bob, first = alice_and_bob
    newsroom = Reader(app)
    newsroom.client = moderator.client
    commented(app, newsroom, "La rédaction précise.", "Lectrice", parent_id=first)
    shown = notice(alice)
    assert "Rédaction" in shown and "badge-staff" in shown
    assert "badge-staff" in alice.client.get("/mes-reponses").get_data(as_text=True)


def test_my_replies_lists_the_replies_received_newest_first(app, alice_and_bob):
    alice, bob, first = alice_and_bob
    commented(app, bob, "Bob répond en premier.", "Bob", parent_id=first)
    commented(app, Reader(app), "Carole répond ensuite.", "Carole", parent_id=first)
    commented(app, bob, "Un avis de Bob sans rapport.", "Bob")

    page = alice.client.get("/mes-reponses")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert html.index("Carole répond ensuite.") < html.index("Bob répond en premier.")
    assert "sans rapport" not in html
    assert notice(alice) == "", "listed on her page: seen"
    assert "Aucune réponse" in Reader(app).client.get("/mes-reponses").get_data(as_text=True)


def create_feed(reader: Reader):
    return reader.post_form("/mes-reponses/flux", {}, page="/mes-reponses")


def feed_path(reader: Reader) -> str:
    match = FEED_RE.search(reader.client.get("/mes-reponses").get_data(as_text=True))
    assert match, "no feed address on the page"
    return match.group(1)


def test_the_private_feed_holds_the_replies_for_whoever_has_its_address(app, alice_and_bob):
    alice, bob, first = alice_and_bob
    assert FEED_RE.search(alice.client.get("/mes-reponses").get_data(as_text=True)) is None
    assert create_feed(alice).status_code == 303
    path = feed_path(alice)
    assert "lecteur de flux" in alice.client.get("/mes-reponses").get_data(as_text=True)
    commented(app, bob, "Bob répond **fort**.", "Bob", parent_id=first)
    commented(app, alice, "Un autre avis d'Alice.", "Alice")

    stranger = app.test_client()  # a feed reader: no cookie
    response = stranger.get(path)
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    feed = feedparser.parse(response.get_data())
    assert feed.bozo == 0, feed.get("bozo_exception")
    [entry] = feed.entries
    assert "<strong>fort</strong>" in entry.content[0].value
    assert entry.link.endswith(f"/comments/{comment_id(app, 'Bob répond **fort**.')}")
    body = response.get_data(as_text=True)
    assert "Un autre avis d'Alice" not in body and "Le premier avis" not in body


@pytest.mark.parametrize("app_config", [{"FORUM_SITE_URL": "https://forum.example.org/"}])
def test_feed_links_use_the_site_address(app, alice_and_bob, app_config):
    alice, bob, first = alice_and_bob
    create_feed(alice)
    commented(app, bob, "Bob répond.", "Bob", parent_id=first)
    page = alice.client.get("/mes-reponses").get_data(as_text=True)
    path = re.search(r'value="https://forum\.example\.org(/mes-reponses/[^"]+)"', page).group(1)
    feed = feedparser.parse(app.test_client().get(path).get_data())
    assert feed.entries[0].link.startswith("https://forum.example.org/comments/")


def test_a_new_address_revokes_the_old_one(app, alice_and_bob):
    alice, _bob, _first = alice_and_bob
    create_feed(alice)
    old = feed_path(alice)
    assert create_feed(alice).status_code == 303
    new = feed_path(alice)
    assert new != old
    gone = app.test_client().get(old)
    assert gone.status_code == 404 and 'lang="fr"' in gone.get_data(as_text=True)
    assert app.test_client().get(new).status_code == 200


def test_a_wrong_token_opens_no_feed(app, alice_and_bob):
    alice, _bob, _first = alice_and_bob
    create_feed(alice)
    path = feed_path(alice)
    forged = path[:-10] + ("A" if path[-10] != "A" else "B") + path[-9:]
    for url in (forged, "/mes-reponses/x.atom", "/mes-reponses/" + "a" * 500 + ".atom"):
        response = app.test_client().get(url)
        assert response.status_code == 404 and 'lang="fr"' in response.get_data(as_text=True)


@pytest.mark.parametrize("headers", CROSS_SITE_HEADERS)
def test_the_feed_form_sent_from_another_site_is_refused(app, alice_and_bob, count_rows, headers):
    alice, _bob, _first = alice_and_bob
    # A page on another site posting into the reader's browser, with her cookie.
    response = alice.client.post("/mes-reponses/flux", headers=headers)
    html = response.get_data(as_text=True)
    assert response.status_code == 403 and 'lang="fr"' in html and CROSS_SITE_MESSAGE in html
    assert count_rows(NoticeFeed) == 0


@pytest.mark.parametrize(
    "app_config", [{"RATELIMIT_ENABLED": True, "FORUM_LIMIT_NOTICES": "2 per hour"}]
)
def test_new_feed_addresses_are_rate_limited(app, alice_and_bob, app_config):
    alice, _bob, _first = alice_and_bob
    assert [create_feed(alice).status_code for _ in range(3)] == [303, 303, 429]


def test_erasure_deletes_the_notices_and_the_feed(app, alice_and_bob, count_rows):
    alice, bob, first = alice_and_bob
    create_feed(alice)
    path = feed_path(alice)
    commented(app, bob, "Bob répond.", "Bob", parent_id=first)
    assert count_rows(Notice) == 1 and count_rows(NoticeFeed) == 1

    response = alice.post_form("/mes-donnees/supprimer", {"confirm": "y"}, page="/mes-donnees")
    assert response.status_code == 303
    assert any(c.startswith("forum_reader_vu=;") for c in response.headers.getlist("Set-Cookie"))
    assert count_rows(Notice) == 0 and count_rows(NoticeFeed) == 0
    assert app.test_client().get(path).status_code == 404


def test_the_export_lists_the_replies_and_the_feed(app, alice_and_bob, moderator):
    alice, bob, first = alice_and_bob
    commented(app, bob, "Bob répond.", "Bob", parent_id=first)
    assert alice.client.get("/mes-donnees.json").json["private_feed_since"] is None
    create_feed(alice)
    data = alice.client.get("/mes-donnees.json").json
    [reply] = data["replies_received"]
    assert reply["comment_id"] == comment_id(app, "Bob répond.")
    assert "Bob" not in json.dumps(data), "the export holds nothing of other readers"
    assert data["private_feed_since"].endswith("Z")
    assert "réponse reçue" in alice.client.get("/mes-donnees").get_data(as_text=True)
    assert bob.client.get("/mes-donnees.json").json["replies_received"] == []


def test_the_notice_is_read_in_one_query_whatever_the_reader_received(app, alice_and_bob):
    _alice, _bob, first = alice_and_bob
    for i in range(12):
        commented(app, Reader(app), f"Réponse {i}.", f"Lecteur{i}", parent_id=first)
    with app.app_context():
        alice_hash = db.session.get(Comment, first).reader_hash
        statements = []

        def count(*args):
            statements.append(args[2])

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            replies = new_replies(alice_hash, seen_up_to=0)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
    assert replies.total == 12 and len(replies.shown) == NEW_SHOWN
    assert len(statements) == 1, statements


def test_without_an_smtp_server_no_address_is_asked_or_kept(app, alice_and_bob, count_rows):
    from forum.models import NoticeMail

    alice, _bob, _first = alice_and_bob
    page = alice.client.get("/mes-reponses").get_data(as_text=True)
    assert "Adresse de votre flux" not in page and "Être prévenu par e-mail" not in page
    response = alice.post_form(
        "/mes-reponses/courriel", {"address": "a@example.org"}, page="/mes-reponses"
    )
    assert response.status_code == 303
    assert "envoie pas d&#39;e-mails" in alice.client.get("/mes-reponses").get_data(as_text=True)
    assert count_rows(NoticeMail) == 0
