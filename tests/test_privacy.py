"""Mes données: a reader sees, downloads and erases what is linked to their cookie."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import Comment, CommentVote, Flag, Reader, Vote
from forum.page_cache import changes_pages
from tests.comment_helpers import post_comment
from tests.conftest import ARTICLE_SLUG, CROSS_SITE_HEADERS, CROSS_SITE_MESSAGE, csrf_token

ARTICLE = f"/articles/{ARTICLE_SLUG}"


def comment_id(app, body: str) -> int:
    with app.app_context():
        return db.session.execute(
            select(Comment.id).where(Comment.body_source == body)
        ).scalar_one()


def comment_block(html: str, cid: int) -> str:
    """The HTML of one comment as shown in the thread (empty when it is not shown)."""
    match = re.search(rf'<article[^>]* id="c{cid}".*?</article>', html, re.S)
    return match.group(0) if match else ""


@pytest.fixture
def discussion(app, make_reader):
    """Alice votes, comments, marks and flags; Bob replies to her; Carol comments; Dave votes."""
    alice, bob, carol, dave = (make_reader() for _ in range(4))
    carol.vote({"credibility": 0, "relevance": 0})
    post_comment(carol, "Le texte de Carol.", pseudonym="Carol")
    alice.vote({"credibility": 2, "relevance": 1})
    post_comment(alice, "Mon avis à effacer, **en gras**.", pseudonym="Alice")
    a1 = comment_id(app, "Mon avis à effacer, **en gras**.")
    post_comment(bob, "Bob répond au premier avis.", pseudonym="Bob", parent_id=a1)
    post_comment(
        alice,
        "Alice se répond à elle-même.",
        pseudonym="Alice",
        parent_id=comment_id(app, "Bob répond au premier avis."),
    )
    ids = {
        "alice": a1,
        "bob": comment_id(app, "Bob répond au premier avis."),
        "carol": comment_id(app, "Le texte de Carol."),
        "alice_reply": comment_id(app, "Alice se répond à elle-même."),
    }
    assert alice.post_form(f"/comments/{ids['bob']}/useful", {}).status_code == 302
    assert alice.post_form(f"/comments/{ids['carol']}/useful", {}).status_code == 302
    assert bob.post_form(f"/comments/{ids['carol']}/useful", {}).status_code == 302
    assert bob.post_form(f"/comments/{a1}/useful", {}).status_code == 302
    assert (
        alice.post_form(
            f"/comments/{ids['carol']}/flag", {"reason": "off_topic", "note": "Hors du sujet"}
        ).status_code
        == 302
    )
    bob.post_form(f"/comments/{ids['carol']}/flag", {"reason": "spam"})
    dave.vote({"credibility": 3, "relevance": 3})
    return {"alice": alice, "bob": bob, "carol": carol, "dave": dave, "ids": ids}


def download(reader) -> dict:
    response = reader.client.get("/mes-donnees.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "no-store"
    return json.loads(response.get_data(as_text=True))


def test_download_holds_exactly_what_the_reader_did(app, discussion):
    data = download(discussion["alice"])
    ids = discussion["ids"]
    assert data["pseudonym"] == "Alice"
    assert sorted(v["choice"] for v in data["votes"]) == [
        "Plutôt crédible",
        "Plutôt pas pertinente",
    ]
    assert [(c["id"], c["body_source"], c["status"], c["pseudonym"]) for c in data["comments"]] == [
        (ids["alice"], "Mon avis à effacer, **en gras**.", "approved", "Alice"),
        (ids["alice_reply"], "Alice se répond à elle-même.", "approved", "Alice"),
    ]
    assert data["comments"][1]["in_reply_to"] == ids["bob"]
    assert data["comments"][0]["useful_count"] == 1
    assert all(c["created_at"].endswith("Z") for c in data["comments"])
    assert all(c["published_at"].endswith("Z") for c in data["comments"])  # public at once
    assert sorted(m["comment_id"] for m in data["useful_marks"]) == sorted(
        [ids["bob"], ids["carol"]]
    )
    assert [(f["comment_id"], f["reason"], f["note"]) for f in data["flags"]] == [
        (ids["carol"], "off_topic", "Hors du sujet")
    ]
    assert data["bans"] == [] and data["moderation"] == []
    text = json.dumps(data, ensure_ascii=False)
    # Nothing of the other readers, and no hash at all (reader or address).
    for foreign in ("Bob répond", "Le texte de Carol", "spam", "Carol", "Bob"):
        assert foreign not in text
    assert not re.search(r"[0-9a-f]{64}", text)


def test_download_of_another_reader_is_theirs_alone(app, discussion):
    data = download(discussion["dave"])
    assert [v["choice"] for v in data["votes"]] == [
        "Tout à fait crédible",
        "Tout à fait pertinente",
    ]
    assert data["comments"] == data["useful_marks"] == data["flags"] == []
    assert data["pseudonym"] is None


def test_page_lists_votes_and_comments_with_links(app, discussion):
    html = discussion["alice"].client.get("/mes-donnees").get_data(as_text=True)
    assert "Mes données" in html and "Télécharger (JSON)" in html
    assert "Plutôt crédible" in html and "Plutôt pas pertinente" in html
    assert "Mon avis à effacer, **en gras**." in html
    assert f'href="/comments/{discussion["ids"]["alice"]}"' in html
    assert "publié" in html
    assert "2 commentaires marqués « utile »" in html
    assert "1 signalement envoyé à la modération" in html
    assert "Bob répond" not in html and "Le texte de Carol" not in html


def test_a_visitor_without_cookie_is_told_nothing_is_held(app, client):
    response = client.get("/mes-donnees")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Rien n'est conservé sur vous" in html
    assert "Supprimer mes données" not in html
    cookie = app.config["FORUM_READER_COOKIE"]
    assert not any(c.startswith(cookie) for c in response.headers.getlist("Set-Cookie"))
    assert json.loads(client.get("/mes-donnees.json").get_data(as_text=True))["votes"] == []


def erase(reader, confirm: bool = True, **kwargs):
    data = {"confirm": "y"} if confirm else {}
    return reader.post_form("/mes-donnees/supprimer", data, page="/mes-donnees", **kwargs)


def test_erasure_needs_the_confirmation_box(app, discussion, count_rows):
    response = erase(discussion["alice"], confirm=False)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Cochez la case pour confirmer la suppression." in html
    assert "Vos données n'ont pas été supprimées." in html
    assert count_rows(Vote) == 6


@pytest.mark.parametrize("headers", CROSS_SITE_HEADERS)
def test_erasure_sent_from_another_site_is_refused(app, discussion, count_rows, headers):
    alice = discussion["alice"]
    response = alice.client.post("/mes-donnees/supprimer", data={"confirm": "y"}, headers=headers)
    assert response.status_code == 403
    html = response.get_data(as_text=True)
    assert 'lang="fr"' in html and CROSS_SITE_MESSAGE in html
    assert count_rows(Vote) == 6


def test_erasure_updates_every_page_and_count(app, discussion, count_rows):
    ids = discussion["ids"]
    viewer = app.test_client()  # another anonymous reader: pages through the shared cache
    before = viewer.get(ARTICLE, query_string={"resultats": "1"}).get_data(as_text=True)
    assert "Mon avis à effacer" in before and "3 votants" in before
    assert "(2)" in comment_block(before, ids["carol"])  # Alice's and Bob's marks
    assert "(1)" in comment_block(before, ids["bob"])
    assert "4 commentaires" in before

    response = erase(discussion["alice"])
    assert response.status_code == 303
    cookie = response.headers.getlist("Set-Cookie")
    assert any(c.startswith(f"{app.config['FORUM_READER_COOKIE']}=;") for c in cookie)
    page = discussion["alice"].client.get(response.headers["Location"]).get_data(as_text=True)
    assert (
        "Vos données sont supprimées : 2 commentaires effacés, 2 votes retirés, "
        "2 mentions « utile » retirées, 1 signalement retiré."
    ) in page
    assert "Rien n'est conservé sur vous" in page

    after = viewer.get(ARTICLE, query_string={"resultats": "1"}).get_data(as_text=True)
    assert "Mon avis à effacer" not in after and "Alice se répond" not in after
    assert "Alice" not in after
    assert "commentaire supprimé" in comment_block(after, ids["alice"])
    assert "Bob répond au premier avis." in comment_block(after, ids["bob"])  # replies kept
    assert "(0)" in comment_block(after, ids["bob"])
    assert "(1)" in comment_block(after, ids["carol"])
    assert "2 votants" in after
    assert "2 commentaires" in after
    with app.app_context():
        erased = db.session.get(Comment, ids["alice"])
        assert (erased.body_source, erased.body_html, erased.author_name) == ("", "", "")
        assert erased.deleted_at is not None and erased.address_hash is None
        assert db.session.get(Comment, ids["carol"]).flag_count == 1
        assert db.session.execute(select(Reader.pseudonym)).scalars().all().count("Alice") == 0
    assert count_rows(Vote) == 4
    assert count_rows(CommentVote) == 2  # Bob's marks
    assert count_rows(Flag) == 1  # Bob's flag


def test_erased_reader_is_a_stranger_afterwards(app, discussion):
    alice = discussion["alice"]
    erase(alice)
    assert alice.client.get_cookie(app.config["FORUM_READER_COOKIE"]) is None
    again = download(alice)
    assert again["comments"] == again["votes"] == []
    html = alice.open_article().get_data(as_text=True)
    assert "Modifier ou supprimer" not in html


def test_flags_withdrawn_release_a_comment_they_alone_held(app, make_reader, discussion):
    ids = discussion["ids"]
    with app.app_context():
        db.session.execute(
            db.update(Comment)
            .where(Comment.id == ids["carol"])
            .values(status="pending", pending_reason="flags"),
            execution_options=changes_pages(),
        )
        db.session.commit()
    erase(discussion["alice"])
    with app.app_context():
        carol = db.session.get(Comment, ids["carol"])
        # One flag left (Bob's) under the threshold of 3: published again, still reported.
        assert (carol.status, carol.pending_reason, carol.flag_count) == ("approved", None, 1)


def test_nothing_to_erase_without_a_cookie(app, client):
    token = csrf_token(client.get(ARTICLE).get_data(as_text=True))
    response = client.post("/mes-donnees/supprimer", data={"csrf_token": token, "confirm": "y"})
    assert response.status_code == 303
    assert "rien à supprimer" in client.get("/mes-donnees").get_data(as_text=True)


def test_privacy_page_in_french_with_the_retention_period(client):
    html = client.get("/confidentialite").get_data(as_text=True)
    assert "Confidentialité" in html
    assert "au bout de 30 jours" in html
    assert "adresse IP n'est enregistrée nulle part" in html
    assert 'href="/mes-donnees"' in html
    home = client.get("/").get_data(as_text=True)
    assert 'href="/confidentialite"' in home and 'href="/mes-donnees"' in home
    article = client.get(ARTICLE).get_data(as_text=True)
    assert "Voir, télécharger ou supprimer mes données" in article


@pytest.mark.parametrize(
    "app_config", [{"RATELIMIT_ENABLED": True, "FORUM_LIMIT_DATA_DELETION": "2 per hour"}]
)
def test_erasure_is_rate_limited(app, make_reader, count_rows):
    for number in range(2):
        reader = make_reader()
        reader.vote({"credibility": 1, "relevance": 1})
        assert erase(reader, confirm=number == 0).status_code in (303, 400)
    late = make_reader()
    late.vote({"credibility": 1, "relevance": 1})
    response = erase(late)
    assert response.status_code == 429
    assert "Trop de requêtes" in response.get_data(as_text=True)
    assert count_rows(Vote) == 4  # the second reader's (unconfirmed) and the late one's
