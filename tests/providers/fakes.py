"""Fake remote services that speak the real HTTP protocol on loopback, for network providers.

``FakeService`` is a real FastAPI app served by Uvicorn on a free loopback port in a thread.
Every request is recorded (``requests``, ``calls(path)``); each path answers from its queue of
scripted ``Reply``s first (``script``), else from its handler (``route``), else 404 in OpenAI's
error shape. Other OpenAI-style endpoints (``/v1/images/generations``, ``/v1/audio/speech``...)
are added from their own test modules with ``fake_openai.route(path, handler)``: nothing here
needs to change.

``fake_openai`` serves ``/v1/chat/completions`` (nothing scripted: a 500 that says so) and
``/v1/models``; its ``base_url`` is what providers take as their base URL.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI, Request, Response

FAKE_MODEL = "fake-chat-1"


@dataclass
class Reply:
    """One scripted answer: a JSON body (or raw bytes), a status, headers, and a delay."""

    json: Any = None
    status: int = 200
    body: bytes | None = None
    media_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0


@dataclass(frozen=True)
class Recorded:
    """One request as the server received it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


Handler = Callable[[Recorded], Reply]


class FakeService:
    """A scripted HTTP service: record every request, answer from scripts or handlers."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self._scripts: dict[str, deque[Reply]] = {}
        self._handlers: dict[str, Handler] = {}
        self._lock = threading.Lock()
        self.app = FastAPI()
        self.app.add_api_route(
            "/{path:path}",
            self._dispatch,
            methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            include_in_schema=False,
        )
        self.base_url = ""  # set once the server listens

    def script(self, path: str, *replies: Reply) -> None:
        """Answer the next requests to ``path`` with ``replies``, in order."""
        with self._lock:
            self._scripts.setdefault(path, deque()).extend(replies)

    def route(self, path: str, handler: Handler) -> None:
        """Answer requests to ``path`` that nothing is scripted for with ``handler``."""
        self._handlers[path] = handler

    def calls(self, path: str) -> list[Recorded]:
        return [r for r in self.requests if r.path == path]

    async def _dispatch(self, request: Request) -> Response:
        recorded = Recorded(
            request.method, request.url.path, dict(request.headers), await request.body()
        )
        with self._lock:
            self.requests.append(recorded)
            queue = self._scripts.get(recorded.path)
            reply = queue.popleft() if queue else None
        if reply is None:
            handler = self._handlers.get(recorded.path)
            reply = handler(recorded) if handler else openai_error(404, "no such route")
        if reply.delay_s:
            await asyncio.sleep(reply.delay_s)
        body = reply.body if reply.body is not None else json.dumps(reply.json).encode()
        return Response(body, reply.status, reply.headers, media_type=reply.media_type)


class LoopbackServer:
    """Serves an ASGI app with Uvicorn on a free 127.0.0.1 port, in a daemon thread."""

    def __init__(self, app: Any) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        self.port: int = self._socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            app,
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=1,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )

    def start(self) -> LoopbackServer:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the fake server did not start")
            time.sleep(0.005)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=5)
        self._socket.close()


# --- the OpenAI protocol ---------------------------------------------------------------------


def openai_error(
    status: int,
    message: str,
    *,
    type_: str = "invalid_request_error",
    param: str | None = None,
    headers: dict[str, str] | None = None,
) -> Reply:
    """An error as OpenAI sends it: ``{"error": {"message", "type", "param", "code"}}``."""
    body = {"error": {"message": message, "type": type_, "param": param, "code": None}}
    return Reply(json=body, status=status, headers=headers or {})


def chat_completion(
    content: str | None,
    *,
    model: str = FAKE_MODEL,
    prompt_tokens: int = 100,
    completion_tokens: int = 50,
    finish_reason: str = "stop",
    delay_s: float = 0.0,
) -> Reply:
    """A ``/v1/chat/completions`` answer with one choice and token usage."""
    body = {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": None},
                "logprobs": None,
                "finish_reason": finish_reason,
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }
    return Reply(json=body, delay_s=delay_s)


class FakeOpenAI(FakeService):
    """An OpenAI-compatible API under ``/v1``: chat completions and the model list."""

    CHAT = "/v1/chat/completions"
    MODELS = "/v1/models"

    def __init__(self, models: tuple[str, ...] = (FAKE_MODEL,)) -> None:
        super().__init__()
        self.models = models
        self.route(self.CHAT, lambda r: openai_error(500, "nothing scripted", type_="server"))
        self.route(self.MODELS, self._model_list)

    def _model_list(self, _: Recorded) -> Reply:
        data = [{"id": m, "object": "model", "created": 0, "owned_by": "fake"} for m in self.models]
        return Reply(json={"object": "list", "data": data})

    def chat_requests(self) -> list[dict[str, Any]]:
        """The JSON bodies of every chat request, in order."""
        return [r.json for r in self.calls(self.CHAT)]


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    """A fresh fake OpenAI-compatible server on loopback; ``.base_url`` ends in ``/v1``."""
    fake = FakeOpenAI()
    server = LoopbackServer(fake.app).start()
    fake.base_url = f"{server.url}/v1"
    try:
        yield fake
    finally:
        server.stop()
