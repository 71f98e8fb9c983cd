"""« M'a fait changer d'avis »: a reaction a reader gives another's comment once, counted on
the comment, sortable first, and part of the reader's data (shown, downloaded, erased)."""

from __future__ import annotations

import html
import json
import re

import pytest

from forum.models import ChangedMindMark
from tests.comment_helpers import last_comment, post_comment
from tests.conftest import ARTICLE_SLUG

ARTICLE = f"/articles/{ARTICLE_SLUG}"


def changed_my_mind(reader, comment_id=1, **kwargs):
    return reader.post_form(f"/comments/{comment_id}/changed-my-mind", {}, **kwargs)


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def button(html: str, comment_id: int) -> str:
    """The « M'a fait changer d'avis » button of one comment: its text, and whether it is
    shown pressed."""
    match = re.search(
        rf'action="/comments/{comment_id}/changed-my-mind".*?<button[^>]*>.*?</button>',
        html,
        re.S,
    )
    assert match, f"no changed-my-mind button on comment {comment_id}"
    pressed = re.search(r'aria-pressed="(\w+)"', match.group(0)).group(1)
    label = " ".join(re.sub(r"<[^>]+>", " ", match.group(0).split("<button", 1)[1]).split())
    return f"{label} pressed={pressed}"


@pytest.fixture
def author(make_reader):
    author = make_reader()
    post_comment(author, body="Un avis qui fait réfléchir", pseudonym="Autrice")
    return author


def test_a_reader_says_a_comment_changed_their_mind_and_can_take_it_back(
    author, reader, app, count_rows
):
    assert "pressed=false" in button(reader.open_article().get_data(as_text=True), 1)
    assert changed_my_mind(reader).status_code == 302
    shown = button(reader.open_article().get_data(as_text=True), 1)
    assert "pressed=true" in shown and "M'a fait changer d'avis (1)" in shown
    assert last_comment(app).changed_minds_count == 1

    changed_my_mind(reader)
    assert last_comment(app).changed_minds_count == 0
    assert count_rows(ChangedMindMark) == 0
    assert "pressed=false" in button(reader.open_article().get_data(as_text=True), 1)


def test_the_author_sees_how_many_minds_their_comment_changed(author, make_reader, app):
    for _ in range(3):
        changed_my_mind(make_reader())
    html = text(author.open_article())
    assert "a fait changer d'avis 3 lecteurs" in html
    assert "/comments/1/changed-my-mind" not in html  # no button on one's own comment


def test_no_changed_mind_on_ones_own_comment(author, count_rows):
    response = changed_my_mind(author)
    assert response.status_code == 403
    assert "Votre propre commentaire ne peut pas vous avoir fait changer d'avis." in text(response)
    assert count_rows(ChangedMindMark) == 0


def test_with_fetch_the_answer_is_json(author, reader):
    response = changed_my_mind(reader, headers={"X-Requested-With": "fetch"})
    assert response.get_json() == {"marked": True, "count": 1}


@pytest.mark.parametrize("app_config", [{"FORUM_USEFUL_PER_ADDRESS": 2}])
def test_one_address_gives_a_comment_few_marks(author, make_reader, app):
    for _ in range(2):
        assert changed_my_mind(make_reader()).status_code == 302
    refused = changed_my_mind(make_reader())
    assert refused.status_code == 409
    assert "marques « m'a fait changer d'avis » depuis votre connexion" in text(refused)
    assert last_comment(app).changed_minds_count == 2


def test_the_comments_that_changed_minds_can_come_first(author, make_reader, reader):
    post_comment(make_reader(), body="Un avis plus récent", pseudonym="Récent")
    changed_my_mind(reader, comment_id=1)
    recent = reader.client.get(ARTICLE).get_data(as_text=True)
    assert recent.index("Un avis plus récent") < recent.index("Un avis qui fait réfléchir")
    first = reader.client.get(ARTICLE, query_string={"sort": "changed_minds"})
    html = first.get_data(as_text=True)
    assert html.index("Un avis qui fait réfléchir") < html.index("Un avis plus récent")
    assert '<option value="changed_minds" selected>' in html


def test_the_marks_are_in_the_readers_data_and_go_with_its_erasure(author, reader, app):
    changed_my_mind(reader)
    page = text(reader.client.get("/mes-donnees"))
    assert "1 commentaire qui vous a fait changer d'avis" in page
    data = json.loads(reader.client.get("/mes-donnees.json").get_data(as_text=True))
    assert [mark["comment_id"] for mark in data["changed_mind_marks"]] == [1]

    erased = reader.post_form(
        "/mes-donnees/supprimer", {"confirm": "y"}, page="/mes-donnees", follow_redirects=True
    )
    assert "1 mention « m'a fait changer d'avis » retirée" in text(erased)
    assert last_comment(app).changed_minds_count == 0
