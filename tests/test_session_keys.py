"""The session cookie when the secret key changes: each worker keeps the session's
serializer, which must follow the key and its fallbacks from the next request on."""

from __future__ import annotations

from tests.comment_helpers import post_comment

NOTICE = "Votre commentaire est publié"
NEW_KEY = "a-new-secret-key-for-the-rotation-test-0123456789"


def test_a_new_secret_key_drops_the_sessions_signed_under_the_old_one(app, reader):
    assert post_comment(reader).status_code == 302  # the notice waits in the session
    app.config["SECRET_KEY"] = NEW_KEY
    assert NOTICE not in reader.open_article().get_data(as_text=True)


def test_the_old_key_kept_as_a_fallback_still_opens_its_sessions(app, reader):
    assert post_comment(reader).status_code == 302
    app.config["SECRET_KEY_FALLBACKS"] = [app.config["SECRET_KEY"]]
    app.config["SECRET_KEY"] = NEW_KEY
    assert NOTICE in reader.open_article().get_data(as_text=True)
