"""The stance link: badges from the author's current poll answer, filter and summary."""

from __future__ import annotations

import re

from tests.comment_helpers import post_comment

BADGES = {0: "juge peu crédible", 3: "juge crédible", 4: "sans avis"}


def badge_of(html: str, comment_id: int) -> str | None:
    article = re.search(rf'id="c{comment_id}".*?</header>', html, re.S).group(0)
    found = re.search(r'badge-stance[^"]*">([^<]+)<', article)
    return found.group(1) if found else None


def test_badge_follows_the_authors_current_credibility_answer(reader, make_reader):
    post_comment(reader, body="Mon avis")
    html = make_reader().open_article().get_data(as_text=True)
    assert badge_of(html, 1) is None
    for position, label in BADGES.items():
        reader.vote({"credibility": position, "relevance": 2})
        assert badge_of(make_reader().open_article().get_data(as_text=True), 1) == label


def discussion(make_reader, votes: dict[str, int | None]):
    """One comment per pseudonym, its author answering credibility at that position."""
    for name, position in votes.items():
        author = make_reader()
        if position is not None:
            author.vote({"credibility": position, "relevance": 2})
        post_comment(author, body=f"Avis de {name}", pseudonym=name)


def shown_authors(html: str) -> list[str]:
    return re.findall(r'class="comment-author"[^>]*>([^<]+)<', html)


def test_filter_by_stance(make_reader):
    discussion(make_reader, {"Croit": 3, "Doute": 1, "Neutre": 4, "Muet": None, "Croit2": 2})
    viewer = make_reader()
    assert shown_authors(viewer.open_article(stance="credible").text) == ["Croit2", "Croit"]
    assert shown_authors(viewer.open_article(stance="not_credible").text) == ["Doute"]
    assert shown_authors(viewer.open_article(stance="neutral").text) == ["Neutre"]
    assert shown_authors(viewer.open_article(stance="none").text) == ["Muet"]
    assert len(shown_authors(viewer.open_article(stance="bogus").text)) == 5
    html = viewer.open_article(stance="credible", sort="oldest").text
    assert shown_authors(html) == ["Croit", "Croit2"]
    assert '<option value="credible" selected>' in html


def test_one_line_summary_per_side(make_reader, app):
    from tests.comment_helpers import update_comment

    discussion(make_reader, {"Croit": 3, "Doute": 1, "Croit2": 2})
    update_comment(app, 1, useful_count=4)
    update_comment(app, 3, useful_count=1)
    update_comment(app, 2, useful_count=1)
    html = make_reader().open_article().text.replace("&#39;", "'")
    lines = re.findall(r'<ul class="stance-summary".*?</ul>', html, re.S)[0]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", lines))
    assert "Jugent l'annonce crédible : 2 commentaires, 5 votes « utile »" in text
    assert "Jugent l'annonce peu crédible : 1 commentaire, 1 vote « utile »" in text
    assert "Sans avis" not in text
