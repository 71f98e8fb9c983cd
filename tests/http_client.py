"""A minimal HTTP reader for live-server tests: its own cookie jar, real form posts."""

from __future__ import annotations

import functools
import http.client
import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@dataclass
class Reply:
    status: int
    body: str


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class _FromAddress(urllib.request.HTTPHandler):
    """Connect from a chosen local address (any of 127.0.0.0/8 on loopback)."""

    def __init__(self, source: str):
        super().__init__()
        self.source = source

    def http_open(self, request):
        return self.do_open(
            functools.partial(http.client.HTTPConnection, source_address=(self.source, 0)),
            request,
        )


class HttpReader:
    """A browser: its own cookie jar, redirects not followed, and optionally its own
    loopback address (`source`), so that per-address rules see distinct clients."""

    def __init__(self, base_url: str, source: str | None = None):
        self.base_url = base_url
        self.jar = http.cookiejar.CookieJar()
        handlers = [urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect]
        if source is not None:
            handlers.append(_FromAddress(source))
        self._opener = urllib.request.build_opener(*handlers)

    def set_cookie(self, name: str, value: str) -> None:
        host = urllib.parse.urlsplit(self.base_url).hostname
        self.jar.set_cookie(
            http.cookiejar.Cookie(
                0,
                name,
                value,
                None,
                False,
                host,
                False,
                False,
                "/",
                True,
                False,
                None,
                False,
                None,
                None,
                {},
            )
        )

    def get(self, path: str) -> Reply:
        return self._send(urllib.request.Request(self.base_url + path))

    def post(self, path: str, data: dict) -> Reply:
        body = urllib.parse.urlencode(data).encode()
        return self._send(urllib.request.Request(self.base_url + path, data=body))

    def csrf_token(self, path: str) -> str:
        """The page's CSRF token; empty when it has none (readers' forms without a signed-in
        session, forum.cross_origin)."""
        match = CSRF_RE.search(self.get(path).body)
        return match.group(1) if match else ""

    def _send(self, request: urllib.request.Request) -> Reply:
        try:
            with self._opener.open(request, timeout=60) as response:
                return Reply(response.status, response.read().decode())
        except urllib.error.HTTPError as error:
            return Reply(error.code, error.read().decode())


def fetch(url: str, **headers) -> int:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def fetch_or_none(url: str) -> int | None:
    try:
        return fetch(url)
    except OSError:
        return None
