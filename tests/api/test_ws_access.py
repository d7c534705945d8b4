"""An open WebSocket loses what its owner loses: a removed member stops getting the project's
events, a revoked API key or a disabled account closes the socket — within seconds, in every API
process (through the event bus), with a periodic re-check as a backstop."""

from __future__ import annotations

import time
from typing import Any

import pytest
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from storyreel.api.routes import events
from storyreel.settings import Settings
from storyreel.tasks.events import project_channel
from tests.api.kit import Account, Api, running_api
from tests.api.test_events import WS, connect, ready, receive
from tests.api.test_tasks import make_project, share

WITHIN_S = 5.0  # "within seconds"


def _subscribe(ws: WebSocketTestSession, pid: str) -> None:
    ws.send_json({"type": "subscribe", "project_id": pid})
    frame = receive(ws)
    assert frame["type"] == "subscribed", frame


def _publish(api: Api, pid: str, marker: str) -> None:
    """A task event on the project's channel, as a worker would publish it."""
    bus = api.client.app.state.storyreel.platform.bus  # type: ignore[attr-defined]
    bus.publish(project_channel(pid), {"type": "task", "task_id": marker, "project_id": pid})


def _markers(ws: WebSocketTestSession, seconds: float = 1.0) -> list[Any]:
    """The task ids of the task frames that arrive within ``seconds`` (pings keep it from
    waiting on a silent socket)."""
    seen: list[Any] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        ws.send_json({"type": "ping"})
        while (frame := receive(ws, WITHIN_S))["type"] != "pong":
            if frame["type"] == "task":
                seen.append(frame["task_id"])
        time.sleep(0.1)
    return seen


def _first(ws: WebSocketTestSession, kind: str) -> dict[str, Any]:
    """The next frame of type ``kind``, skipping task events (the storyboard's may still come)."""
    deadline = time.monotonic() + WITHIN_S
    while (frame := receive(ws, max(0.1, deadline - time.monotonic())))["type"] == "task":
        pass
    assert frame["type"] == kind, frame
    return frame


def _closed(ws: WebSocketTestSession) -> WebSocketDisconnect:
    with pytest.raises(WebSocketDisconnect) as closed:
        for _ in range(100):
            receive(ws, WITHIN_S)
    return closed.value


def _key(api: Api, who: Account) -> tuple[str, str]:
    r = api.client.post("/api/v1/auth/api-keys", json={"name": "ws"}, headers=who.headers)
    assert r.status_code == 201, r.text
    return r.json()["id"], r.json()["secret"]


def test_a_removed_member_stops_receiving_the_projects_events(api: Api) -> None:
    alice, bob = api.register("alice"), api.register("bob")
    pid, _ = make_project(api, alice, auto=False)
    share(api, alice, pid, bob)
    with connect(api, bob) as ws:
        ready(ws)
        _subscribe(ws, pid)
        _publish(api, pid, "before")
        assert "before" in _markers(ws)  # shared: bob follows it

        started = time.monotonic()
        removed = api.client.delete(
            f"/api/v1/projects/{pid}/members/{bob.user_id}", headers=alice.headers
        )
        assert removed.status_code == 204
        frame = _first(ws, "unsubscribed")
        assert frame == {
            "type": "unsubscribed",
            "project_id": pid,
            "reason": "access_revoked",
            "message": f"you can no longer see project {pid}",
        }
        assert time.monotonic() - started < WITHIN_S
        _publish(api, pid, "after")
        assert "after" not in _markers(ws)  # nothing more of the project
        ws.send_json({"type": "subscribe", "project_id": pid})
        assert receive(ws)["code"] == 404  # and it cannot come back


def test_deleting_a_project_unsubscribes_its_followers(api: Api) -> None:
    alice, bob = api.register("alice"), api.register("bob")
    pid, _ = make_project(api, alice, auto=False)
    share(api, alice, pid, bob)
    with connect(api, bob) as ws:
        ready(ws)
        _subscribe(ws, pid)
        assert api.client.delete(f"/api/v1/projects/{pid}", headers=alice.headers).status_code
        assert _first(ws, "unsubscribed")["project_id"] == pid


def test_revoking_the_api_key_closes_the_socket_it_opened(api: Api) -> None:
    alice = api.register("alice")
    key_id, secret = _key(api, alice)
    pid, _ = make_project(api, alice, auto=False)
    with (
        api.client.websocket_connect(WS) as by_key,
        connect(api, alice) as by_token,
    ):
        by_key.send_json({"type": "auth", "token": secret})
        ready(by_key)
        ready(by_token)
        _subscribe(by_key, pid)
        revoked = api.client.delete(f"/api/v1/auth/api-keys/{key_id}", headers=alice.headers)
        assert revoked.status_code == 204
        closed = _closed(by_key)
        assert closed.code == 4401 and closed.reason == "the API key was revoked"
        assert _markers(by_token, 0.1) == []  # the login's socket stays open


def test_disabling_an_account_closes_its_sockets(api: Api) -> None:
    admin, bob = api.admin(), api.register("bob")
    with connect(api, bob) as ws:
        ready(ws)
        r = api.client.patch(
            f"/api/v1/admin/users/{bob.user_id}", json={"disabled": True}, headers=admin.headers
        )
        assert r.status_code == 200
        closed = _closed(ws)
    assert closed.code == 4401 and "disabled" in closed.reason


def test_a_change_nobody_announced_is_caught_by_the_periodic_recheck(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(events, "RECHECK_S", 0.5)
    bob = api.register("bob")
    with connect(api, bob) as ws:
        ready(ws)
        api.set_user(bob.user_id, disabled=True)  # straight into the database: no announcement
        closed = _closed(ws)
    assert closed.code == 4401 and "disabled" in closed.reason


def test_access_changes_reach_sockets_on_another_api_process(
    settings: Settings, redis_url: str
) -> None:
    """Two API processes on one Redis bus: the change is made on one, the socket is on the
    other."""
    with (
        running_api(settings, events_url=redis_url) as one,
        running_api(settings, events_url=redis_url) as two,
    ):
        for api in (one, two):
            assert api.client.app.state.storyreel.access.following.wait(10)  # type: ignore[attr-defined]
        alice, bob, carol = one.register("alice"), one.register("bob"), one.register("carol")
        pid, _ = make_project(one, alice, auto=False)
        share(one, alice, pid, bob)
        carols_key_id, carols_key = _key(one, carol)
        with (
            connect(two, bob) as bobs,
            two.client.websocket_connect(f"{WS}?token={carols_key}") as carols,
        ):
            ready(bobs)
            ready(carols)
            _subscribe(bobs, pid)
            _publish(one, pid, "across")
            assert "across" in _markers(bobs)

            started = time.monotonic()
            one.client.delete(
                f"/api/v1/projects/{pid}/members/{bob.user_id}", headers=alice.headers
            )
            assert _first(bobs, "unsubscribed")["reason"] == "access_revoked"
            assert time.monotonic() - started < WITHIN_S
            _publish(one, pid, "too late")
            assert "too late" not in _markers(bobs)

            one.client.delete(f"/api/v1/auth/api-keys/{carols_key_id}", headers=carol.headers)
            closed = _closed(carols)
            assert closed.code == 4401 and closed.reason == "the API key was revoked"
            assert time.monotonic() - started < 2 * WITHIN_S
        # The other process forgot the account at once: no cached role or key outlives it.
        admin = one.admin()
        assert two.client.get("/api/v1/auth/me", headers=bob.headers).status_code == 200
        one.client.patch(
            f"/api/v1/admin/users/{bob.user_id}", json={"disabled": True}, headers=admin.headers
        )
        time.sleep(0.5)
        assert two.client.get("/api/v1/auth/me", headers=bob.headers).status_code == 401


def test_a_subprotocol_carries_the_token_without_echoing_it(api: Api) -> None:
    alice = api.register("alice")
    with api.client.websocket_connect(
        WS, subprotocols=["storyreel", f"storyreel.bearer.{alice.token}"]
    ) as ws:
        assert ws.accepted_subprotocol == "storyreel"
        assert ready(ws)["user_id"] == alice.user_id
