"""Exports through the API: ``GET /projects/{id}/export?format=...`` answers the file with a name
after the project, 409 until (and again once edits outdate) a finished render, and follows the
project's read rules."""

from __future__ import annotations

import io
import json
import zipfile
from urllib.parse import quote

import opentimelineio as otio
import pytest

from tests.api.kit import Api
from tests.api.test_projects import P, settled, storyboarded
from tests.api.test_tasks import share

pytestmark = pytest.mark.slow

TITLE = "灯塔 Lighthouse"


def _zip(content: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(content))


def test_exports_download_after_a_render_and_follow_the_projects_read_rules(api: Api) -> None:
    alice, bob, carol = api.register("alice"), api.register("bob"), api.register("carol")
    project = storyboarded(api, alice, title=TITLE, quality="preview", max_shots=2)
    pid, url = project["id"], f"{P}/{project['id']}/export"

    early = api.client.get(url, params={"format": "bundle"}, headers=alice.headers)
    assert early.status_code == 409, early.text
    assert "no finished render" in early.json()["message"]

    r = api.client.post(f"{P}/{pid}/render", json={"quality": "preview"}, headers=alice.headers)
    assert r.status_code == 202, r.text
    done = settled(api, alice, pid, timeout=240)
    assert done["status"] == "done", done["task_counts"]

    bundle = api.client.get(url, params={"format": "bundle"}, headers=alice.headers)
    assert bundle.status_code == 200, bundle.text
    assert bundle.headers["content-type"] == "application/zip"
    disposition = bundle.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote(TITLE + '.zip', safe='')}" in disposition
    names = _zip(bundle.content).namelist()
    assert f"{TITLE}/video.mp4" in names and f"{TITLE}/timeline.json" in names
    assert sum(n.startswith(f"{TITLE}/pictures/") for n in names) == len(done["shots"])

    draft = api.client.get(url, params={"format": "jianying"}, headers=alice.headers)
    assert draft.status_code == 200, draft.text
    assert quote(f"{TITLE} - jianying.zip", safe="") in draft.headers["content-disposition"]
    with _zip(draft.content) as zf:
        content = json.loads(zf.read(f"{TITLE}/draft_content.json"))
    pictures = next(t for t in content["tracks"] if t["name"] == "pictures")
    assert len(pictures["segments"]) == len(done["shots"])

    # A reader the project is shared with may export it; a stranger cannot see it at all.
    share(api, alice, pid, bob)
    otioz = api.client.get(url, params={"format": "otioz"}, headers=bob.headers)
    assert otioz.status_code == 200, otioz.text
    assert quote(f"{TITLE}.otioz", safe="") in otioz.headers["content-disposition"]
    path = api.settings.data_dir / "film.otioz"
    path.write_bytes(otioz.content)
    read = otio.adapters.read_from_file(str(path))
    assert len(read.video_tracks()[0].find_clips()) == len(done["shots"])
    narrations = [m.comment for m in read.tracks.markers]
    assert narrations == [s["narration"] for s in done["shots"]]
    stranger = api.client.get(url, params={"format": "otioz"}, headers=carol.headers)
    assert stranger.status_code == 404

    unknown = api.client.get(url, params={"format": "fcpxml"}, headers=alice.headers)
    assert unknown.status_code == 422

    # An edit outdates the render: no export until it has been rendered again.
    shot = done["shots"][0]
    edited = api.client.patch(
        f"{P}/{pid}/shots/{shot['id']}",
        json={"narration": "A new first line."},
        headers=alice.headers,
    )
    assert edited.status_code == 200, edited.text
    stale = api.client.get(url, params={"format": "fcp7"}, headers=alice.headers)
    assert stale.status_code == 409, stale.text
    again = settled(api, alice, pid, timeout=240)
    assert again["status"] == "done", again["task_counts"]
    fcp7 = api.client.get(url, params={"format": "fcp7"}, headers=alice.headers)
    assert fcp7.status_code == 200, fcp7.text
    with _zip(fcp7.content) as zf:
        xml = zf.read(f"{TITLE}/{TITLE}.xml").decode("utf-8")
    assert "A new first line." in xml
