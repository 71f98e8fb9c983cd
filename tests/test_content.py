from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from forum.articles.content import ContentError, read_content_file
from forum.extensions import db
from forum.models import Article, PollChoice, PollQuestion, Vote

# A copy of shared/seed/article-source.txt, the article exactly as it was scraped.
SOURCE = Path(__file__).resolve().parent / "data" / "article-source.txt"


def snapshot(app) -> dict:
    with app.app_context():
        article = db.session.execute(select(Article)).scalar_one()
        return {
            "articles": db.session.execute(select(Article.id, Article.updated_at)).all(),
            "questions": db.session.execute(select(PollQuestion.id, PollQuestion.key)).all(),
            "choices": db.session.execute(select(PollChoice.id, PollChoice.label)).all(),
            "votes": db.session.execute(select(Vote.id, Vote.choice_id)).all(),
            "body": article.body_html,
        }


def test_content_load_twice_changes_nothing_and_keeps_votes(app, runner, reader):
    reader.vote({"credibility": 2, "relevance": 3})
    before = snapshot(app)
    first = runner.invoke(args=["content", "load"])
    second = runner.invoke(args=["content", "load"])
    assert first.exit_code == 0 and second.exit_code == 0
    assert "unchanged" in first.output and "unchanged" in second.output
    after = snapshot(app)
    assert after == before
    assert len(after["votes"]) == 2


def test_content_load_updates_an_edited_article_without_touching_votes(
    app, runner, reader, tmp_path
):
    reader.vote({"credibility": 2, "relevance": 3})
    source = next(Path(app.root_path, "content", "articles").glob("*.md"))
    edited = source.read_text(encoding="utf-8").replace(
        'title = "Anthropic coupe', 'title = "Édité : Anthropic coupe'
    )
    (tmp_path / source.name).write_text(edited, encoding="utf-8")
    result = runner.invoke(args=["content", "load", "--dir", str(tmp_path)])
    assert "updated" in result.output
    assert "Édité : Anthropic coupe" in reader.open_article().get_data(as_text=True)
    assert len(snapshot(app)["votes"]) == 2


def test_content_load_reports_a_broken_file_clearly(runner, tmp_path):
    (tmp_path / "broken.md").write_text("no front matter here", encoding="utf-8")
    result = runner.invoke(args=["content", "load", "--dir", str(tmp_path)])
    assert result.exit_code != 0
    assert "broken.md: expected front matter" in result.output


def test_cleaned_article_keeps_every_source_sentence_word_for_word():
    """Every sentence of the scraped source is in the content file, its stripped quotations
    shown as […], and the caption fragment and closing questions are gone from the body."""
    content = read_content_file(
        next((Path(__file__).resolve().parents[1] / "forum/content/articles").glob("*.md"))
    )
    source = SOURCE.read_text(encoding="utf-8")
    body_words = content.body.replace("\n\n", " ").split()
    expected = source.split(' ": Anthropic')[0].replace('""', "[…]").replace(" ,", ",")
    # Paragraph breaks were restored where sentences had been glued together ("IA.Récemment").
    expected_words = " ".join(expected.replace(".", ". ").split()).replace(". ", ".").split()
    assert "".join(body_words).replace(".", "") == "".join(expected_words).replace(".", "")
    assert ": Anthropic" not in content.body
    assert "Pensez-vous" not in content.body
    assert content.poll_prompt == "Pensez-vous que cette annonce est crédible ou pertinente ?"
    assert content.discussion_prompt == "Quel est votre avis sur le sujet ?"


def test_read_content_file_rejects_bad_toml(tmp_path):
    path = tmp_path / "bad.md"
    path.write_text("+++\ntitle = \n+++\nbody", encoding="utf-8")
    try:
        read_content_file(path)
    except ContentError as error:
        assert "bad.md" in str(error)
    else:
        raise AssertionError("a broken front matter must raise ContentError")


def test_content_load_says_created_for_a_new_article(app, runner, tmp_path):
    source = next(Path(app.root_path, "content", "articles").glob("*.md"))
    text = source.read_text(encoding="utf-8")
    slug = next(line for line in text.splitlines() if line.startswith("slug"))
    (tmp_path / "new.md").write_text(
        text.replace(slug, 'slug = "un-nouvel-article"'), encoding="utf-8"
    )
    result = runner.invoke(args=["content", "load", "--dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "un-nouvel-article: created"


@pytest.mark.parametrize(
    ("reasons", "message"),
    [
        ('["' + "x" * 61 + '"]', "must have 1 to 60 characters"),
        ('["a", "b", "c", "d", "e", "f", "g", "h", "i"]', "at most 8, not 9"),
        ('["source floue", "   "]', "must have 1 to 60 characters"),
        ('["source floue", "Source floue"]', "each reason once"),
    ],
)
def test_content_load_refuses_reasons_the_settings_would_refuse(
    app, runner, tmp_path, reasons, message
):
    source = next(Path(app.root_path, "content", "articles").glob("*.md"))
    text = source.read_text(encoding="utf-8")
    slug = next(line for line in text.splitlines() if line.startswith("slug"))
    text = text.replace(slug, f'slug = "un-autre-article"\nreasons = {reasons}')
    (tmp_path / "reasons.md").write_text(text, encoding="utf-8")
    result = runner.invoke(args=["content", "load", "--dir", str(tmp_path)])
    assert result.exit_code != 0
    assert "reasons.md: reasons: " in result.output
    assert message in result.output and "Traceback" not in result.output
