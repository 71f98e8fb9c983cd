"""A browser for the cluster: its cookies go to every host (through nginx or straight to an
app host), and it connects from an address of its own so per-address rules see a person."""

from __future__ import annotations

import http.client
import re
import urllib.parse
from dataclasses import dataclass
from http.cookies import SimpleCookie

from bench.pages import CSRF_RE

FORM_RE = re.compile(r"<form\b[^>]*>.*?</form>", re.DOTALL)
HIDDEN_RE = re.compile(r'<input\b[^>]*type="hidden"[^>]*>')
ATTRIBUTE_RE = re.compile(r'(name|value)="([^"]*)"')


@dataclass
class Reply:
    status: int
    body: str
    headers: dict[str, str]


class Browser:
    def __init__(self, source: str | None = None, timeout: float = 60):
        self.source, self.timeout = source, timeout
        self.cookies: dict[str, str] = {}

    def get(self, url: str, headers: dict[str, str] | None = None) -> Reply:
        return self.send("GET", url, None, headers or {})

    def post(self, url: str, data: dict, headers: dict[str, str] | None = None) -> Reply:
        body = urllib.parse.urlencode(data)
        form = {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})}
        return self.send("POST", url, body, form)

    def send(self, method: str, url: str, body: str | None, headers: dict[str, str]) -> Reply:
        parts = urllib.parse.urlsplit(url)
        connection = http.client.HTTPConnection(
            parts.hostname,
            parts.port or 80,
            timeout=self.timeout,
            source_address=(self.source, 0) if self.source else None,
        )
        if self.cookies:
            headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), **headers}
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode(errors="replace")
            for header in response.headers.get_all("Set-Cookie") or []:
                self._keep(header)
            return Reply(response.status, text, dict(response.headers.items()))
        finally:
            connection.close()

    def _keep(self, header: str) -> None:
        for name, morsel in SimpleCookie(header).items():
            expired = morsel["max-age"] == "0" or "1970" in morsel["expires"]
            if expired:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.value


def csrf_token(html: str) -> str:
    """The page's CSRF token; empty when it has none (readers' forms of a session that is
    not signed in, forum.cross_origin)."""
    match = CSRF_RE.search(html)
    return match.group(1) if match else ""


def hidden_fields(html: str, action: str) -> dict[str, str]:
    """The hidden inputs of the page's form that posts to `action` (CSRF token, stamps)."""
    for form in FORM_RE.findall(html):
        if f'action="{action}"' in form:
            fields = {}
            for tag in HIDDEN_RE.findall(form):
                attributes = dict(ATTRIBUTE_RE.findall(tag))
                if "name" in attributes:
                    fields[attributes["name"]] = attributes.get("value", "")
            return fields
    raise ValueError(f"the page has no form posting to {action}")
