"""Every page type under the real Content-Security-Policy: no violation, scripts included."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser import pages
from tests.browser.moderation_helpers import log_in_as_moderator
from tests.browser.pages import ARTICLE

pytestmark = pytest.mark.browser


# Reported by Chromium itself for every blocked resource, inline script or style.
LISTEN_FOR_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', event => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI}`);
});
"""

# Every page type: those of the accessibility checks, the feed and a permalink; the admin-only
# pages are left out because the CSP test signs in as a moderator.
READER_PAGES = [*pages.READER_PAGES, f"{ARTICLE}/comments.atom", "/comments/{comment}"]
STAFF_PAGES = [p for p in pages.STAFF_PAGES if p not in {"/moderation/words", "/moderation/audit"}]


@pytest.fixture
def watched_page(browser, live_server):
    """A page whose CSP violations and console errors are collected."""
    context = browser.new_context(locale="fr-FR", base_url=live_server.url)
    context.add_init_script(LISTEN_FOR_VIOLATIONS)
    page = context.new_page()
    page.console_errors = []
    page.on(
        "console",
        lambda message: message.type == "error" and page.console_errors.append(message.text),
    )
    page.on(
        "response",
        lambda response: (
            response.status == 404 and page.console_errors.append(f"404 {response.url}")
        ),
    )
    yield page
    context.close()


def violations(page) -> list[str]:
    reported = page.evaluate("() => window.__cspViolations || []")
    console = [text for text in page.console_errors if "Content Security Policy" in text]
    return reported + console


def test_reader_pages_and_their_scripts_raise_no_csp_violation(watched_page, comment):
    page = watched_page
    for path in READER_PAGES:
        response = page.goto(path.format(comment=comment))
        assert response.headers["content-security-policy"], path
        assert violations(page) == [], path
    page.console_errors.clear()  # the 404 page above is logged as a failed load

    # The scripts at work: vote in place, post a comment, open the reply form, edit.
    page.goto(ARTICLE)
    page.get_by_label("Plutôt crédible").check()
    page.get_by_label("Sans avis").nth(1).check()
    page.get_by_role("button", name="Voter").click()
    page.locator(".poll-results").wait_for()
    page.get_by_label("Pseudonyme").fill("Lectrice CSP")
    page.get_by_label("Votre commentaire").fill("Un avis posté sous la politique de sécurité.")
    page.get_by_role("button", name="Publier").click()
    page.get_by_text("Un avis posté sous la politique de sécurité.").wait_for()
    page.locator(".reply-link").first.click()
    page.get_by_role("link", name="Modifier ou supprimer").first.click()
    expect(page).to_have_url(re.compile(r"/comments/\d+/edit$"))
    assert violations(page) == []
    assert page.console_errors == []


def test_staff_pages_and_the_keyboard_queue_raise_no_csp_violation(app, watched_page, comment):
    page = watched_page
    log_in_as_moderator(app, page)
    for path in STAFF_PAGES:
        page.goto(path)
        expect(page).not_to_have_url(re.compile(r"/staff/login"))
        assert violations(page) == [], path
    page.goto("/moderation?tab=reported")
    page.keyboard.press("j")
    page.keyboard.press("k")
    assert violations(page) == []
    assert page.console_errors == []
