"""Watching a render through the API: ``GET /projects/{id}/live`` gives a signed playlist link;
the playlist's segments are signed the same way; links are checked like asset links."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.api.kit import Api
from tests.api.test_projects import P, settled, storyboarded

pytestmark = pytest.mark.slow


def test_a_render_can_be_watched_through_signed_links(api: Api) -> None:
    alice, bob = api.register("alice"), api.register("bob")
    project = storyboarded(api, alice, quality="preview", max_shots=2)
    pid = project["id"]
    none_yet = api.client.get(f"{P}/{pid}/live", headers=alice.headers)
    assert none_yet.status_code == 404 and "POST" in none_yet.json()["message"]

    r = api.client.post(f"{P}/{pid}/render", json={"quality": "preview"}, headers=alice.headers)
    assert r.status_code == 202, r.text
    done = settled(api, alice, pid, timeout=240)
    assert done["status"] == "done", done["task_counts"]

    live = api.client.get(f"{P}/{pid}/live", headers=alice.headers)
    assert live.status_code == 200, live.text
    body = live.json()
    assert body["ended"] and body["status"] == "succeeded" and body["segments_ready"] >= 1
    assert api.client.get(f"{P}/{pid}/live", headers=bob.headers).status_code == 404

    # The playlist needs no login; every segment line carries its own signature.
    playlist = api.client.get(body["playlist_url"])
    assert playlist.status_code == 200, playlist.text
    assert playlist.headers["content-type"].startswith("application/vnd.apple.mpegurl")
    assert playlist.headers["cache-control"] == "no-store"
    segments = [line for line in playlist.text.splitlines() if line and not line.startswith("#")]
    assert len(segments) == body["segments_ready"]
    assert all(re.fullmatch(r"\d{5}\.ts\?expires=\d+&sig=[0-9a-f]{64}", s) for s in segments)
    base = body["playlist_url"].split("playlist.m3u8")[0]
    first = api.client.get(base + segments[0])
    assert first.status_code == 200
    assert first.headers["content-type"] == "video/mp2t"
    assert first.content[:1] == b"\x47"  # an MPEG-TS sync byte

    # Tampered, expired or misused links are refused with the standard error body.
    query = parse_qs(urlsplit(body["playlist_url"]).query)
    expires, sig = query["expires"][0], query["sig"][0]
    path = urlsplit(body["playlist_url"]).path
    forged = api.client.get(path, params={"expires": expires, "sig": "0" * 64})
    assert forged.status_code == 403 and "signature" in forged.json()["message"]
    expired = api.client.get(path, params={"expires": "1", "sig": sig})
    assert expired.status_code == 403 and "expired" in expired.json()["message"]
    other = api.client.get(base + "../../etc/passwd", params={"expires": expires, "sig": sig})
    assert other.status_code == 404
    bad_name = api.client.get(base + "notes.txt", params={"expires": expires, "sig": sig})
    assert bad_name.status_code == 404 and "only playlist.m3u8" in bad_name.json()["message"]
    # A live signature is not an asset signature.
    renders = api.client.get(f"{P}/{pid}/renders", headers=alice.headers).json()["items"]
    video_id = renders[0]["video"]["id"]
    # It was checked before it was called done, and passed every check.
    qc = renders[0]["qc"]
    assert qc["outcome"] == "ok", qc["summary"]
    assert {c["name"] for c in qc["checks"]} >= {"loudness", "av_sync", "cue_timing", "black"}
    as_asset = api.client.get(
        f"/api/v1/assets/{video_id}/content", params={"expires": expires, "sig": sig}
    )
    assert as_asset.status_code == 403
