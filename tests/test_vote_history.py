"""Changed minds: a changed vote is kept in the history, and the results tell how many
readers changed their mind and towards which answer."""

from __future__ import annotations

import html
import json

from sqlalchemy import func, select, update

from forum.extensions import db
from forum.models import Vote, VoteChange
from forum.page_cache import changes_pages
from tests.comment_helpers import reader_at, recorded_queries
from tests.conftest import Reader, poll_field

# Positions of the credibility choices (forum/content).
NOT_AT_ALL, RATHER_NOT, RATHER, FULLY = 0, 1, 2, 3


def results(app) -> str:
    """The results as a new reader reads them, as plain text."""
    page = Reader(app).open_article(resultats=1).get_data(as_text=True)
    return " ".join(html.unescape(page).split())


def history(app) -> list[tuple[int, int, int]]:
    with app.app_context():
        return [
            tuple(row)
            for row in db.session.execute(
                select(
                    VoteChange.question_id, VoteChange.from_choice_id, VoteChange.to_choice_id
                ).order_by(VoteChange.id)
            )
        ]


def vote(reader, credibility: int, relevance: int = 2) -> None:
    assert reader.vote({"credibility": credibility, "relevance": relevance}).status_code == 302


def choice_id(app, position: int) -> int:
    return int(poll_field(app, "credibility", position)[1])


def test_a_changed_vote_is_kept_and_counted_in_the_results(app):
    reader = reader_at(app, "198.51.100.1")
    vote(reader, NOT_AT_ALL)
    assert history(app) == []
    vote(reader, RATHER)  # relevance sent again unchanged: no row for it
    question = int(poll_field(app, "credibility", 0)[0].removeprefix("q_"))
    assert history(app) == [(question, choice_id(app, NOT_AT_ALL), choice_id(app, RATHER))]
    assert "1 lecteur a changé d'avis : 1 vers « Plutôt crédible »" in results(app)


def test_the_same_answer_sent_again_keeps_no_history(app):
    reader = reader_at(app, "198.51.100.1")
    vote(reader, FULLY)
    vote(reader, FULLY)
    assert history(app) == []
    assert "changé d'avis" not in results(app)


def test_readers_are_counted_once_by_the_answer_they_moved_to(app):
    for number, moves in enumerate(
        [(NOT_AT_ALL, RATHER), (RATHER_NOT, RATHER), (FULLY, RATHER_NOT, RATHER), (RATHER, FULLY)]
    ):
        reader = reader_at(app, f"198.51.100.{number + 1}")
        for position in moves:
            vote(reader, position)
    vote(reader_at(app, "198.51.100.9"), FULLY)  # never changed
    assert len(history(app)) == 5
    shown = results(app)
    assert (
        "4 lecteurs ont changé d'avis : 3 vers « Plutôt crédible », 1 vers « Tout à fait crédible »"
        in shown
    )


def test_held_votes_are_left_out_of_changed_minds(app):
    for number in (1, 2):
        reader = reader_at(app, f"198.51.100.{number}")
        vote(reader, NOT_AT_ALL)
        vote(reader, RATHER)
    with app.app_context():
        first = db.session.execute(select(func.min(Vote.reader_hash))).scalar_one()
        db.session.execute(
            update(Vote)
            .where(Vote.reader_hash == first)
            .values(status="held")
            .execution_options(**changes_pages())
        )
        db.session.commit()
    assert "1 lecteur a changé d'avis : 1 vers « Plutôt crédible »" in results(app)


def test_results_take_the_same_queries_for_one_or_many_changed_minds(app):
    def queries() -> int:
        with recorded_queries(app) as statements:
            assert Reader(app).open_article(resultats=1).status_code == 200
        return len(statements)

    reader = reader_at(app, "198.51.100.1")
    vote(reader, NOT_AT_ALL)
    vote(reader, RATHER)
    few = queries()
    for number in range(2, 12):
        reader = reader_at(app, f"198.51.100.{number}")
        vote(reader, NOT_AT_ALL)
        vote(reader, FULLY)
        vote(reader, RATHER_NOT)
    assert "11 lecteurs ont changé d'avis" in results(app)
    assert queries() == few


def test_the_history_is_exported_and_erased_with_the_reader(app):
    alice = reader_at(app, "198.51.100.1")
    vote(alice, NOT_AT_ALL)
    vote(alice, RATHER)
    bob = reader_at(app, "198.51.100.2")
    vote(bob, FULLY)
    vote(bob, RATHER_NOT)
    data = json.loads(alice.client.get("/mes-donnees.json").get_data(as_text=True))
    [change] = data["vote_changes"]
    assert (change["from_choice"], change["to_choice"]) == (
        "Pas du tout crédible",
        "Plutôt crédible",
    )
    assert "Mes changements de vote" in alice.client.get("/mes-donnees").get_data(as_text=True)
    assert "2 lecteurs ont changé d'avis" in results(app)

    erased = alice.post_form("/mes-donnees/supprimer", {"confirm": "y"}, page="/mes-donnees")
    assert erased.status_code in (302, 303)

    assert len(history(app)) == 1  # Bob's
    shown = results(app)
    assert "1 lecteur a changé d'avis : 1 vers « Plutôt pas crédible »" in shown
    assert "Plutôt crédible »" not in shown
