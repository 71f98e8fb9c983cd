"""NUL bytes and bytes that are not UTF-8 are refused with the styled French 400."""

from __future__ import annotations

import pytest

from forum.models import Comment, Vote
from tests.conftest import ARTICLE_SLUG

ARTICLE = f"/articles/{ARTICLE_SLUG}"
MESSAGE = "caractères non valides"


@pytest.mark.parametrize("query", [b"sort=%00", b"sort=%FF", b"sort=\xc3\x28", b"page=1%00"])
def test_bad_bytes_in_the_query_string_are_refused(client, query):
    response = client.get(ARTICLE, environ_overrides={"QUERY_STRING": query.decode("latin-1")})
    assert response.status_code == 400
    assert MESSAGE in response.get_data(as_text=True)


@pytest.mark.parametrize("path", [b"/articles/a\x00b", b"/articles/caf\xe9"])
def test_bad_bytes_in_the_path_are_refused(client, path):
    # As a WSGI server passes a decoded path: its bytes as latin-1 (PEP 3333).
    response = client.get("/", environ_overrides={"PATH_INFO": path.decode("latin-1")})
    assert response.status_code == 400
    assert MESSAGE in response.get_data(as_text=True)


@pytest.mark.parametrize("raw", [b"%FF%FE", b"\xe9t\xe9", b"a%00b"])
def test_bad_bytes_in_a_form_are_refused_and_nothing_is_stored(reader, count_rows, raw):
    token = reader.token().encode()
    response = reader.client.post(
        f"{ARTICLE}/comments",
        content_type="application/x-www-form-urlencoded",
        data=b"csrf_token=" + token + b"&pseudonym=Lectrice&submit=1&body=" + raw,
    )
    assert response.status_code == 400
    assert MESSAGE in response.get_data(as_text=True)
    assert count_rows(Comment) == 0


def test_a_nul_in_a_multipart_form_is_refused(reader, count_rows):
    field, choice = reader.poll_field("credibility", 1)
    response = reader.client.post(
        f"{ARTICLE}/vote",
        content_type="multipart/form-data",
        data={"csrf_token": reader.token(), field: f"{choice}\x00"},
    )
    assert response.status_code == 400
    assert count_rows(Vote) == 0


def test_accents_and_emoji_pass(reader, count_rows):
    response = reader.post_form(
        f"{ARTICLE}/comments",
        {"pseudonym": "Hélène", "body": "Très crédible 👍 — « vraiment ».", "submit": "1"},
    )
    assert response.status_code in {302, 303}
    assert count_rows(Comment) == 1
