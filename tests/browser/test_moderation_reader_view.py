"""The reader's article page reflects moderation: the featured comment first with its badge,
the rejected one gone for the public.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.moderation_helpers import log_in_as_moderator, press_and_wait
from tests.conftest import add_comment

pytestmark = pytest.mark.browser


def test_reader_page_shows_featured_first_and_hides_rejected(
    app, browser, live_server, page, output_dir
):
    add_comment(
        app, body="Un avis ordinaire, le plus ancien", reader_hash="1" * 64, author_name="Ancien"
    )
    chosen = add_comment(
        app,
        body="Un avis éclairant à mettre en avant",
        reader_hash="2" * 64,
        author_name="Éclairée",
    )
    rejected = add_comment(
        app, body="Un avis injurieux à retirer", reader_hash="3" * 64, author_name="Troll"
    )
    add_comment(
        app, body="Un avis ordinaire, le plus récent", reader_hash="4" * 64, author_name="Récent"
    )

    log_in_as_moderator(app, page)
    page.goto("/moderation?tab=recent")
    page.locator(f"#c-{chosen}").focus()
    press_and_wait(page, "f")
    page.locator(f"#c-{rejected}").focus()
    page.keyboard.press("r")
    page.locator(f"#reason-{rejected}").select_option("harassment")
    press_and_wait(page, "Enter")

    public = browser.new_context(locale="fr-FR", base_url=live_server.url).new_page()
    public.goto("/articles/anthropic-coupe-acces-openai-api-claude")
    shown = public.locator("article.comment")
    # The featured comment first, with its badge, before both ordinary ones; the rejected
    # one gone.
    expect(shown).to_have_count(3)
    expect(shown.first).to_contain_text("Un avis éclairant à mettre en avant")
    expect(shown.first).to_contain_text("Choix de la rédaction")
    expect(public.get_by_text("Un avis injurieux à retirer")).to_have_count(0)
    public.screenshot(path=str(output_dir / "moderation-reader-view.png"), full_page=True)
    public.context.close()
