"""The vote-integrity panel, JavaScript off, by keyboard alone: a moderator reaches the held
votes of an office's address and releases them; they then count."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import ARTICLE_SLUG, STAFF_PASSWORD, Reader, create_staff_account

pytestmark = pytest.mark.browser
PANEL = f"/moderation/articles/{ARTICLE_SLUG}/integrite"
FOCUSED_NAME = """() => {
  const e = document.activeElement;
  const label = e.labels && e.labels.length ? e.labels[0].textContent : e.textContent;
  return (e.getAttribute("aria-label") || label || "").trim();
}"""


def tab_to(page, name: str, presses: int = 80) -> None:
    """Press Tab until the focused element is named `name` (its accessible label)."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED_NAME)
        if focused.startswith(name):
            return
    raise AssertionError(f"no element named {name!r} within {presses} Tab presses")


def test_a_moderator_releases_held_votes_by_keyboard_without_javascript(app, page_without_js):
    page = page_without_js
    for _ in range(22):  # one address: the first 20 count, 2 are held
        assert Reader(app).vote({"credibility": 3, "relevance": 3}).status_code == 302
    email = "moderatrice@redaction.example"
    create_staff_account(app, email)

    page.goto(PANEL)  # sent to the login page, then back here
    tab_to(page, "Adresse e-mail")
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(STAFF_PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="2 lecteurs retenus")).to_be_visible()
    hours = page.get_by_role("table", name="Selon l'heure du vote (UTC)")
    expect(hours.locator("tbody tr td").first).to_have_text("4")  # held votes this hour

    tab_to(page, "Libérer les votes de")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_text("4 votes libérés : ils sont comptés.")).to_be_visible()
    expect(page.get_by_text("Aucun vote retenu pour cet article.")).to_be_visible()
    expect(page.get_by_text("4 votes retenus libérés (adresse")).to_be_visible()
    expect(hours.locator("tbody tr td").nth(1)).to_have_text("4")  # released this hour

    page.goto(f"/articles/{ARTICLE_SLUG}?resultats=1")
    expect(page.get_by_text("22 votants").first).to_be_visible()
