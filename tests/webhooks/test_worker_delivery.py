"""Webhooks in a deployment with no API process: the workers send them, and several senders
on one database never send a delivery twice (the claim is a compare-and-set with a lease)."""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from storyreel.auth.secrets import load_server_secrets
from storyreel.db import migrate
from storyreel.db.models import User, Webhook
from storyreel.db.repositories import webhooks as webhooks_repo
from storyreel.db.session import Database
from storyreel.db.types import utcnow
from storyreel.pipeline.engine import Platform
from storyreel.settings import Settings
from storyreel.tasks import service as tasks_service
from storyreel.tasks.kinds import KindPolicy
from storyreel.tasks.model import TaskSpec
from storyreel.webhooks import service
from storyreel.webhooks.signing import webhook_secret


@dataclass
class Receiver:
    """A real HTTP server on 127.0.0.1 recording each request's headers and body."""

    url: str = ""
    got: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    rec = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with rec.lock:
                rec.got.append(({k.lower(): v for k, v in self.headers.items()}, body))
            time.sleep(0.02)  # a receiver that takes a moment widens any double-send window
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    rec.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    yield rec
    server.shutdown()
    server.server_close()


def wait_until(check: Callable[[], bool], timeout: float = 20.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or check}")
        time.sleep(0.05)


def worker_settings(settings: Settings, database_url: str | None = None) -> Settings:
    configured = settings.model_copy(
        update={"webhook_allow_loopback": True, "database_url": database_url}
    )
    db = Database(configured.database)
    migrate.upgrade(db)
    db.dispose()
    return configured


def add_webhook(db: Database, url: str, events: list[str]) -> tuple[str, str]:
    """A user and a webhook of theirs; returns (user id, webhook id)."""
    with db.session() as s:
        user = User(email=f"owner-{time.monotonic_ns()}@example.com", password_hash=None)
        s.add(user)
        s.flush()
        hook = Webhook(owner_id=user.id, url=url, events=events)
        s.add(hook)
        s.flush()
        return user.id, hook.id


def test_a_worker_without_an_api_process_delivers_a_finished_tasks_webhook(
    settings: Settings, receiver: Receiver
) -> None:
    configured = worker_settings(settings)
    # What `storyreel worker` builds; nothing of storyreel.api is running.
    worker = Platform.create(configured, deliver_webhooks=True)
    worker.kinds.register(
        "test.echo", lambda ctx: {"echo": ctx.params["n"]}, KindPolicy(resource="io")
    )
    owner_id, webhook_id = add_webhook(worker.db, receiver.url, ["task.succeeded"])
    worker.start()
    try:
        with worker.db.session() as s:
            spec = TaskSpec(kind="test.echo", params={"n": 7}, owner_id=owner_id)
            task_id = tasks_service.submit(s, spec, worker.kinds).id
        wait_until(lambda: len(receiver.got) >= 1, what="the webhook")
    finally:
        worker.stop(2)
    [(headers, body)] = receiver.got
    assert headers["storyreel-event"] == "task.succeeded"
    assert task_id.encode() in body
    # Signed with the secret the API shows for this webhook (the same server key).
    secret = webhook_secret(load_server_secrets(configured).webhook, webhook_id)
    parts = dict(part.split("=", 1) for part in headers["storyreel-signature"].split(","))
    expected = hmac.new(secret.encode(), parts["t"].encode() + b"." + body, hashlib.sha256)
    assert hmac.compare_digest(expected.hexdigest(), parts["v1"])


@pytest.mark.parametrize("senders", [3])
def test_several_worker_processes_send_each_delivery_once(
    settings: Settings, database_url: str, receiver: Receiver, senders: int
) -> None:
    configured = worker_settings(settings, database_url)
    workers = [Platform.create(configured, deliver_webhooks=True) for _ in range(senders)]
    _, webhook_id = add_webhook(workers[0].db, receiver.url, ["ping"])
    n = 40
    with workers[0].db.session() as s:
        hook = webhooks_repo.get(s, webhook_id)
        assert hook is not None
        for _ in range(n):
            service.queue_ping(s, hook, utcnow())
    for w in workers:  # all start at once and race for the same due rows
        w.start()
    try:
        for w in workers:
            assert w.webhooks is not None
            w.webhooks.wake()
        wait_until(lambda: len(receiver.got) >= n, what=f"{n} deliveries")
        time.sleep(0.5)  # a double send would arrive now
    finally:
        for w in workers:
            w.stop(1)
    sent = Counter(headers["storyreel-delivery"] for headers, _ in receiver.got)
    assert len(sent) == n and set(sent.values()) == {1}, sent.most_common(3)
