"""Generations without a project: a picture from a prompt, a narrated video from scenes."""

from __future__ import annotations

import pytest

from storyreel.media.probe import probe
from tests.api.kit import Api
from tests.api.test_tasks import wait_for_task


def test_image_generate_makes_a_downloadable_picture(api: Api) -> None:
    alice = api.register("alice")
    r = api.client.post(
        "/api/v1/images/generate",
        json={"prompt": "一只白猫坐在窗台上", "style": "watercolor", "width": 256, "height": 256},
        headers=alice.headers,
    )
    assert r.status_code == 202, r.text
    assert r.json()["kind"] == "image.generate" and r.json()["status"] in ("queued", "running")
    done = wait_for_task(api, alice, r.json()["id"])
    assert done["status"] == "succeeded", done
    asset_id = done["result"]["asset_id"]

    meta = api.client.get(f"/api/v1/assets/{asset_id}", headers=alice.headers)
    assert meta.status_code == 200, meta.text
    assert meta.json()["mime"] == "image/png" and meta.json()["kind"] == "image"
    png = api.client.get(meta.json()["url"])
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert png.content.startswith(b"\x89PNG")
    width, height = int.from_bytes(png.content[16:20]), int.from_bytes(png.content[20:24])
    assert (width, height) == (256, 256)

    bob = api.register("bob")
    assert api.client.get(f"/api/v1/assets/{asset_id}", headers=bob.headers).status_code == 404


def test_image_generate_refuses_bad_requests(api: Api) -> None:
    alice = api.register("alice")

    def post(body: object) -> tuple[int, set[str]]:
        r = api.client.post("/api/v1/images/generate", json=body, headers=alice.headers)
        return r.status_code, {e["field"] for e in r.json().get("errors", [])}

    assert post({"prompt": "x", "style": "no-such-style"}) == (422, {"style"})
    assert post({"prompt": "x", "provider": "no-such-provider"}) == (422, {"provider"})
    assert post({"prompt": "   "}) == (422, {"prompt"})
    assert post({"prompt": "x", "width": 10_000}) == (422, {"width"})
    assert post({"prompt": "x", "owner_id": "someone"}) == (422, {"owner_id"})
    viewer = api.register("vera", role="viewer")
    refused = api.client.post(
        "/api/v1/images/generate", json={"prompt": "x"}, headers=viewer.headers
    )
    assert refused.status_code == 403


def test_image_quota_and_idempotency(api: Api) -> None:
    alice = api.register("alice")
    api.set_user(alice.user_id, quotas={"images_per_day": 1})
    body = {"prompt": "a lantern", "width": 128, "height": 128}
    headers = {**alice.headers, "Idempotency-Key": "lantern-1"}
    first = api.client.post("/api/v1/images/generate", json=body, headers=headers)
    assert first.status_code == 202
    replay = api.client.post("/api/v1/images/generate", json=body, headers=headers)
    assert replay.status_code == 202 and replay.json()["id"] == first.json()["id"]
    other = api.client.post(
        "/api/v1/images/generate", json={**body, "prompt": "a candle"}, headers=headers
    )
    assert other.status_code == 409
    over = api.client.post("/api/v1/images/generate", json=body, headers=alice.headers)
    assert over.status_code == 429
    assert over.json()["details"]["quota"] == "images_per_day" and over.headers["retry-after"]


@pytest.mark.slow
def test_video_generate_renders_the_scenes(api: Api) -> None:
    alice = api.register("alice")
    r = api.client.post(
        "/api/v1/videos/generate",
        json={
            "title": "灯塔",
            "scenes": [
                {"narration": "夜里，玛拉爬上灯塔。"},
                {"narration": "一艘小船在风浪中摇晃。", "visual_prompt": "a small boat in a storm"},
            ],
            "style": "ink_wash",
            "quality": "preview",
            "music": None,
        },
        headers=alice.headers,
    )
    assert r.status_code == 202, r.text
    done = wait_for_task(api, alice, r.json()["id"], timeout=240)
    assert done["status"] == "succeeded", done
    result = done["result"]
    assert result["shots"] == 2 and result["duration"] > 1
    video = api.client.get(result["url"])
    assert video.status_code == 200 and video.headers["content-type"] == "video/mp4"
    assert "filename*=UTF-8''%E7%81%AF%E5%A1%94.mp4" in video.headers["content-disposition"]
    srt = api.client.get(result["srt_url"])
    assert srt.status_code == 200 and "玛拉" in srt.content.decode("utf-8")
    poster = api.client.get(result["poster_url"])
    assert poster.status_code == 200 and poster.content.startswith(b"\xff\xd8")

    path = api.settings.data_dir / "video.mp4"
    path.write_bytes(video.content)
    info = probe(path)
    assert info.video is not None and info.audio is not None
    assert info.duration is not None and abs(info.duration - result["duration"]) < 0.3


def test_video_generate_checks_requests_before_work(api: Api) -> None:
    alice = api.register("alice")
    api.set_user(alice.user_id, quotas={"max_duration_s": 5})
    long_scene = {"narration": "The keeper climbed the stairs. " * 20}
    r = api.client.post(
        "/api/v1/videos/generate", json={"scenes": [long_scene]}, headers=alice.headers
    )
    assert r.status_code == 422 and r.json()["details"]["quota"] == "max_duration_s"
    assert r.json()["errors"][0]["field"] == "scenes" and "5 s per video" in r.json()["message"]
    empty = api.client.post("/api/v1/videos/generate", json={"scenes": []}, headers=alice.headers)
    assert empty.status_code == 422 and empty.json()["errors"][0]["field"] == "scenes"
    scene = {"narration": "The keeper climbed."}
    for bad, field in (
        ({"music": "no-such-mood"}, "music"),
        ({"voice": "../../etc"}, "voice"),
        ({"style": "nope"}, "style"),
        ({"scenes": [{"narration": "nul \x00 here"}]}, "scenes[0].narration"),
        ({"scenes": [scene] * 31}, "scenes"),
    ):
        r = api.client.post(
            "/api/v1/videos/generate", json={"scenes": [scene], **bad}, headers=alice.headers
        )
        assert r.status_code == 422, (bad, r.text)
        assert field in {e["field"] for e in r.json()["errors"]}, (bad, r.json())
