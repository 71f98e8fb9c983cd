"""Every route, every form field and query parameter, ~370 hostile values: never a 500,
never a stored NUL, undecodable text, bidi trick in a name or live markup on a page; and
each stored text field, on its own in an otherwise valid form, keeps exactly what was
typed (as that field cleans it) or refuses it with its message."""

from __future__ import annotations

import html
import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote_from_bytes, urlencode

import pytest
from sqlalchemy import String, Text, delete, func, select, update
from sqlalchemy.orm import InstrumentedAttribute

from forum.extensions import db
from forum.lookalikes import strip_format
from forum.models import Article, Ban, Comment, Flag, WordRule
from forum.page_cache import changes_pages
from tests.access_table import ACCESS
from tests.conftest import ARTICLE_SLUG, STAFF_PASSWORD, StaffMember, add_comment, csrf_token
from tests.hostile_corpus import HOSTILE

# Form fields of every POST route (CSRF token aside). Names may use the ids of `targets`.
FIELDS: dict[str, list[str]] = {
    # The reasons alone, with valid answers: tests/test_vote_reasons.py.
    "/articles/<slug>/vote": ["q_{q1}", "q_{q2}", "reason"],
    # Not the honeypot (`website`), which drops the comment, nor `preview`, which stores
    # nothing: the values must reach storage. test_hostile_text_is_stored_as_typed_... below
    # sends each stored text field on its own, with valid values in the others.
    "/articles/<slug>/comments": [
        "pseudonym",
        "body",
        "parent_id",
        "submission_token",
        "rendered_at",
    ],
    "/comments/<int:comment_id>/edit": ["body"],
    "/comments/<int:comment_id>/delete": [],
    "/comments/<int:comment_id>/flag": ["reason", "note"],
    "/comments/<int:comment_id>/useful": [],
    "/comments/<int:comment_id>/changed-my-mind": [],
    "/staff/login": ["email", "password", "next"],
    "/staff/logout": [],
    "/staff/password": ["current_password", "new_password", "confirm_password"],
    "/moderation/comments/<int:comment_id>/<action>": ["next"],
    "/moderation/comments/<int:comment_id>/reject": ["reason", "note", "next"],
    "/moderation/comments/<int:comment_id>/ban": ["duration", "reason", "include_address", "next"],
    "/moderation/bulk": ["action", "reason", "note", "comment_ids", "next"],
    "/moderation/articles/<slug>/settings": [
        "a{article}-discussion_open",
        "a{article}-poll_open",
        "a{article}-premoderation",
        "a{article}-flag_threshold",
        "a{article}-reasons",  # alone, with valid others: tests/test_vote_reasons.py
    ],
    "/moderation/articles/<slug>/integrite": ["address", "window", "release"],
    "/moderation/bans/<int:ban_id>/lift": [],
    "/moderation/words": ["word", "kind"],
    "/moderation/words/<int:rule_id>/delete": [],
    "/mes-donnees/supprimer": ["confirm", "submit"],
    "/mes-reponses/flux": [],
    "/mes-reponses/courriel": ["address"],
    "/mes-reponses/courriel/supprimer": [],
    # A token no subscription has: the link's page answers 404, never a 500.
    "/mes-reponses/courriel/confirmer/<token>": [],
    "/mes-reponses/courriel/desabonner/<token>": [],
}

# Query parameters the views read (request.args); other GET routes read none.
QUERY: dict[str, list[str]] = {
    "/articles/<slug>": ["page", "sort", "stance", "repondre", "resultats", "apres"],
    "/staff/login": ["next"],
    "/moderation": ["tab", "page"],
    "/moderation/audit": ["action", "actor", "article", "comment", "reader", "page"],
}

URLS = {
    "/articles/<slug>": "/articles/{slug}",
    "/articles/<slug>/vote": "/articles/{slug}/vote",
    "/articles/<slug>/comments": "/articles/{slug}/comments",
    "/articles/<slug>/comments.atom": "/articles/{slug}/comments.atom",
    "/comments/<int:comment_id>": "/comments/{own}",
    "/comments/<int:comment_id>/edit": "/comments/{own}/edit",
    "/comments/<int:comment_id>/delete": "/comments/{own}/delete",
    "/comments/<int:comment_id>/flag": "/comments/{public}/flag",
    "/comments/<int:comment_id>/useful": "/comments/{public}/useful",
    "/comments/<int:comment_id>/changed-my-mind": "/comments/{public}/changed-my-mind",
    "/moderation/comments/<int:comment_id>/<action>": "/moderation/comments/{pending}/approve",
    "/moderation/comments/<int:comment_id>/reject": "/moderation/comments/{pending}/reject",
    "/moderation/comments/<int:comment_id>/ban": "/moderation/comments/{pending}/ban",
    "/moderation/articles/<slug>/settings": "/moderation/articles/{slug}/settings",
    "/moderation/articles/<slug>/integrite": "/moderation/articles/{slug}/integrite",
    "/moderation/bans/<int:ban_id>/lift": "/moderation/bans/{ban}/lift",
    "/moderation/words/<int:rule_id>/delete": "/moderation/words/{word}/delete",
    "/static/<path:filename>": "/static/css/forum.css",
}

PSEUDONYM = re.compile(r"[\w \-.']{2,40}")
LIVE_MARKUP = re.compile(r"<script>alert|onerror=alert|onload=alert|href=\"javascript:", re.I)


def test_every_route_has_a_plan():
    posts = {rule for method, rule in ACCESS if method == "POST"}
    assert posts == FIELDS.keys(), "add the route's form fields to FIELDS"
    gets = {rule for method, rule in ACCESS if method == "GET"}
    assert QUERY.keys() <= gets


@pytest.fixture
def targets(app, reader) -> dict:
    """The rows the routes act on; the reader owns one comment so edit/delete reach the view."""
    reader.post_form(
        f"/articles/{ARTICLE_SLUG}/comments",
        {"pseudonym": "Lectrice", "body": "Mon premier avis.", "submit": "1"},
    )
    pending = add_comment(app, status="pending", pending_reason="premoderation")
    public = add_comment(app, body="Un avis publié.")
    with app.app_context():
        article = db.session.execute(
            select(Article).where(Article.slug == ARTICLE_SLUG)
        ).scalar_one()
        own = db.session.execute(
            select(Comment.id).where(Comment.body_source == "Mon premier avis.")
        ).scalar_one()
        ban = Ban(reader_hash="b" * 64, reason="test")
        word = WordRule(word="vieux", normalized="vieux", kind="suspect")
        db.session.add_all([ban, word])
        db.session.commit()
        q1, q2 = (question.id for question in article.questions)
        return {
            "slug": ARTICLE_SLUG,
            "article": article.id,
            "own": own,
            "public": public,
            "pending": pending,
            "ban": ban.id,
            "word": word.id,
            "q1": q1,
            "q2": q2,
        }


def client_for(rule: str, reader, admin, anonymous):
    if rule == "/staff/login":
        return anonymous
    if rule.startswith(("/moderation", "/staff")):
        return admin
    return reader


def body(fields: list[str], value: bytes, token: str) -> bytes:
    pairs = [(name, value) for name in fields] + [("csrf_token", token.encode())]
    return urlencode(pairs).encode()


def check(response, what: str) -> None:
    assert response.status_code < 500, f"{what}: {response.status_code}"
    if response.mimetype == "text/html" and response.status_code >= 400:
        assert 'lang="fr"' in response.get_data(as_text=True), f"{what}: unstyled error"


@pytest.fixture
def corpus(database_url) -> list[tuple[str, bytes]]:
    """The whole corpus on SQLite; on PostgreSQL each payload once, unwrapped (same kinds of
    value, a quarter of the requests, so the suite stays short)."""
    if database_url.startswith("sqlite"):
        return HOSTILE
    return [(label, value) for label, value in HOSTILE if label.endswith("/as_is")]


# Every route times the whole corpus: minutes on a loaded 2-core machine, not a hang.
@pytest.mark.timeout(900)
def test_hostile_values_never_break_a_route_or_the_data(app, reader, admin, targets, corpus):
    anonymous = app.test_client()
    # A moderator whose session must survive the run (logout is sent last).
    tokens = {
        id(c): csrf_token(c.get(page).get_data(as_text=True))
        for c, page in (
            (reader.client, reader.article_url),
            (admin.client, "/moderation"),
            (anonymous, "/staff/login"),
        )
    }
    clients = {"reader": reader.client, "admin": admin.client, "anonymous": anonymous}
    routes = sorted(ACCESS, key=lambda route: route[1] == "/staff/logout")

    for method, rule in routes:
        client = client_for(rule, *clients.values())
        url = URLS.get(rule, rule).format(**targets)
        token = tokens[id(client)]
        if method == "GET":
            names = QUERY.get(rule, [])
            for label, value in corpus if names else []:
                query = urlencode([(name, value) for name in names])
                check(client.get(url, query_string=query), f"GET {url} {label}")
            continue
        fields = [name.format(**targets) for name in FIELDS[rule]]
        for label, value in corpus if fields else []:
            check(
                client.post(
                    url,
                    data=body(fields, value, token),
                    content_type="application/x-www-form-urlencoded",
                ),
                f"POST {url} {label}",
            )
        send_malformed_requests(client, url, fields or ["x"], token)

    for label, value in corpus:
        check(anonymous.get("/articles/" + quote_from_bytes(value)), f"slug {label}")
        check(anonymous.get("/comments/" + quote_from_bytes(value)), f"comment id {label}")

    assert_nothing_invalid_was_stored(app)
    again = StaffMember(app, admin.email)
    assert again.login(password=STAFF_PASSWORD).status_code == 302, (
        "the admin's password was not changed by the corpus"
    )
    assert_pages_show_no_live_markup(anonymous, again)


def send_malformed_requests(client, url: str, fields: list[str], token: str) -> None:
    arrays = [(name, f"valeur {n}") for name in fields for n in (1, 2)]
    check(
        client.post(
            url,
            data=urlencode([*arrays, ("csrf_token", token)]),
            content_type="application/x-www-form-urlencoded",
        ),
        f"{url} arrays",
    )
    check(
        client.post(
            url, data=json.dumps({name: ["x"] for name in fields}), content_type="application/json"
        ),
        f"{url} json",
    )
    check(client.post(url, data="x=1", content_type="text/plain"), f"{url} text/plain")
    check(
        client.post(url, data=b"\xff\xfe\x00", content_type="multipart/form-data"),
        f"{url} broken multipart",
    )
    check(
        client.post(
            url,
            data={"csrf_token": token, **{n: "a\x00b" for n in fields}},
            content_type="multipart/form-data",
        ),
        f"{url} multipart NUL",
    )


# --- Each stored text field on its own ------------------------------------------------------

# A C0/C1 control character, as the discussion drops them (tab and newline kept).
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
INVALID_INPUT = "La demande contient des caractères non valides"


def trimmed(text: str) -> str:
    return text.strip()


def without_controls(text: str) -> str:
    return CONTROL.sub("", text).strip()


def comment_text(text: str) -> str:
    return without_controls(text.replace("\r\n", "\n").replace("\r", "\n"))


def pseudonym(text: str) -> str:
    # Invisible format characters (bidi controls, zero-width) are dropped, as a reader sees.
    name = " ".join(unicodedata.normalize("NFC", strip_format(text)).split())
    assert PSEUDONYM_CHARS.fullmatch(name), f"a pseudonym no reader may take: {name!r}"
    return name


PSEUDONYM_CHARS = re.compile(r"[\w \-.']{2,40}")


@dataclass(frozen=True)
class StoredText:
    """A form field whose text is stored: what of it is kept, or the messages that refuse it."""

    url: str  # filled from `targets`
    field: str
    others: dict[str, str]  # valid values of the form's other fields
    column: InstrumentedAttribute  # where the text is stored
    keeps: Callable[[str], str]  # the text stored for an accepted value
    refusals: tuple[str, ...]  # a refused value shows one of these
    row: str | None = None  # the `targets` row the form changes; else it adds a row
    staff: bool = False
    reset: Callable[[dict], None] | None = None  # run before each value
    must_keep: tuple[str, ...] = ()  # labels of values that must be stored

    def read(self, app, targets: dict) -> tuple[int, str | None]:
        """How many rows hold the column, and its newest value (or the changed row's)."""
        model = self.column.class_
        where = [model.id == targets[self.row]] if self.row else []
        with app.app_context():
            count = db.session.execute(select(func.count(model.id)).where(*where)).scalar_one()
            last = db.session.execute(
                select(self.column).where(*where).order_by(model.id.desc()).limit(1)
            ).scalar()
        return count, last


def reset_flags(targets: dict) -> None:
    """One flag per reader: take back the reader's flag, and the comment's hold."""
    db.session.execute(delete(Flag))
    db.session.execute(
        update(Comment)
        .where(Comment.id == targets["public"])
        .values(flag_count=0, status="approved", pending_reason=None)
        .execution_options(**changes_pages())  # a reset between values, no page read meanwhile
    )


def hold_again(targets: dict) -> None:
    db.session.execute(
        update(Comment)
        .where(Comment.id == targets["pending"])
        .values(status="pending", reject_reason=None)
        .execution_options(**changes_pages())
    )


def clear_words(targets: dict) -> None:
    db.session.execute(delete(WordRule))


COMMENT_BODY_REFUSALS = (
    "Votre commentaire est vide.",
    "Votre commentaire dépasse 5\u202f000 caractères",
    "Votre commentaire contient",  # ... liens : 3 au plus
)
FREE_TEXT = ("sql[1]/as_is", "xss[0]/as_is", "template[0]/as_is", "unicode_trick[0]/as_is")
STORED_TEXT = [
    StoredText(
        "/articles/{slug}/comments",
        "body",
        {"pseudonym": "Lectrice", "submit": "1"},
        Comment.body_source,
        comment_text,
        COMMENT_BODY_REFUSALS,
        must_keep=FREE_TEXT,
    ),
    StoredText(
        "/articles/{slug}/comments",
        "pseudonym",
        {"body": "Mon avis sous un autre nom.", "submit": "1"},
        Comment.author_name,
        pseudonym,
        (
            "Indiquez un pseudonyme.",
            "Le pseudonyme doit compter de 2 à 40 caractères.",
            "Le pseudonyme ne peut contenir que des lettres",
            "Le pseudonyme doit contenir au moins deux lettres ou chiffres.",
            "Ce pseudonyme est réservé à l'équipe du site.",
        ),
        must_keep=("unicode_trick[7]/as_is", "format[0]/as_is"),
    ),
    StoredText(
        "/comments/{own}/edit",
        "body",
        {"submit": "1"},
        Comment.body_source,
        comment_text,
        COMMENT_BODY_REFUSALS,
        row="own",
        must_keep=FREE_TEXT,
    ),
    StoredText(
        "/comments/{public}/flag",
        "note",
        {"reason": "spam"},
        Flag.note,
        without_controls,
        ("1 000 caractères au plus.",),
        reset=reset_flags,
        must_keep=FREE_TEXT,
    ),
    StoredText(
        "/moderation/comments/{pending}/reject",
        "note",
        {"reason": "other"},
        Comment.reject_reason,
        trimmed,
        (
            "Précisez la raison du refus.",
            "Indiquez la raison du refus.",  # blank once trimmed (U+0085 is a space to Python)
            "Le champ ne peut pas contenir plus de 300 caractères.",
        ),
        row="pending",
        staff=True,
        reset=hold_again,
        must_keep=FREE_TEXT,
    ),
    StoredText(
        "/moderation/comments/{pending}/ban",
        "reason",
        {"duration": "24h"},
        Ban.reason,
        trimmed,
        ("Indiquez une raison.", "Le champ ne peut pas contenir plus de 300 caractères."),
        staff=True,
        must_keep=FREE_TEXT,
    ),
    StoredText(
        "/moderation/words",
        "word",
        {"kind": "banned"},
        WordRule.word,
        trimmed,
        (
            "Indiquez un mot.",
            "Indiquez un mot ou une expression (lettres ou chiffres).",
            "Le champ ne peut pas contenir plus de 100 caractères.",
        ),
        staff=True,
        reset=clear_words,
        must_keep=FREE_TEXT,
    ),
]


@pytest.fixture
def app_config() -> dict:
    # The same text twice in a row is not refused as a duplicate: each value reaches storage.
    return {"FORUM_DUPLICATE_WINDOW_MINUTES": 0}


@pytest.mark.parametrize("spec", STORED_TEXT, ids=lambda spec: f"{spec.url} {spec.field}")
def test_hostile_text_is_stored_as_typed_or_refused_with_its_message(
    app, reader, admin, targets, corpus, spec
):
    client, page = (
        (admin.client, "/moderation") if spec.staff else (reader.client, reader.article_url)
    )
    token = csrf_token(client.get(page).get_data(as_text=True))
    url = spec.url.format(**targets)
    kept = set()
    for label, value in corpus:
        if spec.reset:
            with app.app_context():
                spec.reset(targets)
                db.session.commit()
        before = spec.read(app, targets)
        pairs = [*spec.others.items(), (spec.field, value), ("csrf_token", token)]
        response = client.post(
            url, data=urlencode(pairs), content_type="application/x-www-form-urlencoded"
        )
        after = spec.read(app, targets)
        what = f"{spec.field} {label}: {response.status_code}"
        page_text = html.unescape(response.get_data(as_text=True))
        text = typed_text(value)
        if text is None:
            assert response.status_code == 400 and INVALID_INPUT in page_text, what
            assert after == before, f"{what}: stored"
        elif response.status_code in {302, 303}:
            assert after == (before[0] + (0 if spec.row else 1), spec.keeps(text)), what
            kept.add(label)
        else:
            assert 400 <= response.status_code < 500, what
            assert any(message in page_text for message in spec.refusals), f"{what}: no message"
            assert after == before, f"{what}: stored"
    labels = {label for label, _value in corpus}
    assert set(spec.must_keep) & labels <= kept


def typed_text(value: bytes) -> str | None:
    """The text a reader typed, or None when no browser would send it (NUL, not UTF-8)."""
    try:
        text = value.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return None if "\x00" in text else text


def assert_nothing_invalid_was_stored(app) -> None:
    with app.app_context():
        for table in db.metadata.sorted_tables:
            text_columns = [c for c in table.columns if isinstance(c.type, String | Text)]
            for row in db.session.execute(select(*text_columns)) if text_columns else []:
                for column, value in zip(text_columns, row, strict=True):
                    if isinstance(value, str):
                        assert "\x00" not in value and "\ufffd" not in value, (
                            f"{table.name}.{column.name}: {value[:60]!r}"
                        )
        for comment in db.session.execute(select(Comment)).scalars():
            assert len(comment.body_source) <= 5000
            erased = comment.deleted_at is not None and comment.author_name == ""  # Mes données
            assert erased or PSEUDONYM.fullmatch(comment.author_name), comment.author_name
        for rule in db.session.execute(select(WordRule)).scalars():
            assert rule.word.isprintable() and len(rule.word) <= 80, rule.word


def assert_pages_show_no_live_markup(anonymous, admin) -> None:
    pages = [
        anonymous.get(f"/articles/{ARTICLE_SLUG}"),
        anonymous.get(f"/articles/{ARTICLE_SLUG}/comments.atom"),
        admin.client.get("/moderation?tab=recent"),
        admin.client.get("/moderation/words"),
    ]
    for page in pages:
        assert page.status_code == 200
        assert not LIVE_MARKUP.search(page.get_data(as_text=True))
