"""Spam measures on the comment form: honeypot, minimum delay, link cap, no duplicates."""

from __future__ import annotations

import html
import time
from datetime import timedelta

import pytest
from itsdangerous import URLSafeSerializer
from sqlalchemy import update

from forum.comments.spam import STAMP_SALT
from forum.extensions import db
from forum.models import Comment, utcnow
from forum.page_cache import changes_pages
from tests.comment_helpers import comment_form, comments, post_comment, reader_at
from tests.conftest import TEST_SECRET, add_comment


def page_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_honeypot_is_hidden_from_people_and_keyboards(reader):
    page = reader.open_article().get_data(as_text=True)
    assert '<div class="honeypot" aria-hidden="true">' in page
    assert '<label for="commenter-website">Laissez ce champ vide</label>' in page
    field = (
        page.split('id="commenter-website"')[0].rsplit("<input", 1)[1]
        + page.split('id="commenter-website"')[1].split(">", 1)[0]
    )
    assert 'tabindex="-1"' in field and 'autocomplete="off"' in field


@pytest.mark.parametrize("parent", [False, True])
def test_a_filled_honeypot_is_silently_discarded(app, reader, parent):
    parent_id = add_comment(app) if parent else None
    form = {**comment_form(reader), "website": "https://cheap-pills.example"}
    response = post_comment(reader, "Achetez maintenant", form=form, parent_id=parent_id)
    assert response.status_code == 302 and response.location.endswith("#discussion")
    assert "Votre commentaire est publié." in page_of(reader.client.get(response.location))
    assert [c.body_source for c in comments(app)] == (
        ["Un commentaire de lecteur."] if parent else []
    )


def stamp(seconds_ago: float, stamp_id: str = "stamp-for-tests") -> str:
    """A form stamp as the page signs it: when the form was shown, and its random id."""
    serializer = URLSafeSerializer(TEST_SECRET, salt=STAMP_SALT)
    return serializer.dumps([time.time() - seconds_ago, stamp_id])


@pytest.mark.parametrize("app_config", [{"FORUM_MIN_POST_SECONDS": 3}])
def test_a_post_right_after_the_page_is_shown_is_refused_with_the_text_kept(app, reader):
    form = comment_form(reader)
    response = post_comment(reader, "Un avis écrit en un éclair.", form=form)
    assert response.status_code == 400
    page = page_of(response)
    assert "envoyé très vite après l'affichage du formulaire" in page
    assert "Un avis écrit en un éclair.</textarea>" in page
    assert comments(app) == []
    # The same form, sent again once the reader has waited, goes through.
    response = post_comment(
        reader, "Un avis écrit en un éclair.", form={**form, "rendered_at": stamp(4)}
    )
    assert response.status_code == 302
    assert len(comments(app)) == 1


@pytest.mark.parametrize("app_config", [{"FORUM_MIN_POST_SECONDS": 3}])
@pytest.mark.parametrize(
    "forged", ["", "not-a-stamp", stamp(60)[:-2] + "xx"], ids=["empty", "garbage", "bad-signature"]
)
def test_a_missing_or_forged_render_time_counts_as_too_fast(app, reader, forged):
    response = post_comment(reader, form={**comment_form(reader), "rendered_at": forged})
    assert response.status_code == 400
    assert comments(app) == []


@pytest.mark.parametrize("app_config", [{"FORUM_MIN_POST_SECONDS": 3}])
def test_the_preview_is_not_held_back(reader):
    response = post_comment(reader, "Un aperçu tout de suite.", button="preview")
    assert response.status_code == 200 and "Aperçu (pas encore publié)" in page_of(response)


LINKS = "Voir https://a.example, [b](https://b.example), www.c.example et https://d.example"


def test_too_many_links_are_refused_with_the_text_kept(app, reader):
    response = post_comment(reader, LINKS)
    assert response.status_code == 400
    page = page_of(response)
    assert "Votre commentaire contient 4 liens : 3 au plus sont acceptés." in page
    assert "www.c.example" in page.split("<textarea", 1)[1]
    assert comments(app) == []
    three = "https://www.a.example http://www.b.example [c](https://www.c.example/x)"
    assert post_comment(reader, three).status_code == 302


@pytest.mark.parametrize("app_config", [{"FORUM_MAX_LINKS": 0}])
def test_the_link_cap_is_a_setting(app, reader):
    assert post_comment(reader, "Source : https://example.org/x").status_code == 400
    assert post_comment(reader, "Sans lien.").status_code == 302


def test_the_same_body_twice_is_refused(app, reader):
    assert post_comment(reader, "Je ne suis  pas convaincu.").status_code == 302
    response = post_comment(reader, "je ne suis pas\nCONVAINCU. ")
    assert response.status_code == 409
    assert "Vous avez déjà publié ce même commentaire il y a peu." in page_of(response)
    # Another reader, elsewhere, may say the same thing.
    elsewhere = reader_at(app, "198.51.100.7")
    assert post_comment(elsewhere, "Je ne suis pas convaincu.", pseudonym="Autre").status_code == (
        302
    )
    assert len(comments(app)) == 2


def test_the_same_body_is_accepted_again_after_the_window(app, reader):
    assert post_comment(reader, "Toujours pas convaincu.").status_code == 302
    with app.app_context():
        db.session.execute(
            update(Comment).values(created_at=utcnow() - timedelta(minutes=11)),
            execution_options=changes_pages(),
        )
        db.session.commit()
    assert post_comment(reader, "Toujours pas convaincu.").status_code == 302
    assert len(comments(app)) == 2


def test_the_same_form_sent_twice_still_gives_one_comment(app, reader):
    form = comment_form(reader)
    assert post_comment(reader, "Un seul envoi.", form=form).status_code == 302
    assert post_comment(reader, "Un seul envoi.", form=form).status_code == 302
    assert len(comments(app)) == 1
