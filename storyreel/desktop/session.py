"""Where a signed-in session is remembered between runs: the OS keyring, or nowhere.

Only the refresh token is kept (the access token lives minutes), under the server's URL, so
each server has its own account. Without a keyring backend (a bare Linux session, a CI box)
nothing is written anywhere — never a plaintext file — and ``persistent`` says so, for the
sign-in screen to tell the user they will sign in again next time.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

import keyring
import keyring.backend
import keyring.errors
from keyring.backends import fail, null

log = logging.getLogger(__name__)

SERVICE = "storyreel-desktop"


@dataclass(frozen=True)
class SavedSession:
    email: str
    refresh_token: str


def _usable(backend: keyring.backend.KeyringBackend) -> bool:
    if isinstance(backend, fail.Keyring | null.Keyring):
        return False
    try:
        return float(backend.priority) > 0
    except Exception:  # a backend whose priority check fails cannot be used either
        return False


class SessionStore:
    """Remembers one session per server URL in the keyring, when there is one."""

    def __init__(self, backend: keyring.backend.KeyringBackend | None = None) -> None:
        self._backend = backend if backend is not None else keyring.get_keyring()
        self.persistent = _usable(self._backend)

    def load(self, server: str) -> SavedSession | None:
        if not self.persistent:
            return None
        try:
            raw = self._backend.get_password(SERVICE, server)
        except keyring.errors.KeyringError as exc:
            log.warning("reading the keyring failed: %s", exc)
            return None
        if not raw:
            return None
        try:
            data = json.loads(raw)
            return SavedSession(str(data["email"]), str(data["refresh_token"]))
        except (ValueError, KeyError, TypeError):
            return None  # written by something else: ignore it, the next sign-in replaces it

    def save(self, server: str, session: SavedSession) -> None:
        if not self.persistent:
            return
        value = json.dumps({"email": session.email, "refresh_token": session.refresh_token})
        try:
            self._backend.set_password(SERVICE, server, value)
        except keyring.errors.KeyringError as exc:
            log.warning("writing the keyring failed (this session is not remembered): %s", exc)

    def forget(self, server: str) -> None:
        if not self.persistent:
            return
        try:
            self._backend.delete_password(SERVICE, server)
        except keyring.errors.PasswordDeleteError:
            pass  # nothing was stored for this server
        except keyring.errors.KeyringError as exc:
            log.warning("clearing the keyring failed: %s", exc)
