"""Replies a reader is told about, in Chromium with JavaScript off: the notice, the link
followed by keyboard, the page of replies and the private feed."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.axe import axe_violations
from tests.browser.reader_helpers import post
from tests.conftest import ARTICLE_SLUG

pytestmark = pytest.mark.browser
ARTICLE = f"/articles/{ARTICLE_SLUG}"


def reply_as_another_reader(browser, live_server, javascript: bool = False) -> None:
    context = browser.new_context(
        locale="fr-FR", base_url=live_server.url, java_script_enabled=javascript
    )
    bob = context.new_page()
    bob.goto(ARTICLE)
    bob.locator("#c1").get_by_role("link", name="Répondre").click()
    post(bob, "Bob", "Bob vous répond, Alice.")
    context.close()


def test_a_reply_reaches_its_reader_as_a_notice_and_in_her_feed(
    page_without_js, browser, live_server, output_dir
):
    alice = page_without_js
    alice.goto(ARTICLE)
    post(alice, "Alice", "Le premier avis d'Alice.")
    reply_as_another_reader(browser, live_server)

    alice.goto(ARTICLE)
    notice = alice.get_by_role("region", name="1 nouvelle réponse à vos commentaires")
    expect(notice).to_be_visible()
    link = notice.get_by_role("link", name="Bob vous a répondu")
    alice.screenshot(path=str(output_dir / "notice-nojs.png"))
    for _ in range(20):  # from the top of the page, by keyboard only
        alice.keyboard.press("Tab")
        if link.evaluate("element => element === document.activeElement"):
            break
    expect(link).to_be_focused()
    alice.keyboard.press("Enter")
    expect(alice).to_have_url(re.compile(r"#c2$"))
    expect(alice.locator("#c2")).to_contain_text("Bob vous répond, Alice.")
    alice.goto(ARTICLE)
    expect(alice.locator(".reply-notice")).to_have_count(0)  # seen: no longer new

    alice.get_by_role("link", name="Réponses à mes commentaires").click()
    expect(alice.get_by_role("listitem").filter(has_text="Bob vous répond")).to_be_visible()
    alice.get_by_role("button", name="Créer l'adresse de mon flux").click()
    address = alice.get_by_label("Adresse de votre flux")
    expect(address).to_have_value(re.compile(r"/mes-reponses/\w+\.atom$"))
    feed = browser.new_context().request.get(address.input_value())  # a feed reader
    assert feed.ok and "Bob vous répond, Alice." in feed.text()
    assert "Le premier avis d'Alice" not in feed.text()


def test_the_notice_and_the_replies_page_have_no_wcag_violations(axe_page, browser, live_server):
    axe_page.goto(ARTICLE)
    post(axe_page, "Alice", "Le premier avis d'Alice.")
    reply_as_another_reader(browser, live_server, javascript=True)
    axe_page.goto(ARTICLE)
    expect(axe_page.locator(".reply-notice")).to_be_visible()
    assert axe_violations(axe_page) == []
    axe_page.goto("/mes-reponses")
    axe_page.get_by_role("button", name="Créer l'adresse de mon flux").click()
    expect(axe_page.get_by_label("Adresse de votre flux")).to_be_visible()
    assert axe_violations(axe_page) == []
