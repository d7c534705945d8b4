"""Shots through the API: edits re-run exactly what they feed, reordering, adding, deleting,
and one shot's picture, voice or motion made again with new parameters."""

from __future__ import annotations

from typing import Any

import pytest

from storyreel.settings import Settings
from tests.api.kit import Account, Api, running_api
from tests.api.test_projects import P, finished, make_every_step, settled, storyboarded


def _shots(api: Api, who: Account, project_id: str) -> list[dict[str, Any]]:
    r = api.client.get(f"{P}/{project_id}/shots", headers=who.headers)
    assert r.status_code == 200, r.text
    shots: list[dict[str, Any]] = r.json()
    return shots


def test_a_shot_edit_reruns_only_that_shots_downstream_tasks(api: Api) -> None:
    alice = api.register("alice")
    project = make_every_step(api, alice, storyboarded(api, alice))
    pid, shots = project["id"], project["shots"]
    before = finished(project)

    # A new prompt: that shot's picture and motion run again; its voice and other shots don't.
    second = shots[1]
    r = api.client.patch(
        f"{P}/{pid}/shots/{second['id']}",
        json={"visual_prompt": "a lighthouse beam sweeping a dark sea"},
        headers=alice.headers,
    )
    assert r.status_code == 200
    assert r.json()["visual_prompt"] == "a lighthouse beam sweeping a dark sea"
    after = settled(api, alice, pid)
    assert finished(after).keys() == before.keys()  # the same tasks, run again in place
    rerun = {i for i, at in finished(after).items() if at != before[i]}
    assert rerun == {second["tasks"]["image"]["id"], second["tasks"]["motion"]["id"]}
    assert set(after["task_counts"]) == {"succeeded"}

    # A new narration: that shot's voice and motion, not its picture.
    before = finished(after)
    first = shots[0]
    r = api.client.patch(
        f"{P}/{pid}/shots/{first['id']}",
        json={"narration": "Mara lived alone."},
        headers=alice.headers,
    )
    assert r.status_code == 200
    after = settled(api, alice, pid)
    rerun = {i for i, at in finished(after).items() if at != before[i]}
    assert rerun == {first["tasks"]["voice"]["id"], first["tasks"]["motion"]["id"]}
    assert after["shots"][0]["voice_seconds"] != project["shots"][0]["voice_seconds"]

    # An edit that changes nothing runs nothing.
    before = finished(after)
    same = api.client.patch(
        f"{P}/{pid}/shots/{first['id']}",
        json={"narration": "Mara lived alone."},
        headers=alice.headers,
    )
    assert same.status_code == 200
    assert finished(settled(api, alice, pid)) == before


def test_edits_are_validated(api: Api) -> None:
    alice = api.register("alice")
    project = storyboarded(api, alice)
    url = f"{P}/{project['id']}/shots/{project['shots'][0]['id']}"
    for bad in (
        {"characters": ["nobody"]},
        {"shot_type": "extreme"},
        {"camera_motion": "spin"},
        {"duration_hint": 0},
        {"narration": ""},
        {"narration": None},
        {"visual_prompt": "x" * 5000},
        {"position": -1},
        {"image_asset_id": "x"},
        {"project_id": "x"},
    ):
        r = api.client.patch(url, json=bad, headers=alice.headers)
        assert r.status_code == 422, (bad, r.text)
    unknown = api.client.patch(url, json={"characters": ["nobody"]}, headers=alice.headers)
    assert "mara" in unknown.json()["message"]
    ok = api.client.patch(url, json={"characters": ["mara"]}, headers=alice.headers)
    assert ok.status_code == 200 and ok.json()["characters"] == ["mara"]


def test_reorder_takes_a_permutation_and_nothing_else(api: Api) -> None:
    alice = api.register("alice")
    project = make_every_step(api, alice, storyboarded(api, alice))
    pid = project["id"]
    ids = [s["id"] for s in project["shots"]]
    url = f"{P}/{pid}/shots/reorder"
    for bad in (ids[:-1], [*ids, ids[0]], [*ids[:-1], ids[0]], [*ids[:-1], "other"], [], "x"):
        r = api.client.post(url, json={"shot_ids": bad}, headers=alice.headers)
        assert r.status_code == 422, (bad, r.text)
    assert [s["id"] for s in _shots(api, alice, pid)] == ids

    before = finished(project)
    order = [ids[-1], *ids[:-1]]
    r = api.client.post(url, json={"shot_ids": order}, headers=alice.headers)
    assert r.status_code == 200
    assert [(s["id"], s["position"]) for s in r.json()] == [(i, n) for n, i in enumerate(order)]
    after = settled(api, alice, pid)
    assert [s["id"] for s in after["shots"]] == order
    # Every shot moved or got a new predecessor: each motion is chosen again; nothing else ran.
    rerun = {i for i, at in finished(after).items() if at != before[i]}
    assert rerun == {s["tasks"]["motion"]["id"] for s in project["shots"]}


def test_add_move_and_delete_shots_keep_the_order_whole(api: Api) -> None:
    alice = api.register("alice")
    project = storyboarded(api, alice)
    pid, ids = project["id"], [s["id"] for s in project["shots"]]
    r = api.client.post(
        f"{P}/{pid}/shots",
        json={
            "narration": "The keeper's cat watched the sea.",
            "visual_prompt": "a cat on a windowsill above the waves",
            "characters": ["mara"],
            "position": 1,
        },
        headers=alice.headers,
    )
    assert r.status_code == 201, r.text
    added = r.json()
    assert added["position"] == 1 and added["tasks"] == {}  # a manual project: nothing runs
    assert [s["id"] for s in _shots(api, alice, pid)] == [ids[0], added["id"], *ids[1:]]
    unknown = api.client.post(
        f"{P}/{pid}/shots",
        json={"narration": "n", "visual_prompt": "v", "characters": ["ghost"]},
        headers=alice.headers,
    )
    assert unknown.status_code == 422

    moved = api.client.patch(
        f"{P}/{pid}/shots/{added['id']}", json={"position": 99}, headers=alice.headers
    )
    assert moved.status_code == 200 and moved.json()["position"] == len(ids)
    assert [s["id"] for s in _shots(api, alice, pid)] == [*ids, added["id"]]

    gone = api.client.delete(f"{P}/{pid}/shots/{ids[0]}", headers=alice.headers)
    assert gone.status_code == 204
    left = _shots(api, alice, pid)
    assert [s["id"] for s in left] == [*ids[1:], added["id"]]
    assert [s["position"] for s in left] == list(range(len(left)))
    for shot in left[:-1]:
        assert (
            api.client.delete(f"{P}/{pid}/shots/{shot['id']}", headers=alice.headers).status_code
            == 204
        )
    last = api.client.delete(f"{P}/{pid}/shots/{left[-1]['id']}", headers=alice.headers)
    assert last.status_code == 409
    board = api.client.get(f"{P}/{pid}/storyboard", headers=alice.headers).json()
    assert [s["id"] for s in board["shots"]] == [added["key"]]


def test_a_new_picture_with_new_parameters_replaces_the_old_task(api: Api) -> None:
    alice = api.register("alice")
    project = make_every_step(api, alice, storyboarded(api, alice))
    pid, shot = project["id"], project["shots"][0]
    before = finished(project)
    url = f"{P}/{pid}/shots/{shot['id']}/image"
    r = api.client.post(url, json={"seed": 7, "steps": 20, "guidance": 6.5}, headers=alice.headers)
    assert r.status_code == 202, r.text
    task = r.json()
    assert task["kind"] == "image" and task["shot_id"] == shot["id"]
    assert task["id"] != shot["tasks"]["image"]["id"]
    assert {k: task["params"][k] for k in ("seed", "steps", "guidance")} == {
        "seed": 7,
        "steps": 20,
        "guidance": 6.5,
    }
    after = settled(api, alice, pid)
    now = after["shots"][0]["tasks"]
    assert now["image"]["id"] == task["id"] and now["image"]["status"] == "succeeded"
    # What depended on the old picture (the motion) ran again; the other shots did not.
    assert now["motion"]["id"] == shot["tasks"]["motion"]["id"]
    assert now["motion"]["finished_at"] != before[shot["tasks"]["motion"]["id"]]
    others = {i: at for i, at in finished(after).items() if i in before}
    changed = {i for i, at in others.items() if at != before[i]}
    assert changed == {shot["tasks"]["motion"]["id"]}
    assert after["status"] == "draft"

    voice = api.client.post(
        f"{P}/{pid}/shots/{shot['id']}/voice", json={"rate": 1.3}, headers=alice.headers
    )
    assert voice.status_code == 202 and voice.json()["params"]["rate"] == 1.3
    settled(api, alice, pid)


@pytest.mark.parametrize(
    ("step", "body"),
    [
        ("image", {"provider": "midjourney"}),
        ("image", {"steps": 0}),
        ("image", {"width": 10**9}),
        ("image", {"seed": -1}),
        ("image", {"prompt": "sneaky"}),
        ("motion", {"provider": "nope"}),
        ("voice", {"rate": 0}),
        ("voice", {"voice": "a b"}),
    ],
)
def test_step_parameters_are_validated(api: Api, step: str, body: dict[str, Any]) -> None:
    alice = api.register("alice")
    project = storyboarded(api, alice)
    url = f"{P}/{project['id']}/shots/{project['shots'][0]['id']}/{step}"
    r = api.client.post(url, json=body, headers=alice.headers)
    assert r.status_code == 422, r.text
    if "provider" in body:
        known = {"image": "sketch", "motion": "kenburns"}[step]
        assert known in r.json()["message"]


def test_step_endpoints_answer_404_for_other_accounts_and_unknown_shots(api: Api) -> None:
    alice, mallory = api.register("alice"), api.register("mallory")
    project = storyboarded(api, alice)
    pid, sid = project["id"], project["shots"][0]["id"]
    for step in ("image", "voice", "motion"):
        url = f"{P}/{pid}/shots/{sid}/{step}"
        assert api.client.post(url, headers=mallory.headers).status_code == 404
        missing = f"{P}/{pid}/shots/no-such-shot/{step}"
        assert api.client.post(missing, headers=alice.headers).status_code == 404
    other = storyboarded(api, alice)
    foreign = f"{P}/{other['id']}/shots/{sid}"  # a shot of another project
    assert (
        api.client.patch(foreign, json={"narration": "x"}, headers=alice.headers).status_code == 404
    )


@pytest.mark.slow
def test_a_shot_added_after_a_render_is_made_and_rendered_in(api: Api) -> None:
    alice = api.register("alice")
    project = storyboarded(api, alice, quality="preview", music="none")
    pid = project["id"]
    r = api.client.post(f"{P}/{pid}/render", json={"quality": "preview"}, headers=alice.headers)
    assert r.status_code == 202, r.text
    rendered = settled(api, alice, pid, timeout=240)
    assert rendered["status"] == "done", rendered["task_counts"]
    first = rendered["latest_render"]
    before = finished(rendered)

    r = api.client.post(
        f"{P}/{pid}/shots",
        json={
            "narration": "The gulls cried over the water.",
            "visual_prompt": "gulls",
            "position": 1,
        },
        headers=alice.headers,
    )
    assert r.status_code == 201
    added = r.json()
    assert set(added["tasks"]) == {"image", "voice", "motion"}  # the project has a pipeline
    after = settled(api, alice, pid, timeout=240)
    assert after["status"] == "done" and len(after["shots"]) == len(rendered["shots"]) + 1
    latest = after["latest_render"]
    assert latest["id"] != first["id"] and latest["duration"] > first["duration"]
    assert latest["task_id"] == first["task_id"]  # the same render task ran again
    rerun = {i for i, at in finished(after).items() if at != before.get(i)}
    moved = {s["tasks"]["motion"]["id"] for s in rendered["shots"][1:]}  # now one place later
    assert rerun == {t["id"] for t in added["tasks"].values()} | moved


def test_pictures_count_against_the_daily_image_quota(settings: Settings) -> None:
    quotas = settings.quotas.model_copy(update={"images_per_day": 2})
    with running_api(settings, quotas=quotas) as api:
        alice = api.register("alice")
        project = storyboarded(api, alice)
        pid, shot = project["id"], project["shots"][0]
        url = f"{P}/{pid}/shots/{shot['id']}/image"
        for seed in (1, 2):
            assert (
                api.client.post(url, json={"seed": seed}, headers=alice.headers).status_code == 202
            )
        refused = api.client.post(url, json={"seed": 3}, headers=alice.headers)
        assert refused.status_code == 429
        assert refused.json()["details"]["quota"] == "images_per_day"
        assert int(refused.headers["retry-after"]) > 0
        # Nothing was submitted by the refused request; a new project is refused too.
        assert settled(api, alice, pid)["shots"][0]["tasks"]["image"]["status"] == "succeeded"
        more = api.client.post(P, json={"story": "A short story."}, headers=alice.headers)
        assert more.status_code == 429
