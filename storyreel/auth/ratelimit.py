"""Request rate limits per user and per IP with the ``limits`` library (moving windows; memory
storage in one process, Redis when several API processes share the counters)."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from storyreel.settings import RateLimits


@dataclass(frozen=True)
class Limited(Exception):
    scope: str
    limit: str
    retry_after_s: int


class _MemoryStorage(MemoryStorage):
    """``limits``' memory storage, expiring old entries at most once a second, inline.

    Upstream starts a timer thread 10 ms after any hit to drop expired entries; under load that
    is a new thread every 10 ms, started (and waited for) on the API's event loop — a fifth of
    its time in our measurements. Expiry is housekeeping only: the moving window compares
    timestamps itself, so doing it less often changes no decision."""

    _last_expiry = 0.0

    def _MemoryStorage__schedule_expiry(self) -> None:
        now = time.monotonic()
        if now - self._last_expiry >= 1.0:
            self._last_expiry = now
            self._MemoryStorage__expire_events()  # type: ignore[attr-defined]


def _storage(url: str) -> Storage:
    if url.startswith("memory://"):
        return _MemoryStorage()
    storage = storage_from_string(url)
    assert isinstance(storage, Storage), "an async storage URL was given to the sync limiter"
    return storage


class RateLimiter:
    def __init__(self, storage_url: str, limits: RateLimits) -> None:
        self._limiter = MovingWindowRateLimiter(_storage(storage_url))
        self._rules: dict[str, list[RateLimitItem]] = {
            "user": parse_many(limits.per_user),
            "ip": parse_many(limits.per_ip),
            "auth": parse_many(limits.auth_per_ip),
            "sample": parse_many(limits.samples_per_user),
        }

    def hit(self, scope: str, identity: str) -> None:
        """Count one request; raise ``Limited`` with how long to wait if over a limit."""
        for item in self._rules[scope]:
            if not self._limiter.hit(item, scope, identity):
                reset_at, _ = self._limiter.get_window_stats(item, scope, identity)
                wait = max(1, math.ceil(reset_at - time.time()))
                raise Limited(scope, str(item), wait)

    def reset(self) -> None:
        self._limiter.storage.reset()
