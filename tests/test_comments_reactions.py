"""'Utile' votes, flags and the auto-hide threshold."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import Article, CommentVote, Flag
from forum.page_cache import changes_pages
from tests.comment_helpers import (
    established_reader,
    last_comment,
    mark_useful,
    post_comment,
    update_comment,
)


@pytest.fixture
def commented(make_reader):
    author = make_reader()
    post_comment(author, body="Un avis à juger", pseudonym="Autrice")
    return author


def test_useful_toggles_one_mark_per_reader(commented, reader, app, count_rows):
    assert mark_useful(reader).status_code == 302
    html = reader.open_article().get_data(as_text=True)
    assert 'aria-pressed="true"' in html and "(1)" in html
    assert last_comment(app).useful_count == 1
    mark_useful(reader)
    assert last_comment(app).useful_count == 0
    assert count_rows(CommentVote) == 0
    assert 'aria-pressed="false"' in reader.open_article().get_data(as_text=True)


def test_useful_votes_from_several_readers_add_up(commented, make_reader, app):
    for _ in range(3):
        mark_useful(make_reader())
    assert last_comment(app).useful_count == 3


def test_useful_with_fetch_answers_json(commented, reader):
    response = mark_useful(reader, headers={"X-Requested-With": "fetch"})
    assert response.get_json() == {"marked": True, "count": 1}


def test_no_useful_vote_on_ones_own_comment(commented, app, count_rows):
    response = mark_useful(commented)
    assert response.status_code == 403
    assert "propre commentaire" in response.get_data(as_text=True)
    assert count_rows(CommentVote) == 0


def test_useful_on_a_missing_or_hidden_comment(commented, reader, app):
    assert mark_useful(reader, comment_id=99).status_code == 404
    update_comment(app, 1, status="pending", pending_reason="premoderation")
    assert mark_useful(reader).status_code == 409


def flag(reader, comment_id=1, reason="spam", note=""):
    return reader.post_form(f"/comments/{comment_id}/flag", {"reason": reason, "note": note})


def test_flag_form_works_without_javascript(commented, reader, app):
    page = reader.client.get("/comments/1/flag")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for label in (
        "Spam ou publicité",
        "Harcèlement",
        "Hors sujet",
        "Propos haineux",
        "Désinformation",
        "Autre raison",
    ):
        assert label in html
    assert "<legend>Pourquoi signalez-vous ce commentaire ?</legend>" in html
    response = flag(reader, reason="misinformation", note="Chiffres faux")
    assert response.status_code == 302
    assert "Merci : votre signalement" in reader.open_article().get_data(as_text=True)
    with app.app_context():
        row = db.session.execute(select(Flag)).scalar_one()
        assert (row.reason, row.note, row.address_hash is not None) == (
            "misinformation",
            "Chiffres faux",
            True,
        )
    assert last_comment(app).flag_count == 1


def test_flag_needs_a_known_reason(commented, reader, count_rows):
    assert flag(reader, reason="boring").status_code == 400
    assert count_rows(Flag) == 0


def test_one_flag_per_reader(commented, reader, app):
    flag(reader)
    response = flag(reader, reason="hate")
    assert response.status_code == 409
    assert "déjà signalé" in response.get_data(as_text=True)
    assert last_comment(app).flag_count == 1


def test_no_flag_on_ones_own_comment(commented, count_rows):
    assert flag(commented).status_code == 403
    assert count_rows(Flag) == 0


def test_comment_is_hidden_pending_review_at_the_threshold(commented, make_reader, app):
    for number in range(2):
        flag(established_reader(app, f"198.51.100.{number}"))
    assert last_comment(app).status == "approved"
    flag(established_reader(app, "198.51.100.2"))
    comment = last_comment(app)
    assert (comment.status, comment.pending_reason, comment.flag_count) == ("pending", "flags", 3)
    assert "Un avis à juger" not in make_reader().open_article().get_data(as_text=True)
    assert "en attente de modération" in commented.open_article().get_data(as_text=True)


def test_threshold_of_the_article_wins_over_the_setting(commented, make_reader, app):
    with app.app_context():
        db.session.execute(
            db.update(Article).values(flag_threshold=1), execution_options=changes_pages()
        )
        db.session.commit()
    flag(established_reader(app, "198.51.100.1"))
    assert last_comment(app).status == "pending"


def test_own_comment_has_no_flag_form(commented):
    assert commented.client.get("/comments/1/flag").status_code == 403


def test_the_author_reads_their_count_of_utile_marks_in_french(commented, make_reader):
    assert "0 utile<" in commented.open_article().get_data(as_text=True)
    mark_useful(make_reader())
    assert "1 utile<" in commented.open_article().get_data(as_text=True)
    mark_useful(make_reader())
    assert "2 utiles<" in commented.open_article().get_data(as_text=True)
