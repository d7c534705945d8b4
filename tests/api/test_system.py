"""/healthz, /readyz and /metrics: liveness, readiness that notices a broken dependency, and
Prometheus metrics read from the database at scrape time."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from storyreel.api.routes import system
from storyreel.db.models import Project, UsageRecord
from storyreel.db.repositories import tasks as tasks_repo
from storyreel.pipeline.engine import Platform
from storyreel.settings import Settings
from storyreel.tasks import service
from storyreel.tasks.kinds import KindPolicy
from storyreel.tasks.model import TaskSpec
from tests.api.kit import Api, add_render, running_api

API = "/api/v1"


def platform_of(api: Api) -> Platform:
    platform: Platform = api.client.app.state.storyreel.platform  # type: ignore[attr-defined]
    return platform


def wait_until(check: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {check}"
        time.sleep(0.05)


def samples(api: Api) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    r = api.client.get("/metrics")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain; version=")
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(r.text)
        for s in family.samples
    }


def sample(
    found: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str
) -> float:
    return found[(name, frozenset(labels.items()))]


def test_healthz_answers_without_auth(api: Api) -> None:
    r = api.client.get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok"}
    assert r.headers["x-request-id"]


def _readyz(api: Api) -> Any:
    """A readiness answer from a new run of the checks (the last one is kept for a second)."""
    time.sleep(system.READY_CACHE_S + 0.05)
    return api.client.get("/readyz")


def test_readyz_reports_each_dependency_and_503_when_one_breaks(api: Api) -> None:
    ok = api.client.get("/readyz")
    assert ok.status_code == 200, ok.text
    checks = ok.json()["checks"]
    assert set(checks) == {"database", "blob_store", "executor", "events", "services"}
    assert all(c["ok"] for c in checks.values())

    # The blob store's folder replaced by a file: nothing can be written there.
    root = api.settings.data_dir / "blobs"
    moved = root.with_name("blobs.moved")
    root.rename(moved)
    root.write_text("not a folder")
    try:
        broken = _readyz(api)
    finally:
        root.unlink()
        moved.rename(root)
    assert broken.status_code == 503
    body = broken.json()
    assert body["code"] == 503 and [e["field"] for e in body["errors"]] == ["blob_store"]
    assert body["details"]["checks"]["database"]["ok"] is True
    assert body["details"]["checks"]["blob_store"]["error"]

    # A schema older than the code (a deploy before `storyreel migrate`).
    db = platform_of(api).db
    with db.engine.begin() as conn:
        [head] = conn.execute(text("SELECT version_num FROM alembic_version")).scalars()
        conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    try:
        stale = _readyz(api)
    finally:
        with db.engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head})
    assert stale.status_code == 503
    [error] = stale.json()["errors"]
    assert error["field"] == "database" and "storyreel migrate" in error["message"]
    assert _readyz(api).status_code == 200

    # The embedded executor stopped: tasks would never run.
    executor = platform_of(api).executor
    assert executor is not None
    executor.stop(0)
    down = _readyz(api)
    assert down.status_code == 503
    assert [e["field"] for e in down.json()["errors"]] == ["executor"]


def test_readyz_checks_a_redis_event_bus(settings: Settings, redis_url: str) -> None:
    with running_api(settings, events_url=redis_url) as api:
        assert api.client.get("/readyz").json()["checks"]["events"]["detail"] == "redis answers"
    # Redis down: the API still starts (the webhook listener retries), and is not ready.
    with running_api(settings, events_url="redis://127.0.0.1:1/0") as unreachable:
        r = unreachable.client.get("/readyz")
    assert r.status_code == 503
    assert [e["field"] for e in r.json()["errors"]] == ["events"]


def _finish_tasks(api: Api, owner_id: str) -> None:
    platform = platform_of(api)
    policy = KindPolicy(resource="io", max_attempts=1)
    platform.kinds.register("test.echo", lambda ctx: {}, policy)
    with platform.db.session() as s:
        ids = [
            service.submit(s, TaskSpec(kind="test.echo", owner_id=owner_id), platform.kinds).id
            for _ in range(2)
        ]

    def done() -> bool:
        with platform.db.reading() as s:
            return all(getattr(tasks_repo.get(s, i), "status", "") == "succeeded" for i in ids)

    wait_until(done)
    with platform.db.session() as s:
        project = Project(owner_id=owner_id, title="t", story="s", style="sketch")
        s.add(project)
        s.flush()
        s.add(
            UsageRecord(
                owner_id=owner_id,
                project_id=project.id,
                capability="image",
                provider="sketch",
                model="m",
                cost=0.5,
                seconds=2.0,
            )
        )
        add_render(s, project.id, owner_id, quality="preview")


def test_metrics_has_http_counters_by_route_and_database_metrics(
    settings: Settings, database_url: str
) -> None:
    with running_api(settings, database_url=database_url) as api:
        alice = api.register("alice")
        for _ in range(2):
            assert api.client.get(f"{API}/auth/me", headers=alice.headers).status_code == 200
        api.client.get(f"{API}/tasks/{'0' * 32}", headers=alice.headers)
        _finish_tasks(api, alice.user_id)

        found = samples(api)
        assert (
            sample(
                found,
                "storyreel_http_requests_total",
                method="GET",
                route="/api/v1/auth/me",
                status="200",
            )
            == 2
        )
        assert (
            sample(
                found,
                "storyreel_http_request_duration_seconds_count",
                method="GET",
                route="/api/v1/auth/me",
            )
            == 2
        )
        # Routes are labelled by template, never by the id in the path.
        assert not [k for k in found if ("route", f"{API}/tasks/{'0' * 32}") in k[1]]
        assert sample(found, "storyreel_tasks", kind="test.echo", status="succeeded") == 2
        assert sample(found, "storyreel_queue_depth", resource="gpu", status="queued") == 0
        assert sample(found, "storyreel_workers") == 0
        assert (
            sample(found, "storyreel_task_duration_seconds_bucket", kind="test.echo", le="+Inf")
            == 2
        )
        assert sample(found, "storyreel_task_duration_seconds_gcount", kind="test.echo") == 2
        labels = {"capability": "image", "provider": "sketch"}
        assert sample(found, "storyreel_provider_calls_total", **labels) == 1
        assert sample(found, "storyreel_provider_cost_total", **labels) == 0.5
        assert sample(found, "storyreel_rendered_video_seconds_total", quality="preview") == 12.5
        assert sample(found, "storyreel_webhook_deliveries", status="pending") == 0
        assert sample(found, "storyreel_users", role="user") == 1
        assert sample(found, "storyreel_database_scrape_ok") == 1
        # Scraped again, the counts move: they come from the database, not from a snapshot.
        _finish_tasks(api, alice.user_id)
        again = samples(api)
        assert sample(again, "storyreel_tasks", kind="test.echo", status="succeeded") == 4


def test_probes_and_metrics_are_not_rate_limited(settings: Settings) -> None:
    tight = {"per_user": "2/minute", "per_ip": "3/minute", "auth_per_ip": "100/minute"}
    with running_api(settings, rate_limits=tight) as api:
        for path in ("/healthz", "/readyz", "/metrics"):
            for _ in range(5):
                assert api.client.get(path).status_code == 200, path
        limited: list[Any] = [api.client.get(f"{API}/auth/me").status_code for _ in range(5)]
        assert 429 in limited


def test_metrics_answer_when_the_database_cannot_be_read(api: Api) -> None:
    alice = api.register("alice")
    api.client.get(f"{API}/auth/me", headers=alice.headers)
    db = platform_of(api).db
    with db.session() as s:  # the tasks table gone, as a database that lost its schema
        s.execute(text("ALTER TABLE tasks RENAME TO tasks_away"))
    try:
        found = samples(api)
    finally:
        with db.session() as s:
            s.execute(text("ALTER TABLE tasks_away RENAME TO tasks"))
    assert sample(found, "storyreel_database_scrape_ok") == 0
    assert not [k for k in found if k[0] == "storyreel_tasks"]
    # The HTTP metrics of this process still come through.
    me = {"method": "GET", "route": "/api/v1/auth/me", "status": "200"}
    assert sample(found, "storyreel_http_requests_total", **me) == 1
    assert sample(samples(api), "storyreel_database_scrape_ok") == 1
