"""Votes one person cannot multiply: beyond its allowance, an address's new readers are
held (kept, never refused, out of the public figures) until staff release or discard them;
a first vote sent twice from one rendered form counts once. Under the default settings,
rate limits on."""

from __future__ import annotations

import html
import re
import time

import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import AuditEntry, Vote
from tests.conftest import ARTICLE_SLUG, Reader, csrf_token, poll_field
from tests.http_client import HttpReader
from tests.vote_helpers import ANSWERS, fire_at_once, vote_form

pytestmark = pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True}])
ARTICLE = f"/articles/{ARTICLE_SLUG}"
PANEL = f"/moderation/articles/{ARTICLE_SLUG}/integrite"
BALLOT_RE = re.compile(r'name="ballot" value="([^"]+)"')


def public_results(app) -> str:
    """The results as a new reader reads them ("Voir les résultats")."""
    page = Reader(app).open_article(resultats=1).get_data(as_text=True)
    return " ".join(html.unescape(page).split())


def answers(app) -> dict:
    return dict(poll_field(app, key, position) for key, position in ANSWERS.items())


def stored(app) -> dict[str, int]:
    with app.app_context():
        return dict(
            db.session.execute(select(Vote.status, func.count()).group_by(Vote.status)).all()
        )


def test_one_client_casting_300_votes_gets_20_counted_and_the_rest_held(app):
    # One client, one CSRF token, the reader cookie never sent back: a new reader each time.
    client = Reader(app).client
    form = {"csrf_token": csrf_token(client.get(ARTICLE).get_data(as_text=True)), **answers(app)}
    statuses = []
    for _ in range(300):
        statuses.append(client.post(f"{ARTICLE}/vote", data=form).status_code)
        client.delete_cookie(app.config["FORUM_READER_COOKIE"])
    assert statuses == [302] * 300  # kept, not refused
    assert stored(app) == {"counted": 40, "held": 560}  # 2 questions
    results = public_results(app)
    assert results.count("20 votants") == 2
    assert "280 votes en cours de vérification" in results


def test_a_held_reader_is_told_their_vote_is_being_checked(app):
    readers = [Reader(app) for _ in range(21)]
    for reader in readers:
        assert reader.vote({"credibility": 1, "relevance": 1}).status_code == 302
    checked = "Votre vote est en cours de vérification"
    assert checked not in readers[0].open_article().get_data(as_text=True)
    held = html.unescape(readers[-1].open_article().get_data(as_text=True))
    assert checked in held and "(votre réponse)" in held


def test_an_office_of_200_readers_is_never_refused_and_counts_once_released(app, moderator):
    office = [Reader(app) for _ in range(200)]
    for reader in office:  # one address, all within a minute
        assert reader.vote({"credibility": 2, "relevance": 1}).status_code == 302
    assert stored(app) == {"counted": 40, "held": 360}
    assert "180 votes en cours de vérification" in public_results(app)

    panel = moderator.client.get(PANEL).get_data(as_text=True)
    assert "180 lecteurs retenus" in panel
    response = moderator.post_form(PANEL, {"release": "1"}, page=PANEL)
    assert response.status_code == 303
    results = public_results(app)
    assert results.count("200 votants") == 2
    assert "en cours de vérification" not in results
    with app.app_context():
        entry = db.session.execute(
            select(AuditEntry).where(AuditEntry.action.startswith("votes_"))
        ).scalar_one()
    assert (entry.action, entry.details) == ("votes_release", "count=360")
    panel = moderator.client.get(PANEL).get_data(as_text=True)
    assert "Aucun vote retenu pour cet article." in panel and "360 votes retenus libérés" in panel


def test_discarded_votes_never_count_and_the_decision_is_logged(app, moderator):
    for _ in range(22):
        assert Reader(app).vote({"credibility": 0, "relevance": 0}).status_code == 302
    panel = moderator.client.get(PANEL).get_data(as_text=True)
    address = re.search(r'name="address" type="hidden" value="([0-9a-f]{64})"', panel).group(1)
    window = re.search(r'name="window" type="hidden" value="([^"]+)"', panel).group(1)
    data = {"discard": "1", "address": address, "window": window}
    assert moderator.post_form(PANEL, data, page=PANEL).status_code == 303
    assert stored(app) == {"counted": 40, "discarded": 4}
    results = public_results(app)
    assert results.count("20 votants") == 2 and "en cours de vérification" not in results
    with app.app_context():
        entry = db.session.execute(
            select(AuditEntry).where(AuditEntry.action.startswith("votes_"))
        ).scalar_one()
    assert entry.action == "votes_discard"
    assert entry.details.startswith(f"count=4; address={address[:12]}; window=")
    panel = moderator.client.get(PANEL).get_data(as_text=True)
    assert f"4 votes retenus écartés (adresse {address[:12]}…, fenêtre du " in panel


def test_a_double_click_on_a_first_vote_counts_one_voter(app, live_server):
    reader = HttpReader(live_server.url)
    page = reader.get(ARTICLE).body
    # The form as the browser sends it: every field of the rendered page, twice.
    hidden = dict(BALLOT_RE.findall(page) and [("ballot", BALLOT_RE.search(page).group(1))])
    form = {**vote_form(app, csrf_token(page)), **hidden}
    # Both requests leave before either answer brings a reader cookie back.
    statuses = fire_at_once(2, lambda _: reader.post(f"{ARTICLE}/vote", form).status)
    assert statuses == [302, 302]
    results = public_results(app)
    assert "2 votants" not in results and results.count("1 votant") == 2
    assert stored(app) == {"counted": 2}


def test_a_held_vote_is_part_of_the_readers_data(app):
    readers = [Reader(app) for _ in range(21)]
    for reader in readers:
        assert reader.vote({"credibility": 1, "relevance": 1}).status_code == 302
    first, held = (r.client.get("/mes-donnees.json").get_json() for r in (readers[0], readers[-1]))
    assert [v["status"] for v in first["votes"]] == ["counted", "counted"]
    assert [v["status"] for v in held["votes"]] == ["held", "held"]


def test_a_pages_stamp_names_no_one(app, reader, monkeypatch):
    # The stamp is the same for every visitor of a cached copy: it ties a double click
    # together (same address and browser, within seconds), and otherwise names no one.
    monkeypatch.setattr("forum.article_pages.first_vote.SAME_CLICK_SECONDS", 1)
    page = reader.open_article().get_data(as_text=True)
    data = {"ballot": BALLOT_RE.search(page).group(1), **answers(app)}
    assert reader.client.post(f"{ARTICLE}/vote", data=data).status_code == 302
    other_browser = Reader(app)
    other_browser.client.environ_base["HTTP_USER_AGENT"] = "Another browser"
    assert other_browser.client.post(f"{ARTICLE}/vote", data=data).status_code == 302
    assert public_results(app).count("2 votants") == 2
    time.sleep(1.2)
    later = Reader(app)  # the same browser and address, seconds after: a voter of its own
    assert later.client.post(f"{ARTICLE}/vote", data=data).status_code == 302
    assert public_results(app).count("3 votants") == 2
