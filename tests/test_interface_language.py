"""Every page, reader and staff, is wholly in the reader's interface language: rendered in
English (asked by the browser, or chosen with the switch) it shows no French string of the
interface, and in French no English one. Content keeps its language and is left out: the
elements marked with another `lang` (the article, its poll), and the texts the test posts.

The pages are those of the Nu checker's walk (tests/page_walk.py), so a new page is
checked here as soon as it is checked there.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from babel.messages.pofile import read_po
from flask.testing import FlaskClient

from forum.extensions import db
from forum.extensions_setup import TRANSLATIONS
from forum.languages.selection import COOKIE
from forum.models import Article, PollChoice, PollQuestion
from tests.page_walk import Pages, render_reader_pages, render_staff_pages

# What the walk of the pages posts: readers' text, which stays as its authors wrote it.
POSTED = [
    "Premier avis, argumenté.",
    "Deuxième avis.",
    "Troisième avis.",
    "Encore un.",
    "Une arnaque ?",
    "Une réponse à la réponse.",
    "Une réponse effacée ensuite.",
    "Une réponse.",
    "Un avis effacé ensuite.",
    "Un avis que Bob modifie.",
    "Avis de la rédaction.",
    "Hors sujet répété",
    "arnaque",
    "Aperçu",
    "Revu",
]
USER_FACING_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}  # fmt: skip
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


@pytest.fixture
def app_config() -> dict:
    return {"FORUM_COMMENTS_PER_PAGE": 3, "FORUM_VOTE_BURST_COUNT": 2}


# Words both languages write alike: on their own they say nothing of a page's language.
# Reviewed by hand, so that a translation left as a copy of its French msgid is caught.
SAME_IN_BOTH = {"Action", "Article", "Articles", "Date", "Discussion", "Forum", "Page", "Pages",
                "Question", "Source", "Spam", "Votes", "console", "minute", "minutes", "vote",
                "votes", "permanent", "second"}  # fmt: skip


def interface_phrases(language: str) -> set[str]:
    """The fixed parts of the interface strings in `language` (between placeholders): on a
    page in the other language, any of them is a string left untranslated."""
    french, english = _fixed_parts()
    return (french if language == "fr" else english) - SAME_IN_BOTH


def _fixed_parts() -> tuple[set[str], set[str]]:
    """The French and the English fixed parts (between placeholders) of every message."""
    with (TRANSLATIONS / "en/LC_MESSAGES/messages.po").open("rb") as handle:
        catalog = read_po(handle, locale="en")
    french, english = set(), set()
    for message in catalog:
        if message.id:
            french |= _parts(message.id)
            english |= _parts(message.string)
    return french, english


def _parts(texts: str | tuple[str, ...]) -> set[str]:
    found = set()
    for text in (texts,) if isinstance(texts, str) else texts:
        for part in PLACEHOLDER.split(text):
            part = " ".join(part.split()).strip(" :,.()«»“”")
            if sum(c.isalpha() for c in part) >= 4:
                found.add(part)
    return found


class InterfaceText(HTMLParser):
    """The text and user-facing attributes of a page, without the elements whose `lang`
    differs from the page's (content in its own language), scripts and styles."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.page_language = None
        self.parts: list[str] = []
        self._stack: list[bool] = []  # per open element: is it (inside) left-out content

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "html":
            self.page_language = attributes.get("lang")
        inside = bool(self._stack and self._stack[-1])
        other = "lang" in attributes and attributes["lang"] != self.page_language
        left_out = inside or other or tag in {"script", "style"}
        if not left_out:
            self.parts += [value for name, value in attrs if name in USER_FACING_ATTRIBUTES]
            if tag in {"button", "input"} and attributes.get("type") in {"submit", "button"}:
                self.parts.append(attributes.get("value") or "")
        if tag not in VOID:
            self._stack.append(left_out)

    def handle_endtag(self, tag):
        if tag not in VOID and self._stack:
            self._stack.pop()

    def handle_data(self, data):
        if not (self._stack and self._stack[-1]):
            self.parts.append(data)


def interface_text(html: str, content: list[str]) -> tuple[str, str]:
    parser = InterfaceText()
    parser.feed(html)
    text = " ".join(" ".join(parser.parts).split())
    for known in sorted(content, key=len, reverse=True):
        text = text.replace(" ".join(known.split()), " ")
    return parser.page_language, text


def shipped_content(app) -> list[str]:
    with app.app_context():
        texts = [
            value
            for article in db.session.scalars(db.select(Article))
            for value in (article.title, article.standfirst, article.source, article.editor_note)
        ]
        texts += db.session.scalars(db.select(PollQuestion.prompt)).all()
        texts += db.session.scalars(db.select(PollQuestion.headline)).all()
        texts += db.session.scalars(db.select(PollChoice.label)).all()
    return [text for text in texts if text]


def client_in(language: str, *, by: str) -> type[FlaskClient]:
    """A test client whose browser asks for `language`, or that chose it with the switch
    while its browser asks for the other one."""
    other = "fr" if language == "en" else "en"

    class Client(FlaskClient):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.environ_base["HTTP_ACCEPT_LANGUAGE"] = language if by == "header" else other
            if by == "cookie":
                self.set_cookie(COOKIE, language)

    return Client


@pytest.mark.parametrize(
    "language, by",
    [
        pytest.param("en", "header", id="en-asked"),
        pytest.param("en", "cookie", id="en-chosen"),
        pytest.param("fr", "cookie", id="fr-chosen"),
    ],
)
def test_every_page_is_in_one_interface_language(app, staff, tmp_path, language, by):
    app.test_client_class = client_in(language, by=by)
    moderator, admin = staff("moderator"), staff("admin")
    pages = Pages(app, tmp_path)
    render_reader_pages(app, pages, moderator, admin)
    render_staff_pages(app, pages, staff, moderator, admin)

    phrases = interface_phrases("fr" if language == "en" else "en")
    pattern = re.compile(r"(?<!\w)(" + "|".join(map(re.escape, phrases)) + r")(?!\w)")
    content = shipped_content(app) + POSTED
    wrong = {}
    for path in pages.files:
        page_language, text = interface_text(path.read_text(), content)
        assert page_language == language, f"{path.stem}: <html lang={page_language}>"
        if found := sorted(set(pattern.findall(text))):
            wrong[path.stem] = found
    assert not wrong, f"strings of the other language on {language} pages: {wrong}"
    assert len(pages.files) > 40


def test_the_check_sees_interface_text_and_leaves_content_out():
    html = (
        '<html lang="en"><body><p>Mes données</p><div lang="fr"><p>Mes votes</p></div>'
        '<button aria-label="Effacer le cookie">x</button><p>Un avis.</p></body></html>'
    )
    language, text = interface_text(html, ["Un avis."])
    assert language == "en"
    assert "Mes données" in text and "Effacer le cookie" in text
    assert "Mes votes" not in text and "Un avis" not in text
    assert {"Mes données", "Effacer le cookie"} <= interface_phrases("fr")
    assert "My data" in interface_phrases("en") and "Mes données" not in interface_phrases("en")
