"""Rate limits per route: the request past the limit gets the styled French 429 with
Retry-After, and stores nothing; limits follow the address, not the reader cookie."""

from __future__ import annotations

import pytest

from forum.extensions import limiter
from forum.models import Comment, CommentVote, Flag, Vote
from tests.comment_helpers import post_comment
from tests.conftest import StaffMember, add_comment, create_staff_account

LIMITED = {
    "RATELIMIT_ENABLED": True,
    "FORUM_LIMIT_VOTE": "2 per minute",
    "FORUM_LIMIT_COMMENT": "2 per minute",
    "FORUM_LIMIT_FLAG": "2 per minute",
    "FORUM_LIMIT_USEFUL": "2 per minute",
    "FORUM_LIMIT_LOGIN": "2 per minute",
}

pytestmark = pytest.mark.parametrize("app_config", [LIMITED])


def assert_refused(response) -> None:
    assert response.status_code == 429
    retry_after = int(response.headers["Retry-After"])
    assert 0 < retry_after <= 60
    page = response.get_data(as_text=True)
    assert "Trop de requêtes" in page and 'lang="fr"' in page
    assert "Réessayez dans" in page and "seconde" in page


def test_vote_limit(make_reader, count_rows):
    for _ in range(2):
        assert make_reader().vote({"credibility": 1, "relevance": 1}).status_code == 302
    assert_refused(make_reader().vote({"credibility": 2, "relevance": 1}))
    assert count_rows(Vote) == 4  # two readers, two questions each


def test_comment_limit(make_reader, count_rows):
    for number in range(2):
        response = post_comment(make_reader(), f"Avis {number}", pseudonym=f"Lecteur {number}")
        assert response.status_code == 302
    assert_refused(post_comment(make_reader(), "Avis refusé", pseudonym="Lecteur refusé"))
    assert count_rows(Comment) == 2


def test_reply_limit(app, make_reader, count_rows):
    parent = add_comment(app)
    for number in range(2):
        response = post_comment(
            make_reader(), f"Réponse {number}", pseudonym=f"Lecteur {number}", parent_id=parent
        )
        assert response.status_code == 302
    assert_refused(
        post_comment(make_reader(), "Réponse refusée", pseudonym="Lecteur refusé", parent_id=parent)
    )
    assert count_rows(Comment) == 3


def test_flag_limit(app, make_reader, count_rows):
    comment = add_comment(app)
    for _ in range(2):
        response = make_reader().post_form(f"/comments/{comment}/flag", {"reason": "spam"})
        assert response.status_code == 302
    assert_refused(make_reader().post_form(f"/comments/{comment}/flag", {"reason": "hate"}))
    assert count_rows(Flag) == 2


def test_useful_limit(app, make_reader, count_rows):
    comment = add_comment(app)
    for _ in range(2):
        assert make_reader().post_form(f"/comments/{comment}/useful", {}).status_code == 302
    assert_refused(make_reader().post_form(f"/comments/{comment}/useful", {}))
    assert count_rows(CommentVote) == 2


def test_login_limit(app):
    create_staff_account(app, "modo@redaction.example")
    member = StaffMember(app, "modo@redaction.example")
    for _ in range(2):
        assert member.login(password="wrong password!!").status_code == 400
    response = member.login()
    assert_refused(response)
    assert member.client.get("/moderation").status_code == 302  # still signed out


def test_limits_follow_the_address_not_the_cookie(make_reader):
    for _ in range(2):
        assert make_reader().vote({"credibility": 1, "relevance": 1}).status_code == 302
    elsewhere = make_reader()
    elsewhere.client.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    assert elsewhere.vote({"credibility": 1, "relevance": 1}).status_code == 302


def test_the_limit_storage_holds_no_raw_address(make_reader):
    for _ in range(2):
        make_reader().vote({"credibility": 1, "relevance": 1})
    keys = " ".join(limiter.storage.storage.keys())
    assert keys and "127.0.0.1" not in keys
