"""Playwright driving Debian's Chromium; skipped (or failed in CI) when either is missing."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from forum.models import utcnow
from tests.conftest import add_comment, skip_or_fail

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("playwright is not installed (make test installs it)")
    if not shutil.which(CHROMIUM):
        skip_or_fail(f"{CHROMIUM} not found: apt-get install chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server) -> Iterator:
    context = browser.new_context(locale="fr-FR", base_url=live_server.url)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def page_without_js(browser, live_server) -> Iterator:
    context = browser.new_context(
        locale="fr-FR", base_url=live_server.url, java_script_enabled=False
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def axe_page(browser, live_server):
    # axe is injected from the test, so the page's own Content-Security-Policy is bypassed.
    context = browser.new_context(locale="fr-FR", base_url=live_server.url, bypass_csp=True)
    yield context.new_page()
    context.close()


@pytest.fixture
def comment(app) -> int:
    """A featured public comment (the pages' {comment}), beside one held for review by flags."""
    add_comment(
        app, body="Un avis en attente", status="pending", pending_reason="flags", flag_count=3
    )
    return add_comment(app, body="Un avis *publié*", featured_at=utcnow())
