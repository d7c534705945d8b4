"""Request id, context for the JSON logs, the access log line and HTTP metrics, as one pure
ASGI middleware (no per-request task or body buffering)."""

from __future__ import annotations

import itertools
import json
import logging
import re
import time
import uuid

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from storyreel.api.metrics import Metrics

log = logging.getLogger("storyreel.access")

API_PREFIX = "/api/v1"

_CLIENT_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class RequestContext:
    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        offered = _header(scope, b"x-request-id")
        request_id = offered if offered and _CLIENT_ID.match(offered) else _next_request_id()
        scope.setdefault("state", {})["request_id"] = request_id
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        with structlog.contextvars.bound_contextvars(request_id=request_id):
            try:
                await self.app(scope, receive, send_with_id)
            finally:
                if scope["type"] == "http":
                    elapsed = time.perf_counter() - started
                    route = _route_of(scope)
                    self.metrics.observe_request(scope["method"], route, status, elapsed)
                    log.info(
                        "%s %s %s",
                        scope["method"],
                        scope["path"],
                        status,
                        extra={
                            "status": status,
                            "ms": round(elapsed * 1000, 2),
                            "route": route,
                            "client": scope["client"][0] if scope.get("client") else None,
                        },
                    )


# Request ids: a random per-process prefix and a counter — unique, and far cheaper than a
# uuid4 (a system call) on every request.
_ID_PREFIX = uuid.uuid4().hex[:16]
_counter = itertools.count(1)


def _next_request_id() -> str:
    return f"{_ID_PREFIX}{next(_counter):016x}"


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return None


def _route_of(scope: Scope) -> str:
    # The template (/api/v1/tasks/{task_id}), never the raw path: ids would explode the labels.
    # FastAPI keeps the router's own route object in the scope, whose path lacks the prefix the
    # router was mounted under; the request path still starts with it.
    path = getattr(scope.get("route"), "path", None)
    if path is None:
        return "unmatched"
    if not scope["path"].startswith(path) and scope["path"].startswith(API_PREFIX):
        return API_PREFIX + str(path)
    return str(path)


class BodyLimit:
    """No request body larger than ``max_bytes`` is read, on any route: FastAPI reads and
    parses a body before authentication or rate limits run, so without this an anonymous
    multi-gigabyte POST would sit in memory. A declared length is refused at once; a chunked
    body is cut off as soon as it passes the limit."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, send)
            return
        seen, refused = 0, False

        async def bounded() -> Message:
            # Past the limit: answer 413 now, and tell the app the client has gone (whatever it
            # then tries to answer is dropped below).
            nonlocal seen, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    refused = True
                    await self._refuse(scope, send)
                    return {"type": "http.disconnect"}
            return message

        async def unless_refused(message: Message) -> None:
            if not refused:
                await send(message)

        await self.app(scope, bounded, unless_refused)

    def _message(self) -> str:
        return f"the request body is larger than {self.max_bytes} bytes"

    async def _refuse(self, scope: Scope, send: Send) -> None:
        body = json.dumps(
            {
                "code": 413,
                "message": self._message(),
                "request_id": scope.get("state", {}).get("request_id", ""),
                "errors": [],
            }
        ).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})
