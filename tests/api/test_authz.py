"""The authorization matrix: owner, another user, a viewer the project is shared with, a guest,
an admin and an anonymous caller, against every resource and verb.

Rules under test (issue #5): another user's ids answer 404 (exactly like ids that do not exist,
so ids cannot be probed); viewers read shared projects and change nothing (403); admins may do
everything; without credentials, 401. Clients cannot set owner, role, plan, quota or status.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import pytest
from PIL import Image

from tests.api.kit import Account, Api
from tests.api.test_projects import storyboarded

STORY = (
    "小林走进雨夜的书店。老板抬起头，递给他一本旧书。\n\n"
    "第二天清晨，小林在河边打开那本书。书页里夹着一张泛黄的地图。"
)


@dataclass
class World:
    owner: Account
    other: Account
    viewer: Account
    guest: Account
    admin: Account
    ids: dict[str, str]


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 32), (200, 80, 40)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def world(api: Api) -> World:
    owner, other = api.register("owner"), api.register("other")
    viewer, guest = api.register("viewer", role="viewer"), api.register("guest", role="guest")
    admin = api.admin()
    c = api.client
    project = storyboarded(api, owner, story=STORY, style="ink_wash")
    assert project["shots"]
    pid = project["id"]
    shared = c.post(
        f"/api/v1/projects/{pid}/members", json={"email": viewer.email}, headers=owner.headers
    )
    assert shared.status_code == 201, shared.text
    character = c.post(
        f"/api/v1/projects/{pid}/characters",
        json={"name": "掌柜", "description": "an old bookseller in a grey robe"},
        headers=owner.headers,
    ).json()
    reference = c.put(
        f"/api/v1/projects/{pid}/characters/{character['id']}/reference",
        files={"file": ("ref.png", _png(), "image/png")},
        headers=owner.headers,
    )
    assert reference.status_code == 200, reference.text
    hook = c.post(
        "/api/v1/webhooks",
        json={"url": "http://127.0.0.1:9/hook", "events": ["task.succeeded"]},
        headers=owner.headers,
    )
    assert hook.status_code == 201, hook.text
    key = c.post("/api/v1/auth/api-keys", json={"name": "ci"}, headers=owner.headers)
    ids = {
        "project": pid,
        "shot": project["shots"][0]["id"],
        "character": character["id"],
        "task": project["storyboard_task_id"],
        "asset": reference.json()["reference"]["id"],
        "webhook": hook.json()["id"],
        "key": key.json()["id"],
    }
    return World(owner, other, viewer, guest, admin, ids)


# (name, method, path template, body). Paths name the owner's objects.
READS = [
    ("get project", "GET", "/projects/{project}", None),
    ("get storyboard", "GET", "/projects/{project}/storyboard", None),
    ("list shots", "GET", "/projects/{project}/shots", None),
    ("list characters", "GET", "/projects/{project}/characters", None),
    ("list renders", "GET", "/projects/{project}/renders", None),
    ("list project tasks", "GET", "/projects/{project}/tasks", None),
    ("list members", "GET", "/projects/{project}/members", None),
    ("get task", "GET", "/tasks/{task}", None),
    ("get asset", "GET", "/assets/{asset}", None),
]
WRITES = [
    ("update project", "PATCH", "/projects/{project}", {"title": "Renamed"}),
    ("update shot", "PATCH", "/projects/{project}/shots/{shot}", {"narration": "新的旁白。"}),
    (
        "add shot",
        "POST",
        "/projects/{project}/shots",
        {"narration": "又一个镜头。", "visual_prompt": "a bookshop at night"},
    ),
    ("generate shot image", "POST", "/projects/{project}/shots/{shot}/image", {"seed": 7}),
    ("generate shot voice", "POST", "/projects/{project}/shots/{shot}/voice", {}),
    ("create character", "POST", "/projects/{project}/characters", {"name": "Lin"}),
    (
        "update character",
        "PATCH",
        "/projects/{project}/characters/{character}",
        {"color": "#112233"},
    ),
    ("share project", "POST", "/projects/{project}/members", None),  # body set per actor
    ("duplicate project", "POST", "/projects/{project}/duplicate", None),
    ("retry task", "POST", "/tasks/{task}/retry", None),
    ("render project", "POST", "/projects/{project}/render", {"quality": "preview"}),
]
PRIVATE = [  # belong to the owner's account, never shared
    ("get webhook", "GET", "/webhooks/{webhook}", None),
    ("update webhook", "PATCH", "/webhooks/{webhook}", {"active": False}),
    ("list deliveries", "GET", "/webhooks/{webhook}/deliveries", None),
    ("revoke api key", "DELETE", "/auth/api-keys/{key}", None),
]


def _call(api: Api, who: Account | None, method: str, path: str, body: Any) -> int:
    headers = who.headers if who is not None else {}
    r = api.client.request(method, f"/api/v1{path}", json=body, headers=headers)
    assert r.status_code < 500, (method, path, r.text)
    if r.status_code >= 400:
        error = r.json()
        assert error["code"] == r.status_code and error["message"] and error["request_id"]
    return r.status_code


def test_reads(api: Api, world: World) -> None:
    for name, method, template, body in READS:
        path = template.format(**world.ids)
        assert _call(api, world.owner, method, path, body) == 200, name
        assert _call(api, world.viewer, method, path, body) == 200, name  # shared with them
        assert _call(api, world.admin, method, path, body) == 200, name
        assert _call(api, world.other, method, path, body) == 404, name
        assert _call(api, world.guest, method, path, body) == 404, name
        assert _call(api, None, method, path, body) == 401, name


def test_writes(api: Api, world: World) -> None:
    third = api.register("third")
    for name, method, template, body in WRITES:
        path = template.format(**world.ids)
        if name == "share project":
            body = {"email": third.email}
        # Refusals first: none of them may change anything.
        assert _call(api, None, method, path, body) == 401, name
        assert _call(api, world.other, method, path, body) == 404, name
        assert _call(api, world.guest, method, path, body) == 404, name
        assert _call(api, world.viewer, method, path, body) == 403, name
        for allowed in (world.owner, world.admin):
            status = _call(api, allowed, method, path, body)
            # Allowed means not refused: a retry of a succeeded task is a 409 state conflict.
            assert status not in (401, 403, 404), (name, status)
    title = api.client.get(f"/api/v1/projects/{world.ids['project']}", headers=world.owner.headers)
    assert title.json()["title"] == "Renamed"


def test_private_resources(api: Api, world: World) -> None:
    for name, method, template, body in PRIVATE:
        path = template.format(**world.ids)
        for stranger in (world.other, world.viewer, world.guest):
            assert _call(api, stranger, method, path, body) == 404, name
        assert _call(api, None, method, path, body) == 401, name
    for _name, method, template, body in PRIVATE:
        assert _call(api, world.owner, method, template.format(**world.ids), body) in (200, 204)


def test_deletes(api: Api, world: World) -> None:
    ids = world.ids
    deletes = [
        f"/projects/{ids['project']}/characters/{ids['character']}",
        f"/projects/{ids['project']}/shots/{ids['shot']}",
        f"/projects/{ids['project']}",
    ]
    for path in deletes:
        assert _call(api, None, "DELETE", path, None) == 401
        assert _call(api, world.other, "DELETE", path, None) == 404
        assert _call(api, world.viewer, "DELETE", path, None) == 403
    for path in deletes:
        assert _call(api, world.owner, "DELETE", path, None) == 204, path
    assert _call(api, world.owner, "GET", f"/projects/{ids['project']}", None) == 404


def test_viewers_create_nothing_and_guests_can(api: Api, world: World) -> None:
    body = {"story": STORY, "style": "ink_wash", "auto": False}
    assert _call(api, world.viewer, "POST", "/projects", body) == 403
    assert _call(api, world.viewer, "POST", "/webhooks", {"url": "http://127.0.0.1:9/"}) == 403
    assert _call(api, world.guest, "POST", "/projects", body) == 201


def test_admin_endpoints_are_for_admins(api: Api, world: World) -> None:
    for who in (world.owner, world.viewer, world.guest):
        assert _call(api, who, "GET", "/admin/users", None) == 403
        assert _call(api, who, "GET", "/admin/status", None) == 403
        assert _call(api, who, "PATCH", f"/admin/users/{who.user_id}", {"role": "admin"}) == 403
    assert _call(api, None, "GET", "/admin/users", None) == 401
    assert _call(api, world.admin, "GET", "/admin/users", None) == 200


def test_clients_cannot_assign_owner_role_plan_quota_or_status(api: Api, world: World) -> None:
    pid = world.ids["project"]
    for field, value in (
        ("owner_id", world.other.user_id),
        ("quotas", {"images_per_day": 100000}),
        ("status", "done"),
    ):
        patch = {"title": "x", field: value}
        assert _call(api, world.owner, "PATCH", f"/projects/{pid}", patch) == 422, field
    for field, value in (("role", "admin"), ("plan", "pro"), ("quotas", {}), ("disabled", False)):
        body = {"email": f"sneaky-{field}@example.com", "password": "long enough", field: value}
        assert _call(api, None, "POST", "/auth/register", body) == 422, field
    project = api.client.get(f"/api/v1/projects/{pid}", headers=world.owner.headers).json()
    assert project["owner_id"] == world.owner.user_id
