"""WCAG 2.2 A/AA checks with axe-core (vendored, MPL-2.0) on every kind of reader page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from forum.models import utcnow
from tests.browser.axe import axe_violations
from tests.browser.pages import READER_PAGES, STAFF_PAGES
from tests.conftest import ARTICLE_SLUG, STAFF_PASSWORD, add_comment, create_staff_account

pytestmark = pytest.mark.browser


@pytest.fixture
def comment(app) -> int:
    add_comment(
        app, body="Un avis en attente", status="pending", pending_reason="flags", flag_count=3
    )
    return add_comment(app, body="Un avis *publié*", featured_at=utcnow())


@pytest.mark.parametrize("path", READER_PAGES)
def test_reader_pages_have_no_wcag_violations(axe_page, comment, path):
    axe_page.goto(path.format(comment=comment))
    assert axe_violations(axe_page) == []


@pytest.mark.parametrize("viewport", [(1280, 900), (375, 812)], ids=["desktop", "phone"])
@pytest.mark.parametrize("path", STAFF_PAGES)
def test_staff_pages_have_no_wcag_violations(app, axe_page, comment, path, viewport):
    width, height = viewport
    axe_page.set_viewport_size({"width": width, "height": height})
    create_staff_account(app, "admin@redaction.example", "admin")
    axe_page.goto("/staff/login")
    axe_page.get_by_label("Adresse e-mail").fill("admin@redaction.example")
    axe_page.get_by_label("Mot de passe").fill(STAFF_PASSWORD)
    axe_page.get_by_role("button", name="Se connecter").click()
    expect(axe_page).to_have_url(re.compile(r"/moderation$"))  # signed in
    axe_page.goto(path)
    expect(axe_page).not_to_have_url(re.compile(r"/staff/login"))
    assert axe_violations(axe_page) == []


def test_results_after_a_vote_have_no_wcag_violations(axe_page):
    axe_page.goto(f"/articles/{ARTICLE_SLUG}")
    axe_page.get_by_label("Plutôt crédible").check()
    axe_page.get_by_label("Sans avis").nth(1).check()
    axe_page.get_by_role("button", name="Voter").click()
    axe_page.locator(".poll-results").wait_for()
    assert axe_violations(axe_page) == []
