"""The in-process cache used without Redis: bounded by the bytes it holds, not its entries.

Flask-Caching's SimpleCache bounds its entries by number and keeps expired ones until that
number is reached. A page of threads runs to 650 KB at 100,000 comments, so its 200 entries
could hold 130 MB in every worker: a crawler walking the pages grew a worker from 76 to
144 MB. This backend keeps at most FORUM_CACHE_MAX_MB per worker, drops expired entries
at each write, and evicts the least recently read first (a wave's first page stays).
"""

from __future__ import annotations

import math
import pickle
import threading
import time
from collections.abc import Callable
from typing import Any

from cachetools import TLRUCache
from flask import Flask
from flask_caching.backends.base import BaseCache

from forum.config import ConfigurationError

_Entry = tuple[float, bytes]  # (seconds to live, pickled value)


class BoundedMemoryCache(BaseCache):
    """Flask-Caching backend over cachetools' TLRUCache, sized by pickled bytes."""

    def __init__(
        self,
        max_bytes: int,
        default_timeout: int = 300,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(default_timeout=default_timeout)
        self._entries: TLRUCache[str, _Entry] = TLRUCache(
            maxsize=max_bytes, ttu=_expiry, timer=timer, getsizeof=_size
        )
        self._lock = threading.RLock()

    @classmethod
    def factory(
        cls, app: Flask, config: dict[str, Any], args: list[Any], kwargs: dict[str, Any]
    ) -> BoundedMemoryCache:
        return cls(
            max_bytes=int(cache_budget_mb(config["FORUM_CACHE_MAX_MB"]) * 2**20),
            default_timeout=config["CACHE_DEFAULT_TIMEOUT"],
        )

    @property
    def size_bytes(self) -> int:
        return int(self._entries.currsize)

    def get(self, key: str) -> Any:
        with self._lock:
            entry = self._entries.get(key)
        return None if entry is None else pickle.loads(entry[1])

    def has(self, key: str) -> bool:
        with self._lock:
            return key in self._entries

    def set(self, key: str, value: Any, timeout: int | None = None) -> bool:
        entry = (self._lifetime(timeout), pickle.dumps(value, pickle.HIGHEST_PROTOCOL))
        with self._lock:
            try:
                self._entries[key] = entry
            except ValueError:  # larger than the whole cache: not kept
                self._entries.pop(key, None)
                return False
        return True

    def add(self, key: str, value: Any, timeout: int | None = None) -> bool:
        with self._lock:  # re-entered by set: the check and the store are one step
            if key in self._entries:
                return False
            return self.set(key, value, timeout)

    def delete(self, key: str) -> bool:
        with self._lock:
            return self._entries.pop(key, None) is not None

    def clear(self) -> bool:
        with self._lock:
            self._entries.clear()
        return True

    def _lifetime(self, timeout: int | None) -> float:
        seconds = self._normalize_timeout(timeout)
        return math.inf if seconds == 0 else float(seconds)


def cache_budget_mb(value) -> float:
    """FORUM_CACHE_MAX_MB as a number of megabytes (the environment gives "0.5" as text)."""
    try:
        megabytes = float(value)
    except (TypeError, ValueError):
        megabytes = math.nan
    if isinstance(value, bool) or not megabytes > 0 or math.isinf(megabytes):
        raise ConfigurationError(
            f"FORUM_CACHE_MAX_MB must be a positive number of megabytes (the memory each "
            f"worker's cache may hold), not {value!r}."
        )
    return megabytes


def _expiry(_key: str, entry: _Entry, now: float) -> float:
    return now + entry[0]


def _size(entry: _Entry) -> int:
    return len(entry[1])
