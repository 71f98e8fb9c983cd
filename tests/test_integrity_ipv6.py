"""Issue 16, IPv6 row: every per-address rule (rate limits, vote bursts, bans) counts one
IPv6 /64 as one address, so hopping inside one's own /64 starts nothing afresh."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import Vote
from tests.comment_helpers import last_comment, post_comment

DEFAULT_LIMITS = {"RATELIMIT_ENABLED": True}  # every other setting at its default
ANSWERS = {"credibility": 1, "relevance": 1}
SUBSCRIBER = "2001:db8:4a1:7c00"  # one customer's /64


def from_address(reader, address: str):
    reader.client.environ_base["REMOTE_ADDR"] = address
    return reader


# The default vote limit (300 a minute) is set high so that an office is never refused;
# a lower one shows, in fewer requests, that it counts the /64.
@pytest.mark.parametrize("app_config", [{**DEFAULT_LIMITS, "FORUM_LIMIT_VOTE": "5 per minute"}])
def test_the_vote_limit_counts_a_whole_ipv6_64(make_reader):
    statuses = [
        from_address(make_reader(), f"{SUBSCRIBER}::{n:x}").vote(ANSWERS).status_code
        for n in range(1, 7)
    ]
    assert statuses == [302] * 5 + [429]
    neighbour = from_address(make_reader(), "2001:db8:4a1:7c01::1")
    assert neighbour.vote(ANSWERS).status_code == 302


@pytest.mark.parametrize("app_config", [DEFAULT_LIMITS])
def test_the_vote_allowance_counts_a_whole_ipv6_64(app, make_reader):
    for n in range(1, 22):  # FORUM_VOTE_BURST_COUNT: 20 readers counted in 10 minutes
        voter = from_address(make_reader(), f"{SUBSCRIBER}:{n:x}::1")
        assert voter.vote(ANSWERS).status_code == 302
    neighbour = from_address(make_reader(), "2001:db8:4a1:7c01::1")
    assert neighbour.vote(ANSWERS).status_code == 302
    with app.app_context():
        statuses = db.session.execute(select(Vote.status).order_by(Vote.id)).scalars().all()
    assert statuses == ["counted"] * 40 + ["held"] * 2 + ["counted"] * 2


@pytest.mark.parametrize("app_config", [DEFAULT_LIMITS])
def test_voters_spread_over_one_ipv6_64_make_a_burst(app, make_reader):
    for n in range(1, 21):  # FORUM_VOTE_BURST_COUNT: 20 readers in 10 minutes
        assert (
            from_address(make_reader(), f"{SUBSCRIBER}:{n:x}::1").vote(ANSWERS).status_code == 302
        )
    with app.app_context():
        flags = db.session.execute(select(Vote.burst)).scalars().all()
    assert len(flags) == 40 and all(flags)


@pytest.mark.parametrize("app_config", [DEFAULT_LIMITS])
def test_a_ban_of_an_address_covers_its_ipv6_64(app, make_reader, moderator):
    author = from_address(make_reader(), f"{SUBSCRIBER}::1")
    assert post_comment(author, pseudonym="Troll").status_code in (302, 303)
    comment_id = last_comment(app).id
    ban = moderator.post_form(
        f"/moderation/comments/{comment_id}/ban",
        {"duration": "24h", "reason": "spam", "include_address": "y"},
    )
    assert ban.status_code == 303
    same_subscriber = from_address(make_reader(), f"{SUBSCRIBER}:9e3f:12ab:77:1")
    refused = post_comment(same_subscriber, "Un autre avis.", pseudonym="Nouveau")
    assert refused.status_code == 403
    assert "vous ne pouvez pas publier" in refused.get_data(as_text=True).lower()
    elsewhere = from_address(make_reader(), "2001:db8:4a1:7c01::1")
    assert post_comment(elsewhere, "Un avis voisin.", pseudonym="Voisine").status_code in (302, 303)
