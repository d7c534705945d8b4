"""Access changes reach open WebSockets, in every API process.

A change that can take access away — a member removed, a project deleted, an API key revoked,
an account disabled or its role, plan or password changed — is announced on the event bus's
``access`` channel after its commit. Every API process follows that channel with one thread
(``AccessWatch``): it forgets the account in its own principal cache (so its HTTP requests see
the change at once, not after the cache's few seconds) and wakes the WebSocket connections of
that account or subscribed to that project, which then re-check their credential and
subscriptions against the database. An announcement lost (the bus down for a moment) is caught
by each connection's periodic re-check.

The announcement carries ids only, never a credential.
"""

from __future__ import annotations

import logging
import threading
from typing import Protocol

from storyreel.api.principals import Principals
from storyreel.tasks.events import Event, EventBus

log = logging.getLogger(__name__)

ACCESS_CHANNEL = "access"
RETRY_S = 2.0  # the bus was unreachable: try to follow it again after this long
POLL_S = 0.5


class Watcher(Protocol):
    """A WebSocket connection, as the watch sees it (called from the watch's thread)."""

    @property
    def user_id(self) -> str: ...

    def follows(self, project_id: str) -> bool: ...

    def wake(self) -> None: ...


def announce(
    bus: EventBus,
    principals: Principals,
    reason: str,
    *,
    user_id: str | None = None,
    project_id: str | None = None,
) -> None:
    """Tell every API process that ``user_id``'s access (or access to ``project_id``) changed.
    Call after the commit. A bus failure is logged, not raised: the change is committed, and
    open connections re-check on their own within ``RECHECK_S``."""
    if user_id is not None:
        principals.forget(user_id=user_id)
    event: Event = {"type": "access", "reason": reason}
    if user_id is not None:
        event["user_id"] = user_id
    if project_id is not None:
        event["project_id"] = project_id
    try:
        bus.publish(ACCESS_CHANNEL, event)
    except Exception:  # Redis down: the periodic re-check is the backstop
        log.warning("could not announce an access change (%s); sockets re-check later", reason)


class AccessWatch:
    """One per API process: follows the ``access`` channel and wakes the connections it names."""

    def __init__(self, bus: EventBus, principals: Principals) -> None:
        self.bus, self.principals = bus, principals
        self._lock = threading.Lock()
        self._watchers: set[Watcher] = set()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self.following = threading.Event()  # set once the channel is subscribed (tests wait)

    def register(self, watcher: Watcher) -> None:
        with self._lock:
            self._watchers.add(watcher)

    def unregister(self, watcher: Watcher) -> None:
        with self._lock:
            self._watchers.discard(watcher)

    def start(self) -> None:
        if self._thread is None:
            self._stopping.clear()
            self._thread = threading.Thread(target=self._run, name="ws-access", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def dispatch(self, event: Event) -> int:
        """Forget the account and wake the connections concerned; returns how many."""
        user_id, project_id = event.get("user_id"), event.get("project_id")
        if isinstance(user_id, str):
            self.principals.forget(user_id=user_id)
        with self._lock:
            watchers = list(self._watchers)
        woken = 0
        for watcher in watchers:
            if watcher.user_id == user_id or (
                isinstance(project_id, str) and watcher.follows(project_id)
            ):
                watcher.wake()
                woken += 1
        return woken

    def wake_all(self) -> None:
        with self._lock:
            watchers = list(self._watchers)
        for watcher in watchers:
            watcher.wake()

    def _run(self) -> None:
        lost = False
        while not self._stopping.is_set():
            try:
                sub = self.bus.subscribe(ACCESS_CHANNEL)
            except Exception:
                log.warning("cannot follow access changes; retrying in %g s", RETRY_S)
                lost = True
                self._stopping.wait(RETRY_S)
                continue
            self.following.set()
            if lost:  # announcements made meanwhile were missed: everyone re-checks now
                self.wake_all()
                lost = False
            try:
                while not self._stopping.is_set():
                    event = sub.get(timeout=POLL_S)
                    if event is not None and event.get("type") == "access":
                        self.dispatch(event)
            except Exception:
                log.warning("lost the access channel; following it again in %g s", RETRY_S)
                self.following.clear()
                lost = True
                self._stopping.wait(RETRY_S)
            finally:
                sub.close()
