"""Concurrency through a real threaded HTTP server (urllib, one cookie jar per reader)."""

from __future__ import annotations

import re
import threading

import pytest

from forum.models import Comment
from tests.comment_helpers import TOKEN_RE, comments
from tests.conftest import ARTICLE_SLUG, csrf_token
from tests.http_client import HttpReader

pytestmark = pytest.mark.live
ARTICLE = f"/articles/{ARTICLE_SLUG}"
STAMP_RE = re.compile(r'name="rendered_at" type="hidden" value="([^"]+)"')


def comment_form(reader: HttpReader) -> dict:
    """The hidden fields of the comment form, as the article page gives them to this reader."""
    html = reader.get(ARTICLE).body
    return {
        "csrf_token": csrf_token(html),
        "submission_token": TOKEN_RE.search(html)[1],
        "rendered_at": STAMP_RE.search(html)[1],
    }


def post_comment(reader: HttpReader, data: dict) -> int:
    return reader.post(f"{ARTICLE}/comments", data).status


def run_together(tasks) -> list:
    """Start every task at the same instant (barrier) and return their results."""
    barrier = threading.Barrier(len(tasks))
    results: list = [None] * len(tasks)

    def run(index, task):
        barrier.wait()
        results[index] = task()

    threads = [threading.Thread(target=run, args=(i, t)) for i, t in enumerate(tasks)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_twenty_readers_posting_at_once_are_all_stored_once(live_server, app, count_rows):
    readers = [HttpReader(live_server.url) for _ in range(20)]
    forms = [comment_form(reader) for reader in readers]
    tasks = [
        (
            lambda r=r, f=f, i=i: post_comment(
                r, {**f, "pseudonym": f"Lecteur {i}", "body": f"Avis numéro {i}", "submit": "1"}
            )
        )
        for i, (r, f) in enumerate(zip(readers, forms, strict=True))
    ]
    assert run_together(tasks) == [302] * 20
    stored = comments(app)
    assert sorted(c.body_source for c in stored) == sorted(f"Avis numéro {i}" for i in range(20))
    assert len({c.reader_hash for c in stored}) == 20


def test_one_reader_double_submitting_gets_one_comment(live_server, count_rows):
    reader = HttpReader(live_server.url)
    form = {**comment_form(reader), "pseudonym": "Pressée", "body": "Un seul avis", "submit": "1"}
    results = run_together([lambda: post_comment(reader, form) for _ in range(4)])
    assert results == [302] * 4
    assert count_rows(Comment) == 1


def mark_useful_together(live_server, make_reader, readers: int) -> list[int]:
    """`readers` readers (one address) mark comment 1 "utile" at the same instant."""
    from tests.comment_helpers import post_comment

    post_comment(make_reader(), body="À juger")
    clients = [HttpReader(live_server.url) for _ in range(readers)]
    tokens = [client.csrf_token(ARTICLE) for client in clients]

    def mark(client, token):
        return client.post("/comments/1/useful", {"csrf_token": token}).status

    return run_together([lambda c=c, t=t: mark(c, t) for c, t in zip(clients, tokens, strict=True)])


# The cap per address is not what this test is about: every reader here shares 127.0.0.1.
@pytest.mark.parametrize("app_config", [{"FORUM_USEFUL_PER_ADDRESS": 0}])
def test_useful_votes_at_once_keep_the_counter_exact(live_server, app, make_reader, count_rows):
    from forum.models import CommentVote

    assert mark_useful_together(live_server, make_reader, 12) == [302] * 12
    assert count_rows(CommentVote) == 12
    assert comments(app)[0].useful_count == 12


def test_marks_at_once_from_one_address_stop_at_the_cap(live_server, app, make_reader, count_rows):
    from forum.models import CommentVote

    results = mark_useful_together(live_server, make_reader, 12)
    assert sorted(results) == [302] * 3 + [409] * 9
    assert count_rows(CommentVote) == 3
    assert comments(app)[0].useful_count == 3


def test_one_form_stamp_sent_by_eight_readers_at_once_publishes_one_comment(live_server, app):
    readers = [HttpReader(live_server.url) for _ in range(8)]
    forms = [comment_form(reader) for reader in readers]
    stamp = STAMP_RE.search(readers[0].get(ARTICLE).body)[1]
    tasks = [
        (
            lambda r=r, f=f, i=i: post_comment(
                r,
                {
                    **f,
                    "rendered_at": stamp,
                    "pseudonym": f"Lecteur {i}",
                    "body": f"Avis numéro {i}",
                    "submit": "1",
                },
            )
        )
        for i, (r, f) in enumerate(zip(readers, forms, strict=True))
    ]
    assert sorted(run_together(tasks)) == [302] + [409] * 7
    assert len(comments(app)) == 1
