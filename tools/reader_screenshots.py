"""Shoot the reader's page into docs/screenshots/reader-*.png, desktop and phone.

    .venv/bin/python tools/reader_screenshots.py

Seeds a fresh SQLite database (in a temporary folder) with the shipped article, voters
and a busy discussion, serves it on a free loopback port and drives Debian's Chromium
(/usr/bin/chromium) through Playwright: before and after a vote, a long thread, a reply
in progress. Run it again after changing the page; it overwrites the files.
"""

from __future__ import annotations

import secrets
import sys
import tempfile
import threading
from datetime import timedelta
from pathlib import Path

from flask_migrate import upgrade
from playwright.sync_api import sync_playwright
from sqlalchemy import select
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from forum import create_app  # noqa: E402
from forum.articles.content import read_content_dir  # noqa: E402
from forum.articles.services import load_articles  # noqa: E402
from forum.extensions import db  # noqa: E402
from forum.markdown import render_comment  # noqa: E402
from forum.models import Article, Comment, PollChoice, PollQuestion, Vote, utcnow  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
VIEWPORTS = {"desktop": (1280, 900), "phone": (375, 812)}

THREADS = [
    (
        "Claire M.",
        "positive",
        "L'annonce est crédible : couper l'accès d'un concurrent direct à "
        "son API, c'est une décision commerciale classique, et les conditions d'utilisation le "
        "prévoient noir sur blanc.",
    ),
    (
        "Julien_R",
        "negative",
        "Je reste prudent. Tant que les deux entreprises n'ont pas publié "
        "leur version, on ne lit qu'une source anonyme reprise de site en site.",
    ),
    (
        "Inès",
        "neutral",
        "Ce qui m'intéresse surtout, c'est ce que cela change pour les "
        "développeurs qui utilisent les deux services au quotidien.",
    ),
]
REPLIES = [
    (
        "Marc",
        "negative",
        "Une décision classique, peut-être, mais le moment choisi n'a rien "
        "d'anodin, juste avant une nouvelle version.",
    ),
    (
        "Sophie L.",
        "positive",
        "Les conditions d'utilisation interdisent explicitement de "
        "s'en servir pour construire un produit concurrent.",
    ),
    ("Hugo", None, "Quelqu'un a-t-il le texte exact de ces conditions ?"),
    ("Nadia", "positive", "Oui, la clause figure dans les conditions commerciales, section D.4."),
    ("Paul B.", "neutral", "Merci, c'est plus clair ainsi."),
    ("Léa", "negative", "Reste à savoir si d'autres clients seront concernés."),
    ("Thomas", "positive", "Le précédent existe déjà avec d'autres plateformes."),
]


def seed(app) -> None:
    with app.app_context():
        upgrade()
        load_articles(read_content_dir())
        article = db.session.execute(select(Article)).scalars().first()
        questions = db.session.execute(
            select(PollQuestion).where(PollQuestion.article_id == article.id)
        ).scalars()
        # One choice per stance and question: a commenter's badge follows their answer.
        ballot = [(q, {c.stance: c for c in q.choices}) for q in questions]
        start = utcnow() - timedelta(hours=5)
        for n, (name, stance, body) in enumerate(THREADS):
            top = _comment(article, name, body, start + timedelta(minutes=40 * n))
            _vote(ballot, top.reader_hash, stance)
            db.session.add(top)
            db.session.flush()
            for m, (reply_name, reply_stance, reply_body) in enumerate(
                REPLIES if n == 0 else REPLIES[:2]
            ):
                when = top.created_at + timedelta(minutes=3 * (m + 1))
                reply = _comment(article, reply_name, reply_body, when)
                reply.parent_id = reply.thread_id = top.id
                reply.depth = 1
                reply.useful_count = (m * 3) % 5
                _vote(ballot, reply.reader_hash, reply_stance)
                db.session.add(reply)
        # Voters who did not comment, so the results have some weight.
        for n, stance in enumerate(["positive"] * 9 + ["negative"] * 6 + ["neutral"] * 4):
            _vote(ballot, f"voter-{n}".ljust(64, "0"), stance)
        db.session.commit()


def _comment(article: Article, name: str, body: str, when) -> Comment:
    return Comment(
        article_id=article.id,
        reader_hash=name.encode().hex().ljust(64, "0")[:64],
        author_name=name,
        body_source=body,
        body_html=render_comment(body),
        created_at=when,
        status="approved",
    )


_voted: set[str] = set()


def _vote(ballot: list[tuple[PollQuestion, dict[str, PollChoice]]], reader_hash, stance):
    if stance is None or reader_hash in _voted:
        return
    _voted.add(reader_hash)
    for question, choices in ballot:
        db.session.add(
            Vote(question_id=question.id, choice_id=choices[stance].id, reader_hash=reader_hash)
        )


def shoot(base_url: str) -> list[Path]:
    shots = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for device, (width, height) in VIEWPORTS.items():
            context = browser.new_context(
                base_url=base_url,
                viewport={"width": width, "height": height},
                is_mobile=device == "phone",
                has_touch=device == "phone",
            )
            page = context.new_page()
            shots += _reader_visit(page, device)
            context.close()
        browser.close()
    return shots


def _reader_visit(page, device: str) -> list[Path]:
    page.goto("/")
    page.locator(".article-card a").first.click()
    shots = []

    def shot(name: str, locator) -> None:
        locator.scroll_into_view_if_needed()
        page.evaluate("(el) => el.scrollIntoView({block: 'start'})", locator.element_handle())
        page.evaluate("() => window.scrollBy(0, -12)")
        path = OUT / f"reader-{name}-{device}.png"
        page.screenshot(path=str(path))
        shots.append(path)

    shot("before-vote", page.locator("#sondage"))
    page.get_by_label("Plutôt crédible", exact=True).check()
    page.get_by_label("Plutôt pertinente", exact=True).check()
    page.get_by_role("button", name="Voter").click()
    page.get_by_text("(votre réponse)").first.wait_for()
    # The whole section: the results, then the "Modifier mon vote" control under them.
    after = OUT / f"reader-after-vote-{device}.png"
    page.locator("#sondage").screenshot(path=str(after))
    shots.append(after)
    thread = page.locator(".more-replies").first.locator("xpath=..")
    shot("long-thread", thread)
    target = page.locator("article.comment").nth(1)
    target.get_by_role("link", name="Répondre").click()
    form = page.locator("#commenter")
    form.get_by_label("Pseudonyme").fill("Camille")
    form.get_by_label("Votre commentaire").fill(
        "Je ne suis pas convaincue : la clause existe, mais elle n'avait jamais été appliquée."
    )
    shot("reply", target)
    return shots


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/screens.sqlite3",
                "SECRET_KEY": secrets.token_hex(32),
                "RATELIMIT_ENABLED": False,
                "FORUM_MIN_POST_SECONDS": 0,
            }
        )
        seed(app)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            shots = shoot(f"http://127.0.0.1:{server.server_port}")
        finally:
            server.shutdown()
    for path in shots:
        print(f"{path.relative_to(ROOT)}: {path.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
