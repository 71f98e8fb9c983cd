"""A moderator works the queue with the keyboard in Chromium: approve, reject, feature."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from forum.extensions import db
from forum.models import AuditEntry, Comment
from tests.browser.moderation_helpers import focused_item, log_in_as_moderator, press_and_wait
from tests.conftest import add_comment

pytestmark = pytest.mark.browser


def states(app) -> dict[str, tuple]:
    with app.app_context():
        return {
            c.body_source: (c.status, c.reject_reason, c.featured_at is not None)
            for c in db.session.execute(db.select(Comment)).scalars()
        }


def test_moderator_works_the_queue_with_the_keyboard(app, page, output_dir):
    first = add_comment(
        app,
        body="Premier avis",
        status="pending",
        pending_reason="premoderation",
        reader_hash="1" * 64,
    )
    second = add_comment(
        app,
        body="Deuxième avis, injurieux",
        status="pending",
        pending_reason="suspect_word",
        reader_hash="2" * 64,
    )
    third = add_comment(
        app,
        body="Troisième avis, remarquable",
        status="pending",
        pending_reason="first_comment",
        reader_hash="3" * 64,
    )
    log_in_as_moderator(app, page)
    expect(page.get_by_role("link", name="Raccourcis clavier")).to_be_visible()  # "?"
    expect(focused_item(page)).to_have_id(f"c-{first}")

    page.keyboard.press("j")
    expect(focused_item(page)).to_have_id(f"c-{second}")
    page.keyboard.press("k")
    expect(focused_item(page)).to_have_id(f"c-{first}")

    press_and_wait(page, "a")  # approve the first; the queue comes back on the next one
    expect(focused_item(page)).to_have_id(f"c-{second}")
    expect(page.get_by_text("Commentaire approuvé.")).to_be_visible()

    page.keyboard.press("r")  # reject: the reason list takes the focus
    reason = page.locator(f"#reason-{second}")
    expect(reason).to_be_focused()
    assert reason.input_value() == ""  # no reason preselected
    page.keyboard.press("Enter")  # so Enter alone rejects nothing: the browser asks for one
    assert reason.evaluate("el => el.validity.valueMissing")
    assert states(app)["Deuxième avis, injurieux"][0] == "pending"
    reason.select_option("harassment")
    press_and_wait(page, "Enter")
    expect(focused_item(page)).to_have_id(f"c-{third}")

    press_and_wait(page, "a")
    expect(page.get_by_text("Rien à traiter dans cet onglet.")).to_be_visible()

    page.get_by_role("link", name="Récents").click()
    page.wait_for_url("**/moderation?tab=recent")
    expect(focused_item(page)).to_have_id(f"c-{third}")  # newest first
    press_and_wait(page, "f")
    expect(page.get_by_text("Commentaire mis en avant.")).to_be_visible()
    page.screenshot(path=str(output_dir / "moderation-queue.png"), full_page=True)

    assert states(app) == {
        "Premier avis": ("approved", None, False),
        "Deuxième avis, injurieux": ("rejected", "Attaque personnelle ou harcèlement", False),
        "Troisième avis, remarquable": ("approved", None, True),
    }
    with app.app_context():
        actions = db.session.execute(
            db.select(AuditEntry.action, AuditEntry.comment_id)
            .where(AuditEntry.comment_id.is_not(None))
            .order_by(AuditEntry.id)
        ).all()
    assert [tuple(a) for a in actions] == [
        ("approve", first),
        ("reject", second),
        ("approve", third),
        ("feature", third),
    ]


def test_queue_works_without_javascript(app, page_without_js):
    page = page_without_js
    comment = add_comment(app, body="Avis à refuser", status="pending")
    log_in_as_moderator(app, page)
    item = page.locator(f"#c-{comment}")
    item.get_by_label("Raison du refus").select_option("spam")
    item.get_by_role("button", name="Refuser").click()
    expect(page.get_by_text("Commentaire refusé.")).to_be_visible()
    assert states(app)["Avis à refuser"][0] == "rejected"
