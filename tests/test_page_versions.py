"""Every form that changes what readers see moves the article's cache version; the others
leave it, so that cached pages stay valid (forum.page_cache).

WRITES below lists every state-changing route: a new one without an entry fails
test_every_state_changing_route_has_an_entry. Each entry sends the real form, with its
CSRF token, and says whether readers see the change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import select, update

from forum import create_app
from forum.extensions import db
from forum.models import Article, Ban, Comment, WordRule
from forum.page_cache import UndeclaredPageChange, changes_pages
from tests.comment_helpers import post_comment
from tests.conftest import ARTICLE_SLUG, STAFF_PASSWORD, TEST_SECRET, Reader, add_comment
from tests.vote_helpers import reason_ids, vote_with_reasons


@dataclass
class World:
    app: object
    author: Reader  # has a published comment and may edit it
    other: Reader  # has neither voted nor commented
    moderator: object
    admin: object
    newcomer: object  # staff, not signed in
    ids: dict


@dataclass(frozen=True)
class Write:
    send: Callable[[World], object]
    readers_see_it: bool


def edit_page(w: World) -> str:
    return f"/comments/{w.ids['public']}/edit"


def settings_form(w: World) -> dict:
    prefix = f"a{w.ids['article']}-"
    return {prefix + "discussion_open": "1", prefix + "poll_open": "1"} | {
        prefix + "premoderation": "all",
        prefix + "flag_threshold": "4",
    }


def reasons_form(w: World, reasons: str) -> dict:
    """The settings as they stand, with this list of reasons."""
    prefix = f"a{w.ids['article']}-"
    return {
        prefix + "discussion_open": "1",
        prefix + "poll_open": "1",
        prefix + "premoderation": "none",
        prefix + "reasons": reasons,
    }


def mail_link(w: World, action: str) -> tuple[str, dict, str]:
    """The page of a mailed link (an address stored directly), its form data and page."""
    from forum.models import NoticeMail
    from forum.notices.mail import CONFIRM_SALT, UNSUBSCRIBE_SALT, link_token

    with w.app.test_request_context():
        subscription = NoticeMail(reader_hash="m" * 64, address="m@example.org")
        db.session.add(subscription)
        db.session.commit()
        salt = CONFIRM_SALT if action == "confirmer" else UNSUBSCRIBE_SALT
        url = f"/mes-reponses/courriel/{action}/{link_token(subscription, salt)}"
    return url, {}, url


WRITES: dict[tuple[str, str], list[Write]] = {
    ("POST", "/articles/<slug>/vote"): [
        # A commenter's vote changes their stance badge; anyone else's only the counts,
        # which the cached page does not show while the poll is open.
        Write(lambda w: w.author.vote({"credibility": 0, "relevance": 0}), True),
        Write(lambda w: w.other.vote({"credibility": 0, "relevance": 0}), False),
        # Reasons feed the shares shown with the results, read as the counts are.
        Write(lambda w: vote_with_reasons(w.other, 1, list(reason_ids(w.app).values())), False),
    ],
    ("POST", "/articles/<slug>/comments"): [
        Write(lambda w: post_comment(w.other, body="Un second avis.", pseudonym="Basile"), True)
    ],
    ("POST", "/comments/<int:comment_id>/edit"): [
        Write(
            lambda w: w.author.post_form(
                edit_page(w), {"body": "Avis corrigé.", "submit": "x"}, page=edit_page(w)
            ),
            True,
        )
    ],
    ("POST", "/comments/<int:comment_id>/delete"): [
        Write(
            lambda w: w.author.post_form(
                f"/comments/{w.ids['public']}/delete", {"confirm": "y"}, page=edit_page(w)
            ),
            True,
        )
    ],
    ("POST", "/comments/<int:comment_id>/flag"): [
        Write(
            lambda w: w.other.post_form(
                f"/comments/{w.ids['public']}/flag",
                {"reason": "spam"},
                page=f"/comments/{w.ids['public']}/flag",
            ),
            True,  # the count that hides the comment at the threshold
        )
    ],
    ("POST", "/comments/<int:comment_id>/useful"): [
        Write(lambda w: w.other.post_form(f"/comments/{w.ids['public']}/useful", {}), True)
    ],
    ("POST", "/comments/<int:comment_id>/changed-my-mind"): [
        Write(lambda w: w.other.post_form(f"/comments/{w.ids['public']}/changed-my-mind", {}), True)
    ],
    ("POST", "/staff/login"): [Write(lambda w: w.newcomer.login(), False)],
    ("POST", "/staff/logout"): [Write(lambda w: w.moderator.logout(), False)],
    ("POST", "/staff/password"): [
        Write(
            lambda w: w.moderator.post_form(
                "/staff/password",
                {
                    "current_password": STAFF_PASSWORD,
                    "new_password": "un autre mot de passe assez long",
                    "confirm_password": "un autre mot de passe assez long",
                },
                page="/staff/password",
            ),
            False,
        )
    ],
    ("POST", "/moderation/comments/<int:comment_id>/<action>"): [
        Write(
            lambda w: w.moderator.post_form(f"/moderation/comments/{w.ids['pending']}/approve", {}),
            True,
        ),
        Write(
            lambda w: w.moderator.post_form(f"/moderation/comments/{w.ids['public']}/feature", {}),
            True,
        ),
    ],
    ("POST", "/moderation/comments/<int:comment_id>/reject"): [
        Write(
            lambda w: w.moderator.post_form(
                f"/moderation/comments/{w.ids['public']}/reject", {"reason": "spam"}
            ),
            True,
        )
    ],
    ("POST", "/moderation/comments/<int:comment_id>/ban"): [
        # The author's comments stay as they are; the ban judges their next ones.
        Write(
            lambda w: w.moderator.post_form(
                f"/moderation/comments/{w.ids['public']}/ban",
                {"duration": "24h", "reason": "insultes"},
            ),
            False,
        )
    ],
    ("POST", "/moderation/bulk"): [
        Write(
            lambda w: w.moderator.post_form(
                "/moderation/bulk", {"action": "approve", "comment_ids": w.ids["pending"]}
            ),
            True,
        )
    ],
    ("POST", "/moderation/articles/<slug>/settings"): [
        Write(
            lambda w: w.moderator.post_form(
                f"/moderation/articles/{ARTICLE_SLUG}/settings",
                settings_form(w),
                page="/moderation/articles",
            ),
            True,
        ),
        # The reasons the vote form offers, alone: readers see the new list.
        Write(
            lambda w: w.moderator.post_form(
                f"/moderation/articles/{ARTICLE_SLUG}/settings",
                reasons_form(w, "source floue\nchiffres invérifiables"),
                page="/moderation/articles",
            ),
            True,
        ),
        # The same list again: nothing changes.
        Write(
            lambda w: w.moderator.post_form(
                f"/moderation/articles/{ARTICLE_SLUG}/settings",
                reasons_form(w, "\n".join(reason_ids(w.app))),
                page="/moderation/articles",
            ),
            False,
        ),
    ],
    ("POST", "/moderation/articles/<slug>/integrite"): [
        # Released votes count from now on (a commenter's may change their stance badge).
        Write(
            lambda w: w.moderator.post_form(
                f"/moderation/articles/{ARTICLE_SLUG}/integrite",
                {"release": "1"},
                page=f"/moderation/articles/{ARTICLE_SLUG}/integrite",
            ),
            True,
        )
    ],
    ("POST", "/moderation/bans/<int:ban_id>/lift"): [
        Write(
            lambda w: w.moderator.post_form(
                f"/moderation/bans/{w.ids['ban']}/lift", {}, page="/moderation/bans"
            ),
            False,
        )
    ],
    ("POST", "/moderation/words"): [
        Write(
            lambda w: w.admin.post_form(
                "/moderation/words", {"word": "nouveau", "kind": "banned"}, page="/moderation/words"
            ),
            False,  # it judges the next comments, not the published ones
        )
    ],
    ("POST", "/moderation/words/<int:rule_id>/delete"): [
        Write(
            lambda w: w.admin.post_form(
                f"/moderation/words/{w.ids['word']}/delete", {}, page="/moderation/words"
            ),
            False,
        )
    ],
    ("POST", "/mes-reponses/flux"): [
        Write(lambda w: w.author.post_form("/mes-reponses/flux", {}, page="/mes-reponses"), False)
    ],
    ("POST", "/mes-reponses/courriel"): [
        Write(
            lambda w: w.author.post_form(
                "/mes-reponses/courriel", {"address": "a@example.org"}, page="/mes-reponses"
            ),
            False,
        )
    ],
    ("POST", "/mes-reponses/courriel/supprimer"): [
        Write(
            lambda w: w.author.post_form("/mes-reponses/courriel/supprimer", {}, "/mes-reponses"),
            False,
        )
    ],
    ("POST", "/mes-reponses/courriel/confirmer/<token>"): [
        Write(lambda w: w.author.post_form(*mail_link(w, "confirmer")), False)
    ],
    ("POST", "/mes-reponses/courriel/desabonner/<token>"): [
        Write(lambda w: w.author.post_form(*mail_link(w, "desabonner")), False)
    ],
    ("POST", "/mes-donnees/supprimer"): [
        Write(
            lambda w: w.author.post_form(
                "/mes-donnees/supprimer", {"confirm": "y"}, page="/mes-donnees"
            ),
            True,
        )
    ],
}

CASES = [
    pytest.param(write, id=f"{rule}-{index}")
    for (_method, rule), writes in WRITES.items()
    for index, write in enumerate(writes)
]


def state_changing_routes() -> set[tuple[str, str]]:
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": TEST_SECRET})
    return {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"GET", "HEAD", "OPTIONS"}
    }


def test_every_state_changing_route_has_an_entry():
    routes = state_changing_routes()
    assert not sorted(routes - WRITES.keys()), f"add these routes to WRITES in {__file__}"
    assert not sorted(WRITES.keys() - routes), "these WRITES entries match no route any more"


@pytest.fixture
def world(app, make_reader, moderator, admin, staff) -> World:
    author, other = make_reader(), make_reader()
    assert post_comment(author, body="Un premier avis.").status_code == 302
    pending = add_comment(app, status="pending", pending_reason="premoderation")
    with app.app_context():
        public = db.session.execute(
            select(Comment.id).where(Comment.body_source == "Un premier avis.")
        ).scalar_one()
        with db.engine.connect() as connection:
            article_id = connection.execute(
                select(Article.id).where(Article.slug == ARTICLE_SLUG)
            ).scalar_one()
        ban = Ban(reader_hash="b" * 64, reason="test")
        word = WordRule(word="vieux", normalized="vieux", kind="suspect")
        db.session.add_all([ban, word])
        db.session.commit()
        ids = {
            "article": article_id,
            "public": public,
            "pending": pending,
            "ban": ban.id,
            "word": word.id,
        }
    newcomer = staff("moderator", "nouvelle@redaction.example", login=False)
    return World(app, author, other, moderator, admin, newcomer, ids)


def cache_version(app) -> int:
    with app.app_context():
        return db.session.execute(
            select(Article.cache_version).where(Article.slug == ARTICLE_SLUG)
        ).scalar_one()


@pytest.mark.parametrize("write", CASES)
def test_a_change_readers_see_moves_the_version_and_no_other_does(world, write):
    before = cache_version(world.app)
    response = write.send(world)
    assert response.status_code in (200, 302, 303), response.get_data(as_text=True)[:300]
    moved = cache_version(world.app) != before
    assert moved == write.readers_see_it


def test_a_statement_on_page_data_must_name_its_articles(app):
    with app.app_context():
        statement = update(Comment).values(useful_count=Comment.useful_count + 1)
        with pytest.raises(UndeclaredPageChange):
            db.session.execute(statement)
        db.session.rollback()
        db.session.execute(statement.execution_options(**changes_pages()))
        db.session.rollback()


def test_a_statement_outside_the_session_is_checked_and_its_pages_move_at_commit(app):
    # The vote runs its statements on a connection of its own (autocommit, on PostgreSQL):
    # what they declare still moves the version, when the request's session commits.
    before = cache_version(app)
    with app.app_context():
        with db.engine.connect() as connection:
            article_id = connection.execute(
                select(Article.id).where(Article.slug == ARTICLE_SLUG)
            ).scalar_one()
        statement = update(Article).where(Article.id == article_id).values(flag_threshold=4)
        with db.engine.begin() as connection, pytest.raises(UndeclaredPageChange):
            connection.execute(statement)
        with db.engine.begin() as connection:
            connection.execute(statement.execution_options(**changes_pages(article_id)))
        db.session.commit()
    assert cache_version(app) == before + 1
