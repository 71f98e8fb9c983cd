"""A walk through every page of the app, each rendered with something in every part:
comments, replies, poll results, form errors and error pages for readers; items in every
queue for the staff. The Nu HTML checker (tests/test_validity.py) and the interface
language check (tests/test_interface_language.py) both read the pages it keeps."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from werkzeug.test import TestResponse

from tests.comment_helpers import comments, post_comment, seed_comments
from tests.conftest import ARTICLE_SLUG, Reader

ARTICLE = f"/articles/{ARTICLE_SLUG}"


class Pages:
    """HTML responses kept as files named after what they show, with the route of each."""

    def __init__(self, app: Flask, directory: Path):
        self.directory = directory
        self.adapter = app.url_map.bind("localhost")
        self.files: list[Path] = []
        self.routes: set[tuple[str, str]] = set()

    def keep(self, name: str, response: TestResponse, status: int = 200) -> None:
        assert response.status_code == status, f"{name}: {response.status_code}"
        assert response.mimetype == "text/html", f"{name}: {response.mimetype}"
        request = response.request
        rule, _args = self.adapter.match(request.path, method=request.method, return_rule=True)
        self.routes.add((request.method, rule.rule))
        path = self.directory / f"{name}.html"
        path.write_bytes(response.get_data())
        self.files.append(path)


def done(response: TestResponse) -> None:
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:2000]


def render_reader_pages(app: Flask, pages: Pages, moderator, admin) -> None:
    """Comments, replies, a rejected, a pending, a featured and a deleted comment, votes."""
    alice, bob, carol = Reader(app), Reader(app), Reader(app)
    words = "/moderation/words"
    done(admin.post_form(words, {"word": "arnaque", "kind": "suspect"}, words))
    done(alice.vote({"credibility": 0, "relevance": 1}))
    done(bob.vote({"credibility": 3, "relevance": 4}))  # same address: a burst on the dashboard
    for body in ("Premier avis, argumenté.", "Deuxième avis.", "Troisième avis.", "Encore un."):
        done(post_comment(alice, body, pseudonym="Alice"))
    first, second, third, _fourth = (c.id for c in comments(app))
    done(post_comment(alice, "Une arnaque ?", pseudonym="Alice"))  # a suspect word: pending
    done(post_comment(bob, "Une réponse.", pseudonym="Bob", parent_id=first))
    done(post_comment(carol, "Une réponse effacée ensuite.", pseudonym="Carol", parent_id=first))
    replied = comments(app)[-1].id
    done(post_comment(bob, "Une réponse à la réponse.", pseudonym="Bob", parent_id=replied))
    done(post_comment(carol, "Un avis effacé ensuite.", pseudonym="Carol"))
    gone = comments(app)[-1].id
    done(post_comment(bob, "Un avis que Bob modifie.", pseudonym="Bob"))
    bobs = comments(app)[-1].id
    for comment_id in (replied, gone):
        done(carol.post_form(f"/comments/{comment_id}/delete", {"confirm": "y"}))
    done(bob.post_form(f"/comments/{first}/useful", {}))
    done(bob.post_form(f"/comments/{second}/flag", {"reason": "spam"}, f"/comments/{second}/flag"))
    done(moderator.post_form(f"/moderation/comments/{first}/feature", {}))
    done(moderator.post_form(f"/moderation/comments/{third}/reject", {"reason": "off_topic"}))
    ban = {"duration": "24h", "reason": "Hors sujet répété"}
    done(moderator.post_form(f"/moderation/comments/{third}/ban", ban))
    newsroom = Reader(app)
    newsroom.client = moderator.client
    done(post_comment(newsroom, "Avis de la rédaction."))

    pages.keep("index", Reader(app).client.get("/"))
    pages.keep("article-anonymous", Reader(app).open_article())
    [long_thread] = seed_comments(
        app, 1, replies_per_thread=6, reader_prefix="long", start_minutes_ago=0
    )
    collapsed = Reader(app).open_article()
    assert 'class="more-replies"' in collapsed.get_data(as_text=True)  # in any language
    pages.keep("article-long-thread-collapsed", collapsed)
    pages.keep("article-long-thread-whole", Reader(app).open_article(fil=long_thread))
    pages.keep("article-results", Reader(app).open_article(resultats=1))
    pages.keep("article-page-2", Reader(app).open_article(page=2))
    pages.keep("both-sides", Reader(app).client.get(f"{ARTICLE}/deux-camps"))
    pages.keep("over-time", Reader(app).client.get(f"{ARTICLE}/resultats-dans-le-temps"))
    pages.keep("over-time-staff", moderator.client.get(f"{ARTICLE}/resultats-dans-le-temps"))
    pages.keep("article-filtered", Reader(app).open_article(stance="credible", sort="useful"))
    pages.keep("article-author", alice.open_article())  # with the notice of Bob's replies
    pages.keep("article-reply-form", bob.open_article(repondre=second))
    pages.keep("article-staff", moderator.client.get(ARTICLE))
    pages.keep("comment-preview", post_comment(bob, "**Aperçu**", button="preview"))
    pages.keep("comment-error", post_comment(bob, ""), 400)
    pages.keep("reply-error", post_comment(bob, "", parent_id=second), 400)
    pages.keep("vote-error", Reader(app).vote({}), 400)
    # Alice is banned by now (her third comment): she may no longer edit, Bob may.
    edit = f"/comments/{bobs}/edit"
    pages.keep("edit", bob.client.get(edit))
    pages.keep("edit-preview", bob.post_form(edit, {"body": "Revu", "preview": "x"}, edit))
    pages.keep("edit-error", bob.post_form(edit, {"body": "", "submit": "x"}, edit), 400)
    pages.keep("delete-unconfirmed", bob.post_form(f"/comments/{bobs}/delete", {}, edit), 400)
    pages.keep("edit-while-banned", alice.client.get(f"/comments/{second}/edit"), 403)
    flag = f"/comments/{first}/flag"
    pages.keep("flag", carol.client.get(flag))
    pages.keep("flag-error", carol.post_form(flag, {"reason": ""}, flag), 400)
    pages.keep("my-data-empty", Reader(app).client.get("/mes-donnees"))
    pages.keep("my-data", alice.client.get("/mes-donnees"))
    pages.keep("erase-unconfirmed", alice.post_form("/mes-donnees/supprimer", {}), 400)
    pages.keep("privacy", Reader(app).client.get("/confidentialite"))
    pages.keep("my-replies-empty", Reader(app).client.get("/mes-reponses"))
    pages.keep("my-replies-no-feed", alice.client.get("/mes-reponses"))
    done(alice.post_form("/mes-reponses/flux", {}, "/mes-reponses"))
    pages.keep("my-replies", alice.client.get("/mes-reponses"))
    unsubscribe = "/mes-reponses/courriel/desabonner/faux"
    pages.keep("unsubscribe-unknown", Reader(app).client.get(unsubscribe))
    pages.keep("error-404", Reader(app).client.get("/articles/inconnu"), 404)
    pages.keep("error-403", carol.client.get(edit), 403)
    pages.keep("error-410", Reader(app).client.get(f"/comments/{gone}"), 410)


def render_staff_pages(app: Flask, pages: Pages, staff, moderator, admin) -> None:
    login = staff("moderator", "nouvelle@redaction.example", login=False)
    pages.keep("login", login.client.get("/staff/login"))
    pages.keep("login-error", login.login(password="pas le bon mot de passe"), 400)
    password = "/staff/password"
    pages.keep("password", moderator.client.get(password))
    pages.keep(
        "password-error", moderator.post_form(password, {"new_password": "court"}, password), 400
    )
    for tab in ("pending", "reported", "recent", "rejected"):
        queue = moderator.client.get(f"/moderation?tab={tab}")
        assert 'class="queue-item"' in queue.get_data(as_text=True), f"{tab}: empty queue"
        pages.keep(f"queue-{tab}", queue)
    pages.keep("articles", moderator.client.get("/moderation/articles"))
    integrity = f"/moderation/articles/{ARTICLE_SLUG}/integrite"
    pages.keep("integrity-empty", moderator.client.get(integrity))
    for _ in range(app.config["FORUM_VOTE_BURST_COUNT"] + 1):  # one more than the allowance
        done(Reader(app).vote({"credibility": 1, "relevance": 1}))
    pages.keep("integrity", moderator.client.get(integrity))
    pages.keep("article-results-held", Reader(app).open_article(resultats=1))
    over_time = f"{ARTICLE}/resultats-dans-le-temps"
    pages.keep("over-time-held", Reader(app).client.get(over_time))
    pages.keep("over-time-held-staff", moderator.client.get(over_time))
    done(moderator.post_form(integrity, {"discard": "1"}, integrity))
    pages.keep("integrity-decided", moderator.client.get(integrity))
    pages.keep("bans", moderator.client.get("/moderation/bans"))
    pages.keep("dashboard", admin.client.get("/moderation/dashboard"))
    pages.keep("words", admin.client.get("/moderation/words"))
    pages.keep(
        "words-error", admin.post_form("/moderation/words", {"word": ""}, "/moderation/words"), 400
    )
    pages.keep("audit", admin.client.get("/moderation/audit"))
    pages.keep("audit-filtered", admin.client.get("/moderation/audit?action=reject"))
    pending = next(c.id for c in comments(app) if c.status == "pending")
    refused = moderator.post_form(f"/moderation/comments/{pending}/reject", {"reason": ""})
    pages.keep("reject-without-reason", refused, 400)
