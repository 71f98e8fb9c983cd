"""« M'a fait changer d'avis » in Chromium: reached and pressed by keyboard without JS (the
page reloads at the comment), toggled in place with JS, and the sort that puts such
comments first chosen from the discussion's filters."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.axe import axe_violations
from tests.browser.reader_helpers import tab_to
from tests.conftest import ARTICLE_SLUG, add_comment

pytestmark = pytest.mark.browser
ARTICLE = f"/articles/{ARTICLE_SLUG}"
BUTTON = re.compile(r"^M'a fait changer d'avis")


def test_a_reader_says_so_by_keyboard_without_javascript(app, page_without_js):
    comment = add_comment(app, body="Un avis qui fait réfléchir")
    page = page_without_js
    page.goto(ARTICLE)
    button = page.locator(f"#c{comment}").get_by_role("button", name=BUTTON)
    expect(button).to_have_attribute("aria-pressed", "false")
    tab_to(page, button)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"#c{comment}$"))
    pressed = page.locator(f"#c{comment}").get_by_role("button", name=BUTTON)
    expect(pressed).to_have_attribute("aria-pressed", "true")
    expect(pressed).to_have_text(re.compile(r"\(1\)"))

    sort = page.get_by_label("Trier par")
    tab_to(page, sort)
    sort.select_option("changed_minds")
    page.get_by_role("button", name="Afficher").click()
    expect(page).to_have_url(re.compile(r"sort=changed_minds"))
    expect(page.get_by_label("Trier par")).to_have_value("changed_minds")


def test_with_javascript_it_toggles_in_place(app, page):
    comment = add_comment(app, body="Un avis qui fait réfléchir")
    page.goto(ARTICLE)
    page.evaluate("window.__sameDocument = true")
    button = page.locator(f"#c{comment}").get_by_role("button", name=BUTTON)
    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(button).to_have_text(re.compile(r"\(1\)"))
    button.click()
    expect(button).to_have_attribute("aria-pressed", "false")
    expect(button).to_have_text(re.compile(r"\(0\)"))
    assert page.evaluate("window.__sameDocument === true"), "the page was reloaded"


def test_the_sorted_discussion_has_no_wcag_violations(app, axe_page):
    add_comment(app, body="Un avis qui fait réfléchir", changed_minds_count=2)
    axe_page.goto(f"{ARTICLE}?sort=changed_minds")
    expect(axe_page.get_by_role("button", name=BUTTON)).to_have_text(re.compile(r"\(2\)"))
    assert axe_violations(axe_page) == []
