"""The interface in English for an English browser, and the language switch by keyboard,
without JavaScript; axe-core passes in English as it does in French."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.browser.axe import axe_violations
from tests.browser.pages import READER_PAGES, STAFF_PAGES
from tests.conftest import ARTICLE_SLUG, STAFF_PASSWORD, create_staff_account

pytestmark = pytest.mark.browser


@pytest.fixture
def english_axe_page(browser, live_server) -> Iterator:
    """A browser that asks for English (as Debian's Chromium does by default)."""
    context = browser.new_context(locale="en-US", base_url=live_server.url, bypass_csp=True)
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("path", READER_PAGES)
def test_reader_pages_in_english_have_no_wcag_violations(english_axe_page, comment, path):
    english_axe_page.goto(path.format(comment=comment))
    expect(english_axe_page.locator("html")).to_have_attribute("lang", "en")
    expect(english_axe_page.get_by_role("link", name="Skip to content")).to_be_attached()
    assert axe_violations(english_axe_page) == []


def test_staff_pages_in_english_have_no_wcag_violations(app, english_axe_page, comment):
    page = english_axe_page
    create_staff_account(app, "admin@redaction.example", "admin")
    page.goto("/staff/login")
    page.get_by_label("Email address").fill("admin@redaction.example")
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/moderation$"))
    for path in STAFF_PAGES:
        page.goto(path)
        expect(page).not_to_have_url(re.compile(r"/staff/login"))
        expect(page.locator("html")).to_have_attribute("lang", "en")
        assert axe_violations(page) == [], path


def test_a_reader_switches_to_english_by_keyboard_without_javascript(page_without_js):
    page = page_without_js
    page.goto(f"/articles/{ARTICLE_SLUG}")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    english = page.get_by_role("link", name="English")
    for _ in range(30):  # Tab through the header until the switch has the focus
        page.keyboard.press("Tab")
        if english.evaluate("link => link === document.activeElement"):
            break
    expect(english).to_be_focused()
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(rf"/articles/{ARTICLE_SLUG}$"))  # the same page
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("link", name="Français")).to_have_attribute("hreflang", "fr")
    # Remembered: the next page is in English too, though the browser asks for French.
    page.get_by_role("navigation", name="Your data").get_by_role("link", name="Privacy").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Confidentialité")
