from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import Article, Comment, Reader
from forum.page_cache import changes_pages
from tests import conftest
from tests.comment_helpers import COMMENTS_URL, comment_form, comments, last_comment, post_comment
from tests.conftest import ARTICLE_SLUG, CROSS_SITE_HEADERS, CROSS_SITE_MESSAGE, act


def test_discussion_section_has_the_prompt_and_the_count(reader):
    html = reader.open_article().get_data(as_text=True)
    assert '<section class="discussion" id="discussion"' in html
    assert "Quel est votre avis sur le sujet ?" in html
    assert "0 commentaire" in html
    assert 'name="preview"' in html and 'name="submit"' in html


def test_posting_redirects_to_the_comment_and_shows_it(reader, count_rows):
    response = post_comment(reader, body="Je trouve **cela** crédible.", pseudonym="  Zoé  ")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/articles/{ARTICLE_SLUG}#c1")
    html = reader.open_article().get_data(as_text=True)
    assert "Votre commentaire est publié." in html
    # The author's own comment is marked as theirs (live.js highlights replies to it).
    assert '<article class="comment comment-own" id="c1"' in html
    assert "Je trouve <strong>cela</strong> crédible." in html
    assert "Zoé" in html and "1 commentaire" in html
    assert count_rows(Comment) == 1


def test_markdown_is_rendered_once_at_write_time(reader, app):
    post_comment(reader, body="[lien](https://exemple.fr) et *emphase*")
    comment = last_comment(app)
    assert comment.body_source == "[lien](https://exemple.fr) et *emphase*"
    assert comment.body_html == (
        '<p><a href="https://exemple.fr" rel="nofollow ugc noopener">'
        "lien</a> et <em>emphase</em></p>"
    )


def test_pseudonym_is_remembered_for_the_reader(reader, app):
    post_comment(reader, pseudonym="Jean-Marc")
    html = reader.open_article().get_data(as_text=True)
    assert re.search(r'<input[^>]*name="pseudonym"[^>]*value="Jean-Marc"', html)
    with app.app_context():
        from forum.extensions import db

        row = db.session.execute(db.select(Reader)).scalar_one()
        assert (row.pseudonym, row.pseudonym_key) == ("Jean-Marc", "jeanmarc")


@pytest.mark.parametrize(
    "name",
    [
        "Rédaction",
        "REDACTION",
        "la rédaction",
        "Modérateur",
        "moderateur",
        "admin",
        "Admin_42",
        "A.d.m.i.n",
        "Staff",
    ],
)
def test_reserved_names_are_refused(reader, count_rows, name):
    response = post_comment(reader, pseudonym=name, body="Texte gardé")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "réservé à l&#39;équipe du site" in html
    assert "Texte gardé</textarea>" in html
    assert count_rows(Comment) == 0


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("A", "de 2 à 40 caractères"),
        ("x" * 41, "de 2 à 40 caractères"),
        ("<script>", "ne peut contenir que des lettres"),
        ("..", "au moins deux lettres"),
    ],
)
def test_invalid_pseudonyms_are_refused_with_a_clear_message(reader, name, message):
    response = post_comment(reader, pseudonym=name)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_staff_names_cannot_be_taken(reader, app, count_rows):
    from forum.extensions import db
    from forum.models import User

    with app.app_context():
        db.session.add(User(email="m@exemple.fr", display_name="Claire Dupont", password_hash="x"))
        db.session.commit()
    response = post_comment(reader, pseudonym="claire dupont")
    assert response.status_code == 400
    assert count_rows(Comment) == 0


def test_a_pseudonym_belongs_to_one_reader_accent_and_case_insensitively(make_reader):
    assert post_comment(make_reader(), pseudonym="Hélène").status_code == 302
    response = post_comment(make_reader(), "Un autre avis.", pseudonym="HELENE")
    assert response.status_code == 400
    assert "déjà utilisé par un autre lecteur" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("   ", "Votre commentaire est vide."),
        ("\x01\x02", "Votre commentaire est vide."),
        ("a" * 5001, "dépasse 5\u202f000 caractères (5\u202f001)"),
    ],
)
def test_bad_bodies_are_refused_and_the_text_kept(reader, count_rows, body, message):
    response = post_comment(reader, body=body, pseudonym="Gardé")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message.replace(" ", "\u202f") in html.replace(" ", "\u202f") or message in html
    assert 'value="Gardé"' in html
    assert count_rows(Comment) == 0


def test_a_nul_byte_is_refused_before_the_form_with_a_clear_page(reader, count_rows):
    response = post_comment(reader, body="avis\x00caché", pseudonym="Gardé")
    assert response.status_code == 400
    assert "caractères non valides" in response.get_data(as_text=True)
    assert count_rows(Comment) == 0


def test_preview_shows_rendered_text_without_storing(reader, count_rows):
    form = comment_form(reader)
    response = post_comment(reader, body="*aperçu*", button="preview", form=form)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Aperçu (pas encore publié)" in html and "<em>aperçu</em>" in html
    assert f'value="{form["submission_token"]}"' in html
    assert count_rows(Comment) == 0
    assert post_comment(reader, body="*aperçu*", form=form).status_code == 302
    assert count_rows(Comment) == 1


def test_the_same_form_submitted_twice_stores_one_comment(reader, count_rows):
    form = comment_form(reader)
    first = post_comment(reader, form=form)
    second = post_comment(reader, form=form)
    assert first.headers["Location"] == second.headers["Location"]
    assert count_rows(Comment) == 1


def test_closed_discussion_refuses_posts_with_409(reader, app, count_rows):
    form = comment_form(reader)
    from forum.extensions import db
    from forum.models import Article

    with app.app_context():
        db.session.execute(
            db.update(Article).values(discussion_open=False), execution_options=changes_pages()
        )
        db.session.commit()
    response = post_comment(reader, form=form)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "La discussion est close" in html
    assert 'name="body"' not in html
    assert count_rows(Comment) == 0


@pytest.mark.parametrize("headers", CROSS_SITE_HEADERS)
def test_a_comment_sent_from_another_site_is_refused(reader, count_rows, headers):
    form = comment_form(reader)
    response = reader.client.post(
        COMMENTS_URL,
        data={**form, "pseudonym": "Zoé", "body": "Un avis forgé.", "submit": "x"},
        headers=headers,
    )
    assert response.status_code == 403
    assert CROSS_SITE_MESSAGE in response.get_data(as_text=True)
    assert count_rows(Comment) == 0


def test_staff_post_under_their_name_with_the_redaction_badge(app, staff):
    moderator = staff("moderator", "claire.dupont@redaction.example")
    signed_in = conftest.Reader(app)
    signed_in.client = moderator.client
    post_comment(signed_in, pseudonym="ignored", body="Précision de la rédaction.")
    comment = last_comment(app)
    assert (comment.user_id, comment.author_name) == (moderator.user_id, "Claire.Dupont")
    html = signed_in.open_article().get_data(as_text=True)
    assert '<span class="badge badge-staff">Rédaction</span>' in html


def premoderate_every_comment(app, moderator) -> None:
    """Switch the article to "every comment is held", through the moderation desk's form."""
    with app.app_context():
        article_id = db.session.execute(
            select(Article.id).where(Article.slug == ARTICLE_SLUG)
        ).scalar_one()
    settings = {"discussion_open": "1", "poll_open": "1", "premoderation": "all"}
    response = moderator.post_form(
        f"/moderation/articles/{ARTICLE_SLUG}/settings",
        {f"a{article_id}-{name}": value for name, value in settings.items()},
        page="/moderation/articles",
    )
    assert response.status_code == 303


def test_held_comment_is_shown_to_its_author_only(reader, make_reader, app, moderator):
    premoderate_every_comment(app, moderator)
    post_comment(reader, body="En attente")
    assert (comments(app)[0].status, comments(app)[0].pending_reason) == (
        "pending",
        "premoderation",
    )
    mine = reader.open_article().get_data(as_text=True)
    assert "En attente" in mine and "en attente de modération" in mine
    assert "En attente" not in make_reader().open_article().get_data(as_text=True)


def ban_the_author(member, comment_id: int) -> str:
    response = act(member, comment_id, "ban", duration="24h", reason="insultes")
    assert response.status_code == 303
    # Banned, the reader is told why and until when in place of the form.
    return "Vous ne pouvez pas publier de commentaires avant le"


def forbid_a_word(member, comment_id: int) -> str:
    page = "/moderation/words"
    response = member.post_form(page, {"word": "Gardé", "kind": "banned"}, page=page)
    assert response.status_code == 303
    return "il contient un mot interdit sur ce forum (« Gardé »)"


@pytest.mark.parametrize(
    ("refuse", "status"), [(ban_the_author, 403), (forbid_a_word, 400)], ids=["ban", "word"]
)
def test_policy_refusal_is_shown_in_the_form(reader, app, admin, count_rows, refuse, status):
    assert post_comment(reader, body="Un premier avis").status_code == 302
    form = comment_form(reader)  # a page left open while the moderators act
    message = refuse(admin, last_comment(app).id)
    response = post_comment(reader, body="Texte gardé", form=form)
    html = response.get_data(as_text=True)
    assert response.status_code == status
    assert message in html
    if status == 400:  # the form is offered again, with the text kept
        assert "Texte gardé</textarea>" in html
    assert count_rows(Comment) == 1


def test_article_list_counts_public_comments(make_reader, client):
    post_comment(make_reader(), body="Un", pseudonym="Un")
    post_comment(make_reader(), body="Deux", pseudonym="Deux")
    assert "2 commentaires" in client.get("/").get_data(as_text=True)
