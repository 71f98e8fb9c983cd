"""« Les résultats dans le temps »: each question's results and each side's comments,
period by period, equal to the stored votes and their history of changes."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from flask import template_rendered
from sqlalchemy import select, update

from forum.article_pages.over_time import load_over_time
from forum.extensions import cache, db
from forum.models import Article, PollQuestion, Vote, VoteChange, utcnow
from forum.models.articles import COUNTED_VOTE_STATUSES
from forum.page_cache import changes_pages
from forum.polls.history import HOURLY_HOURS, bucket_of, buckets_until
from tests.comment_helpers import reader_at, recorded_queries
from tests.conftest import ARTICLE_SLUG, add_comment

URL = f"/articles/{ARTICLE_SLUG}/resultats-dans-le-temps"
NOTE = "Des votes groupés ont été écartés"
MARK = 'class="chart-mark"'


@pytest.fixture
def app_config() -> dict:
    return {"FORUM_VOTE_BURST_COUNT": 3}


def published(app, hours_ago: float) -> datetime:
    """Date the article's publication back; return it."""
    at = (utcnow() - timedelta(hours=hours_ago)).replace(microsecond=0)
    with app.app_context():
        db.session.execute(
            update(Article)
            .where(Article.slug == ARTICLE_SLUG)
            .values(published_at=at)
            .execution_options(**changes_pages())
        )
        db.session.commit()
    return at


def voter(app, number: int, credibility: int, hours_ago: float, address: str = "") -> str:
    """A reader who voted `hours_ago` hours ago (through the form, then dated back)."""
    reader = reader_at(app, address or f"198.51.100.{number}")
    assert reader.vote({"credibility": credibility, "relevance": 2}).status_code == 302
    with app.app_context():
        reader_hash = db.session.execute(
            select(Vote.reader_hash).order_by(Vote.id.desc()).limit(1)
        ).scalar_one()
        at = utcnow() - timedelta(hours=hours_ago)
        db.session.execute(
            update(Vote)
            .where(Vote.reader_hash == reader_hash)
            .values(created_at=at, updated_at=at)
            .execution_options(**changes_pages())
        )
        db.session.commit()
    reader.reader_hash = reader_hash
    return reader


def change_vote(app, reader, credibility: int, hours_ago: float) -> None:
    """The reader changes their answer (through the form), dated back."""
    assert reader.vote({"credibility": credibility, "relevance": 2}).status_code == 302
    with app.app_context():
        db.session.execute(
            update(VoteChange)
            .where(VoteChange.reader_hash == reader.reader_hash)
            .where(VoteChange.changed_at > utcnow() - timedelta(minutes=1))
            .values(changed_at=utcnow() - timedelta(hours=hours_ago))
        )
        db.session.commit()


def stored_history(app) -> dict[int, list[dict[int, int]]]:
    """Per question, the counted votes each choice held at the end of each bucket,
    replayed vote by vote from the rows: the reference the page must equal."""
    with app.app_context():
        article = db.session.execute(
            select(Article).where(Article.slug == ARTICLE_SLUG)
        ).scalar_one()
        buckets = buckets_until(article.published_at, utcnow())
        votes = db.session.execute(
            select(Vote).where(Vote.status.in_(COUNTED_VOTE_STATUSES))
        ).scalars()
        changes = db.session.execute(select(VoteChange).order_by(VoteChange.changed_at)).scalars()
        questions = db.session.execute(select(PollQuestion)).scalars().all()
        by_vote: dict[tuple[int, str], list[VoteChange]] = {}
        for change in changes:
            by_vote.setdefault((change.question_id, change.reader_hash), []).append(change)
        history = {q.id: [{c.id: 0 for c in q.choices} for _ in buckets] for q in questions}
        for vote in votes:
            moves = by_vote.get((vote.question_id, vote.reader_hash), [])
            for bucket in buckets:
                if bucket_of(article.published_at, vote.created_at) > bucket.index:
                    continue
                choice = moves[0].from_choice_id if moves else vote.choice_id
                for move in moves:
                    if bucket_of(article.published_at, move.changed_at) <= bucket.index:
                        choice = move.to_choice_id
                history[vote.question_id][bucket.index][choice] += 1
        return history


def page_history(app) -> dict[int, list[dict[int, int]]]:
    with app.app_context():
        article = db.session.execute(
            select(Article).where(Article.slug == ARTICLE_SLUG)
        ).scalar_one()
        figures = load_over_time(article)
    return {
        q.id: [{c.id: c.counts[b] for c in q.choices} for b in range(len(q.voters))]
        for q in figures.history.questions
    }


def fresh_page(client, **kwargs):
    """The page as it stands (the figures are cached for a few seconds)."""
    with client.application.app_context():
        cache.clear()
    response = client.get(URL, **kwargs)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_figures_equal_the_stored_history_with_a_changed_vote(app, client):
    published(app, hours_ago=10)
    alice = voter(app, 1, credibility=3, hours_ago=9.5)
    voter(app, 2, credibility=0, hours_ago=8.5)
    voter(app, 3, credibility=3, hours_ago=2.5)
    change_vote(app, alice, credibility=0, hours_ago=5.5)

    history = page_history(app)

    assert history == stored_history(app)
    credibility = next(iter(history.values()))
    # Alice's vote: for "tout à fait" from her vote until her change, "pas du tout" after.
    with app.app_context():
        question = db.session.execute(
            select(PollQuestion).where(PollQuestion.key == "credibility")
        ).scalar_one()
        fully, not_at_all = question.choices[3].id, question.choices[0].id
    credibility = history[question.id]
    assert (credibility[0][fully], credibility[0][not_at_all]) == (1, 0)
    assert (credibility[3][fully], credibility[3][not_at_all]) == (1, 1)
    assert (credibility[4][fully], credibility[4][not_at_all]) == (0, 2)
    assert (credibility[-1][fully], credibility[-1][not_at_all]) == (1, 2)
    html = fresh_page(client)
    assert "<title" in html and "<desc" in html and 'aria-labelledby="q' in html
    assert html.count("<polyline") == 5 + 5  # a line per choice of each question
    # The table's last row: 3 voters, "pas du tout" 67 % (2), one changed mind in bucket 4.
    last_row = html[html.rindex("<tr>", 0, html.index("</tbody>")) :]
    assert "67" in last_row and "(2)" in last_row


def test_an_erasure_leaves_the_figures_equal_to_what_is_stored(app, client):
    published(app, hours_ago=6)
    alice = voter(app, 1, credibility=3, hours_ago=5.5)
    voter(app, 2, credibility=1, hours_ago=4.5)
    change_vote(app, alice, credibility=1, hours_ago=3.5)
    response = alice.post_form("/mes-donnees/supprimer", {"confirm": "y"}, "/mes-donnees")
    assert response.status_code == 303

    history = page_history(app)

    assert history == stored_history(app)
    assert all(sum(per_bucket[-1].values()) == 1 for per_bucket in history.values())
    with app.app_context():
        assert db.session.execute(select(VoteChange)).first() is None


def test_buckets_are_hourly_for_three_days_then_daily(app, client):
    start = published(app, hours_ago=HOURLY_HOURS + 24 * 3 + 5)
    voter(app, 1, credibility=3, hours_ago=HOURLY_HOURS + 24 * 3)  # the 6th hour
    voter(app, 2, credibility=0, hours_ago=30)  # the second daily bucket

    with app.app_context():
        buckets = buckets_until(start, utcnow())
    assert len(buckets) == HOURLY_HOURS + 4
    assert [b.end - b.start for b in buckets[:HOURLY_HOURS]] == [timedelta(hours=1)] * 72
    assert all(b.end - b.start == timedelta(days=1) for b in buckets[HOURLY_HOURS:])
    history = page_history(app)
    assert history == stored_history(app)
    voters = [sum(b.values()) for b in next(iter(history.values()))]
    assert voters[4] == 0 and voters[5] == 1
    assert voters[HOURLY_HOURS] == 1 and voters[HOURLY_HOURS + 2] == 2
    assert "par jour" in fresh_page(client)


def comments_row(html: str, row: int) -> list[int]:
    table = html[html.index('id="commentaires-tableau"') :]
    rows = re.findall(r"<tr>(.*?)</tr>", table[: table.index("</tbody>")], re.S)[1:]
    return [int(n) for n in re.findall(r"<td>(\d+)</td>", rows[row])]


def test_comments_are_counted_per_side_on_the_same_axis(app, client):
    start = published(app, hours_ago=4)
    believer = voter(app, 1, credibility=3, hours_ago=3.5).reader_hash
    doubter = voter(app, 2, credibility=0, hours_ago=3.5).reader_hash
    at = start + timedelta(minutes=90)  # the second hour
    for author in (believer, believer, doubter, "nonvoter".ljust(64, "0")):
        add_comment(app, reader_hash=author, created_at=at, published_at=at)
    add_comment(app, reader_hash=believer, created_at=at, status="pending")
    add_comment(app, reader_hash=doubter, created_at=at, deleted_at=at)

    html = fresh_page(client)

    assert comments_row(html, 0) == [0, 0, 0]
    assert comments_row(html, 1) == [2, 1, 1]
    assert html.count('class="chart-bar"') == 1
    assert html.count('class="chart-bar-hatched"') == 1


def held_burst(app) -> None:
    """Four readers of one address in minutes: all marked, the fourth held, then discarded."""
    for number in range(4):
        voter(app, 10 + number, credibility=1, hours_ago=0, address="203.0.113.9")
    with app.app_context():
        assert db.session.execute(select(Vote.status).where(Vote.status == "held")).first()


def test_staff_see_burst_marks_readers_a_neutral_note_only(app, client, moderator):
    published(app, hours_ago=3)
    voter(app, 1, credibility=3, hours_ago=2.5)
    assert NOTE not in fresh_page(client)
    held_burst(app)

    reader_page = fresh_page(client)
    staff_page = fresh_page(moderator.client)

    assert NOTE in reader_page and MARK not in reader_page
    assert "Votes groupés" not in reader_page  # no staff column
    assert MARK in staff_page and NOTE not in staff_page
    assert "Votes groupés" in staff_page
    # The held vote is drawn nowhere: 4 counted voters at the end.
    history = page_history(app)
    assert history == stored_history(app)
    assert {sum(b[-1].values()) for b in history.values()} == {4}


def test_a_reader_sees_no_note_when_no_vote_is_left_out(app, client):
    published(app, hours_ago=3)
    for number in range(3):  # a burst within the allowance: marked, all counted
        voter(app, 10 + number, credibility=1, hours_ago=0, address="203.0.113.9")
    assert NOTE not in fresh_page(client)


def page_queries(app, client) -> int:
    with app.app_context():
        cache.clear()
    with recorded_queries(app) as statements:
        assert client.get(URL).status_code == 200
    return len([s for s, _ in statements if s.lstrip().upper().startswith(("SELECT", "WITH"))])


def test_the_query_count_does_not_grow_with_votes_or_comments(app, client):
    published(app, hours_ago=100)
    alice = voter(app, 1, credibility=3, hours_ago=90)
    change_vote(app, alice, credibility=0, hours_ago=80)
    add_comment(app, reader_hash=alice.reader_hash)
    small = page_queries(app, client)
    for number in range(2, 40):
        reader = voter(app, number, credibility=number % 5, hours_ago=number * 2)
        if number % 3 == 0:
            change_vote(app, reader, credibility=(number + 1) % 5, hours_ago=number)
        add_comment(app, reader_hash=reader.reader_hash)
    assert page_queries(app, client) == small
    assert small <= 7


def test_the_figures_are_cached_under_the_article_version(app, client):
    published(app, hours_ago=3)
    voter(app, 1, credibility=3, hours_ago=2)
    fresh_page(client)
    with recorded_queries(app) as statements:
        client.get(URL)
    assert not any("strftime" in s or "EXTRACT" in s for s, _ in statements)
    add_comment(app, body="Un avis")  # moves the article's version
    with recorded_queries(app) as statements:
        client.get(URL)
    assert any("strftime" in s or "EXTRACT" in s for s, _ in statements)


def test_a_visitor_without_cookies_gets_a_copy_a_shared_cache_may_keep(app, client, moderator):
    response = client.get(URL)
    assert response.headers["Cache-Control"].startswith("public")
    assert "Set-Cookie" not in response.headers
    assert "private" in moderator.client.get(URL).headers["Cache-Control"]


def test_visitors_without_cookies_share_one_rendering_per_language(app, client):
    published(app, hours_ago=3)
    voter(app, 1, credibility=3, hours_ago=2)
    rendered = []

    def seen(_app, template, context, **_extra):
        rendered.append(template.name)

    template_rendered.connect(seen)
    french = fresh_page(client, headers={"Accept-Language": "fr"})
    again = client.get(URL, headers={"Accept-Language": "fr"}).get_data(as_text=True)
    english = client.get(URL, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert again == french and 'lang="fr"' in french
    assert 'lang="en"' in english and "Results over time" in english
    assert rendered.count("articles/over_time.html") == 2, "once per language"
    add_comment(app, body="Un avis")  # a new version: rendered again
    assert "1</td>" in client.get(URL, headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert rendered.count("articles/over_time.html") == 3
    template_rendered.disconnect(seen)


def test_the_results_link_to_the_page_and_an_unknown_article_has_none(client):
    html = client.get(f"/articles/{ARTICLE_SLUG}?resultats=1").get_data(as_text=True)
    assert f'href="{URL}"' in html
    assert client.get("/articles/inconnu/resultats-dans-le-temps").status_code == 404
