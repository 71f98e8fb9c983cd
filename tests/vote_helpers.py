"""Votes sent through the real poll form from a given address, and the hash it is stored as."""

from __future__ import annotations

import hashlib
import hmac

from tests.conftest import TEST_SECRET

ANSWERS = {"credibility": 3, "relevance": 1}


def address_hash(address: str) -> str:
    return hmac.new(TEST_SECRET.encode(), f"address:{address}".encode(), hashlib.sha256).hexdigest()


def vote_from(make_reader, address: str = "127.0.0.1"):
    reader = make_reader()
    reader.client.environ_base["REMOTE_ADDR"] = address
    assert reader.vote(ANSWERS).status_code == 302
    return reader
