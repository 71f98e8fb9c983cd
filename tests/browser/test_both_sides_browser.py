"""« Les deux camps » in a real Chromium: reached from the article by keyboard, without JS."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.axe import axe_violations
from tests.conftest import ARTICLE_SLUG, add_comment

pytestmark = pytest.mark.browser

SIDES_LINK = "Les deux camps : les avis les plus utiles de chaque côté"


def test_both_sides_by_keyboard_without_javascript(app, page_without_js, output_dir):
    # A comment of a reader who did not vote: shown in the third section.
    comment = add_comment(app, body="Un avis sans vote", useful_count=2)
    page = page_without_js
    page.goto(f"/articles/{ARTICLE_SLUG}")
    link = page.get_by_role("link", name=SIDES_LINK)
    for _ in range(80):
        page.keyboard.press("Tab")
        if link.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("the both-sides link cannot be reached with the Tab key")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/deux-camps$"))
    for heading in ("Jugent l'annonce crédible", "Jugent l'annonce peu crédible"):
        expect(page.get_by_role("heading", level=2, name=heading)).to_be_visible()
    others = page.get_by_role("region", name="Sans avis ou sans vote")
    expect(others).to_contain_text("Un avis sans vote")
    expect(
        others.get_by_role("link", name=re.compile("Lire dans la discussion"))
    ).to_have_attribute("href", f"/comments/{comment}")
    page.screenshot(path=str(output_dir / "both-sides-nojs.png"), full_page=True)


@pytest.mark.parametrize("width", [1024, 360])
def test_both_sides_has_no_wcag_violations(app, axe_page, width):
    add_comment(app, body="Un avis sans vote")
    axe_page.set_viewport_size({"width": width, "height": 800})
    axe_page.goto(f"/articles/{ARTICLE_SLUG}/deux-camps")
    expect(axe_page.get_by_role("heading", level=1)).to_have_text("Les deux camps")
    assert axe_violations(axe_page) == []
