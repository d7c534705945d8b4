"""Live task events over a WebSocket (``/api/v1/ws``).

Protocol (JSON text frames):

- authenticate (an access token or an API key) with, preferably, a first frame
  ``{"type": "auth", "token": …}`` within 10 s, or the subprotocols
  ``["storyreel", "storyreel.bearer.<token>"]`` (the server selects ``storyreel``; the token is
  never echoed), or — for old clients — ``?token=`` (query strings are redacted from the logs,
  but proxies may log them); refused → close code 4401 with the reason;
- ``{"type": "subscribe", "project_id": …, "after_seq": n}`` → ``{"type": "subscribed", …}``,
  then the events after ``n`` that the client missed, then live ones: every event of the
  project's channel exactly once, in ``seq`` order. When the missed events are no longer kept the
  server sends ``{"type": "resync", "project_id": …}``: refetch through the REST API, then
  follow the live events. Leave out ``after_seq`` to get only events from now on;
- ``{"type": "unsubscribe", "project_id": …}``, ``{"type": "ping"}`` → ``{"type": "pong"}``;
- problems with a frame answer ``{"type": "error", "code": 400|404|429, "message": …}`` and
  the connection stays open.

Access is re-checked when it changes (``api/access.py``: a member removed, a project deleted,
an API key revoked, an account disabled or changed — announced on the bus, so in every API
process) and every ``RECHECK_S`` seconds as a backstop: a credential no longer valid closes the
connection with 4401 and the reason; a project no longer visible is unsubscribed with
``{"type": "unsubscribed", "project_id": …, "reason": "access_revoked", "message": …}``.

A connection lives at most an hour, and no longer than its access token; the server then closes
it with code 4000 and the client reconnects with its last ``seq``. Each subscription has its own
reader thread (the bus's ``get`` blocks), stopped when the subscription or connection ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import anyio
from fastapi import APIRouter, WebSocket
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.websockets import WebSocketDisconnect, WebSocketState

from storyreel.api import errors
from storyreel.api.deps import AppState, UnitOfWork, authenticate, project_for
from storyreel.auth import accounts
from storyreel.auth.ratelimit import Limited
from storyreel.auth.tokens import InvalidToken
from storyreel.db.models import User
from storyreel.db.repositories import accounts as accounts_repo
from storyreel.tasks.events import Event, EventBus, Subscription, project_channel

log = logging.getLogger(__name__)

router = APIRouter(tags=["events"])

AUTH_TIMEOUT_S = 10.0
MAX_LIFETIME_S = 3600.0
MAX_SUBSCRIPTIONS = 20
MAX_CONNECTIONS_PER_USER = 10  # each subscription holds a reader thread: bound them
MAX_CONNECTIONS = 1000
MAX_FRAME_CHARS = 4096
MAX_PENDING = 5000  # frames queued for a client that does not read: beyond this, disconnect
POLL_S = 0.5  # how often a reader thread looks at its stop flag
RECHECK_S = 30.0  # the backstop: access is re-checked this often even without an announcement
SUBPROTOCOL = "storyreel"
BEARER_PROTOCOL = "storyreel.bearer."

CLOSE_UNAUTHORIZED = 4401
CLOSE_EXPIRED = 4000
CLOSE_TOO_SLOW = 4008
CLOSE_RATE_LIMITED = 4429


class _Subscribe(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: str
    project_id: str = Field(min_length=1, max_length=64)
    after_seq: int | None = Field(None, ge=0)


class _Unsubscribe(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: str
    project_id: str = Field(min_length=1, max_length=64)


class _Feed:
    """One project channel for one connection: subscribe, catch up, then forward live events
    from a reader thread, skipping what was already sent and filling gaps from the history."""

    def __init__(
        self, bus: EventBus, project_id: str, deliver: Callable[[_Feed, Event], None]
    ) -> None:
        self.bus, self.project_id, self._deliver = bus, project_id, deliver
        self.channel = project_channel(project_id)
        self.last = 0
        self.stopping = threading.Event()
        self._sub: Subscription | None = None
        self._thread: threading.Thread | None = None

    def open(self, after_seq: int | None) -> list[Event]:
        """Subscribe, then catch up (blocking: run it in a worker thread). Subscribing first
        means an event published meanwhile is seen twice (and dropped once), never lost."""
        self._sub = self.bus.subscribe(self.channel)
        if after_seq is None:
            self.last = self.bus.last_seq(self.channel)
            return []
        missed = self.bus.replay(self.channel, after_seq)
        if missed is None:
            self.last = self.bus.last_seq(self.channel)
            return [self._resync()]
        self.last = int(missed[-1]["seq"]) if missed else after_seq
        return missed

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=f"ws-{self.channel}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.stopping.set()
        if self._thread is None and self._sub is not None:
            self._sub.close()  # never started: nobody else will close it

    def deliver(self, event: Event) -> None:
        self._deliver(self, event)

    def _resync(self) -> Event:
        return {"type": "resync", "project_id": self.project_id, "channel": self.channel}

    def _run(self) -> None:
        sub = self._sub
        assert sub is not None
        try:
            while not self.stopping.is_set():
                event = sub.get(timeout=POLL_S)
                if event is None or self.stopping.is_set():
                    continue
                self._forward(event)
        except Exception:
            log.exception("event feed %s failed", self.channel)
            self.deliver(self._resync())
        finally:
            sub.close()  # closed by the thread that reads it (a Redis pubsub is not shared)

    def _forward(self, event: Event) -> None:
        seq = int(event.get("seq", 0))
        if seq <= self.last:
            return  # already sent from the history
        if seq > self.last + 1:  # a gap (a lossy broker): fill it from the history
            missed = self.bus.replay(self.channel, self.last)
            if missed is None:
                self.deliver(self._resync())
            else:
                for e in missed:
                    if self.last < int(e["seq"]) < seq:
                        self.deliver(e)
        self.last = seq
        self.deliver(event)


class _Connection:
    def __init__(
        self, websocket: WebSocket, state: AppState, user: User, key_hash: str | None
    ) -> None:
        self.websocket, self.state, self.user = websocket, state, user
        self.key_hash = key_hash  # the API key the connection was opened with, if one
        self._user_id = user.id
        self.loop = asyncio.get_running_loop()
        self.outbox: asyncio.Queue[Event | None] = asyncio.Queue()
        self.feeds: dict[str, _Feed] = {}
        self.too_slow = False
        self.revoked: str | None = None  # why the credential stopped being valid
        self._woken = asyncio.Event()
        # Held from a subscription's access check to its feed being listed, and through a
        # re-check: a removal announced meanwhile cannot slip between the two.
        self._access = asyncio.Lock()

    # Called from the access watch's thread.
    @property
    def user_id(self) -> str:
        return self._user_id

    def follows(self, project_id: str) -> bool:
        return project_id in self.feeds

    def wake(self) -> None:
        with contextlib.suppress(RuntimeError):  # the loop is gone: the connection is over
            self.loop.call_soon_threadsafe(self._woken.set)

    async def watcher(self) -> None:
        """Re-check access when woken, or every ``RECHECK_S``; returns (ending the connection)
        when the credential is no longer valid."""
        while True:
            with anyio.move_on_after(RECHECK_S):
                await self._woken.wait()
            self._woken.clear()
            if not await self.recheck():
                return

    async def recheck(self) -> bool:
        """Re-read the account (and API key) and the subscribed projects; unsubscribe the ones
        no longer visible. False when the credential itself is no longer valid."""
        async with self._access:
            projects = list(self.feeds)
            try:
                user, why, lost = await anyio.to_thread.run_sync(self._current_access, projects)
            except Exception:  # the database is unreachable: keep serving, check again later
                log.warning("re-checking a WebSocket's access failed", exc_info=True)
                return True
            if why is not None:
                self.revoked = why
                return False
            assert user is not None
            self.user = user
            for pid in lost:
                if pid in self.feeds:
                    self.unsubscribe(pid, quiet=True)
                    self.send(
                        {
                            "type": "unsubscribed",
                            "project_id": pid,
                            "reason": "access_revoked",
                            "message": f"you can no longer see project {pid}",
                        }
                    )
            return True

    def _current_access(self, projects: list[str]) -> tuple[User | None, str | None, list[str]]:
        with UnitOfWork(self.state.platform).read() as s:
            if self.key_hash is not None:
                key = accounts_repo.api_key_by_hash(s, self.key_hash)
                if key is None or key.revoked_at is not None:
                    return None, "the API key was revoked", []
            user = accounts_repo.user(s, self.user_id)
            if user is None:
                return None, "the account no longer exists", []
            if user.disabled:
                return None, "this account is disabled; ask an administrator", []
            lost = []
            for pid in projects:
                try:
                    project_for(s, user, pid)
                except errors.NotFound:
                    lost.append(pid)
            return user, None, lost

    # Called from reader threads.
    def deliver(self, feed: _Feed, event: Event) -> None:
        with contextlib.suppress(RuntimeError):  # the loop is gone: the connection is over
            self.loop.call_soon_threadsafe(self._push_from, feed, event)

    def _push_from(self, feed: _Feed, event: Event) -> None:
        # Checked on the loop, where unsubscribe sets it: nothing of a feed follows its
        # "unsubscribed" frame, even an event its thread had already read.
        if not feed.stopping.is_set():
            self._push(event)

    def _push(self, event: Event | None) -> None:
        if event is not None and self.outbox.qsize() >= MAX_PENDING:
            self.too_slow = True
            event = None  # tell the sender to stop
        self.outbox.put_nowait(event)

    def send(self, frame: Event) -> None:
        self._push(frame)

    def error(self, code: int, message: str, **extra: Any) -> None:
        self.send({"type": "error", "code": code, "message": message, **extra})

    async def sender(self) -> None:
        while True:
            frame = await self.outbox.get()
            if frame is None:
                return
            await self.websocket.send_text(json.dumps(frame, default=str))

    async def receiver(self) -> None:
        while True:
            message = await self.websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
            raw = message.get("text")
            if raw is None and message.get("bytes") is not None:
                raw = message["bytes"].decode("utf-8", "replace")
            await self.handle(raw or "")

    async def handle(self, raw: str) -> None:
        try:  # frames count against the user's request rate like HTTP requests do
            self.state.limiter.hit("user", self.user.id)
        except Limited as exc:
            self.error(429, f"too many frames; retry in {exc.retry_after_s} s")
            return
        if len(raw) > MAX_FRAME_CHARS:
            self.error(400, f"frames are limited to {MAX_FRAME_CHARS} characters")
            return
        try:
            frame = json.loads(raw)
        except ValueError:
            self.error(400, "frames must be JSON objects")
            return
        kind = frame.get("type") if isinstance(frame, dict) else None
        try:
            if kind == "ping":
                self.send({"type": "pong"})
            elif kind == "subscribe":
                await self.subscribe(_Subscribe.model_validate(frame))
            elif kind == "unsubscribe":
                self.unsubscribe(_Unsubscribe.model_validate(frame).project_id)
            elif kind == "auth":
                self.error(400, "already authenticated")
            else:
                self.error(400, "unknown frame type; use subscribe, unsubscribe or ping")
        except ValidationError as exc:
            fields = ", ".join(".".join(str(p) for p in e["loc"]) for e in exc.errors()[:5])
            self.error(400, f"the {kind} frame is not valid: check {fields}")

    async def subscribe(self, frame: _Subscribe) -> None:
        pid = frame.project_id
        if pid not in self.feeds and len(self.feeds) >= MAX_SUBSCRIPTIONS:
            self.error(
                429, f"at most {MAX_SUBSCRIPTIONS} subscriptions per connection", project_id=pid
            )
            return
        async with self._access:
            try:
                await anyio.to_thread.run_sync(self._check_access, pid)
            except errors.ApiError as exc:
                self.error(exc.status, exc.message, project_id=pid)
                return
            self.unsubscribe(pid, quiet=True)  # subscribing again restarts from after_seq
            feed = _Feed(self.state.platform.bus, pid, self.deliver)
            self.feeds[pid] = feed
        try:
            missed = await anyio.to_thread.run_sync(feed.open, frame.after_seq)
        except Exception:
            log.exception("subscribing to %s failed", feed.channel)
            del self.feeds[pid]
            feed.stop()
            self.error(503, "the event bus is unavailable; poll GET /tasks/{id}", project_id=pid)
            return
        replayed = [e for e in missed if e.get("type") != "resync"]
        self.send(
            {
                "type": "subscribed",
                "project_id": pid,
                "channel": feed.channel,
                "after_seq": frame.after_seq,
                "replayed": len(replayed),
                "last_seq": feed.last,
            }
        )
        for event in missed:
            self.send(event)
        feed.start()  # live events only after the history: order holds

    def _check_access(self, project_id: str) -> None:
        with UnitOfWork(self.state.platform).read() as s:
            project_for(s, self.user, project_id)

    def unsubscribe(self, project_id: str, *, quiet: bool = False) -> None:
        feed = self.feeds.pop(project_id, None)
        if feed is not None:
            feed.stop()
        if not quiet:
            self.send({"type": "unsubscribed", "project_id": project_id})

    def close_feeds(self) -> None:
        for feed in self.feeds.values():
            feed.stop()
        self.feeds.clear()


async def _first_token(websocket: WebSocket) -> str | None:
    """The token from the first frame, if it is an auth frame sent in time."""
    with anyio.move_on_after(AUTH_TIMEOUT_S):
        message = await websocket.receive()
        raw = message.get("text") or ""
        try:
            frame = json.loads(raw) if len(raw) <= MAX_FRAME_CHARS else None
        except ValueError:
            return None
        if isinstance(frame, dict) and frame.get("type") == "auth":
            token = frame.get("token")
            return token if isinstance(token, str) and token else None
    return None


def _offered_token(websocket: WebSocket) -> tuple[str | None, str | None]:
    """The token offered as a ``storyreel.bearer.<token>`` subprotocol, and the subprotocol to
    select (``storyreel`` when offered: never the one carrying the token)."""
    offered: list[str] = list(websocket.scope.get("subprotocols") or [])
    token = next(
        (p[len(BEARER_PROTOCOL) :] for p in offered if p.startswith(BEARER_PROTOCOL)), None
    )
    return token or None, SUBPROTOCOL if SUBPROTOCOL in offered else None


async def _login(state: AppState, token: str) -> tuple[User, float]:
    """The user, and how long the connection may live with this credential."""
    user = await authenticate(token, state)
    lifetime = MAX_LIFETIME_S
    if not token.startswith(accounts.API_KEY_PREFIX):
        try:
            claims = state.tokens.decode(token, "access")
        except InvalidToken:  # expired in the last instant
            return user, 0.0
        lifetime = min(lifetime, claims.expires_at.timestamp() - time.time())
    return user, lifetime


async def _close(websocket: WebSocket, code: int, reason: str) -> None:
    connected = WebSocketState.CONNECTED
    if websocket.application_state == connected and websocket.client_state == connected:
        # A close reason is at most 123 bytes.
        with anyio.CancelScope(shield=True):
            with contextlib.suppress(RuntimeError, WebSocketDisconnect):
                await websocket.close(code, reason.encode()[:123].decode("utf-8", "ignore"))


def _open_connections(websocket: WebSocket) -> Counter[str]:
    """Open event connections per account, in this process (the app's own counter)."""
    app_state = websocket.app.state
    if not hasattr(app_state, "ws_connections"):
        app_state.ws_connections = Counter()
    counts: Counter[str] = app_state.ws_connections
    return counts


@router.websocket("/ws")
async def event_stream(websocket: WebSocket, token: str | None = None) -> None:
    """Live task events of the projects you subscribe to (see the module docstring)."""
    state: AppState = websocket.app.state.storyreel
    offered, subprotocol = _offered_token(websocket)
    await websocket.accept(subprotocol=subprotocol)
    ip = websocket.client.host if websocket.client else "unknown"
    try:
        state.limiter.hit("ip", ip)
    except Limited as exc:
        await _close(
            websocket, CLOSE_RATE_LIMITED, f"too many requests; retry in {exc.retry_after_s} s"
        )
        return
    try:
        token = token or offered or await _first_token(websocket)
    except WebSocketDisconnect:
        return
    if not token:
        await _close(
            websocket,
            CLOSE_UNAUTHORIZED,
            'authenticate: ?token= or a first frame {"type": "auth", "token": ...}',
        )
        return
    try:
        user, lifetime = await _login(state, token)
    except errors.ApiError as exc:
        await _close(websocket, CLOSE_UNAUTHORIZED, exc.message)
        return
    if lifetime <= 0:
        await _close(websocket, CLOSE_UNAUTHORIZED, "the token has expired; refresh it")
        return
    open_now = _open_connections(websocket)
    if open_now[user.id] >= MAX_CONNECTIONS_PER_USER or open_now.total() >= MAX_CONNECTIONS:
        await _close(
            websocket,
            CLOSE_RATE_LIMITED,
            f"too many open connections (at most {MAX_CONNECTIONS_PER_USER} per account)",
        )
        return
    open_now[user.id] += 1
    key_hash = accounts.hash_api_key(token) if token.startswith(accounts.API_KEY_PREFIX) else None
    connection = _Connection(websocket, state, user, key_hash)
    state.access.register(connection)
    connection.send({"type": "ready", "user_id": user.id, "expires_in": int(lifetime)})
    timed_out = False
    try:
        with anyio.move_on_after(lifetime) as scope:
            async with anyio.create_task_group() as group:

                async def run(part: Callable[[], Any]) -> None:
                    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
                        await part()  # these two: the client went away mid-send
                    group.cancel_scope.cancel()  # either side ending ends the connection

                group.start_soon(run, connection.receiver)
                group.start_soon(run, connection.sender)
                group.start_soon(run, connection.watcher)
        timed_out = scope.cancelled_caught
    finally:
        state.access.unregister(connection)
        connection.close_feeds()
        open_now[user.id] -= 1
    if connection.revoked is not None:
        await _close(websocket, CLOSE_UNAUTHORIZED, connection.revoked)
    elif timed_out:
        await _close(
            websocket, CLOSE_EXPIRED, "connection lifetime reached: reconnect with after_seq"
        )
    elif connection.too_slow:
        await _close(websocket, CLOSE_TOO_SLOW, "too many unread events: reconnect with after_seq")
    else:
        await _close(websocket, 1000, "")
