"""Mes données in Chromium with JavaScript off: vote, comment, look, download, erase."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.browser.test_accessibility import axe_violations
from tests.conftest import ARTICLE_SLUG

pytestmark = pytest.mark.browser
ARTICLE = f"/articles/{ARTICLE_SLUG}"
BODY = "Mon avis, que je retirerai ensuite."


def vote_and_comment(page) -> None:
    page.goto(ARTICLE)
    page.get_by_label("Plutôt crédible").check()
    page.get_by_label("Sans avis").nth(1).check()
    page.get_by_role("button", name="Voter").click()
    page.get_by_text("(votre réponse)").first.wait_for()
    form = page.locator("form.comment-form")
    form.get_by_label("Pseudonyme").fill("Ninon")
    form.get_by_label("Votre commentaire").fill(BODY)
    form.get_by_role("button", name="Publier").click()
    page.get_by_text("Votre commentaire est publié.").wait_for()


def test_reader_sees_downloads_and_erases_their_data(page_without_js, output_dir):
    page = page_without_js
    vote_and_comment(page)
    page.get_by_role("link", name="Voir, télécharger ou supprimer mes données").click()
    page.get_by_role("heading", name="Mes données", level=1).wait_for()
    votes = page.get_by_role("table", name="Mes réponses aux sondages").inner_text()
    assert "Plutôt crédible" in votes and "Sans avis" in votes
    assert BODY in page.get_by_role("table", name="Mes commentaires et leur statut").inner_text()

    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger (JSON)").click()
    data = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert [c["body_source"] for c in data["comments"]] == [BODY]
    assert sorted(v["choice"] for v in data["votes"]) == ["Plutôt crédible", "Sans avis"]

    page.get_by_role("button", name="Supprimer mes données").click()
    page.get_by_text("Cochez la case pour confirmer la suppression.").wait_for()
    page.get_by_label("Je comprends que mes votes").check()
    page.get_by_role("button", name="Supprimer mes données").click()
    flash = page.locator(".flashes").inner_text()
    assert "Vos données sont supprimées : 1 commentaire effacé, 2 votes retirés" in flash
    assert page.get_by_role("heading", name="Rien n'est conservé sur vous").is_visible()
    page.screenshot(path=str(output_dir / "privacy-erased-nojs.png"), full_page=True)
    assert "forum_reader" not in {cookie["name"] for cookie in page.context.cookies()}

    page.goto(ARTICLE + "?resultats=1")
    assert BODY not in page.content() and "Ninon" not in page.content()
    assert "0 votant" in page.locator(".poll").inner_text()


@pytest.fixture
def axe_page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    yield context.new_page()
    context.close()


def test_my_data_with_content_and_an_error_has_no_wcag_violations(axe_page):
    vote_and_comment(axe_page)
    axe_page.goto("/mes-donnees")
    axe_page.get_by_role("button", name="Supprimer mes données").click()
    axe_page.get_by_text("Cochez la case pour confirmer la suppression.").wait_for()
    assert axe_violations(axe_page) == []
