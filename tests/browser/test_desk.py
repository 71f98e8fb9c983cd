"""The moderation desk in Chromium: the whole moderator path by keyboard with JavaScript off,
and a layout where the queue comes first and the menu keeps to one line."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from forum.extensions import db
from forum.models import Article, Ban, Comment
from tests.conftest import ARTICLE_SLUG, STAFF_PASSWORD, add_comment, create_staff_account

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
EMAIL = "moderatrice@redaction.example"


def tab_to(page, target, limit: int = 250) -> None:
    """Press Tab until the target has the focus, as a keyboard user would reach it."""
    for _press in range(limit):
        if target.evaluate("el => el === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{target} cannot be reached with Tab")


def press_and_wait(page, key: str) -> None:
    with page.expect_navigation():
        page.keyboard.press(key)


def statuses(app) -> dict[str, str]:
    with app.app_context():
        rows = db.session.execute(db.select(Comment.body_source, Comment.status)).all()
        return dict(rows)


def test_moderator_path_by_keyboard_without_javascript(app, browser, live_server):
    first = add_comment(app, body="Premier avis", status="pending", reader_hash="1" * 64)
    second = add_comment(app, body="Avis hors sujet", status="pending", reader_hash="2" * 64)
    third = add_comment(app, body="Troisième avis", status="pending", reader_hash="3" * 64)
    create_staff_account(app, EMAIL)
    context = browser.new_context(
        locale="fr-FR", base_url=live_server.url, java_script_enabled=False, viewport=DESKTOP
    )
    page = context.new_page()

    page.goto("/moderation")  # sent to the sign-in page
    tab_to(page, page.get_by_label("Adresse e-mail"))
    page.keyboard.type(EMAIL)
    page.keyboard.press("Tab")
    page.keyboard.type(STAFF_PASSWORD)
    press_and_wait(page, "Enter")
    expect(page.locator(f"#c-{first}")).to_be_visible()

    # Reject one, with a reason typed and chosen from the keyboard.
    tab_to(page, page.locator(f"#reason-{second}"))
    page.keyboard.type("Hors")
    expect(page.locator(f"#reason-{second}")).to_have_value("off_topic")
    page.keyboard.press("Tab")
    page.keyboard.type("merci de rester sur l'article")
    press_and_wait(page, "Enter")
    expect(page.get_by_text("Commentaire refusé.")).to_be_visible()

    # Approve the two others at once: tick them, then the bulk action after the queue.
    for comment_id in (first, third):
        tab_to(page, page.locator(f"#select-{comment_id}"))
        page.keyboard.press("Space")
    tab_to(page, page.get_by_role("button", name="Appliquer à la sélection"))
    press_and_wait(page, "Enter")
    expect(page.get_by_text("2 commentaires traités.")).to_be_visible()
    assert statuses(app) == {
        "Premier avis": "approved",
        "Avis hors sujet": "rejected",
        "Troisième avis": "approved",
    }

    # Another tab of the queue, and restore the rejected comment from it.
    tab_to(page, page.get_by_role("link", name="Refusés"))
    press_and_wait(page, "Enter")
    tab_to(page, page.locator(f"#c-{second}").get_by_role("button", name="Rétablir"))
    press_and_wait(page, "Enter")
    expect(page.get_by_text("Commentaire rétabli.")).to_be_visible()

    # The author's context opens from the keyboard; ban them for 7 days from it.
    tab_to(page, page.get_by_role("link", name="Récents"))
    press_and_wait(page, "Enter")
    item = page.locator(f"#c-{first}")
    tab_to(page, item.locator("summary"))
    page.keyboard.press("Enter")
    tab_to(page, item.get_by_label("24 heures"))
    page.keyboard.press("ArrowRight")
    expect(item.get_by_label("7 jours")).to_be_checked()
    tab_to(page, item.get_by_label("Raison (notée au journal)"))
    page.keyboard.type("Messages répétés")
    press_and_wait(page, "Enter")
    expect(page.get_by_text("L'auteur de ce commentaire est banni.")).to_be_visible()

    # Close the article's poll from the settings page, reached through the menu.
    tab_to(page, page.get_by_role("link", name="Réglages", exact=True))
    press_and_wait(page, "Enter")
    poll = page.get_by_role("group", name="Sondage")
    tab_to(page, poll.get_by_label("Ouvert"))
    page.keyboard.press("ArrowRight")
    expect(poll.get_by_label("Fermé")).to_be_checked()
    tab_to(page, page.get_by_role("button", name="Enregistrer").first)
    press_and_wait(page, "Enter")
    expect(page.get_by_text("Réglages enregistrés")).to_be_visible()

    tab_to(page, page.get_by_role("link", name="Tableau de bord"))
    press_and_wait(page, "Enter")
    expect(page.get_by_text("0 commentaire en attente")).to_be_visible()
    context.close()

    with app.app_context():
        ban = db.session.execute(db.select(Ban)).scalar_one()
        assert ban.reader_hash == "1" * 64 and ban.reason == "Messages répétés"
        assert (ban.expires_at - ban.created_at).days == 7
        article = db.session.execute(
            db.select(Article).where(Article.slug == ARTICLE_SLUG)
        ).scalar_one()
        assert article.poll_open is False
    assert statuses(app)["Avis hors sujet"] == "approved"


def signed_in_page(app, browser, live_server, viewport: dict):
    create_staff_account(app, EMAIL, "admin")
    page = browser.new_context(
        locale="fr-FR", base_url=live_server.url, viewport=viewport
    ).new_page()
    page.goto("/staff/login")
    page.get_by_label("Adresse e-mail").fill(EMAIL)
    page.get_by_label("Mot de passe").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/moderation")
    return page


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_queue_comes_first_and_the_menu_keeps_to_one_line(app, browser, live_server, viewport):
    for number in range(3):
        add_comment(app, body=f"Avis {number}", status="pending", reader_hash=f"{number}" * 64)
    page = signed_in_page(app, browser, live_server, viewport)

    # From the top of the page: moderation.js scrolls to the first comment, which would hide
    # a page that starts with something else.
    first_top = page.locator(".queue-item").first.evaluate(
        "el => el.getBoundingClientRect().top + window.scrollY"
    )
    assert first_top + 150 < viewport["height"], f"the first comment starts at {first_top} px"
    expect(page.get_by_text("commentaire suivant")).to_be_hidden()  # the legend waits for "?"
    menu_tops = page.locator(".site-nav > li").evaluate_all(
        "items => items.map(item => Math.round(item.getBoundingClientRect().top))"
    )
    assert max(menu_tops) - min(menu_tops) < 10, f"the staff menu wraps: {menu_tops}"

    page.keyboard.press("?")
    expect(page.get_by_text("commentaire suivant")).to_be_visible()
    page.context.close()


def test_admin_filters_the_audit_log_and_opens_the_legend_by_keyboard_without_javascript(
    app, browser, live_server
):
    approved = add_comment(app, body="Avis à approuver", status="pending")
    other = add_comment(app, body="Avis à mettre en avant")
    create_staff_account(app, EMAIL, "admin")
    context = browser.new_context(
        locale="fr-FR", base_url=live_server.url, java_script_enabled=False, viewport=PHONE
    )
    page = context.new_page()
    page.goto("/staff/login")
    tab_to(page, page.get_by_label("Adresse e-mail"))
    page.keyboard.type(EMAIL)
    page.keyboard.press("Tab")
    page.keyboard.type(STAFF_PASSWORD)
    press_and_wait(page, "Enter")

    tab_to(page, page.get_by_role("link", name="Raccourcis clavier"))  # the "?" link
    page.keyboard.press("Enter")
    expect(page.get_by_text("commentaire suivant")).to_be_visible()
    tab_to(page, page.locator(f"#c-{approved}").get_by_role("button", name="Approuver"))
    press_and_wait(page, "Enter")
    page.goto("/moderation?tab=recent")
    tab_to(page, page.locator(f"#c-{other}").get_by_role("button", name="Mettre en avant"))
    press_and_wait(page, "Enter")

    tab_to(page, page.get_by_role("link", name="Journal"))
    press_and_wait(page, "Enter")
    tab_to(page, page.get_by_text("Filtrer le journal"))
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_label("Action", exact=True))
    page.keyboard.type("Mises")
    expect(page.get_by_label("Action", exact=True)).to_have_value("feature")
    tab_to(page, page.get_by_role("button", name="Filtrer"))
    press_and_wait(page, "Enter")
    log = page.locator(".audit-log")
    expect(log).to_contain_text(f"a mis en avant le commentaire n° {other}")
    expect(log).not_to_contain_text("a approuvé")
    context.close()
