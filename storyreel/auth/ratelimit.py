"""Request rate limits per user and per IP with the ``limits`` library (moving windows; memory
storage in one process, Redis when several API processes share the counters), and the guards
against password guessing per account (docs/api.md, "Password guessing").

Password guessing, per account:

- ``POST /auth/password``: ``PASSWORD_TRIES`` attempts per account; a correct one starts over.
- Login: ``LOGIN_PER_ACCOUNT_IP`` attempts per account from one IP (a correct one starts that
  IP over), and ``LOGIN_PER_ACCOUNT`` attempts per account from all IPs together — except from
  an IP that logged in to the account in the last ``KNOWN_IP_DAYS`` days: guesses from
  elsewhere never lock the owner out of their usual place, and elsewhere the longest wait is
  the widest window (five minutes). Attempts are counted before the password is checked, so a
  locked-out guesser learns nothing, and parallel guesses cannot slip past the count.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse, parse_many
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


PASSWORD_TRIES = "5/15 minutes"
LOGIN_PER_ACCOUNT_IP = "5/minute;10/5 minutes"
LOGIN_PER_ACCOUNT = "20/5 minutes"
KNOWN_IP_DAYS = 30


class RateLimiter:
    def __init__(self, storage_url: str, limits: RateLimits) -> None:
        self._limiter = MovingWindowRateLimiter(_storage(storage_url))
        self._rules: dict[str, list[RateLimitItem]] = {
            "user": parse_many(limits.per_user),
            "ip": parse_many(limits.per_ip),
            "auth": parse_many(limits.auth_per_ip),
            "sample": parse_many(limits.samples_per_user),
            "password": parse_many(PASSWORD_TRIES),
            "login": parse_many(LOGIN_PER_ACCOUNT_IP),
            "login-account": parse_many(LOGIN_PER_ACCOUNT),
        }
        self._known = parse(f"1/{KNOWN_IP_DAYS} days")

    def hit(self, scope: str, *identity: str) -> None:
        """Count one request; raise ``Limited`` with how long to wait if over a limit."""
        for item in self._rules[scope]:
            if not self._limiter.hit(item, scope, *identity):
                reset_at, _ = self._limiter.get_window_stats(item, scope, *identity)
                wait = max(1, math.ceil(reset_at - time.time()))
                raise Limited(scope, str(item), wait)

    def clear(self, scope: str, *identity: str) -> None:
        for item in self._rules[scope]:
            self._limiter.clear(item, scope, *identity)

    def login_attempt(self, account: str, ip: str) -> None:
        """Count a login attempt for ``account`` (a normalised email) from ``ip``, before the
        password is checked; ``Limited`` when it must wait."""
        self.hit("login", account, ip)
        if self._limiter.test(self._known, "known-ip", account, ip):  # not a known-good IP
            self.hit("login-account", account)

    def login_succeeded(self, account: str, ip: str) -> None:
        """The password was right: this IP starts over and is known-good for the account."""
        self.clear("login", account, ip)
        self._limiter.clear(self._known, "known-ip", account, ip)
        self._limiter.hit(self._known, "known-ip", account, ip)

    def password_attempt(self, user_id: str) -> None:
        """Count a ``POST /auth/password`` attempt before the current password is checked."""
        self.hit("password", user_id)

    def password_succeeded(self, user_id: str) -> None:
        self.clear("password", user_id)

    def reset(self) -> None:
        self._limiter.storage.reset()
