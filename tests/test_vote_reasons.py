"""Why readers vote as they do: reasons ticked with the answer to the credibility question,
stored with the vote and replaced with it, shown as shares per answer, edited by staff,
part of the reader's data (forum.polls.reasons, forum.polls.ballot)."""

from __future__ import annotations

import html
import json
import re
import unicodedata
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select, update

from forum.extensions import db
from forum.models import Article, ArticleReason, AuditEntry, Vote, VoteReason, utcnow
from forum.page_cache import changes_pages
from forum.polls.reasons import MIN_VOTERS_SHOWN, reason_lines
from tests.comment_helpers import reader_at, recorded_queries
from tests.conftest import ARTICLE_SLUG, Reader, csrf_token
from tests.hostile_corpus import HOSTILE
from tests.vote_helpers import reason_ids, vote_with_reasons

# Positions of the credibility choices (forum/content).
NOT_AT_ALL, RATHER_NOT, RATHER, FULLY = 0, 1, 2, 3
SETTINGS_PAGE = "/moderation/articles"
SETTINGS_URL = f"/moderation/articles/{ARTICLE_SLUG}/settings"
REFUSED = "cochez seulement des raisons de la liste proposée, chacune une fois"


def text_of(response) -> str:
    """The page's text, without its tags."""
    page = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return " ".join(html.unescape(page).split()).replace(" ,", ",")


def results(app) -> str:
    """The results as a new reader reads them, as plain text."""
    return text_of(Reader(app).open_article(resultats=1))


def stored(app, reader_hash: str | None = None) -> list[tuple[str, str]]:
    """(reader hash, reason label) of the stored reasons, in a stable order."""
    with app.app_context():
        query = select(VoteReason.reader_hash, ArticleReason.label).join(
            ArticleReason, ArticleReason.id == VoteReason.reason_id
        )
        if reader_hash:
            query = query.where(VoteReason.reader_hash == reader_hash)
        return [tuple(row) for row in db.session.execute(query.order_by(VoteReason.id))]


def reader_hashes(app) -> list[str]:
    with app.app_context():
        return list(db.session.execute(select(Vote.reader_hash).distinct()).scalars())


def article_id(app) -> int:
    with app.app_context():
        return db.session.execute(
            select(Article.id).where(Article.slug == ARTICLE_SLUG)
        ).scalar_one()


def settings(app, reasons: str | None) -> dict:
    prefix = f"a{article_id(app)}-"
    data = {
        prefix + "discussion_open": "1",
        prefix + "poll_open": "1",
        prefix + "premoderation": "none",
    }
    if reasons is not None:
        data[prefix + "reasons"] = reasons
    return data


# --- the vote --------------------------------------------------------------------------


def test_the_form_offers_the_articles_reasons_in_a_fieldset(reader):
    page = reader.open_article().get_data(as_text=True)
    assert '<fieldset class="reason-group"' in page
    assert "<legend>Qu'est-ce qui fonde votre avis sur sa crédibilité ?</legend>" in page
    for label, reason in reason_ids(reader.app).items():
        assert f'id="raison-{reason}"' in page
        assert f'<label for="raison-{reason}">{label}</label>' in page


def test_reasons_are_stored_with_the_vote_and_replaced_when_it_changes(app, reader):
    ids = reason_ids(app)
    response = vote_with_reasons(reader, RATHER_NOT, [ids["source floue"], ids["titre trompeur"]])
    assert response.status_code == 302
    [me] = reader_hashes(app)
    assert stored(app) == [(me, "source floue"), (me, "titre trompeur")]
    page = reader.open_article().get_data(as_text=True)
    assert f'id="raison-{ids["source floue"]}" checked' in page
    assert f'id="raison-{ids["faits vérifiables"]}"' in page
    assert f'id="raison-{ids["faits vérifiables"]}" checked' not in page

    vote_with_reasons(reader, FULLY, [ids["faits vérifiables"]])
    assert stored(app) == [(me, "faits vérifiables")]
    # A vote sent again without reasons withdraws them: they go with the vote.
    vote_with_reasons(reader, FULLY, [])
    assert stored(app) == []


def test_a_vote_without_reasons_stays_one_statement(make_reader, app):
    """Issue 15's hot path: no reason ticked, none to clear, the upsert alone."""

    def count(reader, reasons) -> list[str]:
        data = vote_with_reasons(reader, RATHER, reasons, send=False)
        with recorded_queries(app) as statements:
            assert reader.client.post(f"{reader.article_url}/vote", data=data).status_code == 302
        verbs = (statement.split()[0].upper() for statement, _parameters in statements)
        return [verb for verb in verbs if verb in {"WITH", "SELECT", "INSERT", "UPDATE", "DELETE"}]

    ids = reason_ids(app)
    first = make_reader()
    count(first, [])  # reads the ballot once
    assert count(make_reader(), []) == ["INSERT"]
    ticker = make_reader()
    assert count(ticker, [ids["source floue"]]) == ["INSERT", "INSERT"]
    assert count(ticker, [ids["contexte manquant"]]) == ["INSERT", "INSERT", "DELETE"]
    assert count(ticker, []) == ["INSERT", "DELETE"]
    assert count(ticker, []) == ["INSERT"]


@pytest.mark.parametrize(
    "values",
    [
        ["999999"],  # no such reason
        ["abc"],  # not a number
        ["1.5"],
        ["-1"],
        ["9" * 40],
        ["twice"],  # the same reason twice: more than the list offers
        ["all+1"],  # every offered reason, and one more
        ["other article"],
    ],
    ids=["unknown", "text", "decimal", "negative", "huge", "duplicate", "too-many", "foreign"],
)
def test_hostile_reasons_are_refused_with_a_message_and_nothing_is_stored(
    app, reader, count_rows, values
):
    ids = list(reason_ids(app).values())
    if values == ["twice"]:
        values = [str(ids[0]), str(ids[0])]
    elif values == ["all+1"]:
        values = [str(i) for i in ids] + [str(max(ids) + 1)]
    elif values == ["other article"]:
        with app.app_context():
            other = Article(
                slug="autre", title="Autre", body_source="", body_html="", published_at=utcnow()
            )
            db.session.add(other)
            db.session.flush()
            foreign = ArticleReason(article_id=other.id, position=0, label="ailleurs")
            db.session.add(foreign)
            db.session.commit()
            values = [str(foreign.id)]
    response = vote_with_reasons(reader, RATHER, values)
    assert response.status_code == 400
    assert REFUSED in text_of(response)
    assert count_rows(Vote) == 0
    assert count_rows(VoteReason) == 0


def test_a_retired_reason_is_refused_like_an_unknown_one(app, reader, moderator, count_rows):
    ids = reason_ids(app)
    kept = "\n".join(label for label in ids if label != "titre trompeur")
    assert moderator.post_form(SETTINGS_URL, settings(app, kept), page=SETTINGS_PAGE).status_code
    response = vote_with_reasons(reader, RATHER, [ids["titre trompeur"]])
    assert response.status_code == 400
    assert REFUSED in text_of(response)
    assert count_rows(Vote) == 0


# --- the figures -----------------------------------------------------------------------


def test_shares_per_answer_are_counted_from_the_stored_rows(app):
    ids = reason_ids(app)
    vague, headline, facts = ids["source floue"], ids["titre trompeur"], ids["faits vérifiables"]
    # Five who find it rather not credible: 3 × vague source, 1 × misleading headline.
    for number, reasons in enumerate([[vague], [vague, headline], [vague], [], []]):
        vote_with_reasons(reader_at(app, f"198.51.100.{number}"), RATHER_NOT, reasons)
    # Four who find it fully credible: below the minimum, not shown.
    for number in range(4):
        vote_with_reasons(reader_at(app, f"203.0.113.{number}"), FULLY, [facts])
    with app.app_context():
        rows = db.session.execute(
            select(Vote.choice_id, VoteReason.reason_id, func.count())
            .join(
                VoteReason,
                (VoteReason.question_id == Vote.question_id)
                & (VoteReason.reader_hash == Vote.reader_hash),
            )
            .group_by(Vote.choice_id, VoteReason.reason_id)
        ).all()
    assert sorted(count for _choice, _reason, count in rows) == [1, 3, 4]
    shown = results(app)
    assert (
        "Parmi ceux qui la jugent « Plutôt pas crédible » : source floue 60 %, titre trompeur 20 %"
        in shown
    )
    assert "Tout à fait crédible » :" not in shown
    assert f"choisie par au moins {MIN_VOTERS_SHOWN} votants" in shown


def test_held_votes_are_left_out_of_the_shares(app):
    vague = reason_ids(app)["source floue"]
    for number in range(MIN_VOTERS_SHOWN + 1):
        vote_with_reasons(reader_at(app, f"198.51.100.{number}"), RATHER_NOT, [vague])
    assert "« Plutôt pas crédible » : source floue 100 %" in results(app)
    with app.app_context():
        held = db.session.execute(select(func.min(Vote.reader_hash))).scalar_one()
        db.session.execute(
            update(Vote)
            .where(Vote.reader_hash == held)
            .values(status="held")
            .execution_options(**changes_pages())
        )
        db.session.commit()
    # Five counted voters left, all with the reason: the held sixth is not in the figure.
    assert "« Plutôt pas crédible » : source floue 100 %" in results(app)
    with app.app_context():
        db.session.execute(
            update(Vote)
            .where(Vote.status == "counted", Vote.reader_hash != held)
            .values(status="held")
            .execution_options(**changes_pages())
        )
        db.session.commit()
    assert "Plutôt pas crédible » :" not in results(app)


def test_the_results_take_the_same_queries_for_few_and_many_reasons(app):
    def queries() -> int:
        with recorded_queries(app) as statements:
            assert Reader(app).open_article(resultats=1).status_code == 200
        return len(statements)

    ids = list(reason_ids(app).values())
    vote_with_reasons(reader_at(app, "198.51.100.1"), RATHER_NOT, ids[:1])
    few = queries()
    for number in range(2, 40):
        chosen = [ids[i] for i in range(len(ids)) if (number >> i) & 1]
        vote_with_reasons(reader_at(app, f"198.51.100.{number}"), number % 4, chosen)
    assert "Parmi ceux qui la jugent" in results(app)
    assert queries() == few


# --- the reader's data -----------------------------------------------------------------


def test_reasons_are_shown_exported_and_erased_with_the_reader(app):
    ids = reason_ids(app)
    alice = reader_at(app, "198.51.100.1")
    vote_with_reasons(alice, RATHER_NOT, [ids["source floue"], ids["contexte manquant"]])
    others = [reader_at(app, f"198.51.100.{n}") for n in range(2, 2 + MIN_VOTERS_SHOWN)]
    for other in others:
        vote_with_reasons(other, RATHER_NOT, [ids["contexte manquant"]])
    mine = alice.client.get("/mes-donnees").get_data(as_text=True)
    assert "Les raisons cochées avec mes votes" in mine
    assert "contexte manquant" in mine
    data = json.loads(alice.client.get("/mes-donnees.json").get_data(as_text=True))
    assert sorted(r["reason"] for r in data["vote_reasons"]) == [
        "contexte manquant",
        "source floue",
    ]
    assert all(r["offered"] for r in data["vote_reasons"])
    assert "contexte manquant 100 %, source floue 17 %" in results(app)

    erased = alice.post_form("/mes-donnees/supprimer", {"confirm": "y"}, page="/mes-donnees")
    assert erased.status_code in (302, 303)
    assert len(stored(app)) == MIN_VOTERS_SHOWN  # the others'
    shown = results(app)
    assert "« Plutôt pas crédible » : contexte manquant 100 %" in shown
    assert "source floue" not in shown.split("Ce qui fonde leur avis")[1].split("Les raisons")[0]


# --- staff edit the list ---------------------------------------------------------------


def test_staff_edit_the_list_and_the_change_is_audited(app, moderator, admin, reader):
    ids = reason_ids(app)
    vote_with_reasons(reader, RATHER_NOT, [ids["titre trompeur"]])
    assert "source floue\ntitre trompeur" in moderator.client.get(SETTINGS_PAGE).get_data(
        as_text=True
    )
    new_list = "source officielle\n  chiffres  invérifiables \n\nsource floue\nSource floue"
    response = moderator.post_form(SETTINGS_URL, settings(app, new_list), page=SETTINGS_PAGE)
    assert response.status_code == 303
    assert list(reason_ids(app)) == ["source officielle", "chiffres invérifiables", "source floue"]
    with app.app_context():
        [entry] = db.session.execute(
            select(AuditEntry).where(AuditEntry.action == "article_settings")
        ).scalars()
        assert (entry.action, entry.actor_id) == ("article_settings", moderator.user_id)
        assert entry.details == (
            "reasons: source floue | titre trompeur | faits vérifiables | source officielle"
            " | contexte manquant -> source officielle | chiffres invérifiables | source floue"
        )
    log = text_of(admin.client.get("/moderation/audit"))
    assert "raisons proposées : « source floue », « titre trompeur »" in log
    # The retired reason leaves the form; the reader's tick stays theirs.
    page = reader.open_article().get_data(as_text=True)
    assert "titre trompeur" not in page.split('class="reason-group"')[1].split("</fieldset>")[0]
    assert [label for _reader, label in stored(app)] == ["titre trompeur"]
    data = json.loads(reader.client.get("/mes-donnees.json").get_data(as_text=True))
    assert data["vote_reasons"][0]["offered"] is False
    # Back on the list, the same reason (same id) with its ticks.
    moderator.post_form(
        SETTINGS_URL, settings(app, "titre trompeur\nsource floue"), page=SETTINGS_PAGE
    )
    assert reason_ids(app)["titre trompeur"] == ids["titre trompeur"]
    # The form without the list (an older page) leaves it as it is; the same list logs nothing.
    moderator.post_form(SETTINGS_URL, settings(app, None), page=SETTINGS_PAGE)
    moderator.post_form(
        SETTINGS_URL, settings(app, "titre trompeur\nsource floue"), page=SETTINGS_PAGE
    )
    assert list(reason_ids(app)) == ["titre trompeur", "source floue"]
    with app.app_context():
        settings_entries = select(func.count()).where(AuditEntry.action == "article_settings")
        assert db.session.execute(settings_entries).scalar_one() == 2


@pytest.mark.parametrize(
    "reasons, message",
    [
        ("\n".join(f"raison {n}" for n in range(9)), "Proposez au plus 8 raisons."),
        ("x" * 61, "Une raison tient en 60 caractères au plus."),
    ],
)
def test_staff_lists_too_long_are_refused(app, moderator, reasons, message):
    before = list(reason_ids(app))
    response = moderator.post_form(SETTINGS_URL, settings(app, reasons), page=SETTINGS_PAGE)
    assert response.status_code == 400
    assert message in text_of(response)
    assert list(reason_ids(app)) == before


def test_readers_cannot_edit_the_list(app, reader):
    before = list(reason_ids(app))
    # Without a staff session: no CSRF token of the desk to send, and no access either.
    response = reader.post_form(SETTINGS_URL, settings(app, "piraté"))
    assert response.status_code in (400, 403)
    assert list(reason_ids(app)) == before


def test_an_edited_list_moves_the_page_version_and_a_vote_with_reasons_does_not(
    app, moderator, reader
):
    def version() -> int:
        with app.app_context():
            return db.session.execute(
                select(Article.cache_version).where(Article.slug == ARTICLE_SLUG)
            ).scalar_one()

    start = version()
    vote_with_reasons(reader, RATHER, [reason_ids(app)["faits vérifiables"]])
    assert version() == start
    anonymous = Reader(app).open_article().get_data(as_text=True)  # cached page
    assert "contexte manquant" in anonymous
    moderator.post_form(SETTINGS_URL, settings(app, "source floue"), page=SETTINGS_PAGE)
    assert version() == start + 1
    anonymous = Reader(app).open_article().get_data(as_text=True)
    assert "contexte manquant" not in anonymous


# --- hostile values (the plan: tests/test_hostile_corpus.py FIELDS) --------------------

INVALID_INPUT = "La demande contient des caractères non valides"
LIST_REFUSALS = (
    "Proposez au plus 8 raisons.",
    "Une raison tient en 60 caractères au plus.",
    "Le champ ne peut pas contenir plus de",
)


@pytest.fixture
def corpus() -> list[tuple[str, bytes]]:
    """Each payload of the corpus once, unwrapped (the wrappings change nothing here)."""
    return [(label, value) for label, value in HOSTILE if label.endswith("/as_is")]


def test_hostile_reasons_in_a_vote_are_refused_with_a_message(app, reader, corpus):
    question, choice = reader.poll_field("credibility", RATHER)
    relevance, relevant = reader.poll_field("relevance", RATHER)
    offered = set(reason_ids(app).values())
    accepted = set()
    for label, value in corpus:
        pairs = [(question, str(choice)), (relevance, str(relevant)), ("reason", value)]
        response = reader.client.post(
            f"{reader.article_url}/vote",
            data=urlencode(pairs),
            content_type="application/x-www-form-urlencoded",
        )
        if response.status_code == 302:  # "01": a number, which names a reason
            assert int(value) in offered, label
            accepted.add(int(value))
            continue
        assert response.status_code == 400, label
        assert REFUSED in text_of(response) or INVALID_INPUT in text_of(response), label
    with app.app_context():
        assert set(db.session.execute(select(VoteReason.reason_id)).scalars()) <= accepted


def test_hostile_lists_are_stored_as_visible_text_or_refused(app, moderator, corpus):
    token = csrf_token(moderator.client.get(SETTINGS_PAGE).get_data(as_text=True))
    field = f"a{article_id(app)}-reasons"
    for label, value in corpus:
        before = list(reason_ids(app))
        pairs = [*settings(app, None).items(), (field, value), ("csrf_token", token)]
        response = moderator.client.post(
            SETTINGS_URL, data=urlencode(pairs), content_type="application/x-www-form-urlencoded"
        )
        after = list(reason_ids(app))
        try:
            typed = value.decode("utf-8")
        except UnicodeDecodeError:
            typed = "\x00"
        if "\x00" in typed:
            assert response.status_code == 400 and INVALID_INPUT in text_of(response), label
            assert after == before, label
        elif response.status_code == 303:
            assert after == reason_lines(typed), label
            for reason in after:
                assert 0 < len(reason) <= 60, (label, reason)
                assert not any(unicodedata.category(ch) in ("Cc", "Cf") for ch in reason), label
        else:
            assert response.status_code == 400, label
            assert any(message in text_of(response) for message in LIST_REFUSALS), label
            assert after == before, label
    page = Reader(app).open_article().get_data(as_text=True)
    assert not re.search(r"<script>alert|onerror=alert|onload=alert", page)
