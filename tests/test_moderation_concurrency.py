"""Two moderators acting on the same comment at the same moment, over real HTTP."""

from __future__ import annotations

import http.cookiejar
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import AuditEntry
from tests.conftest import CSRF_RE, STAFF_PASSWORD, add_comment, create_staff_account

pytestmark = pytest.mark.live


class HttpStaff:
    """A staff member signed in over HTTP, with their own cookie jar."""

    def __init__(self, base_url: str, email: str):
        self.base_url = base_url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        self.post("/staff/login", {"email": email, "password": STAFF_PASSWORD}, page="/staff/login")
        self.token = self.csrf("/moderation")

    def csrf(self, page: str) -> str:
        with self.opener.open(self.base_url + page, timeout=10) as response:
            return CSRF_RE.search(response.read().decode()).group(1)

    def post(self, path: str, data: dict, page: str | None = None) -> int:
        token = self.csrf(page) if page else self.token
        body = urllib.parse.urlencode({"csrf_token": token, **data}).encode()
        try:
            with self.opener.open(self.base_url + path, body, timeout=20) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code


@pytest.mark.parametrize("action", ["approve", "feature"])
def test_simultaneous_actions_apply_once(app, live_server, action):
    fields = {"status": "pending"} if action == "approve" else {}
    comment_id = add_comment(app, **fields)
    members = []
    for number in range(2):
        create_staff_account(app, f"m{number}@redaction.example")
        members.append(HttpStaff(live_server.url, f"m{number}@redaction.example"))
    barrier = threading.Barrier(len(members))
    statuses: list[int] = []

    def act(member: HttpStaff) -> None:
        barrier.wait()
        statuses.append(member.post(f"/moderation/comments/{comment_id}/{action}", {}))

    threads = [threading.Thread(target=act, args=(m,)) for m in members]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(statuses) == [200, 409]  # the success follows its redirect to the queue
    with app.app_context():
        entries = db.session.execute(
            select(AuditEntry.action).where(AuditEntry.comment_id == comment_id)
        ).all()
    assert len(entries) == 1
