"""judge_new_comment: pre-moderation modes, word lists and bans, as the comments area sees them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import Article, Ban, WordRule, utcnow
from forum.moderation.policy import PostingVerdict, judge_new_comment, normalize_words
from tests.conftest import ARTICLE_SLUG, add_comment

READER = "r" * 64
ADDRESS = "a" * 64


@pytest.fixture
def judge(app):
    """judge(text, reader_hash=READER, address_hash=ADDRESS) -> PostingVerdict."""

    def run(text: str = "Bonjour", reader_hash: str = READER, address_hash: str | None = ADDRESS):
        with app.test_request_context():
            article = db.session.execute(
                select(Article).where(Article.slug == ARTICLE_SLUG)
            ).scalar_one()
            return judge_new_comment(article, reader_hash, address_hash, text)

    return run


def set_premoderation(app, mode: str) -> None:
    with app.app_context():
        article = db.session.execute(select(Article)).scalars().first()
        article.premoderation = mode
        db.session.commit()


def add_words(app, kind: str, *words: str) -> None:
    with app.app_context():
        for word in words:
            db.session.add(WordRule(word=word, normalized=normalize_words(word), kind=kind))
        db.session.commit()


def add_ban(app, expires_in: timedelta | None, **fields) -> None:
    with app.app_context():
        expires = utcnow() + expires_in if expires_in is not None else None
        db.session.add(Ban(expires_at=expires, reason="troll", **fields))
        db.session.commit()


def test_no_rules_publishes(judge):
    assert judge() == PostingVerdict("approved", None, None)


def test_premoderation_all_holds_every_comment(app, judge):
    set_premoderation(app, "all")
    add_comment(app, status="approved")
    assert judge() == PostingVerdict("pending", "premoderation")


def test_premoderation_first_holds_only_a_new_readers_first_comment(app, judge):
    set_premoderation(app, "first")
    assert judge() == PostingVerdict("pending", "first_comment")
    add_comment(app, status="pending", pending_reason="first_comment")
    assert judge().status == "pending", "a held comment does not make a reader known"
    add_comment(app, status="approved")
    assert judge() == PostingVerdict("approved")
    assert judge(reader_hash="n" * 64).pending_reason == "first_comment"


def test_premoderation_none_publishes(app, judge):
    set_premoderation(app, "none")
    assert judge().status == "approved"


@pytest.mark.parametrize(
    "text",
    [
        "Quel CRÉTIN, vraiment.",
        "quel cretin",
        "Crétin!",
        "«crétin»",
        "C R - crétin-là",
        "CRETIN",
    ],
)
def test_banned_word_refuses_whatever_the_case_and_accents(app, judge, text):
    add_words(app, "banned", "crétin")
    verdict = judge(text)
    assert verdict.status == "approved" and verdict.refusal  # refused: not stored at all
    assert "mot interdit" in verdict.refusal and "« crétin »" in verdict.refusal
    assert verdict.refusal_status == 400


@pytest.mark.parametrize("text", ["Les crétinismes", "acrétin", "secretin", "crétins"])
def test_banned_word_matches_whole_words_only(app, judge, text):
    add_words(app, "banned", "crétin")
    assert judge(text).refusal is None


def test_listed_word_with_accents_matches_text_without(app, judge):
    add_words(app, "banned", "ENCULÉ")
    assert judge("espèce d'encule").refusal


def test_multi_word_expression(app, judge):
    add_words(app, "suspect", "Fake news")
    assert judge("Encore une FAKE   NEWS !").pending_reason == "suspect_word"
    assert judge("fake et news").status == "approved"


def test_suspect_word_sends_to_pending(app, judge):
    add_words(app, "suspect", "arnaque")
    assert judge("C'est une Arnaque.") == PostingVerdict("pending", "suspect_word")
    assert judge("arnaques en série").status == "approved"


def test_banned_wins_over_suspect_and_premoderation(app, judge):
    set_premoderation(app, "all")
    add_words(app, "suspect", "arnaque")
    add_words(app, "banned", "ordure")
    assert judge("arnaque, ordure").refusal


def test_ban_refuses_with_its_end_date(app, judge):
    add_ban(app, timedelta(days=7), reader_hash=READER)
    verdict = judge()
    assert verdict.refusal_status == 403
    assert "refusé" in verdict.refusal and "jusqu'au" in verdict.refusal
    with app.app_context():
        ban = db.session.execute(select(Ban)).scalar_one()
    # Shown in Paris time: the month name in French and the year of the end date.
    assert str(ban.expires_at.year) in verdict.refusal
    assert any(
        month in verdict.refusal
        for month in (
            "janvier",
            "février",
            "mars",
            "avril",
            "mai",
            "juin",
            "juillet",
            "août",
            "septembre",
            "octobre",
            "novembre",
            "décembre",
        )
    )


def test_ban_ends_by_itself_when_it_expires(app, judge, monkeypatch):
    from forum.moderation import policy

    add_ban(app, timedelta(hours=24), reader_hash=READER)
    assert judge().refusal
    later = utcnow() + timedelta(hours=24, minutes=1)
    monkeypatch.setattr(policy, "utcnow", lambda: later)
    assert judge().refusal is None


def test_permanent_ban(app, judge):
    add_ban(app, None, reader_hash=READER)
    verdict = judge()
    assert "ne pouvez plus publier" in verdict.refusal and verdict.refusal_status == 403


def test_expired_or_lifted_ban_no_longer_applies(app, judge):
    add_ban(app, timedelta(seconds=-1), reader_hash=READER)
    add_ban(app, timedelta(days=3), reader_hash=READER, lifted_at=utcnow())
    assert judge().refusal is None


def test_address_ban_covers_another_reader_on_that_address(app, judge):
    add_ban(app, timedelta(hours=24), reader_hash=READER, address_hash=ADDRESS)
    assert judge(reader_hash="o" * 64).refusal
    assert judge(reader_hash="o" * 64, address_hash="b" * 64).refusal is None


def test_reader_ban_does_not_cover_the_address(app, judge):
    add_ban(app, timedelta(hours=24), reader_hash=READER)
    assert judge(reader_hash="o" * 64).refusal is None


def test_longest_ban_is_the_one_announced(app, judge):
    add_ban(app, timedelta(hours=24), reader_hash=READER)
    add_ban(app, None, reader_hash=READER)
    assert "ne pouvez plus publier" in judge().refusal


def test_normalize_words():
    assert normalize_words("  Ça, c'est DÉJÀ l'Œuvre  ") == "ca c est deja l oeuvre"
