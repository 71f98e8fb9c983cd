"""A first-time voter's identity, the same for a form sent twice at once (a double click).

The poll form of a visitor without a reader cookie carries the page's stamp (the comment
form's, forum.comments.spam): the same for every visitor of a cached copy, so it names no
one. A first vote from a genuine stamp takes a random id and keeps it for a few seconds
under the stamp, the address and the browser's User-Agent in the shared cache: a second
request of the same double click, sent before the first one's cookie came back, finds it
and votes as the same reader (its rows are upserted, no voter is added). Two people who
share an address and a browser build and vote from the same copy within those seconds
would share an id: the window is kept that short.
"""

from __future__ import annotations

import secrets

from flask import request

from forum.comments.spam import fresh_stamp, spam_rules
from forum.extensions import cache
from forum.net import client_address_key
from forum.readers import keyed_hash

SAME_CLICK_SECONDS = 10


def first_voter_id(raw_stamp: str | None) -> str | None:
    """The id this first vote takes; None without a genuine, fresh stamp (a random one)."""
    stamp = fresh_stamp(raw_stamp, spam_rules())
    if stamp is None:
        return None
    browser = request.headers.get("User-Agent", "")
    key = "first-vote:" + keyed_hash(
        "first-vote", f"{stamp.stamp_id}|{client_address_key()}|{browser}"
    )
    # add() keeps the first request's id (atomic on Redis); only a later request of the same
    # click, whose add() found it there, reads it back: one cache round trip for the first.
    reader_id = secrets.token_urlsafe(24)
    if cache.add(key, reader_id, timeout=SAME_CLICK_SECONDS):
        return reader_id
    return cache.get(key)
