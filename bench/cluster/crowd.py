"""Readers who open the article, vote and comment, each from an address of their own, all
at once (one thread each): what the cluster test and `make cluster` send through nginx."""

from __future__ import annotations

import hashlib
import hmac
import random
import re
import secrets
import threading
import time
from dataclasses import dataclass

import psycopg
from itsdangerous import URLSafeSerializer

from bench.cluster.client import Browser, hidden_fields
from bench.settings import SLUG
from forum.readers import COOKIE_SALT

ARTICLE = f"/articles/{SLUG}"
VOTE = f"{ARTICLE}/vote"
COMMENT = f"{ARTICLE}/comments"
CHOICE_RE = re.compile(r'name="(q_\d+)" required type="radio" value="(\d+)"')
ACKNOWLEDGED = {302, 303}
# A comment sent sooner after its form was shown is refused (FORUM_MIN_POST_SECONDS).
MIN_POST_SECONDS = 3.2


@dataclass
class Visit:
    """What one reader sent and what each request answered (None: no answer at all)."""

    address: str
    marker: str
    page: int | None = None
    vote: int | None = None
    comment: int | None = None
    reader_cookie: str | None = None
    error: str | None = None
    retried: int = 0  # POSTs sent again after a 502/503/504, as a person clicks again

    @property
    def vote_acknowledged(self) -> bool:
        return self.vote in ACKNOWLEDGED

    @property
    def comment_acknowledged(self) -> bool:
        return self.comment in ACKNOWLEDGED


def ballot(html: str) -> dict[str, str]:
    """A random choice for every question of the poll form."""
    choices: dict[str, list[str]] = {}
    for name, choice in CHOICE_RE.findall(html):
        choices.setdefault(name, []).append(choice)
    return {name: random.choice(values) for name, values in choices.items()}


def visit(base: str, address: str, reader_cookie_name: str = "forum_reader") -> Visit:
    """Open the article, vote, then comment once the form is old enough."""
    done = Visit(address, f"témoin-{secrets.token_hex(6)}")
    browser = Browser(address)
    try:
        page = browser.get(base + ARTICLE)
        done.page = page.status
        if page.status != 200:
            return done
        shown = time.monotonic()
        vote_form = {**hidden_fields(page.body, VOTE), **ballot(page.body)}
        comment_form = hidden_fields(page.body, f"{COMMENT}#commenter")
        done.vote = send_again_on_failure(done, browser, base + VOTE, vote_form)
        done.reader_cookie = browser.cookies.get(reader_cookie_name)
        time.sleep(max(0.0, MIN_POST_SECONDS - (time.monotonic() - shown)))
        body = f"Avis {done.marker} : la coupure de l'accès me paraît crédible."
        form = {**comment_form, "pseudonym": f"Lecteur {done.marker[-6:]}", "body": body}
        done.comment = send_again_on_failure(done, browser, base + COMMENT, {**form, "submit": "1"})
    except OSError as error:
        done.error = repr(error)
    return done


def send_again_on_failure(done: Visit, browser: Browser, url: str, form: dict) -> int:
    """POST the form; on a gateway error, once more after a second, with the same form:
    its ballot token or submission token makes a second delivery change nothing."""
    status = browser.post(url, form).status
    if status in {502, 503, 504}:
        done.retried += 1
        time.sleep(1)
        status = browser.post(url, form).status
    return status


def crowd(base: str, addresses: list[str], spread_seconds: float) -> list[Visit]:
    """One reader per address, their starts spread evenly over `spread_seconds`."""
    visits: list[Visit | None] = [None] * len(addresses)

    def one(index: int) -> None:
        time.sleep(spread_seconds * index / max(len(addresses), 1))
        visits[index] = visit(base, addresses[index])

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(addresses))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    return [
        v if v else Visit(a, "", error="thread did not finish")
        for v, a in zip(visits, addresses, strict=True)
    ]


def reader_hash(cookie: str, secret: str) -> str:
    """The hash the app stores for the reader this cookie names (forum.readers)."""
    reader_id = URLSafeSerializer(secret, salt=COOKIE_SALT).loads(cookie)
    return hmac.new(secret.encode(), f"reader:{reader_id}".encode(), hashlib.sha256).hexdigest()


def problems(visits: list[Visit], database_url: str, secret: str, questions: int = 2) -> list[str]:
    """Every acknowledged vote and comment stored exactly once, nothing stored twice: what
    is wrong, compared with the rows (an empty list when nothing is). The crowd must be the
    only voters in the database so far."""
    url = database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url) as connection:
        voters = dict(connection.execute("SELECT reader_hash, count(*) FROM votes GROUP BY 1"))
        bodies = [body for (body,) in connection.execute("SELECT body_source FROM comments")]
    found = []
    for v in visits:
        stored = sum(v.marker in body for body in bodies) if v.marker else 0
        if v.vote_acknowledged and voters.get(reader_hash(v.reader_cookie, secret)) != questions:
            found.append(f"vote of {v.address} acknowledged, not stored")
        if v.comment_acknowledged and stored != 1:
            found.append(f"comment {v.marker} acknowledged, stored {stored} times")
        elif stored > 1:
            found.append(f"comment {v.marker} stored {stored} times")
    if len(voters) > sum(v.vote is not None for v in visits):
        found.append(f"{len(voters)} voters stored for fewer ballots sent")
    if set(voters.values()) - {questions}:
        found.append(f"a voter with other than {questions} rows: {set(voters.values())}")
    return found
