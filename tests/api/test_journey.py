"""A program drives storyreel end to end over the API, as the issue's first scenario says:
register, create a project from a Chinese story with ``auto``, follow the WebSocket until the
render succeeds, download the MP4 with a Range request, edit one shot, re-render, and check that
only that shot's tasks (and the render) ran again."""

from __future__ import annotations

import time
from typing import Any

import pytest
from starlette.testclient import WebSocketTestSession

from tests.api.kit import Api
from tests.api.test_events import receive

STORY = (
    "林晓在海边的灯塔长大。每天傍晚，她都会点亮那盏古老的灯。\n\n"
    "一天夜里，暴风雨来了。一艘小船在浪里迷失了方向。\n\n"
    "林晓爬上塔顶，把灯举得更高。小船终于平安靠岸。"
)


def follow_until(
    ws: WebSocketTestSession, task_id: str | None, seen: list[dict[str, Any]], timeout: float
) -> dict[str, Any]:
    """Task events until a render (``task_id``'s, when given) succeeds; fails on a failure."""
    deadline = time.monotonic() + timeout
    while True:
        frame = receive(ws, max(0.1, deadline - time.monotonic()))
        if frame["type"] != "task":
            continue
        if seen:
            assert frame["seq"] == seen[-1]["seq"] + 1, "events arrive in order, none missing"
        seen.append(frame)
        assert frame["status"] != "failed", frame
        done = frame["kind"] == "render" and frame["status"] == "succeeded"
        if done and (task_id is None or frame["task_id"] == task_id):
            return frame


def tasks_of(api: Api, headers: dict[str, str], project_id: str) -> dict[str, dict[str, Any]]:
    r = api.client.get(
        f"/api/v1/projects/{project_id}/tasks", params={"page_size": 200}, headers=headers
    )
    assert r.status_code == 200, r.text
    return {t["id"]: t for t in r.json()["items"]}


@pytest.mark.slow
def test_a_program_makes_a_video_then_edits_one_shot(api: Api) -> None:
    c = api.client
    registered = c.post(
        "/api/v1/auth/register", json={"email": "program@example.com", "password": "s3cret-pass"}
    )
    assert registered.status_code == 201
    tokens = c.post(
        "/api/v1/auth/login", json={"email": "program@example.com", "password": "s3cret-pass"}
    ).json()
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}

    created = c.post(
        "/api/v1/projects",
        json={"story": STORY, "style": "ink_wash", "auto": True, "quality": "preview"},
        headers={**headers, "Idempotency-Key": "journey-1"},
    )
    assert created.status_code == 201, created.text
    project_id = created.json()["id"]

    seen: list[dict[str, Any]] = []
    with c.websocket_connect(f"/api/v1/ws?token={tokens['access_token']}") as ws:
        assert receive(ws)["type"] == "ready"
        ws.send_json({"type": "subscribe", "project_id": project_id, "after_seq": 0})
        assert receive(ws)["type"] == "subscribed"
        follow_until(ws, None, seen, timeout=240)

        renders = c.get(f"/api/v1/projects/{project_id}/renders", headers=headers).json()
        video = renders["items"][0]["video"]
        head = c.get(video["url"], headers={"Range": "bytes=0-1023"})
        assert head.status_code == 206
        assert head.headers["content-range"].startswith("bytes 0-1023/")
        assert len(head.content) == 1024 and head.content[4:8] == b"ftyp"  # an MP4
        total = int(head.headers["content-range"].split("/")[1])
        assert total == video["size"] > 10_000

        before = tasks_of(api, headers, project_id)
        project = c.get(f"/api/v1/projects/{project_id}", headers=headers).json()
        assert len(project["shots"]) >= 3
        edited = project["shots"][1]
        changed = c.patch(
            f"/api/v1/projects/{project_id}/shots/{edited['id']}",
            json={"narration": "暴风雨中，小船的灯火忽明忽暗。"},
            headers=headers,
        )
        assert changed.status_code == 200, changed.text
        render = c.post(
            f"/api/v1/projects/{project_id}/render", json={"quality": "preview"}, headers=headers
        )
        assert render.status_code == 202, render.text
        follow_until(ws, render.json()["id"], seen, timeout=240)

    after = tasks_of(api, headers, project_id)

    def finished(t: dict[str, Any]) -> Any:
        return t["timings"]["finished_at"]

    ran_again = {
        tid: t
        for tid, t in after.items()
        if tid not in before or finished(t) != finished(before[tid])
    }
    assert ran_again, "the edit re-ran something"
    for task in ran_again.values():
        # The edited shot's voice and motion, and the render: nothing of any other shot.
        assert task["kind"] == "render" or task["shot_id"] == edited["id"], task
    assert {t["kind"] for t in ran_again.values()} >= {"voice", "render"}
    untouched = [t for t in before.values() if t["shot_id"] not in (None, edited["id"])]
    assert untouched and all(
        after[t["id"]]["timings"]["finished_at"] == t["timings"]["finished_at"] for t in untouched
    )
