"""Reasons ticked with the vote in Chromium: by keyboard with JS off (the form is sent, the
page comes back with them ticked), in place with JS, and the results with their shares
checked by axe (fieldset and legend, labelled checkboxes, figures in words)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from forum.polls.reasons import MIN_VOTERS_SHOWN
from tests.browser.axe import axe_violations
from tests.browser.reader_helpers import tab_to
from tests.comment_helpers import reader_at
from tests.conftest import ARTICLE_SLUG
from tests.vote_helpers import reason_ids, vote_with_reasons

pytestmark = pytest.mark.browser
ARTICLE = f"/articles/{ARTICLE_SLUG}"
REASONS = "Qu'est-ce qui fonde votre avis sur sa crédibilité ?"


def test_a_reader_ticks_reasons_by_keyboard_without_javascript(page_without_js):
    page = page_without_js
    page.goto(ARTICLE)
    group = page.get_by_role("group", name=REASONS)
    expect(group).to_be_visible()
    rather_not = page.get_by_label("Plutôt pas crédible")
    tab_to(page, page.get_by_label("Pas du tout crédible"))
    page.keyboard.press("ArrowDown")
    expect(rather_not).to_be_checked()
    vague = group.get_by_role("checkbox", name="source floue")
    tab_to(page, vague)
    page.keyboard.press("Space")
    missing = group.get_by_role("checkbox", name="contexte manquant")
    tab_to(page, missing)
    page.keyboard.press("Space")
    # Into the relevance group (its first radio), then down to « Plutôt pertinente ».
    tab_to(page, page.get_by_label("Pas du tout pertinente"))
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Plutôt pertinente", exact=True)).to_be_checked()
    vote = page.get_by_role("button", name="Voter")
    tab_to(page, vote)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{ARTICLE}#sondage")
    expect(page.locator(".flashes")).to_contain_text("Votre vote est enregistré")

    # Changing the vote shows the reasons ticked, and replaces them.
    page.get_by_text("Modifier mon vote").click()
    group = page.get_by_role("group", name=REASONS)
    expect(group.get_by_role("checkbox", name="source floue")).to_be_checked()
    expect(group.get_by_role("checkbox", name="contexte manquant")).to_be_checked()
    expect(group.get_by_role("checkbox", name="titre trompeur")).not_to_be_checked()
    unticked = group.get_by_role("checkbox", name="source floue")
    tab_to(page, unticked)
    page.keyboard.press("Space")
    tab_to(page, page.get_by_role("button", name="Enregistrer mon nouveau vote"))
    with page.expect_navigation():  # the same address as before: wait for the new page
        page.keyboard.press("Enter")
    expect(page.locator(".flashes")).to_contain_text("Votre vote est enregistré")
    page.goto("/mes-donnees")
    reasons = page.get_by_role("table", name="Les raisons cochées avec mes votes")
    expect(reasons).to_contain_text("contexte manquant")
    expect(reasons).not_to_contain_text("source floue")


def test_with_javascript_the_reasons_go_with_the_vote_in_place(page):
    page.goto(ARTICLE)
    page.evaluate("window.__sameDocument = true")
    page.get_by_label("Tout à fait crédible").check()
    page.get_by_role("checkbox", name="faits vérifiables").check()
    page.get_by_label("Plutôt pertinente", exact=True).check()
    page.get_by_role("button", name="Voter").click()
    expect(page.locator("#sondage").get_by_role("status")).to_contain_text(
        "Votre vote est enregistré"
    )
    assert page.evaluate("window.__sameDocument === true"), "the page was reloaded"
    page.get_by_text("Modifier mon vote").click()
    expect(page.get_by_role("checkbox", name="faits vérifiables")).to_be_checked()


def test_the_form_and_the_shares_have_no_wcag_violations(app, axe_page):
    ids = reason_ids(app)
    for number in range(MIN_VOTERS_SHOWN):
        reasons = [ids["source floue"]] + ([ids["titre trompeur"]] if number % 2 else [])
        vote_with_reasons(reader_at(app, f"198.51.100.{number}"), 1, reasons)
    axe_page.goto(f"{ARTICLE}?resultats=1")
    shares = axe_page.locator(".reason-shares")
    expect(shares).to_contain_text(
        re.compile(r"« Plutôt pas crédible » :\s+source floue 100\s%, titre trompeur 40\s%")
    )
    expect(axe_page.get_by_role("group", name=REASONS)).to_be_visible()
    assert axe_violations(axe_page) == []
