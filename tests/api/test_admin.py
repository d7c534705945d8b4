"""Administration through the API: only admins get in; roles, plans, quotas and disabling take
effect; usage per day and the system status match what happened."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from storyreel.db.models import Project, Task, UsageRecord
from storyreel.db.repositories import tasks as tasks_repo
from storyreel.db.repositories import usage
from storyreel.db.session import Database
from storyreel.db.types import utcnow
from storyreel.pipeline.engine import Platform
from storyreel.settings import Settings
from storyreel.tasks import service
from storyreel.tasks.kinds import KindPolicy
from storyreel.tasks.model import PermanentError, TaskSpec
from tests.api.kit import PASSWORD, Account, Api, add_render, running_api

API = "/api/v1"


def platform_of(api: Api) -> Platform:
    platform: Platform = api.client.app.state.storyreel.platform  # type: ignore[attr-defined]
    return platform


def wait_until(check: Callable[[], bool], timeout: float = 15.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or check}")
        time.sleep(0.05)


def admin_endpoints(user_id: str, project_id: str) -> list[tuple[str, str, Any]]:
    return [
        ("GET", f"{API}/admin/users", None),
        ("GET", f"{API}/admin/users/{user_id}", None),
        ("PATCH", f"{API}/admin/users/{user_id}", {"role": "admin"}),
        ("GET", f"{API}/admin/users/{user_id}/usage", None),
        ("PATCH", f"{API}/admin/projects/{project_id}/quotas", {"images_per_day": 10**6}),
        ("GET", f"{API}/admin/status", None),
    ]


def add_project(api: Api, owner: Account) -> str:
    with platform_of(api).db.session() as s:
        project = Project(owner_id=owner.user_id, title="雪夜", story="一个故事。", style="sketch")
        s.add(project)
        s.flush()
        return project.id


def test_only_admins_reach_admin_endpoints(api: Api) -> None:
    alice = api.register("alice")
    project_id = add_project(api, alice)
    others = [alice, api.register("viewer", role="viewer"), api.register("guest", role="guest")]
    for method, path, body in admin_endpoints(alice.user_id, project_id):
        for account in others:
            r = api.client.request(method, path, json=body, headers=account.headers)
            assert r.status_code == 403, (method, path, account.email, r.text)
        assert api.client.request(method, path, json=body).status_code == 401
    me = api.client.get(f"{API}/auth/me", headers=alice.headers).json()
    assert me["role"] == "user"  # the refused PATCH changed nothing
    admin = api.admin()
    for method, path, body in admin_endpoints(alice.user_id, project_id):
        r = api.client.request(method, path, json=body, headers=admin.headers)
        assert r.status_code == 200, (method, path, r.text)


def test_admin_sets_role_plan_and_quotas_and_they_take_effect(api: Api) -> None:
    admin, alice = api.admin(), api.register("alice")
    user = f"{API}/admin/users/{alice.user_id}"

    r = api.client.patch(user, json={"role": "guest", "plan": "pro"}, headers=admin.headers)
    assert r.status_code == 200, r.text
    assert (r.json()["role"], r.json()["plan"]) == ("guest", "pro")
    me = api.client.get(f"{API}/auth/me", headers=alice.headers).json()
    assert (me["role"], me["plan"]) == ("guest", "pro")
    bad_role = api.client.patch(user, json={"role": "root"}, headers=admin.headers)
    assert bad_role.status_code == 422 and bad_role.json()["errors"][0]["field"] == "role"
    bad_plan = api.client.patch(user, json={"plan": "platinum"}, headers=admin.headers)
    assert bad_plan.status_code == 422
    assert "free, guest, pro" in bad_plan.json()["message"]
    assert api.client.patch(user, json={"email": "x@y.z"}, headers=admin.headers).status_code == 422
    api.client.patch(user, json={"role": "user", "plan": "free"}, headers=admin.headers)

    # A user-level override beats the system default, and the quota check enforces it.
    r = api.client.patch(user, json={"quotas": {"images_per_day": 0}}, headers=admin.headers)
    assert r.status_code == 200 and r.json()["quotas"] == {"images_per_day": 0}
    usage = api.client.get(f"{user}/usage", headers=admin.headers).json()
    assert usage["quotas"]["images_per_day"] == 0
    assert usage["quotas"]["videos_per_day"] == api.settings.quotas.videos_per_day
    mine = api.client.get(f"{API}/usage", headers=alice.headers).json()
    assert mine["quotas"]["images_per_day"] == 0 and mine["today"]["images"] == 0
    refused = api.client.post(
        f"{API}/images/generate", json={"prompt": "a lantern in the snow"}, headers=alice.headers
    )
    assert refused.status_code == 429, refused.text
    assert refused.json()["details"]["quota"] == "images_per_day"
    assert int(refused.headers["retry-after"]) > 0
    # null removes the override; other overrides are kept.
    api.client.patch(user, json={"quotas": {"videos_per_day": 3}}, headers=admin.headers)
    r = api.client.patch(user, json={"quotas": {"images_per_day": None}}, headers=admin.headers)
    assert r.json()["quotas"] == {"videos_per_day": 3}
    usage = api.client.get(f"{user}/usage", headers=admin.headers).json()
    assert usage["quotas"]["images_per_day"] == api.settings.quotas.images_per_day
    negative = api.client.patch(
        user, json={"quotas": {"images_per_day": -1}}, headers=admin.headers
    )
    assert negative.status_code == 422

    missing = api.client.patch(
        f"{API}/admin/users/nobody", json={"plan": "pro"}, headers=admin.headers
    )
    assert missing.status_code == 404


def test_disabling_locks_the_account_out_and_admins_cannot_lock_themselves_out(api: Api) -> None:
    admin, alice = api.admin(), api.register("alice")
    user = f"{API}/admin/users/{alice.user_id}"
    r = api.client.patch(user, json={"disabled": True}, headers=admin.headers)
    assert r.status_code == 200 and r.json()["disabled"] is True
    assert api.client.get(f"{API}/auth/me", headers=alice.headers).status_code == 401
    refresh = api.client.post(f"{API}/auth/refresh", json={"refresh_token": alice.refresh_token})
    assert refresh.status_code == 401
    login = api.client.post(f"{API}/auth/login", json={"email": alice.email, "password": PASSWORD})
    assert login.status_code == 401
    api.client.patch(user, json={"disabled": False}, headers=admin.headers)
    assert api.login(alice.email).token
    # Re-enabling does not bring back the refresh token revoked when disabling.
    again = api.client.post(f"{API}/auth/refresh", json={"refresh_token": alice.refresh_token})
    assert again.status_code == 401

    own = f"{API}/admin/users/{admin.user_id}"
    assert api.client.patch(own, json={"role": "user"}, headers=admin.headers).status_code == 409
    assert api.client.patch(own, json={"disabled": True}, headers=admin.headers).status_code == 409
    assert api.client.get(f"{API}/auth/me", headers=admin.headers).json()["role"] == "admin"
    # Another admin may be demoted.
    other = api.register("other", role="admin")
    demote = api.client.patch(
        f"{API}/admin/users/{other.user_id}", json={"role": "user"}, headers=admin.headers
    )
    assert demote.status_code == 200
    assert api.client.get(f"{API}/admin/status", headers=other.headers).status_code == 403


def test_user_list_paginates_and_searches_by_email(api: Api) -> None:
    admin = api.admin()
    accounts = [api.register("zed") for _ in range(3)] + [api.register("amy")]
    r = api.client.get(f"{API}/admin/users", params={"page_size": 2}, headers=admin.headers)
    body = r.json()
    assert body["total"] == 5 and len(body["items"]) == 2 and body["page_size"] == 2
    found = api.client.get(f"{API}/admin/users", params={"search": "ZED"}, headers=admin.headers)
    assert {u["id"] for u in found.json()["items"]} == {a.user_id for a in accounts[:3]}
    assert "password_hash" not in found.json()["items"][0]
    bad = api.client.get(f"{API}/admin/users", params={"page_size": 0}, headers=admin.headers)
    assert bad.status_code == 422


def _seed_usage(db: Database, owner_id: str) -> None:
    """Two days of a user's work: tasks (and their quota charges), provider calls, a render."""
    now = utcnow()
    yesterday = now - timedelta(days=1)
    with db.session() as s:
        project = Project(owner_id=owner_id, title="t", story="s", style="sketch")
        s.add(project)
        s.flush()
        for kind, when in [("image", now)] * 3 + [("image", yesterday)] * 2 + [("render", now)]:
            s.add(
                Task(
                    kind=kind,
                    owner_id=owner_id,
                    project_id=project.id,
                    status="succeeded",
                    created_at=when,
                    started_at=when,
                    finished_at=when,
                )
            )
            # What submitting it charged to the day's quotas (tasks made here bypass submit).
            usage.charge(
                s, owner_id, images=int(kind == "image"), videos=int(kind == "render"), now=when
            )
        for capability, provider, cost, when in [
            ("image", "sketch", 0.25, now),
            ("image", "sketch", 0.25, now),
            ("voice", "espeak", 0.0, now),
            ("storyboard", "rules", 1.5, yesterday),
        ]:
            s.add(
                UsageRecord(
                    owner_id=owner_id,
                    project_id=project.id,
                    capability=capability,
                    provider=provider,
                    model="m",
                    cost=cost,
                    created_at=when,
                )
            )
        add_render(s, project.id, owner_id, created_at=now)


def test_usage_per_day_counts_what_the_user_did(settings: Settings, database_url: str) -> None:
    with running_api(settings, database_url=database_url) as api:
        admin, alice, bob = api.admin(), api.register("alice"), api.register("bob")
        _seed_usage(platform_of(api).db, alice.user_id)
        _seed_usage(platform_of(api).db, bob.user_id)  # never counted for alice

        r = api.client.get(
            f"{API}/admin/users/{alice.user_id}/usage", params={"days": 3}, headers=admin.headers
        )
        assert r.status_code == 200, r.text
        body = r.json()
        older, yesterday, today = body["days"]
        assert today["date"] == utcnow().strftime("%Y-%m-%d")
        assert older == {
            "date": older["date"],
            "images": 0,
            "videos": 0,
            "render_seconds": 0.0,
            "provider_calls": 0,
            "provider_cost": 0.0,
            "by_capability": {},
        }
        assert (yesterday["images"], yesterday["videos"]) == (2, 0)
        assert yesterday["provider_calls"] == 1 and yesterday["provider_cost"] == 1.5
        assert (today["images"], today["videos"], today["render_seconds"]) == (3, 1, 12.5)
        assert today["provider_calls"] == 3 and today["provider_cost"] == 0.5
        assert today["by_capability"] == {
            "image": {"calls": 2, "cost": 0.5},
            "voice": {"calls": 1, "cost": 0.0},
        }
        assert body["today"] == {"images": 3, "videos": 1, "render_seconds": 12.5}
        assert body["quotas"]["images_per_day"] == api.settings.quotas.images_per_day

        mine = api.client.get(f"{API}/usage", headers=alice.headers).json()
        assert [d["date"] for d in mine["days"]] == [today["date"]]
        assert mine["today"] == body["today"]
        too_many = api.client.get(
            f"{API}/admin/users/{alice.user_id}/usage", params={"days": 91}, headers=admin.headers
        )
        assert too_many.status_code == 422


def test_project_quota_overrides_are_the_last_layer(api: Api) -> None:
    admin, alice = api.admin(), api.register("alice")
    project_id = add_project(api, alice)
    api.client.patch(
        f"{API}/admin/users/{alice.user_id}",
        json={"quotas": {"videos_per_day": 1}},
        headers=admin.headers,
    )
    path = f"{API}/admin/projects/{project_id}/quotas"
    r = api.client.patch(path, json={"videos_per_day": 4}, headers=admin.headers)
    assert r.status_code == 200, r.text
    assert r.json()["quotas"] == {"videos_per_day": 4}
    assert r.json()["effective"]["videos_per_day"] == 4  # project beats user
    r = api.client.patch(path, json={"videos_per_day": None}, headers=admin.headers)
    assert r.json()["quotas"] == {} and r.json()["effective"]["videos_per_day"] == 1
    assert (
        api.client.patch(path, json={"max_resolution": 10}, headers=admin.headers).status_code
        == 422
    )
    missing = api.client.patch(f"{API}/admin/projects/nope/quotas", json={}, headers=admin.headers)
    assert missing.status_code == 404


def test_status_matches_the_submitted_tasks(api: Api) -> None:
    admin, alice = api.admin(), api.register("alice")
    platform = platform_of(api)
    release = threading.Event()

    def hold(ctx: Any) -> dict[str, Any]:
        release.wait(30)
        return {}

    def fail(ctx: Any) -> dict[str, Any]:
        raise PermanentError("no")

    # One gpu lane (the default concurrency): one hold runs, two wait in the queue.
    platform.kinds.register("test.hold", hold, KindPolicy(resource="gpu", max_attempts=1))
    platform.kinds.register("test.ok", lambda ctx: {}, KindPolicy(resource="io", max_attempts=1))
    platform.kinds.register("test.fail", fail, KindPolicy(resource="io", max_attempts=1))
    with platform.db.session() as s:
        holds = [
            service.submit(s, TaskSpec(kind="test.hold", owner_id=alice.user_id), platform.kinds)
            for _ in range(3)
        ]
        service.submit(
            s,
            TaskSpec(kind="test.ok", owner_id=alice.user_id, depends_on=(holds[0].id,)),
            platform.kinds,
        )
        finishing = [
            service.submit(s, TaskSpec(kind=kind, owner_id=alice.user_id), platform.kinds).id
            for kind in ("test.ok", "test.ok", "test.fail")
        ]

    def settled() -> bool:
        with platform.db.reading() as s:
            tasks = [tasks_repo.get(s, t) for t in finishing]
            done = all(t is not None and t.status in ("succeeded", "failed") for t in tasks)
            return done and tasks_repo.count_by_status(s).get("running") == 1

    try:
        wait_until(settled, 15, "the tasks to settle")
        r = api.client.get(f"{API}/admin/status", headers=admin.headers)
        assert r.status_code == 200, r.text
        status = r.json()
        assert status["queues"]["gpu"] == {"blocked": 0, "queued": 2, "running": 1}
        assert status["queues"]["io"] == {"blocked": 1, "queued": 0, "running": 0}
        assert status["queues"]["cpu"] == {"blocked": 0, "queued": 0, "running": 0}
        assert status["running"] == 1
        [running] = status["running_tasks"]
        assert running["kind"] == "test.hold" and running["owner_id"] == alice.user_id
        [worker] = status["workers"]
        assert worker["running"] == 1 and worker["worker"] == running["lease_owner"]
        assert worker["last_heartbeat_at"] is not None
        for window in ("1m", "5m", "15m"):
            assert status["finished"][window] == {
                "test.ok": {"succeeded": 2},
                "test.fail": {"failed": 1},
            }
            assert status["failed"][window] == 1
        assert status["webhooks"] == {
            "pending": 0,
            "delivering": 0,
            "failed": 0,
            "succeeded": 0,
            "oldest_waiting_at": None,
        }
    finally:
        release.set()
