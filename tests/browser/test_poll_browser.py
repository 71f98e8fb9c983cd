"""The reader's poll in a real Chromium, driven from the keyboard, with and without JS."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from forum.articles.content import DEFAULT_REASONS
from tests.conftest import ARTICLE_SLUG

pytestmark = pytest.mark.browser


def vote_with_keyboard(page) -> None:
    page.goto(f"/articles/{ARTICLE_SLUG}")
    page.get_by_role("link", name="Aller au contenu").focus()
    page.keyboard.press("Enter")
    first_radio = page.get_by_label("Pas du tout crédible")
    # Tab through the page until the first radio of the poll has the focus.
    for _ in range(40):
        page.keyboard.press("Tab")
        if first_radio.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("the poll cannot be reached with the Tab key")
    page.keyboard.press("ArrowDown")  # Plutôt pas crédible
    page.keyboard.press("ArrowDown")  # Plutôt crédible
    # Past the credibility question's reasons (optional, left unticked: see
    # test_reasons_browser.py), into the relevance group.
    for _ in range(len(DEFAULT_REASONS["fr"]) + 1):
        page.keyboard.press("Tab")
    page.keyboard.press("Space")  # Pas du tout pertinente
    page.keyboard.press("ArrowDown")  # Plutôt pas pertinente
    page.keyboard.press("Tab")  # the submit button
    expect(page.get_by_role("button", name="Voter")).to_be_focused()
    page.keyboard.press("Enter")


def assert_results_shown(page) -> None:
    results = page.locator(".poll-results")
    expect(results).to_contain_text("1 votant")
    expect(results).to_contain_text("Plutôt crédible (votre réponse)")
    expect(results).to_contain_text("Plutôt pas pertinente (votre réponse)")
    expect(results).to_contain_text("100 %")


def test_vote_with_the_keyboard_and_see_results(page, output_dir):
    vote_with_keyboard(page)
    assert_results_shown(page)
    # The focus moves to the updated poll, and the vote is confirmed in place.
    expect(page.locator("#sondage-titre")).to_be_focused()
    expect(page.locator("#sondage").get_by_role("status")).to_contain_text(
        "Votre vote est enregistré"
    )
    page.screenshot(path=str(output_dir / "poll-results.png"), full_page=True)


def test_vote_with_javascript_disabled(page_without_js, output_dir):
    vote_with_keyboard(page_without_js)
    page_without_js.wait_for_url(f"**/articles/{ARTICLE_SLUG}#sondage")
    assert_results_shown(page_without_js)
    expect(page_without_js.locator(".flashes")).to_contain_text("Votre vote est enregistré")
    page_without_js.screenshot(path=str(output_dir / "poll-results-nojs.png"), full_page=True)


def test_poll_is_usable_at_320_pixels(page):
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"/articles/{ARTICLE_SLUG}")
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert not overflow, "no horizontal scrolling at 320 px"
    expect(page.get_by_role("button", name="Voter")).to_be_visible()
