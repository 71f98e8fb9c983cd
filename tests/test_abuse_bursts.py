"""Vote bursts: many readers voting from one address are kept, counted, marked, and shown
to moderators as keyed-hash prefixes only."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from forum.extensions import db
from forum.models import Vote, utcnow
from forum.page_cache import changes_pages
from tests.vote_helpers import address_hash, vote_from

pytestmark = pytest.mark.parametrize(
    "app_config", [{"FORUM_VOTE_BURST_COUNT": 3, "FORUM_VOTE_BURST_MINUTES": 10}]
)


def burst_flags(app) -> list[tuple[str, bool]]:
    with app.app_context():
        return list(
            db.session.execute(select(Vote.address_hash, Vote.burst).order_by(Vote.id)).all()
        )


def test_a_burst_is_marked_from_its_first_vote_and_still_counted(app, make_reader):
    vote_from(make_reader, "198.51.100.1")
    for _ in range(2):
        vote_from(make_reader)
    assert not any(burst for _, burst in burst_flags(app))
    vote_from(make_reader)
    flags = burst_flags(app)
    assert [burst for _, burst in flags] == [False, False] + [True] * 6
    assert {a for a, burst in flags if burst} == {address_hash("127.0.0.1")}
    # The results as any reader asks for them ("Voir les résultats").
    results = html.unescape(make_reader().open_article(resultats=1).get_data(as_text=True))
    assert results.count("4 votants") == 2  # both questions count all four readers


def test_two_readers_are_not_a_burst_of_three_however_often_they_vote(app, make_reader):
    first = vote_from(make_reader)
    assert first.vote({"credibility": 1, "relevance": 1}).status_code == 302
    vote_from(make_reader)
    assert first.vote({"credibility": 2, "relevance": 2}).status_code == 302
    flags = burst_flags(app)
    assert len(flags) == 4 and not any(burst for _, burst in flags)


def test_votes_outside_the_window_do_not_make_a_burst(app, make_reader):
    for _ in range(2):
        vote_from(make_reader)
    with app.app_context():
        db.session.execute(
            update(Vote).values(created_at=utcnow() - timedelta(minutes=11)),
            execution_options=changes_pages(),
        )
        db.session.commit()
    vote_from(make_reader)
    assert not any(burst for _, burst in burst_flags(app))


def test_a_reader_voting_again_from_the_burst_address_joins_the_burst(app, make_reader):
    first = vote_from(make_reader, "198.51.100.1")
    for _ in range(2):
        vote_from(make_reader)
    assert not any(burst for _, burst in burst_flags(app))
    first.client.environ_base["REMOTE_ADDR"] = "127.0.0.1"
    assert first.vote({"credibility": 1, "relevance": 1}).status_code == 302
    flags = burst_flags(app)
    assert [burst for _, burst in flags] == [True] * 6
    assert {a for a, _ in flags} == {address_hash("127.0.0.1")}


def test_a_change_of_a_vote_cast_before_the_window_does_not_make_a_burst(app, make_reader):
    first = vote_from(make_reader, "198.51.100.1")
    with app.app_context():
        db.session.execute(
            update(Vote).values(created_at=utcnow() - timedelta(minutes=11)),
            execution_options=changes_pages(),
        )
        db.session.commit()
    for _ in range(2):
        vote_from(make_reader)
    first.client.environ_base["REMOTE_ADDR"] = "127.0.0.1"
    assert first.vote({"credibility": 1, "relevance": 1}).status_code == 302
    assert not any(burst for _, burst in burst_flags(app))
    assert len(burst_flags(app)) == 6


def test_moderators_see_bursts_per_article_and_address_prefix(make_reader, moderator):
    for _ in range(3):
        vote_from(make_reader)
    vote_from(make_reader, "198.51.100.1")
    page = html.unescape(moderator.client.get("/moderation/dashboard").get_data(as_text=True))
    section = page.split('id="rafales"', 1)[1]
    assert "<td>6</td>" in section
    assert address_hash("127.0.0.1")[:12] + "…" in section
    assert address_hash("198.51.100.1")[:12] not in section
    assert "127.0.0.1" not in page and address_hash("127.0.0.1") not in page


def test_the_dashboard_says_when_there_is_no_burst(moderator):
    page = html.unescape(moderator.client.get("/moderation/dashboard").get_data(as_text=True))
    assert "Aucune rafale de votes." in page
