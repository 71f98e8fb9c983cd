"""WCAG 2.2 A/AA checks with axe-core (vendored, MPL-2.0) on every kind of reader page."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ARTICLE_SLUG

pytestmark = pytest.mark.browser
AXE = Path(__file__).resolve().parent / "vendor" / "axe-core-4.14.1.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

READER_PAGES = [
    "/",
    f"/articles/{ARTICLE_SLUG}",
    f"/articles/{ARTICLE_SLUG}?resultats=1",
    "/une-page-qui-n-existe-pas",
]


@pytest.fixture
def axe_page(browser, live_server):
    # axe is injected from the test, so the page's own Content-Security-Policy is bypassed.
    context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    yield context.new_page()
    context.close()


def axe_violations(page) -> list[str]:
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    assert len(result["passes"]) > 10, "axe did not check the page"
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])}× e.g. {v['nodes'][0]['target']})"
        for v in result["violations"]
    ]


@pytest.mark.parametrize("path", READER_PAGES)
def test_reader_pages_have_no_wcag_violations(axe_page, path):
    axe_page.goto(path)
    assert axe_violations(axe_page) == []


def test_results_after_a_vote_have_no_wcag_violations(axe_page):
    axe_page.goto(f"/articles/{ARTICLE_SLUG}")
    axe_page.get_by_label("Plutôt crédible").check()
    axe_page.get_by_label("Sans avis").nth(1).check()
    axe_page.get_by_role("button", name="Voter").click()
    axe_page.locator(".poll-results").wait_for()
    assert axe_violations(axe_page) == []
