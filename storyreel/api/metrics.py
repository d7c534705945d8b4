"""Prometheus metrics, one registry per app so every test builds its own.

HTTP metrics are counted in this process by the middleware. Everything about tasks, providers,
renders and webhooks is read from the database when Prometheus scrapes (``DatabaseCollector``),
so every API process reports the same, true numbers whoever did the work.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeHistogramMetricFamily,
    GaugeMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from storyreel.db.repositories import admin as admin_repo
from storyreel.db.repositories import webhooks as webhooks_repo
from storyreel.db.session import Database
from storyreel.db.types import utcnow
from storyreel.tasks.model import RESOURCES

log = logging.getLogger(__name__)

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# Task run times span milliseconds (a storyboard) to an hour (a long render).
TASK_BUCKETS = (0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0)
DURATION_WINDOW = timedelta(hours=1)
QUEUE_STATUSES = ("blocked", "queued", "running")


class Metrics:
    def __init__(self, db: Database | None = None) -> None:
        self.registry = CollectorRegistry()
        self.http_requests = Counter(
            "storyreel_http_requests",
            "HTTP requests by route template, method and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.http_latency = Histogram(
            "storyreel_http_request_duration_seconds",
            "HTTP request latency by route template and method.",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        if db is not None:
            self.registry.register(DatabaseCollector(db))

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        self.http_requests.labels(method, route, str(status)).inc()
        self.http_latency.labels(method, route).observe(seconds)


class _Families:
    """The database metrics of one scrape, typed so each family gets the right samples."""

    def __init__(self) -> None:
        provider = ["capability", "provider"]
        self.tasks = GaugeMetricFamily(
            "storyreel_tasks",
            "Tasks in the database by kind and status.",
            labels=["kind", "status"],
        )
        self.queue = GaugeMetricFamily(
            "storyreel_queue_depth",
            "Unfinished tasks by resource class and status (blocked, queued, running).",
            labels=["resource", "status"],
        )
        self.workers = GaugeMetricFamily(
            "storyreel_workers", "Workers holding a running task's lease right now."
        )
        self.durations = GaugeHistogramMetricFamily(
            "storyreel_task_duration_seconds",
            "Run time of the tasks that succeeded in the last hour, by kind.",
            labels=["kind"],
        )
        self.provider_calls = CounterMetricFamily(
            "storyreel_provider_calls",
            "Provider calls recorded (cached answers included), by capability and provider.",
            labels=provider,
        )
        self.provider_cached = CounterMetricFamily(
            "storyreel_provider_cached_calls",
            "Provider calls answered from the cache, by capability and provider.",
            labels=provider,
        )
        self.provider_cost = CounterMetricFamily(
            "storyreel_provider_cost",
            "Cost of provider calls as the providers report it, by capability and provider.",
            labels=provider,
        )
        self.provider_seconds = CounterMetricFamily(
            "storyreel_provider_seconds",
            "Seconds spent in provider calls, by capability and provider.",
            labels=provider,
        )
        self.rendered = CounterMetricFamily(
            "storyreel_rendered_video_seconds",
            "Seconds of video rendered, by quality.",
            labels=["quality"],
        )
        self.render_wall = CounterMetricFamily(
            "storyreel_render_wall_seconds",
            "Wall-clock seconds spent in successful render tasks, by kind.",
            labels=["kind"],
        )
        self.webhooks = GaugeMetricFamily(
            "storyreel_webhook_deliveries",
            "Webhook deliveries by status (pending and delivering are the backlog).",
            labels=["status"],
        )
        self.users = GaugeMetricFamily("storyreel_users", "Accounts by role.", labels=["role"])
        self.up = GaugeMetricFamily(
            "storyreel_database_scrape_ok",
            "1 when this scrape could read the database, else 0 (the other metrics are absent).",
        )

    def data(self) -> list[Metric]:
        return [m for name, m in vars(self).items() if name != "up"]


class DatabaseCollector(Collector):
    """Task, provider, render and webhook metrics, queried at scrape time with a few GROUP BYs."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def describe(self) -> Iterator[Metric]:
        # Names only: registering must not query the database.
        families = _Families()
        yield from [*families.data(), families.up]

    def collect(self) -> Iterator[Metric]:
        f = _Families()
        try:
            self._fill(f)
        except Exception:  # a scrape must still answer (HTTP metrics, and ok=0) when it is down
            log.exception("reading metrics from the database failed")
            f.up.add_metric([], 0)
            yield f.up
            return
        f.up.add_metric([], 1)
        yield from [*f.data(), f.up]

    def _fill(self, f: _Families) -> None:
        now = utcnow()
        with self.db.reading() as s:
            tasks = admin_repo.tasks_by_kind_status(s)
            queues = admin_repo.tasks_by_resource(s)
            workers = admin_repo.distinct_workers(s)
            durations = admin_repo.task_durations(s, TASK_BUCKETS, now - DURATION_WINDOW)
            providers = admin_repo.provider_usage(s)
            rendered = admin_repo.rendered_seconds(s)
            render_wall = admin_repo.task_wall_seconds(s, ("render",))
            deliveries = webhooks_repo.counts_by_status(s)
            users = admin_repo.users_by_role(s)
        for kind, status, n in tasks:
            f.tasks.add_metric([kind, status], n)
        for resource in sorted({*RESOURCES, *queues}):
            for status in QUEUE_STATUSES:  # zeros too: an empty queue is worth a sample
                f.queue.add_metric([resource, status], queues.get(resource, {}).get(status, 0))
        f.workers.add_metric([], workers)
        for row in durations:
            buckets = [(_bound(b), n) for b, n in zip(TASK_BUCKETS, row.buckets, strict=True)]
            buckets.append(("+Inf", row.count))
            f.durations.add_metric([row.kind], buckets, row.total_s)
        for p in providers:
            labels = [p.capability, p.provider]
            f.provider_calls.add_metric(labels, p.calls)
            f.provider_cached.add_metric(labels, p.cached)
            f.provider_cost.add_metric(labels, p.cost)
            f.provider_seconds.add_metric(labels, p.seconds)
        for quality, seconds in rendered.items():
            f.rendered.add_metric([quality], seconds)
        for kind, seconds in render_wall.items():
            f.render_wall.add_metric([kind], seconds)
        for status in webhooks_repo.DELIVERY_STATUSES:
            f.webhooks.add_metric([status], deliveries.get(status, 0))
        for role, n in users.items():
            f.users.add_metric([role], n)


def _bound(value: float) -> str:
    return repr(float(value))
