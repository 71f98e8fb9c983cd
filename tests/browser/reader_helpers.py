"""What a reader does in the browser, shared by the browser tests."""

from __future__ import annotations


def post(page, pseudonym: str, body: str) -> None:
    """Publish a comment with the page's comment form (a reply when it was moved under one)."""
    form = page.locator("form.comment-form")
    if pseudonym:
        form.get_by_label("Pseudonyme").fill(pseudonym)
    form.get_by_label("Votre commentaire").fill(body)
    form.get_by_role("button", name="Publier").click()
    page.get_by_text("Votre commentaire est publié.").wait_for()
