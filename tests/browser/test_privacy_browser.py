"""Mes données in Chromium with JavaScript off: vote, comment, look, download, erase."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.axe import axe_violations
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
    votes = page.get_by_role("table", name="Mes réponses aux sondages")
    expect(votes).to_contain_text("Plutôt crédible")
    expect(votes).to_contain_text("Sans avis")
    expect(page.get_by_role("table", name="Mes commentaires et leur statut")).to_contain_text(BODY)

    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger (JSON)").click()
    data = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert [c["body_source"] for c in data["comments"]] == [BODY]
    assert sorted(v["choice"] for v in data["votes"]) == ["Plutôt crédible", "Sans avis"]

    page.get_by_role("button", name="Supprimer mes données").click()
    page.get_by_text("Cochez la case pour confirmer la suppression.").wait_for()
    page.get_by_label("Je comprends que mes votes").check()
    page.get_by_role("button", name="Supprimer mes données").click()
    expect(page.locator(".flashes")).to_contain_text(
        "Vos données sont supprimées : 1 commentaire effacé, 2 votes retirés"
    )
    expect(page.get_by_role("heading", name="Rien n'est conservé sur vous")).to_be_visible()
    page.screenshot(path=str(output_dir / "privacy-erased-nojs.png"), full_page=True)
    assert "forum_reader" not in {cookie["name"] for cookie in page.context.cookies()}

    page.goto(ARTICLE + "?resultats=1")
    expect(page.locator(".poll")).to_contain_text("0 votant")
    expect(page.get_by_text(BODY)).to_have_count(0)
    expect(page.get_by_text("Ninon")).to_have_count(0)


def test_my_data_with_content_and_an_error_has_no_wcag_violations(axe_page):
    vote_and_comment(axe_page)
    axe_page.goto("/mes-donnees")
    axe_page.get_by_role("button", name="Supprimer mes données").click()
    axe_page.get_by_text("Cochez la case pour confirmer la suppression.").wait_for()
    assert axe_violations(axe_page) == []
