"""Who a credential belongs to, remembered for a few seconds per process.

Every authenticated request needs its account (role, plan, disabled); reading it from the
database each time costs a thread hop and a query on the hottest endpoints (status polls). The
cache is short-lived and the process that changes an account (disable, role, key revocation)
forgets it at once; other API processes see the change within ``ttl_s``.
"""

from __future__ import annotations

import threading
import time

from storyreel.db.models import User


class Principals:
    def __init__(self, ttl_s: float = 5.0, max_entries: int = 10_000) -> None:
        self.ttl_s, self.max_entries = ttl_s, max_entries
        self._lock = threading.Lock()
        self._users: dict[str, tuple[float, User]] = {}
        self._keys: dict[str, tuple[float, str]] = {}  # API key hash -> user id

    def user(self, user_id: str) -> User | None:
        hit = self._users.get(user_id)
        return hit[1] if hit is not None and hit[0] > time.monotonic() else None

    def key_owner(self, key_hash: str) -> str | None:
        hit = self._keys.get(key_hash)
        return hit[1] if hit is not None and hit[0] > time.monotonic() else None

    def remember(self, user: User, key_hash: str | None = None) -> None:
        until = time.monotonic() + self.ttl_s
        with self._lock:
            if len(self._users) >= self.max_entries:
                self._users.clear()
                self._keys.clear()
            self._users[user.id] = (until, user)
            if key_hash is not None:
                self._keys[key_hash] = (until, user.id)

    def forget(self, user_id: str | None = None, key_hash: str | None = None) -> None:
        with self._lock:
            if user_id is not None:
                self._users.pop(user_id, None)
            if key_hash is not None:
                self._keys.pop(key_hash, None)
