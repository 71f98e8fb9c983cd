"""Votes sent through the real poll form from a given address, and the hash it is stored as."""

from __future__ import annotations

import hashlib
import hmac
import threading
from concurrent.futures import ThreadPoolExecutor

from tests.conftest import TEST_SECRET, poll_field

ANSWERS = {"credibility": 3, "relevance": 1}


def address_hash(address: str) -> str:
    return hmac.new(TEST_SECRET.encode(), f"address:{address}".encode(), hashlib.sha256).hexdigest()


def vote_from(make_reader, address: str = "127.0.0.1"):
    reader = make_reader()
    reader.client.environ_base["REMOTE_ADDR"] = address
    assert reader.vote(ANSWERS).status_code == 302
    return reader


def vote_form(app, token: str) -> dict:
    credibility, credible = poll_field(app, "credibility", 2)
    relevance, relevant = poll_field(app, "relevance", 3)
    return {"csrf_token": token, credibility: credible, relevance: relevant}


def fire_at_once(count: int, send) -> list[int]:
    """Run send(i) in `count` threads released together; return the HTTP statuses."""
    barrier = threading.Barrier(count)

    def run(index: int) -> int:
        barrier.wait()
        return send(index)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))
