"""Forms sent from a page of another origin, in Chromium, by a reader who has a vote, a
comment and a reply feed on the forum: every state-changing reader route refuses them
(readers' forms carry no CSRF token; forum.cross_origin reads the browser's Fetch Metadata),
and nothing is stored.

The other origin is a second small HTTP server on another port of the same host: the same
site, so the reader's SameSite=Lax cookies go with each form, and only the check of the
request's origin stands between the page and the reader's data.
"""

from __future__ import annotations

import html
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Comment, CommentVote, Flag, NoticeFeed, NoticeMail, Reader, Vote
from tests.access_table import ACCESS
from tests.browser.reader_helpers import post, vote_credible
from tests.conftest import ARTICLE_SLUG, CROSS_SITE_MESSAGE, add_comment, poll_field

pytestmark = pytest.mark.browser
# Every state-changing route but the staff areas' (their forms keep CSRF tokens).
READER_ROUTES = sorted(
    (method, rule)
    for method, rule in ACCESS
    if method == "POST" and not rule.startswith(("/moderation", "/staff"))
)


class AttackerPages(BaseHTTPRequestHandler):
    """GET /?action=URL&field=value...: a page whose form posts those fields to URL as soon
    as it loads."""

    def do_GET(self) -> None:
        query = parse_qs(urlsplit(self.path).query)
        if "action" not in query:  # the browser's /favicon.ico
            self.send_error(404)
            return
        action = query.pop("action")[0]
        fields = "".join(
            f'<input type="hidden" name="{html.escape(name)}" value="{html.escape(values[0])}">'
            for name, values in query.items()
        )
        body = (
            "<!doctype html><title>Un autre site</title>"
            f'<form method="post" action="{html.escape(action)}">{fields}</form>'
            # Not form.submit(): a field named "submit" hides the method.
            "<script>HTMLFormElement.prototype.submit.call(document.forms[0])</script>"
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def other_origin() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), AttackerPages)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


def stored(app) -> dict[str, object]:
    with app.app_context():
        counts = {
            model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Comment, Flag, NoticeFeed, NoticeMail, Reader, CommentVote, Vote)
        }
        bodies = db.session.execute(
            select(Comment.id, Comment.body_source, Comment.status).order_by(Comment.id)
        ).all()
        votes = db.session.execute(
            select(Vote.reader_hash, Vote.question_id, Vote.choice_id).order_by(Vote.id)
        ).all()
        return {
            **counts,
            "comments": [tuple(r) for r in bodies],
            "votes": [tuple(r) for r in votes],
        }


def test_forms_from_another_origin_change_nothing(app, page, live_server, other_origin):
    # The reader's footprint: a vote, a comment of their own, a reply feed.
    vote_credible(page)
    post(page, "Lectrice", "Mon avis à moi.")
    page.goto("/mes-reponses")
    page.get_by_role("button", name="Créer l'adresse de mon flux").click()
    others = add_comment(app, body="L'avis d'un autre lecteur.")
    with app.app_context():
        own = db.session.scalar(select(Comment.id).where(Comment.body_source == "Mon avis à moi."))
    ids = {"article_slug": ARTICLE_SLUG, "public": others, "own": own}
    field, choice = poll_field(app, "credibility", 4)
    forms = {
        "/articles/<slug>/vote": {field: str(choice)},
        "/articles/<slug>/comments": {"pseudonym": "Lectrice", "body": "Forgé.", "submit": "x"},
        "/comments/<int:comment_id>/flag": {"reason": "spam"},
        "/comments/<int:comment_id>/edit": {"body": "Texte remplacé.", "submit": "x"},
        "/comments/<int:comment_id>/delete": {"confirm": "y", "delete": "x"},
        "/mes-donnees/supprimer": {"confirm": "y"},
        "/mes-reponses/courriel": {"address": "lectrice@example.org"},
    }
    replies = {**forms["/articles/<slug>/comments"], "parent_id": str(others)}
    before = stored(app)
    sent = []
    for _method, rule in READER_ROUTES:
        url = (ACCESS[("POST", rule)].url or rule).format(**ids, comment=others)
        if rule in {"/comments/<int:comment_id>/edit", "/comments/<int:comment_id>/delete"}:
            url = url.replace(str(others), str(own))  # the reader's own comment
        for data in [forms.get(rule, {})] + ([replies] if rule.endswith("/comments") else []):
            query = {"action": live_server.url + url, **data}
            with page.expect_response(lambda r: r.request.method == "POST") as answer:
                page.goto(f"{other_origin}/?{urlencode(query)}")
            response = answer.value
            assert response.status == 403, f"{url}: {response.status}"
            page.wait_for_load_state()
            assert CROSS_SITE_MESSAGE in page.content(), url
            sent.append(url)
    assert len(sent) == len(READER_ROUTES) + 1 >= 12
    assert stored(app) == before
