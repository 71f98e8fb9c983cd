"""Figures inside the messages Python writes (form errors, flashes, the audit log, the
erasure summary) are written as the interface locale writes numbers: 1 234 in French
(Babel's narrow no-break space), 1,234 in English."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import insert, select

from forum.extensions import db
from forum.languages.selection import COOKIE
from forum.models import Article, PollQuestion, Vote, utcnow
from forum.moderation.views import bulk_message
from forum.page_cache import changes_pages
from forum.privacy.services import Erasure
from forum.privacy.views import erasure_message
from tests.comment_helpers import post_comment
from tests.conftest import ARTICLE_SLUG

PANEL = f"/moderation/articles/{ARTICLE_SLUG}/integrite"
NNBSP = "\u202f"


def page_text(response) -> str:
    """The page without the indentation between tags (str.split() would also split at
    the narrow no-break space the French figures hold)."""
    return re.sub(r">\s+<", "><", html.unescape(response.get_data(as_text=True)))


@pytest.mark.parametrize(
    "language, expected",
    [
        ("fr", f"Votre commentaire dépasse 5{NNBSP}000 caractères (6{NNBSP}789)."),
        ("en", "Your comment is longer than 5,000 characters (6,789)."),
    ],
)
def test_a_too_long_comment_is_refused_with_figures_in_the_readers_locale(
    make_reader, language, expected
):
    reader = make_reader()
    reader.client.set_cookie(COOKIE, language)
    response = post_comment(reader, body="a" * 6789, pseudonym="Longue")
    assert response.status_code == 400
    assert expected in page_text(response)


def held_votes(app, readers: int) -> None:
    """`readers` held voters from one address, within one window, on both questions."""
    with app.app_context():
        article = db.session.execute(
            select(Article).where(Article.slug == ARTICLE_SLUG)
        ).scalar_one()
        now = utcnow().replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
        rows = [
            {
                "question_id": question.id,
                "choice_id": question.choices[0].id,
                "reader_hash": f"{i:064x}",
                "address_hash": "ab" * 32,
                "status": "held",
                "created_at": now,
                "updated_at": now,
            }
            for question in db.session.execute(
                select(PollQuestion).where(PollQuestion.article_id == article.id)
            ).scalars()
            for i in range(readers)
        ]
        db.session.execute(insert(Vote).execution_options(**changes_pages(article.id)), rows)
        db.session.commit()


@pytest.mark.parametrize(
    "language, figures",
    [
        (
            "fr",
            [
                f"1{NNBSP}234 lecteurs retenus",
                f"<td>1{NNBSP}234</td><td>2{NNBSP}468</td>",
                f"2{NNBSP}468 votes libérés : ils sont comptés.",
                f"2{NNBSP}468 votes retenus libérés",
            ],
        ),
        (
            "en",
            [
                "1,234 readers held",
                "<td>1,234</td><td>2,468</td>",
                "2,468 votes released: they are counted.",
                "2,468 held votes released",
            ],
        ),
    ],
)
def test_the_integrity_panel_writes_held_vote_counts_in_the_staff_locale(
    app, moderator, language, figures
):
    held, group, released, logged = figures
    held_votes(app, 1234)
    moderator.client.set_cookie(COOKIE, language)
    panel = page_text(moderator.client.get(PANEL))
    assert held in panel and group in panel
    assert f"<td>2{NNBSP}468</td>" in panel or "<td>2,468</td>" in panel  # the hour's row
    response = moderator.post_form(PANEL, {"release": "1"}, page=PANEL, follow_redirects=True)
    panel = page_text(response)
    assert released in panel and logged in panel


@pytest.mark.parametrize(
    "language, expected",
    [
        (
            "fr",
            f"1{NNBSP}234 commentaires traités. 1{NNBSP}001 ignorés (action sans effet sur eux).",
        ),
        ("en", "1,234 comments handled. 1,001 skipped (the action does not apply to them)."),
    ],
)
def test_a_bulk_moderation_message_writes_its_counts_in_the_staff_locale(app, language, expected):
    with app.test_request_context(headers={"Accept-Language": language}):
        assert bulk_message(1234, 1001) == expected


@pytest.mark.parametrize(
    "language, expected",
    [
        (
            "fr",
            f"1{NNBSP}234 commentaires effacés, 1 vote retiré, 2{NNBSP}000 mentions « utile » "
            "retirées, 0 signalement retiré",
        ),
        (
            "en",
            "1,234 comments erased, 1 vote removed, 2,000 “useful” marks removed, "
            "0 reports removed",
        ),
    ],
)
def test_the_erasure_summary_writes_its_counts_in_the_readers_locale(app, language, expected):
    with app.test_request_context(headers={"Accept-Language": language}):
        assert expected in erasure_message(
            Erasure(comments=1234, votes=1, useful_marks=2000, flags=0)
        )
