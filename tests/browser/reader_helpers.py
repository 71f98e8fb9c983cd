"""What a reader does in Chromium through the real forms: vote, post a comment."""

from __future__ import annotations

import pytest

from tests.conftest import ARTICLE_SLUG

ARTICLE = f"/articles/{ARTICLE_SLUG}"


def vote_credible(page) -> None:
    page.goto(ARTICLE)
    page.get_by_label("Tout à fait crédible").check()
    page.get_by_label("Plutôt pertinente", exact=True).check()
    page.get_by_role("button", name="Voter").click()
    page.get_by_text("(votre réponse)").first.wait_for()


def post(page, pseudonym: str, body: str) -> None:
    form = page.locator("form.comment-form")
    if pseudonym:
        form.get_by_label("Pseudonyme").fill(pseudonym)
    form.get_by_label("Votre commentaire").fill(body)
    form.get_by_role("button", name="Publier").click()
    page.get_by_text("Votre commentaire est publié.").wait_for()


def tab_to(page, target, presses: int = 120) -> None:
    """Press Tab until the target has the focus; fail if it never gets it."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return
    pytest.fail("the control cannot be reached with the Tab key")
