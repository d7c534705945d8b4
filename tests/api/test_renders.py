"""Renders through the API: ask for one, follow its task, list renders with their files."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from storyreel.media.probe import probe
from storyreel.settings import Settings
from tests.api.kit import Api, running_api
from tests.api.test_tasks import make_project, share, wait_for_task

STORY_ZH = (
    "林晓住在海边的小镇上。每天放学以后，她都会跑到码头，看渔船一艘艘回港。\n\n"
    "一天夜里，海上起了风暴。林晓爬上灯塔，点亮了爷爷留下的那盏灯。"
)
TITLE = "灯塔下的约定"


@pytest.fixture
def no_storyboards(settings: Settings) -> Iterator[Api]:
    """An API whose executor writes no storyboards: projects stay without shots."""
    with running_api(settings, concurrency={"gpu": 1, "cpu": 2, "llm": 0, "io": 2}) as api:
        yield api


@pytest.mark.slow
def test_render_a_project_and_download_its_files(api: Api) -> None:
    alice = api.register("alice")
    pid, storyboard = make_project(
        api, alice, story=STORY_ZH, title=TITLE, auto=False, max_shots=3, music="none"
    )
    assert wait_for_task(api, alice, storyboard)["status"] == "succeeded"

    r = api.client.post(
        f"/api/v1/projects/{pid}/render", json={"quality": "preview"}, headers=alice.headers
    )
    assert r.status_code == 202, r.text
    assert r.json()["kind"] == "render" and r.json()["params"]["quality"] == "preview"
    done = wait_for_task(api, alice, r.json()["id"], timeout=240)
    assert done["status"] == "succeeded", done
    assert done["result"]["video_url"].startswith(
        f"/api/v1/assets/{done['result']['video_asset_id']}"
    )

    listed = api.client.get(f"/api/v1/projects/{pid}/renders", headers=alice.headers)
    assert listed.status_code == 200, listed.text
    page = listed.json()
    assert page["total"] == 1
    (render,) = page["items"]
    assert render["id"] == done["result"]["render_id"] and render["task_id"] == done["id"]
    assert render["quality"] == "preview" and render["height"] <= 480
    assert render["video"]["mime"] == "video/mp4"
    assert render["poster"]["mime"] == "image/jpeg"
    assert render["contact_sheet"]["mime"] == "image/jpeg"
    assert render["srt"]["mime"] == "application/x-subrip"

    video = api.client.get(render["video"]["url"])
    assert video.status_code == 200 and len(video.content) == render["size_bytes"]
    disposition = video.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''%E7%81%AF%E5%A1%94%E4%B8%8B%E7%9A%84%E7%BA%A6%E5%AE%9A.mp4" in (
        disposition
    )
    seek = api.client.get(render["video"]["url"], headers={"Range": "bytes=1000-4999"})
    assert seek.status_code == 206 and seek.content == video.content[1000:5000]
    path = api.settings.data_dir / "downloaded.mp4"
    path.write_bytes(video.content)
    info = probe(path)
    assert info.video is not None and info.audio is not None
    assert info.duration is not None and abs(info.duration - render["duration"]) < 0.3

    srt = api.client.get(render["srt"]["url"]).content.decode("utf-8")
    assert "-->" in srt and "林晓" in srt
    poster = api.client.get(render["poster"]["url"])
    assert poster.content.startswith(b"\xff\xd8")
    sheet = api.client.get(render["contact_sheet"]["url"])
    assert sheet.content.startswith(b"\xff\xd8")

    # A reader of the shared project sees the renders; a stranger does not.
    bob, vera = api.register("bob"), api.register("vera", role="viewer")
    share(api, alice, pid, vera)
    assert (
        api.client.get(f"/api/v1/projects/{pid}/renders", headers=vera.headers).json()["total"] == 1
    )
    stranger = api.client.get(f"/api/v1/projects/{pid}/renders", headers=bob.headers)
    assert stranger.status_code == 404


def test_render_requests_are_checked(no_storyboards: Api) -> None:
    api = no_storyboards
    alice, bob, vera = api.register("alice"), api.register("bob"), api.register("vera")
    pid, _ = make_project(api, alice, auto=False)
    share(api, alice, pid, vera)

    pending = api.client.post(f"/api/v1/projects/{pid}/render", headers=alice.headers)
    assert pending.status_code == 409 and "storyboard" in pending.json()["message"]
    bad = api.client.post(
        f"/api/v1/projects/{pid}/render", json={"quality": "4k"}, headers=alice.headers
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "quality"
    other = api.client.post(f"/api/v1/projects/{pid}/render", headers=bob.headers)
    assert other.status_code == 404
    read_only = api.client.post(f"/api/v1/projects/{pid}/render", headers=vera.headers)
    assert read_only.status_code == 403

    api.set_user(alice.user_id, quotas={"max_resolution": 480})
    too_big = api.client.post(
        f"/api/v1/projects/{pid}/render", json={"quality": "final"}, headers=alice.headers
    )
    assert too_big.status_code == 422 and too_big.json()["details"]["quota"] == "max_resolution"
    assert "480 px per video" in too_big.json()["message"]
    empty = api.client.get(f"/api/v1/projects/{pid}/renders", headers=alice.headers)
    assert empty.status_code == 200 and empty.json() == {
        "items": [],
        "page": 1,
        "page_size": 50,
        "total": 0,
    }
