"""Tasks through the API: one, many, cancel and retry, a project's list, and who may see them."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from storyreel.settings import Settings
from tests.api.kit import Account, Api, running_api

FINISHED = ("succeeded", "failed", "cancelled")
STORY = (
    "Mara kept the lighthouse on the cliff. Every night she climbed the stairs to light the "
    "lamp. One stormy evening a small boat drifted toward the rocks. Mara swung the beam "
    "across the waves, and the boat turned safely into the harbour."
)


def wait_for_task(api: Api, who: Account, task_id: str, timeout: float = 120) -> dict[str, Any]:
    """Poll ``GET /tasks/{id}`` (as a client would) until the task finished."""
    deadline = time.monotonic() + timeout
    while True:
        r = api.client.get(f"/api/v1/tasks/{task_id}", headers=who.headers)
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        if body["status"] in FINISHED:
            return body
        assert time.monotonic() < deadline, f"task {task_id} still {body['status']}"
        time.sleep(0.05)


def generate_image(api: Api, who: Account, prompt: str = "a red kite over hills") -> str:
    r = api.client.post(
        "/api/v1/images/generate",
        json={"prompt": prompt, "width": 320, "height": 192, "seed": 7},
        headers=who.headers,
    )
    assert r.status_code == 202, r.text
    task_id: str = r.json()["id"]
    return task_id


def make_project(api: Api, who: Account, **fields: Any) -> tuple[str, str]:
    """A new project of ``who`` and the task writing its storyboard."""
    r = api.client.post("/api/v1/projects", json={"story": STORY, **fields}, headers=who.headers)
    assert r.status_code == 201, r.text
    return r.json()["id"], r.json()["storyboard_task_id"]


def share(api: Api, owner: Account, project_id: str, reader: Account) -> None:
    r = api.client.post(
        f"/api/v1/projects/{project_id}/members",
        json={"email": reader.email},
        headers=owner.headers,
    )
    assert r.status_code == 201, r.text


@pytest.fixture
def stalled_api(settings: Settings) -> Iterator[Api]:
    """An API whose executor runs no ``gpu`` tasks: pictures stay queued until cancelled."""
    with running_api(settings, concurrency={"gpu": 0, "cpu": 2, "llm": 2, "io": 2}) as api:
        yield api


def test_get_task_shape_and_timings(api: Api) -> None:
    alice = api.register("alice")
    task_id = generate_image(api, alice)
    body = wait_for_task(api, alice, task_id)
    assert body["status"] == "succeeded", body
    assert body["kind"] == "image.generate" and body["id"] == task_id
    assert body["owner_id"] == alice.user_id and body["project_id"] is None
    assert body["progress"] == 100 and body["attempts"] == 1 and body["max_attempts"] >= 1
    assert body["error"] is None
    times = body["timings"]
    assert times["created_at"] <= times["queued_at"] <= times["started_at"] <= times["finished_at"]
    assert times["run_s"] >= 0 and times["total_s"] >= times["run_s"]
    # The result names the asset and carries a working signed link to it.
    assert body["result"]["asset_id"] and body["result"]["url"].startswith("/api/v1/assets/")
    png = api.client.get(body["result"]["url"])
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")


def test_another_users_task_is_not_found(api: Api) -> None:
    alice, bob = api.register("alice"), api.register("bob")
    task_id = generate_image(api, alice)
    assert api.client.get(f"/api/v1/tasks/{task_id}", headers=bob.headers).status_code == 404
    unknown = api.client.get("/api/v1/tasks/nope", headers=bob.headers)
    assert unknown.status_code == 404 and unknown.json()["code"] == 404
    assert (
        api.client.post(f"/api/v1/tasks/{task_id}/cancel", headers=bob.headers).status_code == 404
    )
    assert api.client.get(f"/api/v1/tasks/{task_id}").status_code == 401
    admin = api.admin()
    assert api.client.get(f"/api/v1/tasks/{task_id}", headers=admin.headers).status_code == 200


def test_project_tasks_follow_project_access(api: Api) -> None:
    alice, bob = api.register("alice"), api.register("bob")
    pid, storyboard = make_project(api, alice, auto=False)
    wait_for_task(api, alice, storyboard)
    assert api.client.get(f"/api/v1/tasks/{storyboard}", headers=bob.headers).status_code == 404
    listed = api.client.get(f"/api/v1/projects/{pid}/tasks", headers=alice.headers)
    assert listed.status_code == 200
    page = listed.json()
    assert page["total"] == 1 and [t["id"] for t in page["items"]] == [storyboard]
    assert page["items"][0]["kind"] == "storyboard" and page["items"][0]["project_id"] == pid
    filtered = api.client.get(
        f"/api/v1/projects/{pid}/tasks", params={"status": "failed"}, headers=alice.headers
    )
    assert filtered.json()["total"] == 0 and filtered.json()["items"] == []
    bad = api.client.get(
        f"/api/v1/projects/{pid}/tasks", params={"status": "bogus"}, headers=alice.headers
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"].startswith("query.status")
    assert api.client.get(f"/api/v1/projects/{pid}/tasks", headers=bob.headers).status_code == 404


def test_batch_get_returns_the_visible_ones(api: Api) -> None:
    alice, bob = api.register("alice"), api.register("bob")
    mine = [generate_image(api, alice, f"kite number {i}") for i in range(2)]
    theirs = generate_image(api, bob)
    r = api.client.post(
        "/api/v1/tasks/batch-get",
        json={"ids": [mine[1], theirs, "unknown-id", mine[0], mine[1]]},
        headers=alice.headers,
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert [t["id"] for t in body["items"]] == [mine[1], mine[0]]
    assert body["missing"] == [theirs, "unknown-id"]
    too_many = api.client.post(
        "/api/v1/tasks/batch-get", json={"ids": ["x"] * 101}, headers=alice.headers
    )
    assert too_many.status_code == 422
    empty = api.client.post("/api/v1/tasks/batch-get", json={"ids": []}, headers=alice.headers)
    assert empty.status_code == 422


def test_cancel_and_retry_with_invalid_transitions(stalled_api: Api) -> None:
    api = stalled_api
    alice = api.register("alice")
    task_id = generate_image(api, alice)
    queued = api.client.get(f"/api/v1/tasks/{task_id}", headers=alice.headers).json()
    assert queued["status"] == "queued"  # no gpu worker here: it waits

    early = api.client.post(f"/api/v1/tasks/{task_id}/retry", headers=alice.headers)
    assert early.status_code == 409 and "only failed or cancelled" in early.json()["message"]

    cancelled = api.client.post(f"/api/v1/tasks/{task_id}/cancel", headers=alice.headers)
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["error"]["code"] == "cancelled"
    again = api.client.post(f"/api/v1/tasks/{task_id}/cancel", headers=alice.headers)
    assert again.status_code == 409 and "already cancelled" in again.json()["message"]

    retried = api.client.post(f"/api/v1/tasks/{task_id}/retry", headers=alice.headers)
    assert retried.status_code == 200, retried.text
    assert retried.json()["status"] == "queued" and retried.json()["error"] is None
    now = api.client.get(f"/api/v1/tasks/{task_id}", headers=alice.headers).json()
    assert now["status"] == "queued" and now["attempts"] == 0


def test_a_viewer_reads_a_shared_projects_tasks_but_cannot_cancel(stalled_api: Api) -> None:
    api = stalled_api
    alice, viewer = api.register("alice"), api.register("vera", role="viewer")
    pid, storyboard = make_project(api, alice, auto=False)
    share(api, alice, pid, viewer)
    seen = api.client.get(f"/api/v1/tasks/{storyboard}", headers=viewer.headers)
    assert seen.status_code == 200 and seen.json()["project_id"] == pid
    refused = api.client.post(f"/api/v1/tasks/{storyboard}/cancel", headers=viewer.headers)
    assert refused.status_code == 403
