from __future__ import annotations

import hashlib
import hmac
import re

import pytest
from itsdangerous import URLSafeSerializer
from sqlalchemy import event, select

from forum.extensions import db
from forum.models import Article, PollQuestion, Vote
from forum.polls.services import largest_remainder_percents
from forum.readers import COOKIE_SALT
from tests.conftest import (
    ARTICLE_SLUG,
    CROSS_SITE_HEADERS,
    CROSS_SITE_MESSAGE,
    REDIS_URL,
    TEST_SECRET,
    Reader,
    add_comment,
    make_app,
    poll_field,
    skip_or_fail,
)


@pytest.fixture
def vote_rows(count_rows):
    return lambda: count_rows(Vote)


def test_poll_questions_match_the_article(reader):
    html = reader.open_article().get_data(as_text=True).replace("&#39;", "'")
    assert "Pensez-vous que cette annonce est crédible ou pertinente ?" in html
    assert "<legend" in html and "Cette annonce vous paraît-elle crédible ?" in html
    assert "Cette annonce vous paraît-elle pertinente ?" in html
    for label in (
        "Pas du tout crédible",
        "Plutôt pas crédible",
        "Plutôt crédible",
        "Tout à fait crédible",
        "Sans avis",
    ):
        assert label in html


def test_vote_then_results_mark_the_readers_choice(reader, vote_rows):
    response = reader.vote({"credibility": 3, "relevance": 1}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Votre vote est enregistré" in html
    assert "100\u00a0% (1 vote)" in html  # Babel's French percent: a no-break space
    assert "(votre réponse)" in html
    assert "100\u00a0%</strong> <span>jugent l&#39;annonce crédible" in html
    assert vote_rows() == 2


def test_vote_works_without_javascript_by_post_redirect_get(reader):
    response = reader.vote({"credibility": 0, "relevance": 0})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/articles/{ARTICLE_SLUG}#sondage")


def test_a_vote_sent_from_the_page_is_answered_with_the_poll_in_place(make_reader, vote_rows):
    make_reader().vote({"credibility": 0, "relevance": 4})
    reader = make_reader()
    response = reader.vote(
        {"credibility": 3, "relevance": 1}, headers={"X-Requested-With": "fetch"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Location" not in response.headers
    assert html.lstrip().startswith('<section class="poll" id="sondage"')
    assert '<p class="flash flash-success" role="status">Votre vote est enregistré' in html
    assert "2 votants" in html and "(votre réponse)" in html
    field, choice = reader.poll_field("credibility", 3)
    assert re.search(rf'<input checked id="{field}-3" name="{field}"[^>]*value="{choice}"', html)
    assert "Modifier mon vote" in html and vote_rows() == 4
    # Nothing was left to flash on the reader's next page.
    assert "Votre vote est enregistré" not in reader.open_article().get_data(as_text=True)


def test_a_bad_vote_sent_from_the_page_still_explains_what_is_wrong(reader, vote_rows):
    response = reader.vote({"credibility": 2}, headers={"X-Requested-With": "fetch"})
    assert response.status_code == 400
    assert "Votre vote n&#39;a pas été enregistré." in response.get_data(as_text=True)
    assert vote_rows() == 0


def test_changing_a_vote_updates_the_same_row(reader, vote_rows):
    reader.vote({"credibility": 0, "relevance": 4})
    reader.vote({"credibility": 3, "relevance": 4})
    assert vote_rows() == 2
    html = reader.open_article().get_data(as_text=True)
    assert "Modifier mon vote" in html
    field, choice = reader.poll_field("credibility", 3)
    assert re.search(rf'<input checked id="{field}-3" name="{field}"[^>]*value="{choice}"', html)


def test_results_count_several_readers_with_percentages_summing_to_100(make_reader):
    for credibility in (0, 2, 3):
        make_reader().vote({"credibility": credibility, "relevance": 4})
    html = make_reader().open_article(resultats=1).get_data(as_text=True)
    assert "3 votants" in html
    assert html.count("33\u00a0% (1 vote)") + html.count("34\u00a0% (1 vote)") == 3
    assert "67\u00a0%</strong>" in html


def test_results_without_voting(reader, vote_rows):
    html = reader.open_article().get_data(as_text=True)
    assert "Voir les résultats" in html
    assert "0 votant" not in html
    html = reader.open_article(resultats=1).get_data(as_text=True)
    assert ">0 votant<" in html, "French plural rule: zero is singular"
    assert vote_rows() == 0


def close_poll(app) -> None:
    with app.app_context():
        article = db.session.execute(
            select(Article).where(Article.slug == ARTICLE_SLUG)
        ).scalar_one()
        article.poll_open = False
        db.session.commit()


def test_closed_poll_refuses_votes_and_shows_final_results(app, reader, vote_rows):
    reader.vote({"credibility": 1, "relevance": 1})
    token = reader.token()
    close_poll(app)
    html = reader.open_article().get_data(as_text=True)
    assert "Ce sondage est clos" in html
    assert "Voter" not in html and "Modifier mon vote" not in html
    assert "1 votant" in html
    field, choice = reader.poll_field("credibility", 3)
    response = reader.client.post(
        f"{reader.article_url}/vote", data={"csrf_token": token, field: choice}
    )
    assert response.status_code == 409
    assert "il n'accepte plus de votes".replace("'", "&#39;") in response.get_data(as_text=True)
    assert vote_rows() == 2


@pytest.mark.parametrize(
    ("answers", "status"),
    [
        ({}, 400),
        ({"credibility": 1}, 400),
        ({"credibility": "abc", "relevance": 1}, 400),
        ({"credibility": "99999999999999999999999999", "relevance": 1}, 400),
        ({"credibility": "-1", "relevance": 1}, 400),
        ({"credibility": "1.5", "relevance": 1}, 400),
    ],
)
def test_bad_votes_get_a_french_message_and_store_nothing(reader, answers, status, vote_rows):
    response = reader.vote(answers)
    assert response.status_code == status
    html = response.get_data(as_text=True)
    assert "Votre vote n&#39;a pas été enregistré" in html
    assert vote_rows() == 0
    # Nothing recorded, so a first-time visitor is given no reader id either.
    assert "forum_reader=" not in " ".join(response.headers.getlist("Set-Cookie"))


def test_choice_of_another_question_is_refused(reader, vote_rows):
    field, _ = reader.poll_field("credibility", 0)
    _, other_choice = reader.poll_field("relevance", 0)
    relevance_field, relevance_choice = reader.poll_field("relevance", 1)
    response = reader.post_form(
        f"{reader.article_url}/vote", {field: other_choice, relevance_field: relevance_choice}
    )
    assert response.status_code == 400
    assert vote_rows() == 0


def test_vote_for_unknown_article_is_404(reader):
    response = reader.post_form("/articles/inconnu/vote", {"q_1": 1})
    assert response.status_code == 404


@pytest.mark.parametrize("headers", CROSS_SITE_HEADERS)
def test_a_vote_sent_from_another_site_is_refused(reader, headers, vote_rows):
    field, choice = reader.poll_field("credibility", 0)
    reader.open_article()
    response = reader.client.post(
        f"{reader.article_url}/vote", data={field: choice}, headers=headers
    )
    assert response.status_code == 403
    assert CROSS_SITE_MESSAGE in response.get_data(as_text=True)
    assert vote_rows() == 0


@pytest.mark.parametrize("token", [None, "forged-token"])
def test_a_signed_in_vote_without_a_valid_csrf_token_is_refused(moderator, token, vote_rows):
    # A signed-in session keeps Flask-WTF's token on readers' forms too.
    field, choice = poll_field(moderator.app, "credibility", 0)
    data = {field: choice, **({"csrf_token": token} if token else {})}
    response = moderator.client.post(f"/articles/{ARTICLE_SLUG}/vote", data=data)
    assert response.status_code == 400
    assert "jeton de sécurité" in response.get_data(as_text=True)
    assert vote_rows() == 0


def test_a_vote_signed_in_by_a_remember_cookie_alone_still_needs_the_token(moderator, vote_rows):
    # Flask-Login signs a session in from its remember cookie too: a browser that kept only
    # that cookie is a signed-in session, and its reader forms keep the token.
    from flask_login.utils import encode_cookie

    app = moderator.app
    with app.app_context():
        from forum.auth.services import get_staff

        remembered = encode_cookie(get_staff(moderator.email).get_id())
    browser = app.test_client()
    browser.set_cookie(app.config.get("REMEMBER_COOKIE_NAME", "remember_token"), remembered)
    assert browser.get("/moderation").status_code == 200  # signed in by the cookie alone
    browser.delete_cookie(app.config["SESSION_COOKIE_NAME"])
    field, choice = poll_field(app, "credibility", 0)
    response = browser.post(f"/articles/{ARTICLE_SLUG}/vote", data={field: choice})
    assert response.status_code == 400
    assert "jeton de sécurité" in response.get_data(as_text=True)
    assert vote_rows() == 0


@pytest.mark.parametrize(
    "app_config",
    [{}, {"CACHE_REDIS_URL": REDIS_URL}],
    ids=["in-process cache", "redis cache"],
)
def test_a_double_clicked_first_vote_makes_one_voter(app, app_config, vote_rows):
    # A first-time visitor's form sent twice before the first answer's cookie came back:
    # both requests carry the page's stamp, from one address and browser.
    if app_config and not REDIS_URL:
        skip_or_fail("FORUM_TEST_REDIS_URL is not set: the shared first-vote id not tested")
    page = Reader(app).open_article().get_data(as_text=True)
    stamp = re.search(r'name="ballot" value="([^"]+)"', page).group(1)
    field, choice = poll_field(app, "credibility", 1)
    other_field, other_choice = poll_field(app, "relevance", 1)
    data = {"ballot": stamp, field: choice, other_field: other_choice}
    clicks = [Reader(app).client.post(f"/articles/{ARTICLE_SLUG}/vote", data=data) for _ in "12"]
    assert [click.status_code for click in clicks] == [302, 302]
    cookies = ["\n".join(click.headers.getlist("Set-Cookie")) for click in clicks]
    reader_cookie = app.config["FORUM_READER_COOKIE"]
    ids = [re.search(rf"{reader_cookie}=([^;]+)", cookie).group(1) for cookie in cookies]
    assert ids[0] == ids[1]  # the second click votes as the first: one voter, not two
    assert vote_rows() == 2
    results = Reader(app).open_article(resultats=1).get_data(as_text=True)
    assert "1 votant" in results and "2 votants" not in results


def test_get_on_the_vote_url_is_a_styled_405(client):
    response = client.get(f"/articles/{ARTICLE_SLUG}/vote")
    assert response.status_code == 405
    assert "Méthode non autorisée" in response.get_data(as_text=True)


def test_database_stores_only_a_keyed_hash_of_the_reader(reader, app):
    response = reader.vote({"credibility": 1, "relevance": 1})
    reader_cookie = app.config["FORUM_READER_COOKIE"]
    (cookie,) = [
        cookie
        for cookie in response.headers.getlist("Set-Cookie")
        if cookie.startswith(f"{reader_cookie}=")
    ]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Max-Age=" in cookie
    raw = reader.client.get_cookie(app.config["FORUM_READER_COOKIE"]).value
    reader_id = URLSafeSerializer(TEST_SECRET, salt=COOKIE_SALT).loads(raw)
    keyed_by_ours = (
        hmac_sha256(TEST_SECRET, f"reader:{reader_id}"),
        hmac_sha256(TEST_SECRET, "address:127.0.0.1"),
    )
    assert stored_hashes(app) == {keyed_by_ours}

    # The same reader on a site with another secret is stored under other values: the
    # hashes are keyed by the site's own secret, and name nobody without it.
    other_secret = "another-secret-0123456789abcdef0123456789abcdef"
    other_site = make_app(app.config["SQLALCHEMY_DATABASE_URI"], SECRET_KEY=other_secret)
    same_reader = Reader(other_site)
    cookie = URLSafeSerializer(other_secret, salt=COOKIE_SALT).dumps(reader_id)
    same_reader.client.set_cookie(app.config["FORUM_READER_COOKIE"], cookie)
    assert same_reader.vote({"credibility": 1, "relevance": 1}).status_code == 302
    keyed_by_other = (
        hmac_sha256(other_secret, f"reader:{reader_id}"),
        hmac_sha256(other_secret, "address:127.0.0.1"),
    )
    assert keyed_by_other in stored_hashes(app) and len(stored_hashes(app)) == 2


def hmac_sha256(secret: str, message: str) -> str:
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def stored_hashes(app) -> set[tuple[str, str]]:
    with app.app_context():
        return set(db.session.execute(select(Vote.reader_hash, Vote.address_hash)).all())


def test_questions_are_data_an_article_can_have_its_own(app):
    with app.app_context():
        questions = db.session.execute(select(PollQuestion.key)).scalars().all()
    assert sorted(questions) == ["credibility", "relevance"]


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ([1, 1, 1], [34, 33, 33]),
        ([0, 0], [0, 0]),
        ([2, 1], [67, 33]),
        ([1, 0, 0, 0, 6], [14, 0, 0, 0, 86]),
    ],
)
def test_largest_remainder_percentages_sum_to_100(counts, expected):
    assert largest_remainder_percents(counts) == expected


@pytest.fixture
def vote_statements(app):
    """The SQL statements each vote sends, in order (begin and commit left out)."""
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        if statement.split()[0].upper() in {"WITH", "SELECT", "INSERT", "UPDATE", "DELETE"}:
            statements.append(statement.split()[0].upper())

    def vote(reader, positions: dict[str, int]) -> list[str]:
        data = {"csrf_token": reader.token()}
        for key, position in positions.items():
            field, choice = reader.poll_field(key, position)
            data[field] = choice
        statements.clear()
        event.listen(engine, "before_cursor_execute", record)
        try:
            response = reader.client.post(f"{reader.article_url}/vote", data=data)
        finally:
            event.remove(engine, "before_cursor_execute", record)
        assert response.status_code == 302
        return list(statements)

    return vote


def test_a_vote_is_one_statement_once_the_ballot_is_known(make_reader, vote_statements):
    # The same on both databases (forum.polls.ballot): the first vote reads the ballot,
    # then every vote is one upsert for both answers, which also returns what the burst
    # and the cache version need to know.
    answers = {"credibility": 2, "relevance": 3}
    assert vote_statements(make_reader(), answers) == ["SELECT", "INSERT"]
    assert vote_statements(make_reader(), answers) == ["INSERT"]
    # The same answers sent again: still one statement, no history to keep.
    again = make_reader()
    vote_statements(again, answers)
    assert vote_statements(again, answers) == ["INSERT"]


def test_a_vote_after_the_article_changed_is_checked_again_and_recorded(
    app, make_reader, vote_statements, vote_rows
):
    reader = make_reader()
    vote_statements(reader, {"credibility": 0, "relevance": 0})
    add_comment(app)  # the article's version moves on
    # The upsert writes nothing on the old version; the ballot is read again, then written;
    # the answers changed, so one more statement keeps their history (vote_changes).
    statements = vote_statements(reader, {"credibility": 3, "relevance": 4})
    assert statements == ["INSERT", "SELECT", "INSERT", "INSERT"]
    assert vote_rows() == 2
    field, choice = reader.poll_field("credibility", 3)
    html = reader.open_article().get_data(as_text=True)
    assert re.search(rf'<input checked id="{field}-3" name="{field}"[^>]*value="{choice}"', html)


def test_a_field_for_another_articles_question_is_ignored(reader, vote_rows):
    data = {"q_999999": "1"}
    for key in ("credibility", "relevance"):
        field, choice = reader.poll_field(key, 1)
        data[field] = choice
    assert reader.post_form(f"{reader.article_url}/vote", data).status_code == 302
    assert vote_rows() == 2
    assert "Modifier mon vote" in reader.open_article().get_data(as_text=True)


def test_after_a_vote_the_results_come_first_and_the_form_waits_behind_a_control(reader):
    html = reader.open_article().get_data(as_text=True)
    assert "<details" not in html  # before voting, the form is the poll
    reader.vote({"credibility": 0, "relevance": 4})
    html = reader.open_article().get_data(as_text=True)
    results = html.index('class="poll-results"')
    closed = re.search(
        r'<details class="change-vote">\s*<summary>Modifier mon vote</summary>\s*<form[^>]*'
        r'class="poll-form"',
        html,
    )
    assert closed and results < closed.start()
    # A refused change opens it again, with the reason above.
    html = reader.vote({"credibility": 2}).get_data(as_text=True)
    assert '<details class="change-vote" open>' in html
