"""The pages and forms the load is aimed at, and the SQL each page costs."""

from __future__ import annotations

import re
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlencode

from flask import Flask
from sqlalchemy import event

from bench.settings import SLUG, make_app
from forum.extensions import db

ARTICLE_PATH = f"/articles/{SLUG}"
VOTE_PATH = f"{ARTICLE_PATH}/vote"
COMMENT_PATH = f"{ARTICLE_PATH}/comments"
OVER_TIME_PATH = f"{ARTICLE_PATH}/resultats-dans-le-temps"
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
PAGE_LINK_RE = re.compile(r"\?page=(\d+)")
CHOICE_RE = re.compile(r'name="(q_\d+)" required type="radio" value="(\d+)"')


@dataclass
class Credentials:
    """What a POST needs: the session cookie and the CSRF token it signs; both empty for a
    visitor without cookies, whose forms carry no token (forum.cross_origin)."""

    cookie: str
    csrf_token: str


def fetch(url: str) -> tuple[bytes, list[str]]:
    """GET a page as a first-time visitor; return its body and Set-Cookie headers."""
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read(), response.headers.get_all("Set-Cookie") or []


def deep_page_path(html: str) -> str:
    """The last page of threads (the page links always show it), read by page number."""
    pages = [int(number) for number in PAGE_LINK_RE.findall(html)]
    return f"{ARTICLE_PATH}?page={max(pages, default=1)}"


def credentials(html: str, set_cookies: list[str]) -> Credentials:
    match = CSRF_RE.search(html)
    session = next((c.split(";", 1)[0] for c in set_cookies if c.startswith("session=")), "")
    if (match is None) != (not session):
        raise ValueError("the article page gave a CSRF token without its session, or back")
    return Credentials(cookie=session, csrf_token=match.group(1) if match else "")


def vote_form(html: str, token: str) -> str:
    """A complete ballot: the first choice of every question, with the CSRF token."""
    answers: dict[str, str] = {}
    for name, choice in CHOICE_RE.findall(html):
        answers.setdefault(name, choice)
    if not answers:
        raise ValueError("the article page shows no poll")
    return urlencode({"csrf_token": token, **answers})


def count_queries(url: str, deep_path: str) -> dict[str, int]:
    """SQL statements per page, in process: first page cold then warm, the deep page, and
    the results over time (cold)."""
    app = make_app(url)
    with _QueryCounter(app) as counter:
        client = app.test_client()
        counts = {}
        for label, path in (
            ("first_cold", ARTICLE_PATH),
            ("first_warm", ARTICLE_PATH),
            ("deep", deep_path),
            ("over_time", OVER_TIME_PATH),
        ):
            counter.count = 0
            status = client.get(path).status_code
            if status != 200:
                raise RuntimeError(f"{path} answered {status}")
            counts[label] = counter.count
    return counts


class _QueryCounter:
    def __init__(self, app: Flask):
        self.app, self.count = app, 0

    def _seen(self, *_args) -> None:
        self.count += 1

    def __enter__(self):
        with self.app.app_context():
            self.engine = db.engine
        event.listen(self.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *_exc) -> None:
        event.remove(self.engine, "before_cursor_execute", self._seen)
        self.engine.dispose()
