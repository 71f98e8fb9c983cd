"""Issue 16, staff sign-in row: wrong passwords stop the client that sends them, not the
account's owner; a slower ceiling per account holds however many addresses guess; every
guess is counted before it is evaluated, so parallel requests cannot overshoot."""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from tests.conftest import REDIS_URL, TEST_SECRET, StaffMember, create_staff_account, skip_or_fail

pytestmark = pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True}])

EMAIL = "moderatrice@redaction.example"
WRONG = "not the password!"
PER_CLIENT = 5  # FORUM_LIMIT_LOGIN_ACCOUNT: 5 per 15 minutes, per (account, client)
CEILING = 20  # FORUM_LIMIT_LOGIN_ACCOUNT_CEILING: 20 per hour, per account
LOCKED = "Trop de mots de passe erronés pour ce compte"


@pytest.fixture
def owner(app) -> StaffMember:
    create_staff_account(app, EMAIL)
    return StaffMember(app, EMAIL)


def attacker(app, address: str) -> StaffMember:
    member = StaffMember(app, EMAIL, password=WRONG)
    member.client.environ_base["REMOTE_ADDR"] = address
    return member


def guesses_from(app, address: str, count: int) -> list[int]:
    member = attacker(app, address)
    return [member.login().status_code for _ in range(count)]


def test_wrong_passwords_from_several_addresses_do_not_lock_the_owner_out(app, owner):
    for n in range(3):
        assert guesses_from(app, f"203.0.113.{n}", PER_CLIENT + 1) == [400] * PER_CLIENT + [429]
    owner.client.environ_base["REMOTE_ADDR"] = "198.51.100.20"
    assert owner.login().status_code == 302


def test_refused_requests_spend_no_budget_and_the_ceiling_stops_new_clients(app, owner):
    assert owner.login().status_code == 302  # this browser now carries the device cookie
    owner.logout()
    # 30 tries from one address: 5 evaluated, the others refused by the per-client budget
    # or the per-address request limit (10 per minute); none of them counts further.
    assert guesses_from(app, "203.0.113.1", 30) == [400] * PER_CLIENT + [429] * 25
    for n in range(2, 5):  # three more addresses: 15 guesses, all evaluated
        assert guesses_from(app, f"203.0.113.{n}", PER_CLIENT) == [400] * PER_CLIENT
    # 20 wrong passwords from new clients within the hour: the next new client is refused...
    late = attacker(app, "203.0.113.99").login()
    assert late.status_code == 429 and LOCKED in late.get_data(as_text=True)
    fresh_browser = StaffMember(app, EMAIL)
    fresh_browser.client.environ_base["REMOTE_ADDR"] = "198.51.100.20"
    assert fresh_browser.login().status_code == 429
    # ...but the browser the owner signed in from before is not.
    assert owner.login().status_code == 302


class RawClient:
    """One browser as a socket bound to its own loopback address (127.0.0.0/8)."""

    def __init__(self, base_url: str, source: str):
        parts = urllib.parse.urlsplit(base_url)
        self.host, self.port, self.source = parts.hostname, parts.port, source
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None):
        connection = http.client.HTTPConnection(
            self.host, self.port, timeout=60, source_address=(self.source, 0)
        )
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, value = header.split(";", 1)[0].split("=", 1)
            self.cookies[name] = value
        connection.close()
        return response.status, text

    def prepare_guess(self) -> dict:
        _status, page = self.request("GET", "/staff/login")
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        return {"csrf_token": token, "email": EMAIL, "password": WRONG, "next": ""}


def guess_at_once(clients: list[RawClient]) -> list[int]:
    forms = [client.prepare_guess() for client in clients]
    start = threading.Barrier(len(clients))
    statuses: list[int] = []

    def guess(client: RawClient, form: dict) -> None:
        start.wait()
        statuses.append(client.request("POST", "/staff/login", form)[0])

    threads = [
        threading.Thread(target=guess, args=pair) for pair in zip(clients, forms, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return statuses


def outcome(statuses: list[int]) -> dict[str, int]:
    """400: the password was checked and wrong; 429: the guess was refused unchecked."""
    return {"evaluated": statuses.count(400), "refused": statuses.count(429)}


@pytest.mark.live
def test_forty_parallel_guesses_from_one_address_get_five_evaluated(live_server, owner):
    statuses = guess_at_once([RawClient(live_server.url, "127.0.0.1") for _ in range(40)])
    assert outcome(statuses) == {"evaluated": PER_CLIENT, "refused": 40 - PER_CLIENT}


@pytest.mark.live
def test_forty_parallel_guesses_from_forty_addresses_stop_at_the_ceiling(live_server, owner):
    clients = [RawClient(live_server.url, f"127.0.0.{n}") for n in range(10, 50)]
    statuses = guess_at_once(clients)
    assert outcome(statuses) == {"evaluated": CEILING, "refused": 40 - CEILING}


@contextmanager
def server_process(database_url: str, storage: str) -> Iterator[str]:
    """One gunicorn process (one worker) on the test database and a shared limit storage."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": TEST_SECRET,
        "RATELIMIT_STORAGE_URI": storage,
    }
    command = [sys.executable, "-m", "gunicorn", "-w", "1", "-b", f"127.0.0.1:{port}", "wsgi:app"]
    root = Path(__file__).resolve().parent.parent
    process = subprocess.Popen(command, cwd=root, env=env, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, "no gunicorn"
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.live
def test_two_server_processes_on_redis_stop_at_the_ceiling_together(database_url, owner):
    if not REDIS_URL:
        skip_or_fail("FORUM_TEST_REDIS_URL is not set: shared sign-in budgets not tested")
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    with ExitStack() as stack:
        urls = [stack.enter_context(server_process(database_url, REDIS_URL)) for _ in range(2)]
        clients = [RawClient(urls[n % 2], f"127.0.0.{n}") for n in range(10, 50)]
        statuses = guess_at_once(clients)
    assert outcome(statuses) == {"evaluated": CEILING, "refused": 40 - CEILING}
