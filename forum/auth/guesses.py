"""Password guesses against staff accounts: counted before they are evaluated.

Two budgets, both in the rate-limit storage (memory:// or Redis) so every worker shares
them and each count is one atomic increment:

- per (account, client): a client is an address hash, or a browser that signed in to this
  account before (its device cookie). Spent, it stops that client only: an attacker who
  exhausts theirs cannot lock the account's owner out.
- per account, a slower ceiling on guesses from clients the account has never seen, however
  many addresses they come from. Browsers with the account's device cookie are exempt.

A guess is reserved before the password is checked and given back when it was right, so
parallel requests cannot overshoot a budget; a refused request costs nothing.
"""

from __future__ import annotations

import math
import secrets
import time
from dataclasses import dataclass

from itsdangerous import BadSignature
from limits import RateLimitItem, parse_many
from limits.strategies import RateLimiter

from forum.security import signed_serializer

DEVICE_COOKIE = "forum_staff_device"
DEVICE_COOKIE_PATH = "/staff"
DEVICE_DAYS = 180
_DEVICE_SALT = "forum.staff-device"


@dataclass(frozen=True)
class GuessBudgets:
    per_client: list[RateLimitItem]
    per_account: list[RateLimitItem]


@dataclass(frozen=True)
class Guesser:
    """Who is guessing: the account's keyed hash and the client's key."""

    account: str
    client: str
    known_device: bool


def guess_budgets(per_client: str, per_account: str) -> GuessBudgets:
    return GuessBudgets(parse_many(per_client), parse_many(per_account))


def reserve_guess(strategy: RateLimiter, budgets: GuessBudgets, guesser: Guesser) -> int | None:
    """Count one guess; return None when it may be evaluated, else the seconds to wait."""
    taken = []
    for item, keys in _buckets(budgets, guesser):
        if not strategy.hit(item, *keys):
            # Over budget: undo every count of this request, the refused one included.
            for spent_item, spent_keys in [*taken, (item, keys)]:
                strategy.hit(spent_item, *spent_keys, cost=-1)
            reset_at = strategy.get_window_stats(item, *keys).reset_time
            return max(1, math.ceil(reset_at - time.time()))
        taken.append((item, keys))
    return None


def give_back_guess(strategy: RateLimiter, budgets: GuessBudgets, guesser: Guesser) -> None:
    """A right password is not a guess: return what reserve_guess counted."""
    for item, keys in _buckets(budgets, guesser):
        strategy.hit(item, *keys, cost=-1)


def _buckets(budgets: GuessBudgets, guesser: Guesser):
    for item in budgets.per_client:
        yield item, ("login-client", guesser.account, guesser.client)
    if not guesser.known_device:
        for item in budgets.per_account:
            yield item, ("login-account", guesser.account)


def new_device_cookie(account: str) -> str:
    """A signed value naming this account and a random device id."""
    return signed_serializer(_DEVICE_SALT).dumps([account, secrets.token_urlsafe(16)])


def device_of(cookie: str | None, account: str) -> str | None:
    """The device id in a valid cookie issued for this account, else None."""
    try:
        value = signed_serializer(_DEVICE_SALT).loads(cookie or "")
    except BadSignature:
        return None
    if not (isinstance(value, list) and len(value) == 2 and value[0] == account):
        return None
    return str(value[1])
