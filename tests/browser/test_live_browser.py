"""A discussion that moves, in Chromium: what B posts reaches A's open page without a
reload, announced politely and shown on request (by keyboard too); without JS the page is
as it was."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.axe import axe_violations
from tests.browser.reader_helpers import post
from tests.conftest import ARTICLE_SLUG

pytestmark = pytest.mark.browser
ARTICLE = f"/articles/{ARTICLE_SLUG}"
# The issue asks for "within 30 s"; the test app asks every second.
ARRIVAL_MS = 30_000


@pytest.fixture
def app_config() -> dict:
    return {"FORUM_LIVE_POLL_SECONDS": 1}


def vote(page, credibility: str) -> None:
    page.goto(ARTICLE)
    page.get_by_label(credibility).check()
    page.get_by_label("Plutôt pertinente", exact=True).check()
    page.get_by_role("button", name="Voter").click()
    page.get_by_text("(votre réponse)").first.wait_for()


@pytest.fixture
def other_reader(browser, live_server):
    context = browser.new_context(locale="fr-FR", base_url=live_server.url)
    yield context.new_page()
    context.close()


def test_what_b_posts_reaches_a_open_page_by_keyboard(page, other_reader):
    vote(page, "Tout à fait crédible")
    post(page, "Alice", "Mon avis, avant tout le monde.")
    page.goto(ARTICLE)
    expect(page.locator("#sondage .voters").first).to_have_text("1 votant")
    alice = page.locator("#c1")
    alice.scroll_into_view_if_needed()
    top_before = alice.bounding_box()["y"]

    b = other_reader
    vote(b, "Pas du tout crédible")
    b.goto(ARTICLE)
    post(b, "Bruno", "Un nouveau fil, de l'autre côté.")
    b.goto(f"{ARTICLE}?repondre=1#repondre-1")
    post(b, "Bruno", "Je vous réponds, Alice.")

    news = page.get_by_role("status").get_by_role("button", name="2 nouveaux avis — afficher")
    expect(news).to_be_visible(timeout=ARRIVAL_MS)
    expect(page.locator("#sondage .voters").first).to_have_text("2 votants")
    expect(page.locator("#c2")).to_have_count(0)  # shown on request only

    page.get_by_role("button", name="Afficher", exact=True).focus()
    page.keyboard.press("Tab")
    expect(news).to_be_focused()
    page.keyboard.press("Enter")

    thread = page.locator("#discussion > ol.comment-list > li")
    expect(thread.first.locator("article.comment")).to_have_id("c2")
    expect(page.locator("#c2 .badge-stance")).to_have_text("juge peu crédible")
    reply = page.locator("#c1 ~ ol.replies #c3")
    expect(reply).to_contain_text("Je vous réponds, Alice.")
    expect(reply).to_contain_text("Une réponse à votre commentaire")
    expect(page.locator("#c2")).to_be_focused()
    expect(news).to_be_hidden()
    # The comment the reader was looking at has not moved on the screen.
    assert abs(alice.bounding_box()["y"] - top_before) <= 2
    # What was inserted works like the rest: "Répondre" opens the form under it.
    page.locator("#c2").get_by_role("link", name="Répondre").click()
    expect(page.locator("#commenter .form-title")).to_have_text("Répondre à Bruno")


def test_without_javascript_the_page_is_as_it_was(page_without_js, other_reader):
    page = page_without_js
    page.goto(ARTICLE)
    other_reader.goto(ARTICLE)
    post(other_reader, "Bruno", "Posté pendant la lecture.")
    page.wait_for_timeout(2_500)  # two poll intervals: nothing asks, nothing changes
    expect(page.locator(".live-news")).to_have_count(0)
    expect(page.get_by_text("Posté pendant la lecture.")).to_have_count(0)
    page.reload()
    expect(page.locator("#c1")).to_contain_text("Posté pendant la lecture.")


def test_the_announcement_passes_axe(axe_page, other_reader):
    axe_page.goto(ARTICLE)
    other_reader.goto(ARTICLE)
    post(other_reader, "Bruno", "Un avis pour l'annonce.")
    expect(axe_page.get_by_role("button", name="1 nouvel avis — afficher")).to_be_visible(
        timeout=ARRIVAL_MS
    )
    assert axe_violations(axe_page) == []
