"""Issue 16, staff sign-in row: wrong passwords stop the client that sends them, not the
account's owner; a slower ceiling per account holds however many addresses guess; every
guess is counted before it is evaluated, so parallel requests cannot overshoot."""

from __future__ import annotations

import threading
from contextlib import ExitStack

import pytest

from tests.conftest import (
    REDIS_URL,
    StaffMember,
    create_staff_account,
    gunicorn_site,
    skip_or_fail,
)
from tests.http_client import HttpReader

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


def prepare_guess(client: HttpReader) -> dict:
    return {"csrf_token": client.csrf_token("/staff/login"), "email": EMAIL, "password": WRONG}


def guess_at_once(clients: list[HttpReader]) -> list[int]:
    forms = [prepare_guess(client) for client in clients]
    start = threading.Barrier(len(clients))
    statuses: list[int] = []

    def guess(client: HttpReader, form: dict) -> None:
        start.wait()
        statuses.append(client.post("/staff/login", form).status)

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
    statuses = guess_at_once([HttpReader(live_server.url, "127.0.0.1") for _ in range(40)])
    assert outcome(statuses) == {"evaluated": PER_CLIENT, "refused": 40 - PER_CLIENT}


@pytest.mark.live
def test_forty_parallel_guesses_from_forty_addresses_stop_at_the_ceiling(live_server, owner):
    clients = [HttpReader(live_server.url, f"127.0.0.{n}") for n in range(10, 50)]
    statuses = guess_at_once(clients)
    assert outcome(statuses) == {"evaluated": CEILING, "refused": 40 - CEILING}


@pytest.mark.live
def test_two_server_processes_on_redis_stop_at_the_ceiling_together(database_url, owner, tmp_path):
    if not REDIS_URL:
        skip_or_fail("FORUM_TEST_REDIS_URL is not set: shared sign-in budgets not tested")
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    with ExitStack() as stack:
        urls = [
            stack.enter_context(
                gunicorn_site(
                    database_url,
                    tmp_path / f"gunicorn-{n}.log",
                    workers=1,
                    RATELIMIT_STORAGE_URI=REDIS_URL,
                )
            )[0]
            for n in range(2)
        ]
        clients = [HttpReader(urls[n % 2], f"127.0.0.{n}") for n in range(10, 50)]
        statuses = guess_at_once(clients)
    assert outcome(statuses) == {"evaluated": CEILING, "refused": 40 - CEILING}
