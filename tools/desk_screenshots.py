"""Screenshots of the moderation desk for the README, from a database seeded here.

    .venv/bin/python tools/desk_screenshots.py [output directory, default docs/screenshots]

Builds a fresh SQLite database (migrations, the shipped article, two staff accounts, a few
readers' comments, flags and moderation actions through the real services), serves the app
on a loopback port and photographs the queue, the audit log and the dashboard at 1280x900
and 375x812 in Debian's Chromium. Needs the dev dependencies (Playwright).
"""

from __future__ import annotations

import sys
import tempfile
import threading
from datetime import timedelta
from pathlib import Path

from flask import Flask
from flask_migrate import upgrade
from playwright.sync_api import sync_playwright
from sqlalchemy import select
from werkzeug.serving import make_server

from forum import create_app
from forum.articles.content import read_content_dir
from forum.articles.services import load_articles
from forum.auth.services import create_staff
from forum.extensions import db
from forum.markdown import render_comment
from forum.models import Article, Comment, Flag, utcnow
from forum.moderation import services

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "une phrase de passe assez longue"
SIZES = {"desktop": (1280, 900), "phone": (375, 812)}
PAGES = {
    "queue": "/moderation?tab=pending",
    "audit": "/moderation/audit",
    "dashboard": "/moderation/dashboard",
}
COMMENTS = [
    (
        "Léa",
        "first_comment",
        "Un abonnement qui coupe l'accès d'un concurrent, c'est un choix "
        "commercial, pas une question de sécurité. L'article aurait pu le dire plus nettement.",
    ),
    (
        "Marc",
        "suspect_word",
        "Encore une arnaque des grandes plateformes : on paie et on "
        "n'a aucun recours quand les conditions changent du jour au lendemain.",
    ),
    (
        "Nadia",
        "premoderation",
        "Source ? Le communiqué cité ne parle pas d'API mais de "
        "l'application grand public. Quelqu'un a-t-il le texte exact ?",
    ),
    (
        "Paul",
        "flags",
        "Vous êtes tous naïfs, lisez mon blog pour la vérité : https://example.org/verite",
    ),
    ("Inès", "first_comment", "Merci pour le résumé, clair et sourcé."),
]


def seeded_app(directory: Path) -> Flask:
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{directory / 'desk.sqlite3'}",
            "SECRET_KEY": "screenshots-only-" + "0" * 32,
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        upgrade()
        load_articles(read_content_dir())
        seed(db.session.execute(select(Article)).scalars().first())
        db.session.commit()
    return app


def seed(article: Article) -> None:
    admin = create_staff("camille@redaction.example", PASSWORD, "admin", "Camille")
    moderator = create_staff("yanis@redaction.example", PASSWORD, "moderator", "Yanis")
    now = utcnow()
    held = []
    for number, (name, why, body) in enumerate(COMMENTS):
        comment = Comment(
            article_id=article.id,
            reader_hash=f"{number:x}" * 64,
            address_hash=f"{number + 5:x}" * 64,
            author_name=name,
            body_source=body,
            body_html=render_comment(body),
            status="pending",
            pending_reason=why,
            created_at=now - timedelta(minutes=90 - number * 12),
        )
        db.session.add(comment)
        held.append(comment)
    db.session.flush()
    for number, reason in enumerate(("spam", "spam", "harassment")):
        db.session.add(Flag(comment_id=held[3].id, reader_hash=f"f{number}" * 32, reason=reason))
    held[3].flag_count = 3
    answered = Comment(
        article_id=article.id,
        reader_hash="b" * 64,
        author_name="Bruno",
        body_source="Le texte exact est en lien dans l'article.",
        body_html=render_comment("Le texte exact est en lien dans l'article."),
        status="pending",
        pending_reason="first_comment",
        parent_id=held[2].id,
        thread_id=held[2].id,
        depth=1,
        created_at=now - timedelta(minutes=5),
    )
    db.session.add(answered)
    db.session.flush()
    act_as_staff(admin, moderator, article, held)


def act_as_staff(admin, moderator, article: Article, held: list[Comment]) -> None:
    """A morning's moderation, written by the real services: it fills the audit log."""
    services.approve(held[4], moderator)
    services.feature(held[4], moderator)
    old = Comment(
        article_id=article.id,
        reader_hash="c" * 64,
        address_hash="d" * 64,
        author_name="Vendeur",
        body_source="Achetez des abonnements pas chers ici",
        body_html=render_comment("Achetez des abonnements pas chers ici"),
    )
    db.session.add(old)
    db.session.flush()
    services.reject(old, moderator, "Publicité ou spam")
    services.ban_author(old, moderator, "7d", "Publicité répétée", include_address=False)
    services.update_article_settings(
        article,
        admin,
        discussion_open=True,
        poll_open=False,
        premoderation="first",
        flag_threshold=5,
    )
    services.add_word("arnaque", "suspect", admin)


def serve(app: Flask):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def photograph(base_url: str, output: Path) -> list[Path]:
    shots = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for size_name, (width, height) in SIZES.items():
            context = browser.new_context(
                base_url=base_url, viewport={"width": width, "height": height}
            )
            page = context.new_page()
            page.goto("/staff/login")
            page.get_by_label("Adresse e-mail").fill("camille@redaction.example")
            page.get_by_label("Mot de passe").fill(PASSWORD)
            page.get_by_role("button", name="Se connecter").click()
            page.wait_for_url("**/moderation")
            for page_name, path in PAGES.items():
                page.goto(path)
                shot = output / f"desk-{page_name}-{size_name}.png"
                # The first screenful, as a moderator sees the page when it opens.
                page.screenshot(path=str(shot))
                shots.append(shot)
            context.close()
        browser.close()
    return shots


def main(output: Path) -> None:
    output.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as directory:
        app = seeded_app(Path(directory))
        server = serve(app)
        try:
            shots = photograph(f"http://127.0.0.1:{server.server_port}", output)
        finally:
            server.shutdown()
    for shot in shots:
        print(f"{shot}\t{shot.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots")
