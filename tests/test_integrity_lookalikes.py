"""Issue 16, look-alike rows: pseudonyms and word lists are compared as they look, with
look-alike letters folded (TR39 skeleton) and invisible format characters dropped; a
pseudonym mixing alphabets is refused."""

from __future__ import annotations

import html

import pytest

from forum.auth.services import create_staff
from forum.extensions import db
from forum.models import Comment
from tests.comment_helpers import post_comment

pytestmark = pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True}])

MIXED = "mélange plusieurs alphabets"
RESERVED = "réservé à l'équipe du site"
TAKEN = "déjà utilisé par un autre lecteur"


def page_text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def refusal(reader, pseudonym: str) -> str:
    response = post_comment(reader, pseudonym=pseudonym, body="Un avis sous un faux nom.")
    assert response.status_code in (400, 409), response.status_code
    return page_text(response)


@pytest.fixture
def alice_martin(app) -> None:
    with app.app_context():
        create_staff("alice@redaction.example", "a long password 1", "moderator", "Alice Martin")
        db.session.commit()


@pytest.mark.parametrize("pseudonym", ["Alice M\u0430rtin", "R\u00e9d\u0430ction", "\u0410dmin"])
def test_a_pseudonym_mixing_alphabets_is_refused(alice_martin, reader, count_rows, pseudonym):
    assert MIXED in refusal(reader, pseudonym)
    assert count_rows(Comment) == 0


@pytest.mark.parametrize(
    "pseudonym",
    [
        "\u0455\u0443\u0455\u0442\u0435\u043c\u0435",  # "systeme", all Cyrillic
        "Ad\u200bmin",  # a zero-width space inside
        "R\u00e9d\u00adaction",  # a soft hyphen inside
        "\u202eAdmin",  # a right-to-left override before
    ],
)
def test_a_reserved_name_written_with_look_alikes_or_invisibles_is_refused(reader, pseudonym):
    assert RESERVED in refusal(reader, pseudonym)


def test_the_staff_name_written_with_invisibles_is_refused(alice_martin, reader):
    assert RESERVED in refusal(reader, "Alice\u200d Martin")


@pytest.mark.parametrize(
    "pseudonym, message",
    [
        ("S\u0430cha", MIXED),  # Cyrillic а among Latin letters
        ("\u0405\u0430\u0441\u04bb\u0430", TAKEN),  # "Sacha", all Cyrillic
        ("Sa\u200bcha", TAKEN),  # a zero-width space inside
    ],
)
def test_another_readers_name_written_with_look_alikes_is_refused(make_reader, pseudonym, message):
    assert post_comment(make_reader(), pseudonym="Sacha").status_code == 302
    assert message in refusal(make_reader(), pseudonym)


def test_invisible_characters_are_dropped_from_a_pseudonym(reader, app):
    response = post_comment(reader, pseudonym="Zo\u200b\u00e9\u202e")
    assert response.status_code == 302
    page = page_text(reader.client.get(response.headers["Location"]))
    assert "Zoé" in page and "\u200b" not in page and "\u202e" not in page


@pytest.mark.parametrize("pseudonym", ["François", "Иван Петров", "Ελένη", "Łukasz"])
def test_names_in_one_alphabet_are_still_welcome(reader, pseudonym):
    assert post_comment(reader, pseudonym=pseudonym).status_code == 302


@pytest.mark.parametrize(
    "body",
    [
        "C'est une arn\u200baque.",  # zero-width space
        "C'est une arn\u00adaque.",  # soft hyphen
        "C'est une \u0430rnaque.",  # Cyrillic а
    ],
)
def test_a_banned_word_written_with_look_alikes_or_invisibles_is_refused(
    app, admin, reader, count_rows, body
):
    added = admin.post_form(
        "/moderation/words", {"word": "arnaque", "kind": "banned"}, page="/moderation/words"
    )
    assert added.status_code == 303
    response = post_comment(reader, body=body)
    assert response.status_code == 400
    assert "mot interdit sur ce forum (« arnaque »)" in page_text(response)
    assert count_rows(Comment) == 0
