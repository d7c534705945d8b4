"""Liveness, readiness and Prometheus metrics, at the root (not under ``/api/v1``).

They carry no authentication and no rate limit: probes and scrapers call them often, and they
reveal counts, not data. Operators keep the API port (or at least these paths) off the public
internet when the counts themselves are sensitive.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from functools import partial
from typing import Any, Literal

from fastapi import APIRouter, Query, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel
from sqlalchemy.exc import DBAPIError

from storyreel.api import errors
from storyreel.api.deps import AppState, StateDep, pipeline_of
from storyreel.api.metrics import Metrics
from storyreel.db import migrate
from storyreel.db.repositories import schema as schema_repo
from storyreel.db.types import new_id
from storyreel.providers.base import CAPABILITIES, Capability
from storyreel.providers.router import layered_route

router = APIRouter(tags=["system"])

CHECK_TIMEOUT_S = 5.0
READY_CACHE_S = 1.0  # probes of many replicas and load balancers share one run of the checks


class Health(BaseModel):
    status: Literal["ok"] = "ok"


class Check(BaseModel):
    ok: bool
    ms: float
    detail: str = ""
    error: str | None = None


class Readiness(BaseModel):
    status: Literal["ok"] = "ok"
    checks: dict[str, Check]


@router.get("/healthz", response_model=Health)
async def healthz() -> Health:
    """Liveness: the process answers (nothing else is checked)."""
    return Health()


class NotReady(Exception):
    """A readiness check failed; the message says what to fix."""


_heads: dict[str, str] = {}
_heads_lock = threading.Lock()


def _check_database(state: AppState) -> str:
    db = state.platform.db
    with _heads_lock:  # the migration scripts are read once per process
        head = _heads.get(db.url) or _heads.setdefault(db.url, migrate.head_revision(db))
    # Through a read session: on SQLite the writer engine's transactions take the write lock,
    # and a probe must not queue behind (or hold up) the work.
    with db.reading() as s:
        schema_repo.ping(s)
        try:
            current = schema_repo.revision(s)
        except DBAPIError as exc:
            raise NotReady("the database has no storyreel schema: run `storyreel migrate`") from exc
    if current != head:
        raise NotReady(
            f"the schema is at revision {current or 'none'}, this version needs {head}: "
            "run `storyreel migrate`"
        )
    return f"schema {current}"


def _check_blob_store(state: AppState) -> str:
    key = f"health/readyz-{new_id()}"
    state.store.put(key, b"ok")
    try:
        if not state.store.exists(key):
            raise NotReady("a probe blob written to the store cannot be found")
    finally:
        state.store.delete(key)
    return "probe written and removed"


def _check_executor(state: AppState) -> str:
    platform = state.platform
    if platform.reaper is not None and not platform.reaper.is_alive():
        raise NotReady("the reaper thread has stopped")
    executor = platform.executor
    if executor is None:
        return "tasks run in worker processes (`storyreel worker`), not here"
    problem = executor.health()
    if problem is not None:
        raise NotReady(problem)
    return f"{state.settings.executor} executor healthy"


def _check_events(state: AppState) -> str:
    url = state.settings.events_url
    if not url.startswith(("redis://", "rediss://")):
        return "in-process event bus"
    import redis

    client = redis.Redis.from_url(
        url, socket_timeout=CHECK_TIMEOUT_S / 2, socket_connect_timeout=CHECK_TIMEOUT_S / 2
    )
    try:
        client.ping()
    finally:
        client.close()
    return "redis answers"


def _check_services(request: Request) -> str:
    stopped = [
        type(service).__name__
        for service in getattr(request.app.state, "services", [])
        if callable(getattr(service, "alive", None)) and not service.alive()
    ]
    if stopped:
        raise NotReady(f"background services stopped: {', '.join(stopped)}")
    return "running"


def _check_route(state: AppState, capability: Capability) -> str:
    """Healthy when the first provider on the system's route that answers is found."""
    pipeline = pipeline_of(state)
    route = layered_route(capability, state.settings)
    problems = []
    for name in pipeline.router.candidates(capability, route):
        health = pipeline.router.health(capability, name)
        if health.ok:
            return f"{name}: {health.detail}"
        problems.append(f"{name}: {health.detail}")
    raise NotReady("; ".join(problems))


def _run_checks(checks: dict[str, Callable[[], str]]) -> dict[str, Check]:
    """Run the checks at once, each bounded by ``CHECK_TIMEOUT_S``: a probe must answer even
    when a dependency hangs."""
    pool = ThreadPoolExecutor(max_workers=len(checks), thread_name_prefix="readyz")
    started = time.perf_counter()
    futures = {name: pool.submit(_timed, check) for name, check in checks.items()}
    results: dict[str, Check] = {}
    for name, future in futures.items():
        left = max(0.0, CHECK_TIMEOUT_S - (time.perf_counter() - started))
        try:
            results[name] = future.result(timeout=left)
        except FutureTimeout:
            ms = (time.perf_counter() - started) * 1000
            results[name] = Check(
                ok=False, ms=round(ms, 1), error=f"no answer within {CHECK_TIMEOUT_S:g} s"
            )
    pool.shutdown(wait=False, cancel_futures=True)
    return results


class ReadyCache:
    """The last readiness result per variant (with or without providers), kept ``READY_CACHE_S``.
    Callers that arrive while the checks run wait for that run instead of starting another."""

    def __init__(self) -> None:
        self._locks = {True: threading.Lock(), False: threading.Lock()}
        self._kept: dict[bool, tuple[float, dict[str, Check]]] = {}

    def get(self, variant: bool, run: Callable[[], dict[str, Check]]) -> dict[str, Check]:
        with self._locks[variant]:
            kept = self._kept.get(variant)
            if kept is not None and time.monotonic() - kept[0] < READY_CACHE_S:
                return kept[1]
            results = run()
            self._kept[variant] = (time.monotonic(), results)
            return results


def _ready_cache(request: Request) -> ReadyCache:
    cache: ReadyCache = request.app.state.ready_cache  # one per app (create_app)
    return cache


def _timed(check: Callable[[], str]) -> Check:
    started = time.perf_counter()
    try:
        detail = check()
    except Exception as exc:  # every failure is reported, none escapes as a 500
        ms = round((time.perf_counter() - started) * 1000, 1)
        reason = str(exc) or type(exc).__name__
        return Check(ok=False, ms=ms, error=f"{type(exc).__name__}: {reason}"[:500])
    return Check(ok=True, ms=round((time.perf_counter() - started) * 1000, 1), detail=detail)


@router.get(
    "/readyz",
    response_model=Readiness,
    responses={503: {"model": errors.ErrorBody, "description": "Not ready"}},
)
def readyz(
    request: Request,
    state: StateDep,
    providers: bool | None = Query(
        None,
        description="Also check that each capability has a healthy provider on its route "
        "(default: STORYREEL_READYZ_PROVIDERS).",
    ),
) -> Readiness:
    """Readiness: the database (schema current), blob store, executor or broker, and event bus
    all answer (and, when asked, a provider of each capability); 503 lists what failed. The
    result is kept for a second: concurrent probes share one run of the checks."""
    with_providers = state.settings.readyz_providers if providers is None else providers
    checks: dict[str, Callable[[], Any]] = {
        "database": lambda: _check_database(state),
        "blob_store": lambda: _check_blob_store(state),
        "executor": lambda: _check_executor(state),
        "events": lambda: _check_events(state),
        "services": lambda: _check_services(request),
    }
    if with_providers:
        for capability in CAPABILITIES:
            checks[f"providers.{capability}"] = partial(_check_route, state, capability)
    results = _ready_cache(request).get(with_providers, partial(_run_checks, checks))
    failed = {name: c for name, c in results.items() if not c.ok}
    if failed:
        raise errors.Unavailable(
            f"not ready: {', '.join(failed)} failed",
            errors=[
                errors.FieldError(field=name, message=c.error or "") for name, c in failed.items()
            ],
            details={"checks": {name: c.model_dump() for name, c in results.items()}},
        )
    return Readiness(checks=results)


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}, "description": "Prometheus text format"}},
)
def metrics(request: Request) -> Response:
    """Prometheus metrics: HTTP requests and latency, tasks, queues, providers, renders and
    webhook deliveries (read from the database at scrape time)."""
    registry: Metrics = request.app.state.metrics
    return Response(generate_latest(registry.registry), media_type=CONTENT_TYPE_LATEST)
