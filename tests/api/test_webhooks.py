"""Webhooks through the API against real receivers on 127.0.0.1: registration, signed
deliveries from finished tasks, retries after a receiver error, the delivery log, redelivery,
pings, SSRF refusals and ownership."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from fastapi.testclient import TestClient

from storyreel.api.app import create_app
from storyreel.db import migrate
from storyreel.db.models import WebhookDelivery
from storyreel.db.repositories import tasks as tasks_repo
from storyreel.db.session import Database
from storyreel.db.types import utcnow
from storyreel.pipeline.engine import Platform
from storyreel.settings import Settings
from storyreel.tasks import service
from storyreel.tasks.events import ALL_TASKS
from storyreel.tasks.kinds import KindPolicy
from storyreel.tasks.model import PermanentError, TaskSpec
from storyreel.webhooks.dispatcher import WebhookDispatcher
from tests.api.kit import Account, Api, api_settings, running_api

API = "/api/v1"


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.body)
        return data


@dataclass
class Receiver:
    """A real HTTP server on 127.0.0.1 that records requests and answers with ``status``."""

    url: str = ""
    requests: list[Received] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)  # answered in order, then ``status``
    status: int = 200

    def answer(self) -> int:
        return self.statuses.pop(0) if self.statuses else self.status

    def wait_for(self, n: int, timeout: float = 15.0) -> list[Received]:
        wait_until(lambda: len(self.requests) >= n, timeout, f"{n} request(s) at {self.url}")
        return self.requests


@pytest.fixture
def receivers() -> Iterator[Callable[[], Receiver]]:
    servers: list[ThreadingHTTPServer] = []

    def make() -> Receiver:
        receiver = Receiver()

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                headers = {k.lower(): v for k, v in self.headers.items()}
                status = receiver.answer()
                receiver.requests.append(Received(self.path, headers, body))
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        receiver.url = f"http://127.0.0.1:{server.server_address[1]}"
        servers.append(server)
        return receiver

    yield make
    for server in servers:
        server.shutdown()
        server.server_close()


def wait_until(check: Callable[[], bool], timeout: float = 15.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or check}")
        time.sleep(0.05)


def fast_retries(
    settings: Settings, *, delay_s: float = 0.2, max_attempts: int = 3, **overrides: Any
) -> Any:
    """Like ``running_api``, with the app's dispatcher retrying after ``delay_s``."""

    @contextmanager
    def run() -> Iterator[Api]:
        configured = api_settings(settings, **overrides)
        db = Database(configured.database)
        migrate.upgrade(db)
        db.dispose()
        app = create_app(configured)
        services = app.state.services
        [default] = [s for s in services if isinstance(s, WebhookDispatcher)]
        services[services.index(default)] = WebhookDispatcher(
            default.db,
            default.bus,
            configured,
            default.server_key,
            backoff=lambda attempt: delay_s,
            max_attempts=max_attempts,
        )
        with TestClient(app) as client:
            yield Api(client, configured)

    return run()


def platform_of(api: Api) -> Platform:
    platform: Platform = api.client.app.state.storyreel.platform  # type: ignore[attr-defined]
    return platform


def dispatcher_of(api: Api) -> WebhookDispatcher:
    services = api.client.app.state.services  # type: ignore[attr-defined]
    [dispatcher] = [s for s in services if isinstance(s, WebhookDispatcher)]
    return dispatcher


def _fail(ctx: Any) -> dict[str, Any]:
    raise PermanentError("this task fails on purpose")


def run_task(api: Api, owner: Account, *, fail: bool = False, n: int = 1) -> str:
    """Submit a tiny task through the platform's task service and wait until it finished."""
    platform = platform_of(api)
    policy = KindPolicy(resource="io", max_attempts=1)
    platform.kinds.register("test.echo", lambda ctx: {"echo": ctx.params["n"]}, policy)
    platform.kinds.register("test.fail", _fail, policy)
    kind = "test.fail" if fail else "test.echo"
    with platform.db.session() as s:
        task_id = service.submit(
            s, TaskSpec(kind=kind, params={"n": n}, owner_id=owner.user_id), platform.kinds
        ).id

    def finished() -> bool:
        with platform.db.reading() as s:
            task = tasks_repo.get(s, task_id)
            return task is not None and task.status in ("succeeded", "failed")

    wait_until(finished, 15, f"task {task_id}")
    return task_id


def create_webhook(api: Api, who: Account, url: str, events: list[str], **extra: Any) -> Any:
    r = api.client.post(
        f"{API}/webhooks", json={"url": url, "events": events, **extra}, headers=who.headers
    )
    assert r.status_code == 201, r.text
    return r.json()


def deliveries(api: Api, who: Account, webhook_id: str) -> dict[str, Any]:
    r = api.client.get(f"{API}/webhooks/{webhook_id}/deliveries", headers=who.headers)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def wait_for_log(
    api: Api, who: Account, webhook_id: str, check: Callable[[list[dict[str, Any]]], bool]
) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []

    def seen() -> bool:
        nonlocal items
        items = deliveries(api, who, webhook_id)["items"]
        return check(items)

    wait_until(seen, 15, "the delivery log")
    return items


def verify_signature(secret: str, got: Received) -> None:
    """The receiver's recipe from docs/webhooks.md, written with hmac and hashlib only."""
    header = got.headers["storyreel-signature"]
    parts = dict(part.split("=", 1) for part in header.split(","))
    signed = parts["t"].encode() + b"." + got.body
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(expected, parts["v1"])
    assert abs(time.time() - int(parts["t"])) <= 300  # not a replay


# --- delivery ---------------------------------------------------------------------------------


def test_finished_task_is_delivered_signed_to_its_owners_matching_webhooks(
    api: Api, receivers: Callable[[], Receiver]
) -> None:
    alice, bob = api.register("alice"), api.register("bob")
    hook, other = receivers(), receivers()
    created = create_webhook(api, alice, hook.url + "/hook", ["task.succeeded"], description="ci")
    assert created["secret"].startswith("whsec_") and created["events"] == ["task.succeeded"]
    secret = api.client.get(f"{API}/webhooks/{created['id']}/secret", headers=alice.headers)
    assert secret.json()["secret"] == created["secret"]
    failures_only = create_webhook(api, alice, other.url, ["task.failed"])
    bobs = create_webhook(api, bob, other.url, ["*"])

    task_id = run_task(api, alice, n=7)

    [got] = hook.wait_for(1)
    assert got.path == "/hook"
    verify_signature(created["secret"], got)
    envelope = got.json
    assert envelope["type"] == "task.succeeded" == got.headers["storyreel-event"]
    assert envelope["id"] == got.headers["storyreel-delivery"]
    assert envelope["data"]["task_id"] == task_id
    assert envelope["data"]["status"] == "succeeded"
    assert envelope["data"]["result"] == {"echo": 7}
    assert "seq" not in envelope["data"]

    [logged] = wait_for_log(api, alice, created["id"], lambda i: i[0]["status"] == "succeeded")
    assert logged["id"] == envelope["id"] and logged["event_type"] == "task.succeeded"
    assert logged["attempts"] == 1 and logged["last_status_code"] == 200
    assert logged["delivered_at"] is not None and logged["last_error"] is None
    # The same listener pass queued for every matching webhook: nothing for the others.
    assert deliveries(api, alice, failures_only["id"])["total"] == 0
    assert deliveries(api, bob, bobs["id"])["total"] == 0
    assert other.requests == []

    detail = api.client.get(
        f"{API}/webhooks/{created['id']}/deliveries/{logged['id']}", headers=alice.headers
    )
    assert detail.status_code == 200 and detail.json()["payload"]["task_id"] == task_id


def test_failed_task_is_a_task_failed_event(api: Api, receivers: Callable[[], Receiver]) -> None:
    alice = api.register("alice")
    hook = receivers()
    created = create_webhook(api, alice, hook.url, ["task.failed"])
    task_id = run_task(api, alice, fail=True)
    [got] = hook.wait_for(1)
    verify_signature(created["secret"], got)
    assert got.json["type"] == "task.failed"
    assert got.json["data"]["task_id"] == task_id
    assert got.json["data"]["error"]["message"] == "this task fails on purpose"


def test_receiver_error_is_retried_and_the_log_shows_both_attempts(
    settings: Settings, receivers: Callable[[], Receiver]
) -> None:
    with fast_retries(settings) as api:
        alice = api.register("alice")
        hook = receivers()
        hook.statuses = [500]
        created = create_webhook(api, alice, hook.url, ["task.succeeded"])
        run_task(api, alice)

        first, second = hook.wait_for(2)
        [logged] = wait_for_log(api, alice, created["id"], lambda i: i[0]["status"] == "succeeded")
    assert logged["attempts"] == 2
    assert logged["last_status_code"] == 200
    assert logged["last_error"] == "receiver answered HTTP 500"  # kept: attempt 1's failure
    # One delivery sent twice: same id and body, each attempt signed afresh.
    assert first.headers["storyreel-delivery"] == second.headers["storyreel-delivery"]
    assert first.body == second.body
    verify_signature(created["secret"], first)
    verify_signature(created["secret"], second)


def test_delivery_fails_after_its_attempts_and_redeliver_sends_it_again(
    settings: Settings, receivers: Callable[[], Receiver]
) -> None:
    with fast_retries(settings, max_attempts=2) as api:
        alice, bob = api.register("alice"), api.register("bob")
        hook = receivers()
        hook.status = 503
        created = create_webhook(api, alice, hook.url, ["*"])
        run_task(api, alice)

        [failed] = wait_for_log(api, alice, created["id"], lambda i: i[0]["status"] == "failed")
        assert failed["attempts"] == 2 and failed["last_status_code"] == 503
        assert len(hook.requests) == 2

        path = f"{API}/webhooks/{created['id']}/deliveries/{failed['id']}/redeliver"
        assert api.client.post(path, headers=bob.headers).status_code == 404
        hook.status = 200
        r = api.client.post(path, headers=alice.headers)
        assert r.status_code == 202, r.text
        assert r.json()["status"] == "pending"
        [done] = wait_for_log(api, alice, created["id"], lambda i: i[0]["status"] == "succeeded")
    assert done["attempts"] == 3 and done["last_status_code"] == 200
    assert len(hook.requests) == 3
    assert len({r.headers["storyreel-delivery"] for r in hook.requests}) == 1


def test_ping_is_delivered_and_inactive_webhooks_send_nothing(
    api: Api, receivers: Callable[[], Receiver]
) -> None:
    alice = api.register("alice")
    hook = receivers()
    created = create_webhook(api, alice, hook.url, ["task.succeeded"])
    r = api.client.post(f"{API}/webhooks/{created['id']}/ping", headers=alice.headers)
    assert r.status_code == 202, r.text
    [got] = hook.wait_for(1)
    verify_signature(created["secret"], got)
    assert got.json["type"] == "ping" and got.json["id"] == r.json()["id"]
    assert got.json["data"]["webhook_id"] == created["id"]

    off = api.client.patch(
        f"{API}/webhooks/{created['id']}", json={"active": False}, headers=alice.headers
    )
    assert off.status_code == 200 and off.json()["active"] is False
    ping = api.client.post(f"{API}/webhooks/{created['id']}/ping", headers=alice.headers)
    assert ping.status_code == 409
    run_task(api, alice)
    # An inactive webhook gets no deliveries: the only row is still the ping.
    assert deliveries(api, alice, created["id"])["total"] == 1


def test_an_event_seen_twice_is_delivered_once(api: Api, receivers: Callable[[], Receiver]) -> None:
    """Two API processes on one Redis bus both see every event; the unique (webhook, event)
    lets one of them queue it. Here the same event arrives twice on this process's bus."""
    alice = api.register("alice")
    hook = receivers()
    created = create_webhook(api, alice, hook.url, ["task.succeeded"])
    platform = platform_of(api)
    task_id = run_task(api, alice)
    hook.wait_for(1)
    event = hook.requests[0].json["data"]
    platform.bus.publish(ALL_TASKS, {"type": "task", **event})
    platform.bus.publish(ALL_TASKS, {"type": "task", **event})
    later = run_task(api, alice, n=2)  # the listener handles events in order: this one last
    hook.wait_for(2)
    items = wait_for_log(api, alice, created["id"], lambda i: len(i) == 2)
    assert {i["event_id"].split(":")[1] for i in items} == {task_id, later}
    assert len(hook.requests) == 2


def test_a_claim_left_by_a_crashed_process_is_sent_again(
    api: Api, receivers: Callable[[], Receiver]
) -> None:
    alice = api.register("alice")
    hook = receivers()
    created = create_webhook(api, alice, hook.url, ["ping"])
    platform = platform_of(api)
    with platform.db.session() as s:
        # What a process that died mid-send leaves: claimed, attempt 1 counted, lease over.
        s.add(
            WebhookDelivery(
                webhook_id=created["id"],
                event_id="ping:crashed",
                event_type="ping",
                payload={"message": "sent by a process that died"},
                status="delivering",
                attempts=1,
                next_attempt_at=utcnow() - timedelta(seconds=1),
                created_at=utcnow() - timedelta(minutes=2),
            )
        )
    dispatcher_of(api).wake()
    [got] = hook.wait_for(1)
    verify_signature(created["secret"], got)
    assert got.json["data"] == {"message": "sent by a process that died"}
    [logged] = wait_for_log(api, alice, created["id"], lambda i: i[0]["status"] == "succeeded")
    assert logged["attempts"] == 2
    assert "stopped" in logged["last_error"]


def test_delivery_on_postgresql(
    settings: Settings, postgres_url: str, receivers: Callable[[], Receiver]
) -> None:
    with running_api(settings, database_url=postgres_url) as api:
        alice = api.register("alice")
        hook = receivers()
        created = create_webhook(api, alice, hook.url, ["task.succeeded", "task.failed"])
        succeeded, failed = run_task(api, alice), run_task(api, alice, fail=True)
        received = hook.wait_for(2)
        for got in received:
            verify_signature(created["secret"], got)
        assert {(r.json["type"], r.json["data"]["task_id"]) for r in received} == {
            ("task.succeeded", succeeded),
            ("task.failed", failed),
        }
        wait_for_log(
            api, alice, created["id"], lambda i: [d["status"] for d in i] == ["succeeded"] * 2
        )


# --- registration rules -------------------------------------------------------------------------


SSRF_TARGETS = [
    ("http://169.254.169.254/latest/meta-data", "link-local"),
    ("http://10.0.0.1/hook", "private"),
    ("http://[::1]:9/hook", "loopback"),
    ("http://127.0.0.1:9/hook", "loopback"),
    ("http://localhost:9/hook", "loopback"),
    ("ftp://example.com/hook", "only http and https"),
    ("http://user:pw@93.184.215.14/", "user name or password"),
]


def test_ssrf_targets_are_refused_at_create_and_update(settings: Settings) -> None:
    with running_api(settings, webhook_allow_loopback=False) as api:
        alice = api.register("alice")
        public = create_webhook(api, alice, "http://93.184.215.14/hook", ["*"])
        for url, reason in SSRF_TARGETS:
            r = api.client.post(
                f"{API}/webhooks", json={"url": url, "events": ["*"]}, headers=alice.headers
            )
            assert r.status_code == 422, (url, r.text)
            assert reason in r.json()["message"], url
            assert r.json()["errors"][0]["field"] == "url"
            r = api.client.patch(
                f"{API}/webhooks/{public['id']}", json={"url": url}, headers=alice.headers
            )
            assert r.status_code == 422 and reason in r.json()["message"], url
        kept = api.client.get(f"{API}/webhooks", headers=alice.headers).json()
        assert [w["url"] for w in kept["items"]] == ["http://93.184.215.14/hook"]


def test_private_and_metadata_addresses_stay_refused_when_loopback_is_allowed(api: Api) -> None:
    alice = api.register("alice")
    for url in ("http://169.254.169.254/", "http://10.0.0.1/", "http://[fe80::1]/"):
        r = api.client.post(
            f"{API}/webhooks", json={"url": url, "events": ["*"]}, headers=alice.headers
        )
        assert r.status_code == 422, url


def test_event_types_are_validated_and_viewers_cannot_create(api: Api) -> None:
    alice = api.register("alice")
    r = api.client.post(
        f"{API}/webhooks",
        json={"url": "http://127.0.0.1:9/", "events": ["task.succeeded", "task.exploded"]},
        headers=alice.headers,
    )
    assert r.status_code == 422
    assert "'task.exploded'" in r.json()["message"] and "render.succeeded" in r.json()["message"]
    assert "project.storyboard_ready" in r.json()["details"]["valid"]
    listed = api.client.get(f"{API}/webhooks/event-types", headers=alice.headers).json()
    assert "*" in listed["event_types"] and "ping" in listed["event_types"]
    assert (
        api.client.post(
            f"{API}/webhooks",
            json={"url": "http://127.0.0.1:9/", "events": []},
            headers=alice.headers,
        ).status_code
        == 422
    )

    viewer = api.register("viewer", role="viewer")
    r = api.client.post(
        f"{API}/webhooks",
        json={"url": "http://127.0.0.1:9/", "events": ["*"]},
        headers=viewer.headers,
    )
    assert r.status_code == 403
    mass = api.client.post(
        f"{API}/webhooks",
        json={"url": "http://127.0.0.1:9/", "events": ["*"], "owner_id": viewer.user_id},
        headers=alice.headers,
    )
    assert mass.status_code == 422


def test_create_is_idempotent_and_delete_removes_the_log(api: Api) -> None:
    alice = api.register("alice")
    body = {"url": "http://127.0.0.1:9/", "events": ["ping"]}
    headers = {**alice.headers, "Idempotency-Key": "hook-1"}
    first = api.client.post(f"{API}/webhooks", json=body, headers=headers)
    again = api.client.post(f"{API}/webhooks", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    other = api.client.post(f"{API}/webhooks", json={**body, "events": ["*"]}, headers=headers)
    assert other.status_code == 409
    webhook_id = first.json()["id"]
    listed = api.client.get(f"{API}/webhooks", headers=alice.headers).json()
    assert [w["id"] for w in listed["items"]] == [webhook_id] and listed["total"] == 1

    api.client.post(f"{API}/webhooks/{webhook_id}/ping", headers=alice.headers)
    gone = api.client.delete(f"{API}/webhooks/{webhook_id}", headers=alice.headers)
    assert gone.status_code == 204
    assert api.client.get(f"{API}/webhooks/{webhook_id}", headers=alice.headers).status_code == 404
    with platform_of(api).db.reading() as s:
        assert s.query(WebhookDelivery).filter_by(webhook_id=webhook_id).count() == 0


def test_other_users_webhooks_answer_404(api: Api) -> None:
    alice, bob = api.register("alice"), api.register("bob")
    hook = create_webhook(api, alice, "http://127.0.0.1:9/", ["ping"])
    ping = api.client.post(f"{API}/webhooks/{hook['id']}/ping", headers=alice.headers).json()
    base = f"{API}/webhooks/{hook['id']}"
    calls = [
        ("GET", base, None),
        ("PATCH", base, {"description": "mine now"}),
        ("DELETE", base, None),
        ("GET", f"{base}/secret", None),
        ("GET", f"{base}/deliveries", None),
        ("GET", f"{base}/deliveries/{ping['id']}", None),
        ("POST", f"{base}/deliveries/{ping['id']}/redeliver", None),
        ("POST", f"{base}/ping", None),
    ]
    for method, path, body in calls:
        r = api.client.request(method, path, json=body, headers=bob.headers)
        assert r.status_code == 404, (method, path, r.text)
        assert api.client.request(method, path, json=body).status_code == 401
    assert api.client.get(f"{API}/webhooks", headers=bob.headers).json()["total"] == 0
    # A delivery id of another webhook is 404 under this one.
    mine = create_webhook(api, alice, "http://127.0.0.1:9/", ["ping"])
    r = api.client.get(
        f"{API}/webhooks/{mine['id']}/deliveries/{ping['id']}", headers=alice.headers
    )
    assert r.status_code == 404
    still = api.client.get(base, headers=alice.headers)
    assert still.status_code == 200 and still.json()["description"] == ""
