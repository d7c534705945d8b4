"""``GET /admin/workers``: the worker registry, for administrators only — the API process that
runs the embedded executor is listed as a worker, a silent one as lost, pages like every list."""

from __future__ import annotations

import os
from datetime import timedelta

from storyreel import __version__
from storyreel.db.models import Worker
from storyreel.db.types import utcnow
from storyreel.pipeline.engine import Platform
from tests.api.kit import Api

API = "/api/v1"


def platform_of(api: Api) -> Platform:
    platform: Platform = api.client.app.state.storyreel.platform  # type: ignore[attr-defined]
    return platform


def test_admins_see_the_serving_process_as_a_worker_and_others_are_refused(api: Api) -> None:
    alice, admin = api.register("alice"), api.admin()
    assert api.client.get(f"{API}/admin/workers", headers=alice.headers).status_code == 403
    assert api.client.get(f"{API}/admin/workers").status_code == 401
    r = api.client.get(f"{API}/admin/workers", headers=admin.headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] == 1 and body["page"] == 1
    [me] = body["items"]
    assert me["id"] == platform_of(api).runner.worker
    assert me["pid"] == os.getpid() and me["version"] == __version__
    assert me["state"] in ("idle", "running") and me["executor"] == "local"
    assert set(me["queues"]) == {"cpu", "gpu", "llm", "io"}


def test_a_silent_worker_is_lost_and_the_list_pages(api: Api) -> None:
    admin = api.admin()
    now = utcnow()
    with platform_of(api).db.session() as s:
        for i in range(3):
            s.add(
                Worker(
                    id=f"gone-{i}",
                    host="gpu-node-7",
                    pid=100 + i,
                    version="0.9.0",
                    executor="celery",
                    queues=["gpu"],
                    started_at=now - timedelta(hours=1),
                    last_heartbeat_at=now - timedelta(minutes=10 + i),
                    task_id="t" * 32,
                    task_kind="image",
                    tasks_running=1,
                    gpu_name="NVIDIA L4",
                    gpu_memory_mb=23034,
                )
            )
    first = api.client.get(f"{API}/admin/workers?page_size=2", headers=admin.headers).json()
    assert first["total"] == 4 and len(first["items"]) == 2
    second = api.client.get(f"{API}/admin/workers?page_size=2&page=2", headers=admin.headers).json()
    listed = first["items"] + second["items"]
    assert listed[0]["id"] == platform_of(api).runner.worker  # the newest heartbeat first
    lost = {w["id"]: w for w in listed[1:]}
    assert set(lost) == {"gone-0", "gone-1", "gone-2"}
    assert {w["state"] for w in lost.values()} == {"lost"}
    assert lost["gone-0"]["gpu_name"] == "NVIDIA L4" and lost["gone-0"]["task_kind"] == "image"
