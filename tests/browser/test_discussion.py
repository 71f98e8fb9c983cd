"""The discussion in Chromium: post, reply, stance badge, filter; with and without JS."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.reader_helpers import post, vote_credible
from tests.comment_helpers import seed_comments
from tests.conftest import ARTICLE_SLUG

pytestmark = pytest.mark.browser
ARTICLE = f"/articles/{ARTICLE_SLUG}"


def test_post_reply_badge_and_filter(page, browser, live_server, output_dir):
    vote_credible(page)
    page.goto(ARTICLE)
    post(page, "Camille", "Je trouve cette annonce **très** crédible.")
    first = page.locator("#c1")
    expect(first.locator(".badge-stance")).to_have_text("juge crédible")
    expect(first.locator("strong")).to_have_text("très")

    other = browser.new_context(locale="fr-FR", base_url=live_server.url).new_page()
    other.goto(ARTICLE)
    other.locator("#c1").get_by_role("link", name="Répondre").click()
    post(other, "Dominique", "Je ne suis pas d'accord.")
    reply = other.locator("#c1 ~ ol.replies #c2")
    expect(reply).to_contain_text("Je ne suis pas d'accord.")
    expect(reply.locator(".badge-stance")).to_have_count(0)

    other.get_by_label("Afficher les avis").select_option("none")
    other.get_by_role("button", name="Afficher").click()
    expect(other.get_by_text("Aucun avis de ce côté pour le moment.")).to_be_visible()
    expect(other.locator(".discussion .comment-list")).to_have_count(0)
    other.get_by_label("Afficher les avis").select_option("credible")
    other.get_by_role("button", name="Afficher").click()
    expect(other).to_have_url(re.compile(r"stance=credible"))
    expect(other.locator("article.comment")).to_have_count(2)
    other.locator("#c1").get_by_role("button", name="Utile").click()
    other.locator('#c1 .useful-button[aria-pressed="true"]').wait_for()
    useful = other.locator("#c1").get_by_role("button", name=re.compile("^Utile"))
    expect(useful.locator(".useful-count")).to_have_text("(1)")
    other.screenshot(path=str(output_dir / "discussion.png"), full_page=True)
    other.context.close()


def test_discussion_without_javascript(page_without_js, output_dir):
    page = page_without_js
    page.goto(ARTICLE)
    page.get_by_label("Pseudonyme").fill("Sans JS")
    page.get_by_label("Votre commentaire").fill("*Aperçu* sans script")
    page.get_by_role("button", name="Prévisualiser").click()
    expect(page.locator(".comment-preview em")).to_have_text("Aperçu")
    page.get_by_role("button", name="Publier").click()
    page.get_by_text("Votre commentaire est publié.").wait_for()
    expect(page.locator("#c1 .comment-author")).to_have_text("Sans JS")
    page.locator("#c1").get_by_role("link", name="Répondre").click()
    expect(page.get_by_label("Pseudonyme")).to_have_value("Sans JS")
    page.get_by_label("Votre commentaire").fill("Je me réponds")
    page.get_by_role("button", name="Publier").click()
    page.get_by_text("Votre commentaire est publié.").wait_for()
    expect(page.locator("ol.replies #c2")).to_contain_text("Je me réponds")
    page.get_by_label("Trier par").select_option("oldest")
    page.get_by_role("button", name="Afficher").click()
    expect(page).to_have_url(re.compile(r"sort=oldest"))
    page.set_viewport_size({"width": 320, "height": 800})
    page.screenshot(path=str(output_dir / "discussion-nojs-320.png"), full_page=True)


def test_a_reply_in_progress_can_be_cancelled_with_javascript(page):
    page.goto(ARTICLE)
    post(page, "Camille", "Un premier avis.")
    page.locator("#c1").get_by_role("link", name="Répondre").click()
    form = page.locator("#commenter")
    expect(page.locator("#c1 #commenter")).to_have_count(1)
    expect(form.locator(".form-title")).to_have_text("Répondre à Camille")

    form.get_by_role("button", name="Annuler la réponse").click()
    expect(page.locator("#c1 #commenter")).to_have_count(0)
    expect(form.locator(".form-title")).to_have_text("Donner votre avis")
    expect(form.get_by_role("button", name="Annuler la réponse")).to_have_count(0)
    expect(page.locator("#c1").get_by_role("link", name="Répondre")).to_be_focused()
    # Sent now, it is a new comment, not a reply.
    post(page, "", "Un second avis, pas une réponse.")
    expect(page.locator("ol.replies")).to_have_count(0)
    expect(page.locator(".discussion > ol.comment-list > li")).to_have_count(2)


@pytest.mark.parametrize("javascript", [True, False])
def test_a_long_thread_opens_in_place_with_or_without_javascript(
    app, browser, live_server, javascript
):
    [top] = seed_comments(app, 1, replies_per_thread=8)
    context = browser.new_context(
        locale="fr-FR", base_url=live_server.url, java_script_enabled=javascript
    )
    page = context.new_page()
    page.goto(ARTICLE)
    thread = page.locator(f"li.comment-item:has(> #c{top})")
    expect(thread.locator("article.comment")).to_have_count(4)
    thread.get_by_role("link", name="voir les 5 autres réponses").click()
    expect(thread.locator("article.comment")).to_have_count(9)
    expect(page.get_by_role("link", name="voir les 5 autres réponses")).to_have_count(0)
    if javascript:  # in place: same address, the first new reply has the focus
        expect(page).to_have_url(re.compile(rf"{ARTICLE}$"))
        expect(page.locator(f"#c{top + 4}")).to_be_focused()
    else:
        expect(page).to_have_url(re.compile(rf"fil={top}#c{top + 4}$"))
    context.close()
