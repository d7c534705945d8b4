"""Live task events over the WebSocket ``/api/v1/ws``, with the studio's reconnect and catch-up.

The same behaviour as ``web/src/live/socket.ts``: one connection, authenticated by a first
``auth`` frame (never a token in the URL); subscriptions kept per project with the last
``seq`` seen and resumed with ``after_seq`` after a reconnect, so missed events are replayed
and overlapping ones dropped; ``resync`` (the server no longer has the missed events) and
``unsubscribed`` (access revoked) tell the views to refetch; reconnect with a doubling backoff
(0.5 s to 15 s), at once after close code 4000 (lifetime reached), never after 4401 (the
session is no longer valid: sign in again); closed after 30 s with nothing to follow.

``LiveProtocol`` is the pure state machine (frames in, frames and notices out); ``LiveEvents``
runs it on a thread with ``websockets``' blocking client and calls back from that thread.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from storyreel.desktop.errors import DesktopError, SessionExpired
from storyreel.desktop.models import TaskEvent

if TYPE_CHECKING:
    from websockets.sync.client import ClientConnection

log = logging.getLogger(__name__)

FIRST_BACKOFF_S = 0.5
MAX_BACKOFF_S = 15.0
PING_S = 25.0
IDLE_CLOSE_S = 30.0
CLOSE_EXPIRED = 4000
CLOSE_UNAUTHORIZED = 4401


@dataclass
class _Subscription:
    last_seq: int | None = None


@dataclass(frozen=True)
class Resync:
    """Refetch this project through the REST API (events were lost, or access changed)."""

    project_id: str


Notice = TaskEvent | Resync


@dataclass
class LiveProtocol:
    """The subscriptions and what each frame means; no I/O, so it is tested frame by frame."""

    subs: dict[str, _Subscription] = field(default_factory=dict)
    ready: bool = False
    backoff_s: float = FIRST_BACKOFF_S

    def follow(self, project_id: str) -> list[dict[str, Any]]:
        """Start following; returns the frames to send now (none until the socket is ready)."""
        if project_id in self.subs:
            return []
        sub = self.subs[project_id] = _Subscription()
        return [self._subscribe(project_id, sub)] if self.ready else []

    def unfollow(self, project_id: str) -> list[dict[str, Any]]:
        if self.subs.pop(project_id, None) is None or not self.ready:
            return []
        return [{"type": "unsubscribe", "project_id": project_id}]

    def opened(self, token: str) -> list[dict[str, Any]]:
        return [{"type": "auth", "token": token}]

    def receive(self, raw: str) -> tuple[list[dict[str, Any]], list[Notice]]:
        """The frames to send and the notices for the views, for one frame received."""
        try:
            frame = json.loads(raw)
        except ValueError:
            return [], []
        if not isinstance(frame, dict):
            return [], []
        kind = frame.get("type")
        if kind == "ready":
            self.ready = True
            self.backoff_s = FIRST_BACKOFF_S
            return [self._subscribe(pid, sub) for pid, sub in self.subs.items()], []
        if kind == "task":
            return [], self._task(frame)
        pid = str(frame.get("project_id"))
        sub = self.subs.get(pid)
        if kind == "subscribed" and sub is not None:
            last = frame.get("last_seq")
            if sub.last_seq is None and isinstance(last, int):
                sub.last_seq = last
        elif kind == "resync" and sub is not None:
            return [], [Resync(pid)]
        elif kind == "unsubscribed" and frame.get("reason") == "access_revoked" and sub:
            # The project was taken away: stop following it, so a reconnect does not ask again.
            del self.subs[pid]
            return [], [Resync(pid)]
        return [], []

    def _task(self, frame: dict[str, Any]) -> list[Notice]:
        try:
            event = TaskEvent.from_json(frame)
        except (KeyError, TypeError, ValueError):
            return []
        sub = self.subs.get(event.project_id or "")
        if sub is None:
            return []
        if event.seq is not None:
            if sub.last_seq is not None and event.seq <= sub.last_seq:
                return []  # already seen: the replay after a reconnect overlaps live events
            sub.last_seq = event.seq
        return [event]

    def closed(self, code: int | None) -> float | None:
        """The connection ended: seconds to wait before reconnecting, or None to stop."""
        self.ready = False
        if code == CLOSE_UNAUTHORIZED:
            return None
        delay = 0.0 if code == CLOSE_EXPIRED else self.backoff_s
        self.backoff_s = min(self.backoff_s * 2, MAX_BACKOFF_S)
        return delay

    @staticmethod
    def _subscribe(project_id: str, sub: _Subscription) -> dict[str, Any]:
        frame: dict[str, Any] = {"type": "subscribe", "project_id": project_id}
        if sub.last_seq is not None:
            frame["after_seq"] = sub.last_seq
        return frame


class LiveEvents:
    """The connection: a daemon thread that connects while there is something to follow.

    Callbacks run on that thread: ``on_notice`` (a task event or a resync), ``on_status``
    (connected or not — views poll while not), ``on_expired`` (4401: sign in again).
    """

    def __init__(
        self,
        url: str,
        token: Callable[[], str],
        on_notice: Callable[[Notice], None],
        on_status: Callable[[bool], None] = lambda connected: None,
        on_expired: Callable[[str], None] = lambda reason: None,
    ) -> None:
        self.url = url
        self._token = token
        self._on_notice, self._on_status, self._on_expired = on_notice, on_status, on_expired
        self._protocol = LiveProtocol()
        self._commands: queue.Queue[tuple[str, str]] = queue.Queue()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="storyreel-live", daemon=True)
        self.connected = False

    def start(self) -> None:
        self._thread.start()

    def follow(self, project_id: str) -> None:
        self._commands.put(("follow", project_id))

    def unfollow(self, project_id: str) -> None:
        self._commands.put(("unfollow", project_id))

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._commands.put(("stop", ""))
        if self._thread.is_alive():
            self._thread.join(timeout)

    # On the thread -------------------------------------------------------------------------

    def _apply(self, command: str, project_id: str) -> list[dict[str, Any]]:
        if command == "follow":
            return self._protocol.follow(project_id)
        if command == "unfollow":
            return self._protocol.unfollow(project_id)
        return []

    def _wait_for_work(self, delay: float) -> None:
        """Sleep ``delay`` (a backoff), taking commands meanwhile; then, with nothing to
        follow, block until there is."""
        deadline = time.monotonic() + delay
        while not self._stop.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0 and self._protocol.subs:
                return
            try:
                command, pid = self._commands.get(timeout=max(remaining, 0.05))
            except queue.Empty:
                continue
            self._apply(command, pid)

    def _run(self) -> None:
        delay = 0.0
        while not self._stop.is_set():
            self._wait_for_work(delay)
            if self._stop.is_set():
                return
            code = self._session()
            delay_or_stop = self._protocol.closed(code)
            self._set_connected(False)
            if delay_or_stop is None:
                self._on_expired("the server closed the live connection: sign in again")
                return
            delay = delay_or_stop

    def _session(self) -> int | None:
        """One connection, until it closes; returns the close code (None: never opened)."""
        # Imported on this thread, when first needed: the first window does not wait for it.
        from websockets.exceptions import InvalidHandshake, InvalidURI
        from websockets.sync.client import connect

        try:
            token = self._token()
        except SessionExpired:
            return CLOSE_UNAUTHORIZED
        except DesktopError as exc:
            log.info("live events: no token (%s); retrying", exc.message)
            return None
        try:
            ws = connect(self.url, open_timeout=10, close_timeout=2, max_size=2**22)
        except (OSError, InvalidHandshake, InvalidURI, TimeoutError) as exc:
            log.info("live events: cannot connect to %s (%s)", self.url, exc)
            return None
        with ws:
            return self._converse(ws, token)

    def _converse(self, ws: ClientConnection, token: str) -> int | None:
        from websockets.exceptions import ConnectionClosed

        def send(frame: dict[str, Any]) -> None:
            ws.send(json.dumps(frame))

        for frame in self._protocol.opened(token):
            send(frame)
        last_ping = idle_since = time.monotonic()
        try:
            while not self._stop.is_set():
                while True:  # the views' follow/unfollow, in order
                    try:
                        command, pid = self._commands.get_nowait()
                    except queue.Empty:
                        break
                    for frame in self._apply(command, pid):
                        send(frame)
                now = time.monotonic()
                if self._protocol.subs:
                    idle_since = now
                elif now - idle_since > IDLE_CLOSE_S:
                    ws.close()  # nothing to follow: free the account's connection slot
                    return None
                if self._protocol.ready and now - last_ping > PING_S:
                    send({"type": "ping"})
                    last_ping = now
                try:
                    raw = ws.recv(timeout=0.2)
                except TimeoutError:
                    continue
                frames, notices = self._protocol.receive(str(raw))
                for frame in frames:
                    send(frame)
                if self._protocol.ready and not self.connected:
                    self._set_connected(True)
                for notice in notices:
                    self._on_notice(notice)
            ws.close()
            return None
        except ConnectionClosed as exc:
            return exc.rcvd.code if exc.rcvd is not None else None

    def _set_connected(self, connected: bool) -> None:
        if connected != self.connected:
            self.connected = connected
            self._on_status(connected)
