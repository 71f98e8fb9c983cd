"""Each reader gets the interface in their language: their choice (the switch on every page,
a cookie), else their browser's Accept-Language, else French; caches are told which."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from flask import render_template_string

from forum import create_app
from forum.articles.content import CONTENT_DIR, read_content_dir, read_content_file
from forum.config import ConfigurationError
from forum.languages.selection import COOKIE
from forum.languages.switch import language_links
from forum.models import AuditEntry
from forum.moderation.audit_text import detail_phrases
from forum.templating import format_moment
from tests.comment_helpers import post_comment
from tests.conftest import ARTICLE_SLUG, TEST_SECRET, Reader

ARTICLE = f"/articles/{ARTICLE_SLUG}"
SWITCH_RE = re.compile(r'<nav class="language-switch"[^>]*>(.*?)</nav>', re.S)


def page_language(html: str) -> str:
    return re.search(r'<html lang="([^"]+)"', html).group(1)


def open_page(app, url: str = "/", **headers):
    return app.test_client().get(url, headers=headers)


@pytest.mark.parametrize(
    "header, language",
    [
        (None, "fr"),
        ("en", "en"),
        ("en-US,en;q=0.9", "en"),  # what Chromium sends
        ("de-DE, en;q=0.5, fr;q=0.8", "fr"),  # the best offered one, by q-value
        ("fr-CA;q=0.3, en-GB;q=0.7", "en"),
        ("de, es", "fr"),  # nothing offered: the default
        ("*", "fr"),
    ],
)
def test_the_browser_language_chooses_among_the_offered_ones(app, header, language):
    response = open_page(app, **({"Accept-Language": header} if header else {}))
    html = response.get_data(as_text=True)
    assert page_language(html) == language
    assert response.headers["Content-Language"] == language
    assert {"Accept-Language", "Cookie"} <= set(response.vary)
    if language == "en":
        assert "Skip to content" in html and "Aller au contenu" not in html
    else:
        assert "Aller au contenu" in html and "Skip to content" not in html


def test_choosing_a_language_is_remembered_over_the_browser_one(app):
    client = app.test_client()
    response = client.get("/langue/en?next=/confidentialite", headers={"Accept-Language": "fr"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/confidentialite"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(f"{COOKIE}=en;")
    assert "Max-Age=31536000" in cookie and "SameSite=Lax" in cookie and "HttpOnly" in cookie

    page = client.get("/confidentialite", headers={"Accept-Language": "fr"})
    assert page_language(page.get_data(as_text=True)) == "en"
    assert page.headers["Content-Language"] == "en"
    assert "Cookie" in page.vary

    client.get("/langue/fr?next=/")
    assert page_language(client.get("/", headers={"Accept-Language": "en"}).text) == "fr"


@pytest.mark.parametrize(
    "target",
    ["//evil.example/", "https://evil.example/", "/\\evil.example", "evil", "", "/%0d%0aX:1"],
)
def test_the_switch_only_returns_to_a_page_of_this_site(app, target):
    response = app.test_client().get("/langue/en", query_string={"next": target})
    assert response.status_code == 303
    location = response.headers["Location"]
    assert location.startswith("/") and not location.startswith("//")
    assert "evil.example" not in location


def test_an_unknown_language_is_a_styled_page_in_the_readers_language(app):
    response = open_page(app, "/langue/de?next=/", **{"Accept-Language": "en"})
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert page_language(html) == "en"
    assert "This language is not offered on this forum." in html
    assert "Set-Cookie" not in response.headers or COOKIE not in response.headers["Set-Cookie"]


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_page_shows_a_switch_to_each_language_back_to_itself(app, staff, language):
    moderator = staff("moderator")
    headers = {"Accept-Language": language}
    pages = {
        "/": Reader(app).client.get("/", headers=headers),
        ARTICLE: Reader(app).client.get(ARTICLE, headers=headers),
        "/moderation": moderator.client.get("/moderation", headers=headers),
        "/articles/inconnu": Reader(app).client.get("/articles/inconnu", headers=headers),
    }
    for path, response in pages.items():
        switch = SWITCH_RE.search(response.get_data(as_text=True)).group(1)
        assert f'href="/langue/en?next={path}" lang="en" hreflang="en"' in switch
        assert 'lang="fr" hreflang="fr"' in switch and ">Français</a>" in switch
        assert ">English</a>" in switch
        current = "English" if language == "en" else "Français"
        assert f'aria-current="true">{current}</a>' in switch


@pytest.mark.parametrize(
    "language, locale, alternates", [("fr", "fr_FR", ["en_GB"]), ("en", "en_GB", ["fr_FR"])]
)
def test_a_shared_article_names_its_interface_locale_and_the_other_ones(
    app, language, locale, alternates
):
    html = open_page(app, ARTICLE, **{"Accept-Language": language}).get_data(as_text=True)
    assert re.findall(r'<meta property="og:locale" content="([^"]*)">', html) == [locale]
    assert re.findall(r'<meta property="og:locale:alternate" content="([^"]*)">', html) == (
        alternates
    )


def test_a_page_answering_a_form_switches_back_to_the_form_page(app, reader):
    refused = post_comment(reader, "", headers={"Referer": f"http://localhost{ARTICLE}"})
    assert refused.status_code == 400
    switch = SWITCH_RE.search(refused.get_data(as_text=True)).group(1)
    assert f"next={ARTICLE}" in switch


def test_a_comment_keeps_the_language_its_author_wrote_it_in(app):
    english_reader = Reader(app)
    english_reader.client.set_cookie(COOKIE, "en")
    assert (
        post_comment(english_reader, "A point made in English.", pseudonym="Ann").status_code == 302
    )
    assert post_comment(Reader(app), "Un avis en français.", pseudonym="Anne").status_code == 302

    french_page = Reader(app).open_article().text
    assert '<div class="comment-body" lang="en"><p>A point made in English.' in french_page
    assert '<div class="comment-body"><p>Un avis en français.' in french_page
    english_page = Reader(app).client.get(ARTICLE, headers={"Accept-Language": "en"}).text
    assert '<div class="comment-body"><p>A point made in English.' in english_page
    assert '<div class="comment-body" lang="fr"><p>Un avis en français.' in english_page
    export = english_reader.client.get("/mes-donnees.json").get_json()
    assert [c["language"] for c in export["comments"]] == ["en"]


def test_the_article_and_its_poll_keep_their_language_on_an_english_page(app):
    english = Reader(app).client.get(ARTICLE, headers={"Accept-Language": "en"}).text
    for element in ("<h1", '<p class="standfirst"', '<div class="article-body"', "<legend"):
        assert f'{element} lang="fr">' in english, element
    french = Reader(app).open_article().text
    for element in ("<h1", '<p class="standfirst"', '<div class="article-body"', "<legend"):
        assert f"{element}>" in french, element


def test_an_article_file_may_declare_its_language(tmp_path):
    assert [article.language for article in read_content_dir()] == ["fr"]  # the shipped one
    shipped = next(CONTENT_DIR.glob("*.md")).read_text(encoding="utf-8")
    source = tmp_path / "article.md"
    source.write_text(shipped.replace('language = "fr"', 'language = "en"'), encoding="utf-8")
    assert read_content_file(source).language == "en"
    source.write_text(shipped.replace('language = "fr"\n', ""), encoding="utf-8")
    assert read_content_file(source).language == "fr"  # the default


@pytest.mark.parametrize(
    "language, expected",
    [
        ("fr", ["0 vote", "1 vote", "2 votes", "12\u202f345 votants", "42\u00a0%"]),
        ("en", ["0 votes", "1 vote", "2 votes", "12,345 voters", "42%"]),
    ],
)
def test_counts_and_percentages_follow_the_interface_locale(app, language, expected):
    template = (
        "{% for n in (0, 1, 2) %}{{ ngettext('%(num)s vote', '%(num)s votes', n, num=n|number) }}"
        "|{% endfor %}{{ ngettext('%(num)s votant', '%(num)s votants', 12345, "
        "num=12345|number) }}|{{ 42|percent }}"
    )
    with app.test_request_context(headers={"Accept-Language": language}):
        assert render_template_string(template).split("|") == expected


def test_a_ban_ends_at_a_date_written_in_the_interface_locale(app):
    moment = datetime(2026, 12, 5, 8, 30)  # stored in UTC; shown in Europe/Paris
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert format_moment(moment) == "5 décembre 2026, 09:30"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert format_moment(moment) == "December 5, 2026, 9:30\u202fAM"


@pytest.mark.parametrize(
    "language, expected",
    [
        (
            "fr",
            ["3 votes retenus libérés", "adresse ab12…", "fenêtre du 05/12/2026 08:00 au 08:10"],
        ),
        (
            "en",
            ["3 held votes released", "address ab12…", "window from 12/5/26, 8:00\u202fAM to 8:10"],
        ),
    ],
)
def test_a_held_vote_decision_is_logged_as_codes_and_read_in_each_language(app, language, expected):
    details = "count=3; address=ab12; window=2026-12-05T08:00/2026-12-05T08:10"
    entry = AuditEntry(action="votes_release", details=details)
    old_entry = AuditEntry(action="votes_discard", details="2 votes retenus écartés")
    with app.test_request_context(headers={"Accept-Language": language}):
        assert [phrase.removesuffix("\u202fAM (UTC)").removesuffix(" (UTC)") for phrase in
                detail_phrases(entry)] == expected  # fmt: skip
        assert detail_phrases(old_entry) == ["2 votes retenus écartés"]  # shown as stored


def test_the_offered_languages_are_a_setting(monkeypatch):
    monkeypatch.setenv("FORUM_LANGUAGES", "fr, en")
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": TEST_SECRET})
    assert app.config["FORUM_LANGUAGES"] == ["fr", "en"]
    monkeypatch.setenv("FORUM_LANGUAGES", "en")
    with pytest.raises(ConfigurationError, match="BABEL_DEFAULT_LOCALE"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": TEST_SECRET})
    monkeypatch.delenv("FORUM_LANGUAGES")
    french_only = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "SECRET_KEY": TEST_SECRET,
            "FORUM_LANGUAGES": ["fr"],
        }
    )
    with french_only.test_request_context(headers={"Accept-Language": "en"}):
        assert render_template_string("{{ _('Mes données') }}") == "Mes données"
        assert [link.code for link in language_links()] == ["fr"]


def test_the_vote_notice_is_shown_in_the_language_of_the_page_that_shows_it(app):
    reader = Reader(app)
    voted = reader.vote({"credibility": 3, "relevance": 1}, headers={"Accept-Language": "fr"})
    assert voted.status_code == 302
    # The reader switches to English before the page after the vote is shown.
    page = reader.client.get(voted.headers["Location"], headers={"Accept-Language": "en"}).text
    assert page_language(page) == "en"
    assert "Your vote is saved" in page and "Votre vote est enregistré" not in page


def test_a_flashed_message_outside_the_catalog_is_shown_as_it_is(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        html = render_template_string("{{ '50 % du texte, « %(x)s »'|translated }}")
    assert html == "50 % du texte, « %(x)s »"
