"""The WebSocket event stream: authentication, who may subscribe, order, and catching up."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from storyreel.settings import Settings
from tests.api.kit import Account, Api, running_api
from tests.api.test_tasks import make_project, wait_for_task

WS = "/api/v1/ws"
_reader = ThreadPoolExecutor(max_workers=2, thread_name_prefix="test-ws")


def receive(ws: WebSocketTestSession, timeout: float = 30) -> dict[str, Any]:
    """The next frame, or a failure (not a hang) when none comes in time."""
    frame: dict[str, Any] = _reader.submit(ws.receive_json).result(timeout=timeout)
    return frame


def connect(api: Api, who: Account) -> Any:
    return api.client.websocket_connect(f"{WS}?token={who.token}")


def ready(ws: WebSocketTestSession) -> dict[str, Any]:
    frame = receive(ws)
    assert frame["type"] == "ready", frame
    return frame


def events_until(ws: WebSocketTestSession, done: Any, timeout: float = 60) -> list[dict[str, Any]]:
    """Task events until ``done(event)`` is true (other frames are not expected here)."""
    got: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    while not got or not done(got[-1]):
        frame = receive(ws, max(0.1, deadline - time.monotonic()))
        assert frame["type"] == "task", frame
        got.append(frame)
    return got


def _closed_with(ws: WebSocketTestSession) -> WebSocketDisconnect:
    with pytest.raises(WebSocketDisconnect) as refused:
        for _ in range(3):
            receive(ws)
    return refused.value


@pytest.fixture
def stalled_api(settings: Settings) -> Iterator[Api]:
    """No ``gpu`` worker: pictures wait, so a render's tasks stay put after being announced."""
    with running_api(settings, concurrency={"gpu": 0, "cpu": 2, "llm": 2, "io": 2}) as api:
        yield api


def test_authentication_is_required(api: Api) -> None:
    alice = api.register("alice")
    with api.client.websocket_connect(WS) as ws:
        ws.send_json({"type": "subscribe", "project_id": "x"})  # not an auth frame
        refused = _closed_with(ws)
    assert refused.code == 4401 and "auth" in refused.reason
    with api.client.websocket_connect(f"{WS}?token=not-a-token") as ws:
        refused = _closed_with(ws)
    assert refused.code == 4401 and "not valid" in refused.reason

    with api.client.websocket_connect(WS) as ws:  # the token in the first frame
        ws.send_json({"type": "auth", "token": alice.token})
        hello = ready(ws)
    assert hello["user_id"] == alice.user_id
    assert 0 < hello["expires_in"] <= api.settings.access_token_ttl_s  # lives no longer

    key = api.client.post("/api/v1/auth/api-keys", json={"name": "ws"}, headers=alice.headers)
    with api.client.websocket_connect(f"{WS}?token={key.json()['secret']}") as ws:
        assert ready(ws)["expires_in"] == 3600


def test_subscribing_to_another_users_project_is_refused(api: Api) -> None:
    alice, bob = api.register("alice"), api.register("bob")
    pid, _ = make_project(api, alice, auto=False)
    with connect(api, bob) as ws:
        ready(ws)
        ws.send_json({"type": "subscribe", "project_id": pid})
        error = receive(ws)
        assert error["type"] == "error" and error["code"] == 404 and error["project_id"] == pid
        ws.send_text("not json")
        assert receive(ws)["code"] == 400
        ws.send_json({"type": "subscribe", "project_id": pid, "after_seq": -1})
        assert receive(ws)["code"] == 400
        ws.send_json({"type": "dance"})
        assert receive(ws)["code"] == 400
        ws.send_json({"type": "ping"})
        assert receive(ws) == {"type": "pong"}  # still connected


def _reader_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("ws-project:")]


def test_events_in_order_and_reconnect_gets_exactly_the_missed_ones(stalled_api: Api) -> None:
    api = stalled_api
    alice = api.register("alice")
    with connect(api, alice) as ws:
        ready(ws)
        pid, storyboard = make_project(api, alice, auto=False)
        ws.send_json({"type": "subscribe", "project_id": pid, "after_seq": 0})
        subscribed = receive(ws)
        assert subscribed["type"] == "subscribed" and subscribed["channel"] == f"project:{pid}"
        first = events_until(
            ws, lambda e: e["task_id"] == storyboard and e["status"] == "succeeded"
        )
        assert _reader_threads()  # the subscription's reader runs while connected
    seqs = [e["seq"] for e in first]
    assert seqs == list(range(1, len(first) + 1))  # from the first event, no gap, no repeat
    assert {e["channel"] for e in first} == {f"project:{pid}"}
    statuses = [e["status"] for e in first]
    assert statuses[0] == "queued" and "running" in statuses and statuses[-1] == "succeeded"
    assert statuses.index("running") < statuses.index("succeeded")

    # Gone for a while: the render is asked for meanwhile; its tasks are announced unseen.
    r = api.client.post(f"/api/v1/projects/{pid}/render", headers=alice.headers)
    assert r.status_code == 202, r.text
    render_id = r.json()["id"]
    deadline = time.monotonic() + 10
    while _reader_threads():  # the disconnect stopped the reader thread
        assert time.monotonic() < deadline, _reader_threads()
        time.sleep(0.05)

    last = seqs[-1]
    with connect(api, alice) as ws:
        ready(ws)
        ws.send_json({"type": "subscribe", "project_id": pid, "after_seq": last})
        subscribed = receive(ws)
        assert subscribed["after_seq"] == last and subscribed["replayed"] >= 1
        missed = [receive(ws) for _ in range(subscribed["replayed"])]
        assert [e["seq"] for e in missed] == list(range(last + 1, last + 1 + len(missed)))
        assert render_id in {e["task_id"] for e in missed}
        assert all(e["status"] in ("queued", "blocked", "running") for e in missed[:3])

        # Live events continue the same numbering, without repeating what was replayed: cancel
        # the render.
        newest = missed[-1]["seq"]
        assert api.client.post(
            f"/api/v1/tasks/{render_id}/cancel", headers=alice.headers
        ).is_success
        live = events_until(ws, lambda e: e["task_id"] == render_id and e["status"] == "cancelled")
        assert [e["seq"] for e in live] == list(range(newest + 1, newest + 1 + len(live)))

    # Catching up from the middle of the first run returns exactly what followed it.
    middle = len(first) // 2
    with connect(api, alice) as ws:
        ready(ws)
        ws.send_json({"type": "subscribe", "project_id": pid, "after_seq": middle})
        subscribed = receive(ws)
        replayed = [receive(ws) for _ in range(subscribed["replayed"])]
        assert replayed[: len(first) - middle] == first[middle:]
        ws.send_json({"type": "unsubscribe", "project_id": pid})
        while (frame := receive(ws))["type"] == "task":  # live ones sent before it: fine
            assert frame["seq"] > replayed[-1]["seq"]
        assert frame == {"type": "unsubscribed", "project_id": pid}
        ws.send_json({"type": "ping"})
        assert receive(ws) == {"type": "pong"}  # and nothing of the project after it


def test_a_sequence_the_server_never_had_asks_for_a_resync(api: Api) -> None:
    alice = api.register("alice")
    pid, storyboard = make_project(api, alice, auto=False)
    wait_for_task(api, alice, storyboard)
    with connect(api, alice) as ws:
        ready(ws)
        ws.send_json({"type": "subscribe", "project_id": pid, "after_seq": 10**6})
        subscribed = receive(ws)
        assert subscribed["replayed"] == 0
        assert receive(ws) == {
            "type": "resync",
            "project_id": pid,
            "channel": f"project:{pid}",
        }
        # Without after_seq: only what happens from now on.
        ws.send_json({"type": "subscribe", "project_id": pid})
        again = receive(ws)
        assert again["type"] == "subscribed" and again["replayed"] == 0
        assert again["last_seq"] == subscribed["last_seq"]


def test_connections_per_account_are_capped(api: Api) -> None:
    from contextlib import ExitStack

    from storyreel.api.routes.events import MAX_CONNECTIONS_PER_USER

    alice, bob = api.register("alice"), api.register("bob")
    with ExitStack() as stack:
        for _ in range(MAX_CONNECTIONS_PER_USER):
            ready(stack.enter_context(connect(api, alice)))
        with connect(api, alice) as extra:
            refused = _closed_with(extra)
        assert refused.code == 4429 and "too many open connections" in refused.reason
        with connect(api, bob) as other:  # another account is not affected
            ready(other)
    with connect(api, alice) as again:  # closing frees the places
        ready(again)
