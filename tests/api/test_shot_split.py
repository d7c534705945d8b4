"""Splitting a shot in two at a point of its narration: the shot keeps the words before it, a
new shot right after it takes the rest, and exactly the work the cut changes runs again."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.kit import Account, Api
from tests.api.test_projects import (
    P,
    create,
    finished,
    make_every_step,
    settled,
    storyboarded,
)

# What the second half copies from the first (everything about the picture).
COPIED = (
    "scene",
    "visual_prompt",
    "negative_prompt",
    "shot_type",
    "camera_motion",
    "characters",
    "setting",
    "mood",
    "time_of_day",
)


def _split(api: Api, who: Account, pid: str, shot_id: str, body: Any, **headers: str) -> Any:
    return api.client.post(
        f"{P}/{pid}/shots/{shot_id}/split", json=body, headers={**who.headers, **headers}
    )


def _narrate(api: Api, who: Account, pid: str, shot_id: str, narration: str) -> None:
    r = api.client.patch(
        f"{P}/{pid}/shots/{shot_id}", json={"narration": narration}, headers=who.headers
    )
    assert r.status_code == 200, r.text


def _order(api: Api, who: Account, pid: str) -> list[str]:
    r = api.client.get(f"{P}/{pid}/shots", headers=who.headers)
    assert r.status_code == 200, r.text
    return [s["id"] for s in r.json()]


def test_a_split_keeps_the_words_before_and_inserts_the_rest_right_after(api: Api) -> None:
    alice = api.register("alice")
    project = make_every_step(api, alice, storyboarded(api, alice))
    pid, shots = project["id"], project["shots"]
    shot = shots[0]
    narration = shot["narration"]
    at = narration.index(" ", len(narration) // 2)
    before = finished(project)

    r = _split(api, alice, pid, shot["id"], {"at": at})
    assert r.status_code == 201, r.text
    first, second = r.json()["shots"]
    assert first["id"] == shot["id"] and first["key"] == shot["key"]
    assert first["narration"] == narration[:at].strip()
    assert second["narration"] == narration[at:].strip()
    assert (first["position"], second["position"]) == (0, 1)
    assert second["id"] not in {s["id"] for s in shots} and second["key"] != shot["key"]
    assert {k: second[k] for k in COPIED} == {k: shot[k] for k in COPIED}
    assert first["duration_hint"] + second["duration_hint"] == pytest.approx(
        shot["duration_hint"], abs=0.2
    )
    # The first part's voice is spoken again; the new shot is a manual project's added shot:
    # its steps run when asked for (or by a render), like any shot added by hand.
    assert first["tasks"]["voice"]["status"] in ("queued", "running")
    assert second["tasks"] == {} and second["image"] is None and second["voice"] is None
    assert _order(api, alice, pid) == [shot["id"], second["id"], *(s["id"] for s in shots[1:])]

    after = settled(api, alice, pid)
    assert after["shot_count"] == len(shots) + 1
    assert set(after["task_counts"]) == {"succeeded"}
    assert after["shots"][0]["voice_seconds"] < shot["voice_seconds"]
    # Exactly this: the shortened shot's voice and motion, and the motion of every shot that
    # moved one place on. No picture was made again.
    rerun = {i for i, at in finished(after).items() if at != before[i]}
    moved = {s["tasks"]["motion"]["id"] for s in shots[1:]}
    assert rerun == {shot["tasks"]["voice"]["id"], shot["tasks"]["motion"]["id"]} | moved


def test_offsets_count_characters_and_chinese_text_splits_where_asked(api: Api) -> None:
    alice = api.register("alice")
    project = storyboarded(api, alice)
    pid, shot = project["id"], project["shots"][-1]
    # Offsets are Unicode characters: the wave emoji is one (two UTF-16 units in JavaScript).
    _narrate(api, alice, pid, shot["id"], "海浪🌊拍打着礁石。 灯塔亮了。")
    r = _split(api, alice, pid, shot["id"], {"at": 9})
    assert r.status_code == 201, r.text
    first, second = r.json()["shots"]
    assert (first["narration"], second["narration"]) == ("海浪🌊拍打着礁石。", "灯塔亮了。")
    assert second["position"] == first["position"] + 1 == len(project["shots"])
    board = api.client.get(f"{P}/{pid}/storyboard", headers=alice.headers).json()
    assert [s["narration"] for s in board["shots"][-2:]] == ["海浪🌊拍打着礁石。", "灯塔亮了。"]


def test_a_split_outside_the_words_is_refused_and_changes_nothing(api: Api) -> None:
    alice = api.register("alice")
    project = storyboarded(api, alice)
    pid, shot = project["id"], project["shots"][0]
    narration = "  Mara waits by the lamp.  "
    _narrate(api, alice, pid, shot["id"], narration)
    order = _order(api, alice, pid)
    for at in (0, len(narration), len(narration) + 10, 1, 2, len(narration) - 1):
        r = _split(api, alice, pid, shot["id"], {"at": at})
        assert r.status_code == 422, (at, r.text)
        assert r.json()["errors"][0]["field"] == "at"
        assert "narration" in r.json()["message"]
    for body in ({}, {"at": -1}, {"at": "middle"}, {"at": 5.5}, {"at": 5, "narration": "x"}):
        assert _split(api, alice, pid, shot["id"], body).status_code == 422, body
    assert _order(api, alice, pid) == order
    got = api.client.get(f"{P}/{pid}/shots", headers=alice.headers).json()[0]
    assert got["narration"] == narration

    # A cut after the first word works; the spaces around the two parts are dropped.
    r = _split(api, alice, pid, shot["id"], {"at": narration.index(" waits")})
    assert r.status_code == 201, r.text
    assert [s["narration"] for s in r.json()["shots"]] == ["Mara", "waits by the lamp."]


def test_only_writers_may_split_and_other_accounts_see_404(api: Api) -> None:
    alice, bob, mallory = api.register("alice"), api.register("bob"), api.register("mallory")
    project = storyboarded(api, alice)
    pid, shot = project["id"], project["shots"][0]
    at = shot["narration"].index(" ")
    assert _split(api, mallory, pid, shot["id"], {"at": at}).status_code == 404
    assert _split(api, alice, pid, "no-such-shot", {"at": at}).status_code == 404
    other = storyboarded(api, alice)
    assert _split(api, alice, other["id"], shot["id"], {"at": at}).status_code == 404
    shared = api.client.post(f"{P}/{pid}/members", json={"email": bob.email}, headers=alice.headers)
    assert shared.status_code == 201
    assert _split(api, bob, pid, shot["id"], {"at": at}).status_code == 403
    assert len(_order(api, alice, pid)) == len(project["shots"])


def test_a_retried_split_with_the_same_idempotency_key_splits_once(api: Api) -> None:
    alice = api.register("alice")
    project = storyboarded(api, alice)
    pid, shot = project["id"], project["shots"][0]
    at = shot["narration"].index(" ")
    first = _split(api, alice, pid, shot["id"], {"at": at}, **{"Idempotency-Key": "cut-1"})
    again = _split(api, alice, pid, shot["id"], {"at": at}, **{"Idempotency-Key": "cut-1"})
    assert first.status_code == again.status_code == 201
    assert again.headers.get("idempotent-replayed") == "true"
    assert [s["id"] for s in again.json()["shots"]] == [s["id"] for s in first.json()["shots"]]
    assert len(_order(api, alice, pid)) == len(project["shots"]) + 1


@pytest.mark.slow
def test_a_split_in_a_rendered_project_makes_the_new_shot_and_renders_again(api: Api) -> None:
    alice = api.register("alice")
    project = create(api, alice, auto=True, quality="preview", music="none")
    rendered = settled(api, alice, project["id"], timeout=240)
    assert rendered["status"] == "done", rendered["task_counts"]
    pid, shot = rendered["id"], rendered["shots"][0]
    at = shot["narration"].index(" ", len(shot["narration"]) // 2)

    r = _split(api, alice, pid, shot["id"], {"at": at})
    assert r.status_code == 201, r.text
    first, second = r.json()["shots"]
    assert first["tasks"]["voice"]["status"] in ("queued", "running")
    assert set(second["tasks"]) == {"image", "voice", "motion"}  # the project has a pipeline
    after = settled(api, alice, pid, timeout=240)
    assert after["status"] == "done", after["task_counts"]
    assert after["shot_count"] == len(rendered["shots"]) + 1
    made = after["shots"][1]
    assert made["id"] == second["id"] and made["image"] and made["voice"] and made["motion"]
    assert after["latest_render"]["id"] != rendered["latest_render"]["id"]
    assert after["duration"] == after["latest_render"]["duration"]


def test_a_split_that_would_pass_the_image_quota_is_refused_whole(api: Api) -> None:
    alice, admin = api.register("alice"), api.admin()
    project = storyboarded(api, alice)
    pid, shot = project["id"], project["shots"][0]
    # Asking for a render gives the project a pipeline: a new shot's picture is then made at
    # once, and counts against the quota.
    render = api.client.post(
        f"{P}/{pid}/render", json={"quality": "preview"}, headers=alice.headers
    )
    assert render.status_code == 202, render.text
    assert (
        api.client.post(f"/api/v1/tasks/{render.json()['id']}/cancel", headers=alice.headers)
    ).status_code in (200, 202)
    used = api.client.get("/api/v1/usage", headers=alice.headers).json()["days"][-1]["images"]
    assert used >= len(project["shots"])
    capped = api.client.patch(
        f"/api/v1/admin/projects/{pid}/quotas",
        json={"images_per_day": used},
        headers=admin.headers,
    )
    assert capped.status_code == 200, capped.text

    r = _split(api, alice, pid, shot["id"], {"at": shot["narration"].index(" ")})
    assert r.status_code == 429, r.text
    assert r.json()["details"]["quota"] == "images_per_day"
    listed = api.client.get(f"{P}/{pid}/shots", headers=alice.headers).json()
    assert [s["id"] for s in listed] == [s["id"] for s in project["shots"]]
    assert listed[0]["narration"] == shot["narration"]
