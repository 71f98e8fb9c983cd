"""Hostile bodies and pseudonyms: never a 500, never executable markup in what we store."""

from __future__ import annotations

import secrets
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from forum.markdown import COMMENT_TAGS
from tests.comment_helpers import COMMENTS_URL, comments, post_comment
from tests.conftest import csrf_token


@pytest.fixture
def app_config() -> dict:
    # One reader sends the whole corpus: the spam rules (same body twice, link cap) would
    # refuse part of it, and this file tests markup safety, not spam.
    return {"FORUM_DUPLICATE_WINDOW_MINUTES": 0, "FORUM_MAX_LINKS": 10_000}


PAYLOADS = [
    "<script>alert(1)</script>",
    "<ScRiPt>alert(1)</sCrIpT>",
    "<scr<script>ipt>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)><circle/></svg>",
    "<svg><a xlink:href=javascript:alert(1)><text>x</text></a></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<iframe src=//evil.example></iframe>",
    "<object data=x></object><embed src=x>",
    "<style>body{display:none}</style>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<p onclick=alert(1)>x</p>",
    "<details open ontoggle=alert(1)>",
    "<form action=javascript:alert(1)><button>x</button></form>",
    "<meta http-equiv=refresh content=0;url=javascript:alert(1)>",
    "<base href=javascript:/><link rel=stylesheet href=x>",
    "<video><source onerror=alert(1)></video>",
    '<a href="javascript:alert(1)">x</a>',
    "[clic](javascript:alert(1))",
    "[clic](JaVaScRiPt:alert(1))",
    "[clic](java\tscript:alert(1))",
    "[clic](&#106;avascript:alert(1))",
    "[clic](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](data:image/svg+xml,<svg onload=alert(1)>)",
    "[clic](vbscript:msgbox(1))",
    "[a](<javascript:alert(1)>)",
    "[a]: javascript:alert(1)\n\n[a]",
    '[x](https://exemple.fr "titre" onmouseover=alert(1))',
    '<https://exemple.fr/"onmouseover="alert(1)>',
    "<javascript:alert(1)>",
    "![image](https://exemple.fr/x.png)",
    "![x](javascript:alert(1))",
    "**non fermé *mélange _ ` ```",
    "```\n<script>alert(1)</script>\n```",
    "`<b>code</b>`",
    "> > > > > citation\n> profonde",
    "1. un\n   - deux\n     * trois\n       > quatre",
    "&lt;script&gt;alert(1)&lt;/script&gt; &#0; &#x0;",
    "<!-- commentaire --><script>",
    "\\<script\\>",
    "\u202eevil\u202c texte inversé \u2066isolé\u2069",
    "zéro\u200blargeur\u200d\ufeff",
    "A" * 10_000,
    "mot" * 1600,
    "x" * 4900,
    "nul\x00byte\x00",
    "\x00\x01\x02\x1f\x7f\x85",
    "😀👍🏽🇫🇷 emoji 👩‍👩‍👧",
    "{{ 7*7 }} {% raw %} ${7*7}",
    "%(name)s %s {0}",
    "' OR 1=1 -- ; DROP TABLE comments;",
    "\r\n\r\n\r\n",
]
BODIES = PAYLOADS + [
    f"Avant\n\n{payload}\n\n[lien](https://exemple.fr) après" for payload in PAYLOADS
]

PSEUDONYMS = [
    "<script>",
    '"><img src=x onerror=alert(1)>',
    "Zoé\u202e",
    "a\u200bb",
    "Ｒéｄａｃｔｉｏｎ",
    "ＡＤＭＩＮ",
    "\x00nul",
    "😀😀",
    "a" * 41,
    "   ",
    "Robert'); DROP TABLE--",
    "{{7*7}}",
    "l'ami",
    "Jean-Marc_2.0",
    "名前",
    "محمد",
    "Zoé\nligne",
    "\ttab",
    "javascript:alert(1)",
    "Mod\u00e9rateur",
    "MODERATEUR",
    "ad min",
    "Ｓｔａｆｆ",
    "Ħélène",
    "e\u0301té",
]
SAFE_SCHEMES = {"", "http", "https", "mailto"}


class MarkupCheck(HTMLParser):
    """Collects every tag and attribute that a browser would see."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        for name, value in attrs:
            if name.startswith("on") or name in {"style", "src", "srcdoc", "formaction"}:
                self.problems.append(f"{tag} {name}={value}")
            if name in {"href", "action", "xlink:href"}:
                scheme = urlsplit((value or "").strip()).scheme.lower()
                if scheme not in SAFE_SCHEMES:
                    self.problems.append(f"{tag} {name}={value}")


def check_markup(html: str, allowed: set[str]) -> MarkupCheck:
    checker = MarkupCheck()
    checker.feed(html)
    checker.close()
    assert not checker.problems, checker.problems
    assert checker.tags <= allowed, checker.tags - allowed
    return checker


def test_hostile_bodies_are_stored_without_executable_markup(reader, app):
    html = reader.open_article().get_data(as_text=True)
    token = csrf_token(html)
    statuses = []
    for body in BODIES:
        response = reader.client.post(
            COMMENTS_URL,
            data={
                "csrf_token": token,
                "submission_token": secrets.token_urlsafe(16),
                "pseudonym": "Testeuse",
                "body": body,
                "submit": "x",
            },
        )
        statuses.append(response.status_code)
    assert len(BODIES) >= 100
    assert set(statuses) <= {302, 400}, statuses
    assert statuses.count(302) >= 95
    stored = comments(app)
    for comment in stored:
        check_markup(comment.body_html, COMMENT_TAGS)
        assert "\x00" not in comment.body_source
    page = reader.open_article()
    assert page.status_code == 200
    section = page.get_data(as_text=True).split('id="discussion"', 1)[1].split("</main>")[0]
    check_markup(
        section,
        COMMENT_TAGS
        | {
            "section",
            "h2",
            "h3",
            "p",
            "a",
            "ul",
            "li",
            "ol",
            "form",
            "input",
            "label",
            "select",
            "option",
            "button",
            "div",
            "span",
            "article",
            "header",
            "time",
            "textarea",
            "nav",
        },
    )


def test_hostile_pseudonyms_are_refused_or_shown_escaped(reader, app):
    token = csrf_token(reader.open_article().get_data(as_text=True))
    for name in PSEUDONYMS:
        response = reader.client.post(
            COMMENTS_URL,
            data={
                "csrf_token": token,
                "submission_token": secrets.token_urlsafe(16),
                "pseudonym": name,
                "body": "Bonjour",
                "submit": "x",
            },
        )
        assert response.status_code in {302, 400}, (name, response.status_code)
        assert "<script>" not in response.get_data(as_text=True)
    names = {c.author_name for c in comments(app)}
    # Invisible format characters are dropped: "Zoé\u202e" is Zoé, "a\u200bb" is ab.
    assert names == {
        "l'ami",
        "Jean-Marc_2.0",
        "名前",
        "محمد",
        "Ħélène",
        "été",
        "tab",
        "Zoé ligne",
        "Zoé",
        "ab",
    }
    assert reader.open_article().status_code == 200


def test_typed_html_is_shown_as_code_and_the_writer_is_told_before_sending(reader, app):
    page = reader.open_article().get_data(as_text=True).replace("&#39;", "'")
    assert "le HTML s'affiche tel quel, comme du code" in page
    preview = post_comment(reader, "Voici <b>gras</b>", button="preview").get_data(as_text=True)
    assert "Voici <code>&lt;b&gt;</code>gras<code>&lt;/b&gt;</code>" in preview
    post_comment(reader, "<script>alert(1)</script>")
    assert (
        comments(app)[-1].body_html
        == "<pre><code>&lt;script&gt;alert(1)&lt;/script&gt;</code></pre>"
    )
