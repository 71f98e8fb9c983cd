"""Issue 16, the comment side: counts one person cannot bend, under the default settings
(rate limits on, the 3-second delay before a comment), through the real forms.

Each test replays one reproduction from the issue: one client (one address, as with
TRUSTED_PROXIES=0), one CSRF token from one page view, and the reader cookie dropped
between requests so that every request is a "new reader".
"""

from __future__ import annotations

import html
import re
import time
from datetime import timedelta

import pytest
from itsdangerous import URLSafeSerializer
from sqlalchemy import select, update

from forum.comments.spam import STAMP_SALT
from forum.extensions import db, limiter
from forum.models import Ban, Comment, Flag, utcnow
from tests.comment_helpers import (
    COMMENTS_URL,
    comment_form,
    comments,
    established_reader,
    reader_at,
    shown_ids,
)
from tests.conftest import ARTICLE_SLUG, TEST_SECRET, add_comment, csrf_token

# The shipped defaults, which tests/conftest.py make_app turns off for the other tests.
DEFAULTS = {"RATELIMIT_ENABLED": True, "FORUM_MIN_POST_SECONDS": 3}
pytestmark = pytest.mark.parametrize("app_config", [DEFAULTS])

ATTACKER = "203.0.113.66"
STAMP_RE = re.compile(r'name="rendered_at" type="hidden" value="([^"]+)"')


def page_text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def forget_reader_cookie(reader) -> None:
    """Drop the reader cookie (the session cookie, and so the CSRF token, stays)."""
    reader.client.delete_cookie("forum_reader")


def stamp(seconds_ago: float, stamp_id: str) -> str:
    """A form stamp as the page signs it (time shown, random id), dated back."""
    serializer = URLSafeSerializer(TEST_SECRET, salt=STAMP_SALT)
    return serializer.dumps([time.time() - seconds_ago, stamp_id])


def send_comment(reader, form: dict, body: str, pseudonym: str = "Lectrice"):
    data = {**form, "pseudonym": pseudonym, "body": body, "submit": "x"}
    return reader.client.post(COMMENTS_URL, data=data)


def aged_form(reader, stamp_id: str) -> dict:
    """The comment form's hidden fields, its stamp shown 4 seconds ago (past the delay)."""
    return {**comment_form(reader), "rendered_at": stamp(4, stamp_id)}


def comment_status(app, comment_id: int) -> str:
    with app.app_context():
        return db.session.get(Comment, comment_id).status


# --- Flags -------------------------------------------------------------------------------


def flag_as(reader, comment_id: int, token: str | None = None):
    token = token or reader.token(f"/comments/{comment_id}/flag")
    return reader.client.post(
        f"/comments/{comment_id}/flag", data={"csrf_token": token, "reason": "spam"}
    )


def test_three_fresh_cookies_from_one_address_do_not_hide_a_comment(app):
    comment_id = add_comment(app, body="Un avis qui dérange.")
    attacker = reader_at(app, ATTACKER)
    token = attacker.token(f"/comments/{comment_id}/flag")
    for _ in range(3):
        forget_reader_cookie(attacker)
        assert flag_as(attacker, comment_id, token).status_code == 302
    assert comment_status(app, comment_id) == "approved"
    assert "Un avis qui dérange." in page_text(reader_at(app, "198.51.100.1").open_article())
    with app.app_context():
        assert db.session.get(Comment, comment_id).flag_count == 3  # kept for the queue


def test_fresh_readers_on_distinct_addresses_do_not_hide_a_comment(app):
    comment_id = add_comment(app)
    for number in range(3):
        assert flag_as(reader_at(app, f"198.51.100.{number}"), comment_id).status_code == 302
    assert comment_status(app, comment_id) == "approved"


def test_established_readers_on_one_address_count_once(app):
    comment_id = add_comment(app)
    for _ in range(3):
        assert flag_as(established_reader(app, ATTACKER), comment_id).status_code == 302
    assert comment_status(app, comment_id) == "approved"


def test_established_readers_on_distinct_addresses_hide_it(app):
    comment_id = add_comment(app, body="Un avis signalé à raison.")
    for number in range(2):
        flag_as(established_reader(app, f"198.51.100.{number}"), comment_id)
    # History must be a day old: a poll answer of an hour ago does not count yet.
    flag_as(established_reader(app, "198.51.100.2", hours_ago=1), comment_id)
    assert comment_status(app, comment_id) == "approved"
    flag_as(established_reader(app, "198.51.100.3"), comment_id)
    assert comment_status(app, comment_id) == "pending"
    assert "Un avis signalé à raison." not in page_text(reader_at(app, "192.0.2.1").open_article())


def test_a_staff_comment_is_never_hidden_by_reader_flags(app, admin):
    admin_page = admin.client.get(f"/articles/{ARTICLE_SLUG}")
    form = {
        "csrf_token": csrf_token(admin_page.get_data(as_text=True)),
        "rendered_at": stamp(4, "staff-form"),
        "body": "Rédaction : nous avons corrigé le titre.",
        "pseudonym": "Admin",
        "submit": "x",
    }
    assert admin.client.post(COMMENTS_URL, data=form).status_code == 302
    comment_id = comments(app)[-1].id
    for number in range(3):
        response = flag_as(established_reader(app, f"198.51.100.{number}"), comment_id)
        assert response.status_code == 302
    assert comment_status(app, comment_id) == "approved"
    page = page_text(reader_at(app, "192.0.2.1").open_article())
    assert "nous avons corrigé le titre" in page
    queue = page_text(admin.client.get("/moderation?tab=reported"))
    assert "nous avons corrigé le titre" in queue


def test_a_burst_of_flags_is_shown_on_the_desk(app, moderator):
    targets = [add_comment(app, body=f"Avis numéro {n}.") for n in range(5)]
    attacker = reader_at(app, ATTACKER)
    token = attacker.token(f"/comments/{targets[0]}/flag")
    desk = page_text(moderator.client.get("/moderation/dashboard"))
    assert "Aucune rafale de signalements." in desk
    for comment_id in targets:
        forget_reader_cookie(attacker)
        assert flag_as(attacker, comment_id, token).status_code == 302
    desk = page_text(moderator.client.get("/moderation/dashboard"))
    assert "Rafales de signalements (24 dernières heures)" in desk
    section = desk.split("Rafales de signalements (24 dernières heures)")[1]
    assert all(f"(n° {comment_id})" in section for comment_id in targets)
    with app.app_context():
        assert db.session.execute(select(Flag.burst)).scalars().all() == [True] * 5


# --- "Utile" -----------------------------------------------------------------------------


def mark_as(reader, comment_id: int, token: str):
    return reader.client.post(f"/comments/{comment_id}/useful", data={"csrf_token": token})


def useful_count(app, comment_id: int) -> int:
    with app.app_context():
        return db.session.get(Comment, comment_id).useful_count


def test_one_address_gives_a_comment_three_marks_at_most(app):
    comment_id = add_comment(app)
    attacker = reader_at(app, ATTACKER)
    token = attacker.token()
    for _ in range(3):
        forget_reader_cookie(attacker)
        assert mark_as(attacker, comment_id, token).status_code == 302
    forget_reader_cookie(attacker)
    refused = mark_as(attacker, comment_id, token)
    assert refused.status_code == 409
    assert "déjà reçu 3 marques « utile » depuis votre connexion" in page_text(refused)
    assert useful_count(app, comment_id) == 3
    elsewhere = reader_at(app, "198.51.100.1")
    assert mark_as(elsewhere, comment_id, elsewhere.token()).status_code == 302
    assert useful_count(app, comment_id) == 4


def expire_minute_windows() -> None:
    """What a minute's passing does to the limiter's per-minute counters (memory storage)."""
    storage = limiter.storage.storage
    for key in [key for key in storage if key.endswith("/1/minute")]:
        storage.pop(key)


def test_one_client_gets_120_utile_requests_an_hour(app):
    comment_id = add_comment(app)
    reader = reader_at(app, ATTACKER)
    token = reader.token()
    for _minute in range(6):
        for _ in range(20):
            assert mark_as(reader, comment_id, token).status_code == 302
        assert mark_as(reader, comment_id, token).status_code == 429  # 20 a minute
        expire_minute_windows()
    refused = mark_as(reader, comment_id, token)
    assert refused.status_code == 429
    assert "Trop de requêtes" in page_text(refused)


# --- Spam rules --------------------------------------------------------------------------


def test_one_form_stamp_publishes_one_comment(app):
    attacker = reader_at(app, ATTACKER)
    page = attacker.open_article().get_data(as_text=True)
    form = {**comment_form(attacker), "rendered_at": STAMP_RE.search(page).group(1)}
    time.sleep(3.1)  # the minimum delay, as a person would take
    assert send_comment(attacker, form, "Premier message.").status_code == 302
    forget_reader_cookie(attacker)
    replay = {**form, "submission_token": "another-token"}
    refused = send_comment(attacker, replay, "Second message.", pseudonym="Autre")
    assert refused.status_code == 409
    assert "Ce formulaire a déjà servi à publier un commentaire." in page_text(refused)
    assert "Second message.</textarea>" in page_text(refused)
    assert [c.body_source for c in comments(app)] == ["Premier message."]


def test_a_form_shown_more_than_two_hours_ago_is_refused(app):
    reader = reader_at(app, ATTACKER)
    form = {**comment_form(reader), "rendered_at": stamp(2 * 3600 + 60, "old-form")}
    refused = send_comment(reader, form, "Un avis gardé au chaud.")
    assert refused.status_code == 400
    page = page_text(refused)
    assert "Ce formulaire a été affiché il y a plus de 2 heures." in page
    assert "Un avis gardé au chaud.</textarea>" in page
    assert comments(app) == []
    # The form comes back with a fresh stamp: sent again after the delay, it goes through.
    fresh = STAMP_RE.search(refused.get_data(as_text=True)).group(1)
    assert fresh != form["rendered_at"]


def test_the_same_text_from_another_reader_on_the_same_address_is_refused(app):
    first = reader_at(app, ATTACKER)
    assert send_comment(first, aged_form(first, "one"), "Achetez ici.").status_code == 302
    second = reader_at(app, ATTACKER)
    refused = send_comment(second, aged_form(second, "two"), "ACHETEZ  ici.", "Autre")
    assert refused.status_code == 409
    assert "Ce même commentaire vient d'être publié depuis votre connexion." in page_text(refused)
    elsewhere = reader_at(app, "198.51.100.1")
    assert (
        send_comment(elsewhere, aged_form(elsewhere, "three"), "Achetez ici.", "Tiers").status_code
        == 302
    )
    assert len(comments(app)) == 2


# --- Bans --------------------------------------------------------------------------------


def ban_author_of(moderator, comment_id: int, **data):
    return moderator.post_form(
        f"/moderation/comments/{comment_id}/ban",
        {"duration": "7d", "reason": "insultes répétées", **data},
    )


def banned_author(app, moderator):
    author = reader_at(app, ATTACKER)
    assert (
        send_comment(author, aged_form(author, "before"), "Un avis insultant.").status_code == 302
    )
    assert ban_author_of(moderator, comments(app)[-1].id).status_code == 303
    return author


def test_a_reader_ban_holds_comments_from_the_same_address(app, moderator):
    author = banned_author(app, moderator)
    forget_reader_cookie(author)
    response = send_comment(author, aged_form(author, "dodge"), "Me revoilà.", "Nouveau")
    assert response.status_code == 302
    assert "en attente de modération" in page_text(author.client.get(response.location))
    held = comments(app)[-1]
    assert (held.body_source, held.status, held.pending_reason) == (
        "Me revoilà.",
        "pending",
        "banned_address",
    )
    assert "Me revoilà." not in page_text(reader_at(app, "192.0.2.1").open_article())
    assert "adresse d'un auteur banni" in page_text(moderator.client.get("/moderation"))
    elsewhere = reader_at(app, "198.51.100.1")
    assert (
        send_comment(
            elsewhere, aged_form(elsewhere, "other"), "Un autre avis.", "Tiers"
        ).status_code
        == 302
    )
    assert comments(app)[-1].status == "approved"


def test_a_moderator_at_the_address_of_a_banned_author_is_published(app, moderator):
    author = reader_at(app, "127.0.0.1")  # the address the moderator's requests come from
    assert (
        send_comment(author, aged_form(author, "insult"), "Un avis insultant.").status_code == 302
    )
    assert ban_author_of(moderator, comments(app)[-1].id).status_code == 303
    newsroom = reader_at(app, "127.0.0.1")
    newsroom.client = moderator.client
    form = aged_form(newsroom, "newsroom")
    assert send_comment(newsroom, form, "Avis de la rédaction.").status_code == 302
    assert (comments(app)[-1].body_source, comments(app)[-1].status) == (
        "Avis de la rédaction.",
        "approved",
    )


def test_the_hold_ends_with_the_ban(app, moderator):
    author = banned_author(app, moderator)
    with app.app_context():
        db.session.execute(update(Ban).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    forget_reader_cookie(author)
    assert (
        send_comment(author, aged_form(author, "after"), "Après la peine.", "Nouveau").status_code
        == 302
    )
    assert comments(app)[-1].status == "approved"


def test_a_banned_reader_is_told_why_and_until_when_instead_of_the_form(app, moderator):
    author = banned_author(app, moderator)
    page = page_text(author.open_article())
    assert "Vous ne pouvez pas publier de commentaires avant le" in page
    with app.app_context():
        end = db.session.execute(select(Ban.expires_at)).scalar_one()
    assert f"{end.day} " in page and str(end.year) in page
    assert "Raison donnée par la modération : insultes répétées" in page
    assert 'name="body"' not in page
    assert 'name="body"' not in page_text(author.open_article(reply_to=comments(app)[0].id))


def test_a_banned_reader_is_not_offered_to_edit_or_delete_while_the_ban_holds(app, moderator):
    author = banned_author(app, moderator)
    own = comments(app)[-1].id
    assert own in shown_ids(author.open_article().get_data(as_text=True))
    assert "Modifier ou supprimer" not in page_text(author.open_article())
    page = author.client.get(f"/comments/{own}/edit")
    assert page.status_code == 403
    assert "Vous ne pouvez pas publier de commentaires avant le" in page_text(page)
    refused = author.post_form(f"/comments/{own}/delete", {"confirm": "y"}, author.article_url)
    assert refused.status_code == 403 and comments(app)[-1].deleted_at is None
