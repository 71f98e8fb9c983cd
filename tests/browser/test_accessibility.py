"""WCAG 2.2 A/AA checks with axe-core (vendored, MPL-2.0) on every kind of reader page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.axe import axe_violations
from tests.browser.pages import READER_PAGES, STAFF_PAGES
from tests.comment_helpers import seed_comments
from tests.conftest import ARTICLE_SLUG, STAFF_PASSWORD, create_staff_account

pytestmark = pytest.mark.browser


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
    axe_page.get_by_text("Modifier mon vote").click()  # the <details> with the form, opened
    expect(axe_page.get_by_role("button", name="Enregistrer mon nouveau vote")).to_be_visible()
    assert axe_violations(axe_page) == []


def test_long_thread_edit_and_delete_confirmation_have_no_wcag_violations(app, axe_page):
    seed_comments(app, 1, replies_per_thread=8)
    axe_page.goto(f"/articles/{ARTICLE_SLUG}")
    expect(axe_page.get_by_role("link", name="voir les 5 autres réponses")).to_be_visible()
    assert axe_violations(axe_page) == []
    form = axe_page.locator("#commenter")
    form.get_by_label("Pseudonyme").fill("Camille")
    form.get_by_label("Votre commentaire").fill("Un avis à supprimer")
    form.get_by_role("button", name="Publier").click()
    axe_page.get_by_role("link", name="Modifier ou supprimer").click()
    expect(axe_page.get_by_text("Il vous reste 15 minutes")).to_be_visible()
    assert axe_violations(axe_page) == []
    axe_page.get_by_role("button", name="Supprimer définitivement").click()
    expect(axe_page.get_by_text("Cochez la case pour confirmer la suppression.")).to_be_visible()
    assert axe_violations(axe_page) == []


def test_one_type_system_and_red_erase_buttons(axe_page):
    page = axe_page
    page.goto(f"/articles/{ARTICLE_SLUG}")

    def font(selector: str) -> str:
        return page.locator(selector).first.evaluate("e => getComputedStyle(e).fontFamily")

    serif, sans = font(".article-body p"), font("h1")
    assert serif.startswith("Georgia") and sans.startswith("system-ui")
    for ui in ("h2", "legend", "button[type=submit]", ".field label", ".hint"):
        assert font(ui) == sans, ui
    page.get_by_label("Plutôt crédible").check()
    page.get_by_label("Sans avis").nth(1).check()
    page.get_by_role("button", name="Voter").click()
    page.locator(".poll-results").wait_for()
    page.goto("/mes-donnees")
    erase = page.get_by_role("button", name="Supprimer mes données")
    colours = erase.evaluate(
        "e => [getComputedStyle(e).backgroundColor, getComputedStyle(e).color]"
    )
    assert colours == ["rgb(176, 0, 32)", "rgb(255, 255, 255)"]
    assert font(".danger-zone input[type=submit]") == sans
