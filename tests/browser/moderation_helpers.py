"""Steps shared by the moderation browser tests."""

from __future__ import annotations

from tests.conftest import STAFF_PASSWORD, create_staff_account


def log_in_as_moderator(app, page, email: str = "moderatrice@redaction.example") -> None:
    """Create a moderator and sign in through the real login page."""
    create_staff_account(app, email)
    page.goto("/moderation")  # sent to the login page, then back here
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/moderation")


def focused_item(page):
    """The queue item that has the focus, or holds the element that has it."""
    return page.locator(".queue-item:focus-within")


def press_and_wait(page, key: str) -> None:
    """Press a shortcut that submits a form, and wait for the next page to load."""
    with page.expect_navigation():
        page.keyboard.press(key)
