"""« Les résultats dans le temps » in Chromium: reached from the results by keyboard with
JavaScript off, the figures' table opened by keyboard, and no WCAG violation for readers
nor for staff (who see the burst marks)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.axe import axe_violations
from tests.browser.reader_helpers import vote_credible
from tests.conftest import ARTICLE_SLUG, STAFF_PASSWORD, Reader, add_comment, create_staff_account

pytestmark = pytest.mark.browser
URL = f"/articles/{ARTICLE_SLUG}/resultats-dans-le-temps"
LINK = "Les résultats dans le temps : leur évolution depuis la publication"
TABLE_BUTTON = "Les chiffres de ce graphique en tableau"


def tab_to(page, target, presses: int = 120) -> None:
    for _ in range(presses):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return
    pytest.fail("the control cannot be reached with the Tab key")


def test_the_chart_and_its_table_by_keyboard_without_javascript(app, page_without_js, output_dir):
    page = page_without_js
    vote_credible(page)  # without JS: the vote reloads the page with the results
    tab_to(page, page.get_by_role("link", name=LINK))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/resultats-dans-le-temps$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Les résultats dans le temps")
    chart = page.get_by_role("img", name=re.compile("^Résultats dans le temps : "))
    expect(chart.first).to_be_visible()
    table = page.get_by_role("table").first
    expect(table).to_be_hidden()
    tab_to(page, page.locator("summary", has_text=TABLE_BUTTON).first)
    page.keyboard.press("Enter")
    expect(table).to_be_visible()
    expect(table.locator("tbody tr").last.locator("td").first).to_have_text("1")  # 1 voter
    expect(table.locator("tbody tr").last).to_contain_text("100 %")
    # The table scrolls sideways on a narrow screen: its region takes the focus.
    tab_to(page, page.get_by_role("region", name=re.compile("part de chaque réponse")).first)
    page.screenshot(path=str(output_dir / "results-over-time-nojs.png"), full_page=True)


@pytest.mark.parametrize("width", [1024, 360])
def test_the_page_has_no_wcag_violations(app, axe_page, width):
    Reader(app).vote({"credibility": 3, "relevance": 2})
    Reader(app).vote({"credibility": 0, "relevance": 1})
    add_comment(app, body="Un avis sans vote")
    axe_page.set_viewport_size({"width": width, "height": 800})
    axe_page.goto(URL)
    for summary in axe_page.locator("summary").all():
        summary.click()  # the tables too
    assert axe_violations(axe_page) == []


def test_staff_see_the_marks_and_the_page_has_no_wcag_violations(app, axe_page, output_dir):
    for _ in range(4):  # one address, over an allowance of 3: a burst, one vote held
        Reader(app).vote({"credibility": 1, "relevance": 1})
    email = "moderatrice@redaction.example"
    create_staff_account(app, email)
    page = axe_page
    page.goto(URL)
    expect(page.get_by_text("Des votes groupés ont été écartés")).to_be_visible()
    page.goto("/staff/login")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(STAFF_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Se connecter").click()
    page.goto(URL)
    expect(page.locator(".chart-mark").first).to_be_attached()
    expect(page.get_by_role("link", name="Intégrité du vote")).to_be_visible()
    for summary in page.locator("summary").all():
        summary.click()
    expect(page.get_by_role("columnheader", name="Votes retenus").first).to_be_visible()
    page.screenshot(path=str(output_dir / "results-over-time-staff.png"), full_page=True)
    assert axe_violations(page) == []


@pytest.fixture
def app_config() -> dict:
    return {"FORUM_VOTE_BURST_COUNT": 3}
