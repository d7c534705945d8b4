"""One shot's picture, voice or motion made again with parameters, through the HTTP API: the
parameters reach the providers (a new seed and size give a new picture of that size, a new rate
a voice of another length), bad ones are refused, and the prompt describes the characters; the
shot shows the prompt its picture was drawn from, with its score."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image

from storyreel.db.repositories import projects as repo
from storyreel.pipeline import project as pipeline
from tests.api.kit import Account, Api
from tests.api.test_projects import P, storyboarded
from tests.api.test_tasks import wait_for_task


def _step(api: Api, who: Account, project_id: str, shot_id: str, step: str, **body: Any) -> Any:
    """Ask for one step of one shot and wait for its task; the finished task."""
    r = api.client.post(f"{P}/{project_id}/shots/{shot_id}/{step}", json=body, headers=who.headers)
    assert r.status_code == 202, r.text
    return wait_for_task(api, who, r.json()["id"])


def _succeeded(task: dict[str, Any]) -> dict[str, Any]:
    assert task["status"] == "succeeded", task["error"]
    result: dict[str, Any] = task["result"]
    return result


def _picture(api: Api, result: dict[str, Any]) -> Image.Image:
    r = api.client.get(result["url"])  # the signed link alone, as a browser would fetch it
    assert r.status_code == 200, r.text
    return Image.open(io.BytesIO(r.content))


def test_a_new_seed_and_size_make_a_new_picture_of_that_size(api: Api) -> None:
    alice = api.register("alice")
    project = storyboarded(api, alice)  # 16:9: the canvas is wider than it is tall
    pid, shot = project["id"], project["shots"][0]

    first = _succeeded(_step(api, alice, pid, shot["id"], "image", seed=11, width=320, height=240))
    assert first["params"]["seed"] == 11
    assert (first["params"]["width"], first["params"]["height"]) == (320, 240)
    assert first["params"]["provider"] == "sketch"
    picture = _picture(api, first)
    assert picture.size == (320, 240)

    second = _succeeded(_step(api, alice, pid, shot["id"], "image", seed=12, width=320, height=240))
    assert second["asset_id"] != first["asset_id"] and not second["cached"]
    other = _picture(api, second)
    assert other.size == (320, 240)
    assert other.tobytes() != picture.tobytes()

    # The same parameters again: the same picture, from the cache.
    again = _succeeded(_step(api, alice, pid, shot["id"], "image", seed=11, width=320, height=240))
    assert again["cached"] and _picture(api, again).tobytes() == picture.tobytes()

    # The shot shows the latest one; one side alone keeps the canvas's shape.
    shots = api.client.get(f"{P}/{pid}/shots", headers=alice.headers).json()
    assert shots[0]["image"]["id"] == again["asset_id"]
    wide = _succeeded(_step(api, alice, pid, shot["id"], "image", width=640))
    assert _picture(api, wide).size == (640, 360)


def test_a_new_rate_makes_a_voice_of_another_length(api: Api) -> None:
    alice = api.register("alice")
    project = storyboarded(api, alice)
    pid, shot = project["id"], project["shots"][0]
    slow = _succeeded(_step(api, alice, pid, shot["id"], "voice", rate=0.6))
    fast = _succeeded(_step(api, alice, pid, shot["id"], "voice", rate=1.8))
    assert slow["params"] == {"voice": "auto", "rate": 0.6}
    assert fast["asset_id"] != slow["asset_id"]
    assert slow["seconds"] > fast["seconds"] * 1.5
    shots = api.client.get(f"{P}/{pid}/shots", headers=alice.headers).json()
    assert shots[0]["voice"]["id"] == fast["asset_id"]
    assert shots[0]["voice_seconds"] == fast["seconds"]

    # A voice the provider does not have fails for good, naming the ones it has.
    wrong = _step(api, alice, pid, shot["id"], "voice", voice="klingon")
    assert wrong["status"] == "failed" and wrong["attempts"] == 1
    assert wrong["error"]["code"] == "unknown_voice" and not wrong["error"]["retryable"]
    assert "klingon" in wrong["error"]["message"] and "cmn" in wrong["error"]["message"]
    named = _succeeded(_step(api, alice, pid, shot["id"], "voice", voice="en-us"))
    assert named["params"]["voice"] == "en-us"


def test_motion_takes_the_provider_asked_for(api: Api) -> None:
    alice = api.register("alice")
    project = storyboarded(api, alice)
    pid, sid = project["id"], project["shots"][0]["id"]
    _succeeded(_step(api, alice, pid, sid, "image", width=160, height=90))
    _succeeded(_step(api, alice, pid, sid, "voice"))
    moved = _succeeded(_step(api, alice, pid, sid, "motion", provider="kenburns"))
    assert moved["params"] == {"provider": "kenburns"}


def test_unknown_providers_are_refused(api: Api) -> None:
    alice = api.register("alice")
    project = storyboarded(api, alice)
    pid, sid = project["id"], project["shots"][0]["id"]
    for step, known in (("image", "sketch"), ("motion", "kenburns")):
        url = f"{P}/{pid}/shots/{sid}/{step}"
        r = api.client.post(url, json={"provider": "dalle-9"}, headers=alice.headers)
        assert r.status_code == 422, r.text
        assert "dalle-9" in r.json()["message"] and known in r.json()["message"]

    # A task that asks for one anyway (not through the API) fails for good, naming the known.
    platform = api.client.app.state.storyreel.platform  # type: ignore[attr-defined]
    with platform.session() as s:
        row, shot = repo.get(s, pid), repo.shot(s, sid)
        assert row is not None and shot is not None
        task = pipeline.rerun_shot_step(s, platform.kinds, row, shot, "image", {"provider": "x"})
        task_id = task.id
    failed = wait_for_task(api, alice, task_id)
    assert failed["status"] == "failed" and failed["attempts"] == 1
    assert failed["error"]["code"] == "unknown_provider"
    assert "sketch" in failed["error"]["message"]


def test_the_prompt_describes_the_characters_the_shot_names(api: Api) -> None:
    alice = api.register("alice")
    project = storyboarded(api, alice)
    pid, shot = project["id"], project["shots"][0]
    url = f"{P}/{pid}/characters"
    for name, description in (("林晓", "a girl of twelve with a red scarf"), ("Tom", "a cook")):
        r = api.client.post(
            url, json={"name": name, "description": description}, headers=alice.headers
        )
        assert r.status_code == 201, r.text
    keys = {c["name"]: c["key"] for c in api.client.get(url, headers=alice.headers).json()}
    r = api.client.patch(
        f"{P}/{pid}/shots/{shot['id']}",
        json={"characters": [keys["林晓"]]},
        headers=alice.headers,
    )
    assert r.status_code == 200, r.text
    result = _succeeded(_step(api, alice, pid, shot["id"], "image", width=160, height=90))
    assert result["prompt"].startswith(shot["visual_prompt"].rstrip("."))
    assert result["prompt"].endswith(". 林晓: a girl of twelve with a red scarf")
    assert "a cook" not in result["prompt"]


def test_the_shot_shows_how_its_picture_was_asked_for_and_the_prompts_score(api: Api) -> None:
    alice = api.register("alice")
    project = storyboarded(api, alice)
    pid, shot = project["id"], project["shots"][0]
    assert all(s["image_prompt"] is None for s in project["shots"])  # no picture yet
    result = _succeeded(_step(api, alice, pid, shot["id"], "image", width=160, height=90))
    r = api.client.get(f"{P}/{pid}", headers=alice.headers)
    assert r.status_code == 200, r.text
    shown = r.json()["shots"][0]["image_prompt"]
    assert shown == {
        "family": result["prompt_family"],
        "language": result["prompt_language"],
        "score": result["prompt_score"],
        "reasons": result["prompt_reasons"],
        "prompt": result["prompt"],
        "negative_prompt": result["negative_prompt"],
    }
    assert 0 <= shown["score"] <= 100
    assert shown["score"] == 100 - sum(reason["points"] for reason in shown["reasons"])
    # A copy has the picture but no task that drew it: nothing is claimed about its prompt.
    copy = api.client.post(f"{P}/{pid}/duplicate", headers=alice.headers).json()
    assert copy["shots"][0]["image"] is not None and copy["shots"][0]["image_prompt"] is None
