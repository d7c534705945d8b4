"""Projects through the API: create, read, list, update, delete, duplicate and share."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.engine import Engine

from storyreel.db.models import Asset, Shot
from storyreel.db.types import utcnow
from storyreel.domain.styles import STYLES
from storyreel.settings import Settings
from tests.api.kit import Account, Api, add_render, running_api

STORY = (
    "Mara kept the lighthouse on the cliff. Every night she climbed the stairs to light the lamp. "
    "One stormy evening a small boat drifted toward the rocks. Mara swung the beam across the "
    "waves, and the boat turned safely into the harbour."
)
P = "/api/v1/projects"


# Helpers the other project-area tests share.


def create(api: Api, who: Account, **fields: Any) -> dict[str, Any]:
    """A project that stops after its storyboard unless ``auto=True`` is given."""
    r = api.client.post(P, json={"story": STORY, "auto": False, **fields}, headers=who.headers)
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def settled(api: Api, who: Account, project_id: str, timeout: float = 60) -> dict[str, Any]:
    """The project once no work is in flight (polling GET with a deadline)."""
    deadline = time.monotonic() + timeout
    while True:
        r = api.client.get(f"{P}/{project_id}", headers=who.headers)
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        if body["status"] != "running":
            return body
        assert time.monotonic() < deadline, f"still running after {timeout} s: {body['tasks']}"
        time.sleep(0.1)


def storyboarded(api: Api, who: Account, **fields: Any) -> dict[str, Any]:
    project = create(api, who, **fields)
    return settled(api, who, project["id"])


def make_every_step(api: Api, who: Account, project: dict[str, Any]) -> dict[str, Any]:
    """Picture, voice and motion of every shot, asked for one by one; the settled project."""
    for shot in project["shots"]:
        for step in ("image", "voice", "motion"):
            r = api.client.post(
                f"{P}/{project['id']}/shots/{shot['id']}/{step}", headers=who.headers
            )
            assert r.status_code == 202, r.text
    done = settled(api, who, project["id"])
    assert set(done["task_counts"]) == {"succeeded"}, done["task_counts"]
    return done


def finished(project: dict[str, Any]) -> dict[str, str | None]:
    """When each shot task last finished, by task id: a re-run changes it."""
    return {t["id"]: t["finished_at"] for shot in project["shots"] for t in shot["tasks"].values()}


# --- create and read ------------------------------------------------------------------------


def test_create_writes_the_storyboard_and_a_manual_project_stops_there(api: Api) -> None:
    alice = api.register("alice")
    made = create(api, alice, style="watercolor", title="The lighthouse")
    assert made["status"] == "running" and made["storyboard_task_id"]
    assert made["auto"] is False and made["access"] == "write"

    project = settled(api, alice, made["id"])
    assert project["status"] == "draft"
    assert len(project["shots"]) >= 2
    assert [s["position"] for s in project["shots"]] == list(range(len(project["shots"])))
    assert "mara" in [c["key"] for c in project["characters"]]
    # auto=false: only the storyboard ran; no picture, voice or render was planned.
    assert project["task_counts"] == {"succeeded": 1}
    assert all(s["tasks"] == {} and s["image"] is None for s in project["shots"])
    assert project["tasks"]["storyboard"]["id"] == made["storyboard_task_id"]

    board = api.client.get(f"{P}/{made['id']}/storyboard", headers=alice.headers)
    assert board.status_code == 200
    assert [s["narration"] for s in board.json()["shots"]] == [
        s["narration"] for s in project["shots"]
    ]
    assert board.json()["style"] == "watercolor"


def test_regenerating_the_storyboard_replaces_the_shots(api: Api) -> None:
    alice = api.register("alice")
    project = storyboarded(api, alice)
    pid = project["id"]
    edited = api.client.patch(
        f"{P}/{pid}/shots/{project['shots'][0]['id']}",
        json={"narration": "Changed."},
        headers=alice.headers,
    )
    assert edited.status_code == 200
    r = api.client.post(f"{P}/{pid}/storyboard", headers=alice.headers)
    assert r.status_code == 202 and r.json()["kind"] == "storyboard"
    again = settled(api, alice, pid)
    assert again["storyboard_task_id"] == r.json()["id"]
    assert not {s["id"] for s in again["shots"]} & {s["id"] for s in project["shots"]}
    assert [s["narration"] for s in again["shots"]] == [s["narration"] for s in project["shots"]]
    assert again["task_counts"] == {"succeeded": 1}  # the earlier storyboard task is gone


def test_an_auto_project_plans_the_whole_pipeline(api: Api) -> None:
    alice = api.register("alice")
    made = create(api, alice, auto=True, music="none")
    # Wait for the storyboard only: the planned steps then exist (they need not finish here).
    deadline = time.monotonic() + 60
    while True:
        project = api.client.get(f"{P}/{made['id']}", headers=alice.headers).json()
        if project["shots"] and "render" in project["tasks"]:
            break
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert all(set(s["tasks"]) == {"image", "voice", "motion"} for s in project["shots"])
    gone = api.client.delete(f"{P}/{made['id']}", headers=alice.headers)  # stops the work
    assert gone.status_code == 204


def test_bad_input_is_refused_with_clear_errors_never_a_500(api: Api) -> None:
    alice = api.register("alice")

    def post(**fields: Any) -> Any:
        return api.client.post(P, json={"story": STORY, **fields}, headers=alice.headers)

    unknown = post(style="vaporwave")
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "style"
    assert all(name in unknown.json()["errors"][0]["message"] for name in STYLES)

    assert post(story="   ").status_code == 422
    too_long = post(story="word " * (api.settings.max_story_chars // 4))
    assert too_long.status_code == 413 and "limit" in too_long.json()["message"]
    music = post(music="polka")
    assert music.status_code == 422 and "calm" in music.json()["message"]
    for garbage in (
        {"max_shots": "many"},
        {"max_shots": 0},
        {"seed": 2**80},
        {"voice_rate": -1},
        {"target_seconds": -5},
        {"aspect": "4:3"},
        {"language": "klingon"},
        {"voice": "../../etc"},
        {"owner_id": alice.user_id},
        {"quotas": {"images_per_day": 10**6}},
        {"status": "done"},
    ):
        r = post(**garbage)
        assert r.status_code == 422, (garbage, r.text)
        assert r.json()["errors"], garbage
    assert (
        api.client.post(P, json=["not", "an", "object"], headers=alice.headers).status_code == 422
    )
    assert (
        api.client.post(
            P, content=b"{not json", headers={**alice.headers, "content-type": "application/json"}
        ).status_code
        == 422
    )
    # A video longer than the per-video maximum: 422 naming the field, the limit and the way
    # out — not a daily quota (no Retry-After: waiting would not help).
    long = post(target_seconds=5000)
    assert long.status_code == 422 and long.json()["details"]["quota"] == "max_duration_s"
    assert "retry-after" not in long.headers
    assert long.json()["errors"][0]["field"] == "target_seconds"
    assert long.json()["message"] == (
        "target_seconds 5000 is over this account's 1200 s per video; "
        "ask for a shorter film or a higher plan"
    )
    assert api.client.get(P, headers=alice.headers).json()["total"] == 0


def test_idempotent_creation_makes_one_project(api: Api) -> None:
    alice = api.register("alice")
    headers = {**alice.headers, "Idempotency-Key": "create-1"}
    body = {"story": STORY, "auto": False}
    first = api.client.post(P, json=body, headers=headers)
    again = api.client.post(P, json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    other = api.client.post(P, json={**body, "title": "Else"}, headers=headers)
    assert other.status_code == 409
    assert api.client.get(P, headers=alice.headers).json()["total"] == 1


def test_list_paginates_filters_by_status_and_searches_titles(api: Api) -> None:
    alice, bob, admin = api.register("alice"), api.register("bob"), api.admin()
    ids = [create(api, alice, title=t)["id"] for t in ("Alpha 100%", "Beta_one", "Gamma")]
    create(api, bob, title="Bob's")
    for pid in ids:
        settled(api, alice, pid)

    def listing(who: Account = alice, **query: Any) -> dict[str, Any]:
        r = api.client.get(P, params=query, headers=who.headers)
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        return body

    first = listing(page_size=2)
    assert first["total"] == 3 and len(first["items"]) == 2
    second = listing(page_size=2, page=2)
    assert [i["title"] for i in second["items"]] == ["Alpha 100%"]  # newest first
    assert {i["id"] for i in first["items"] + second["items"]} == set(ids)
    # LIKE wildcards in the search are plain characters.
    assert [i["title"] for i in listing(q="100%")["items"]] == ["Alpha 100%"]
    assert [i["title"] for i in listing(q="ALPHA")["items"]] == ["Alpha 100%"]
    assert [i["title"] for i in listing(q="_")["items"]] == ["Beta_one"]
    assert listing(q="%")["total"] == 1
    assert listing(status="draft")["total"] == 3
    assert listing(status="done")["total"] == listing(status="failed")["total"] == 0
    assert api.client.get(P, params={"status": "bogus"}, headers=alice.headers).status_code == 422
    assert api.client.get(P, params={"page": 0}, headers=alice.headers).status_code == 422
    assert api.client.get(P, params={"page_size": 500}, headers=alice.headers).status_code == 422
    # Admins see everyone's only when they ask; others may not ask.
    assert listing(admin)["total"] == 0
    assert listing(admin, all="true")["total"] == 4
    assert api.client.get(P, params={"all": "true"}, headers=alice.headers).status_code == 403


def _seed_media(api: Api, project_id: str, owner_id: str, shots: int, poster: bytes) -> None:
    """``shots`` shots, an older render without a poster and a newer one (12.5 s) with one."""
    platform = api.client.app.state.storyreel.platform  # type: ignore[attr-defined]
    key = f"projects/{project_id}/renders/poster.jpg"
    platform.store.put(key, poster)
    with platform.db.session() as s:
        for position in range(shots):
            s.add(
                Shot(
                    project_id=project_id,
                    position=position,
                    key=f"s{position}",
                    narration="n",
                    visual_prompt="v",
                )
            )
        now = utcnow()
        add_render(s, project_id, owner_id, duration=3.0, created_at=now - timedelta(hours=1))
        render = add_render(s, project_id, owner_id, duration=12.5, created_at=now)
        asset = Asset(
            owner_id=owner_id,
            project_id=project_id,
            kind="poster",
            blob_key=key,
            mime="image/jpeg",
            size=len(poster),
            sha256="0" * 64,
        )
        s.add(asset)
        s.flush()
        render.poster_asset_id = asset.id


def test_list_items_show_shot_counts_and_the_latest_renders_poster_and_length(
    settings: Settings, database_url: str
) -> None:
    # No workers: nothing but the requests below touches the database.
    with running_api(settings, run_workers=False, database_url=database_url) as api:
        alice = api.register("alice")
        bare, *rendered = [create(api, alice, title=f"P{i}")["id"] for i in range(3)]
        _seed_media(api, rendered[0], alice.user_id, shots=3, poster=b"poster-0")
        _seed_media(api, rendered[1], alice.user_id, shots=1, poster=b"poster-1")

        statements: list[str] = []

        def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            statements.append(statement)

        def listing() -> tuple[dict[str, Any], int]:
            """The first page, and how many statements read shots, renders or assets."""
            statements.clear()
            event.listen(Engine, "before_cursor_execute", record)
            try:
                r = api.client.get(P, headers=alice.headers)
            finally:
                event.remove(Engine, "before_cursor_execute", record)
            assert r.status_code == 200, r.text
            media = [q for q in statements if re.search(r"\b(shots|renders|assets)\b", q)]
            return {i["id"]: i for i in r.json()["items"]}, len(media)

        items, queries = listing()
        assert items[bare]["shot_count"] == 0
        assert items[bare]["poster"] is None and items[bare]["duration"] is None
        for pid, shots, poster in ((rendered[0], 3, b"poster-0"), (rendered[1], 1, b"poster-1")):
            item = items[pid]
            assert item["shot_count"] == shots and item["duration"] == 12.5
            assert item["poster"]["mime"] == "image/jpeg"
            assert api.client.get(item["poster"]["url"]).content == poster
            full = api.client.get(f"{P}/{pid}", headers=alice.headers).json()
            assert (full["shot_count"], full["duration"]) == (shots, 12.5)
            assert full["poster"]["id"] == full["latest_render"]["poster"]["id"]
            assert full["poster"]["id"] == item["poster"]["id"]

        # A bigger page costs no more statements: the page's media are read in batches.
        for _ in range(4):
            pid = create(api, alice)["id"]
            _seed_media(api, pid, alice.user_id, shots=2, poster=b"more")
        more, more_queries = listing()
        assert len(more) == 7 and sum(i["poster"] is not None for i in more.values()) == 6
        assert more_queries == queries <= 4  # count, page, latest renders, shot counts


def test_status_follows_the_tasks(api: Api) -> None:
    alice = api.register("alice")
    project = storyboarded(api, alice)
    shot = project["shots"][0]
    # Moving a shot that has no picture or voice yet cannot work: refused, nothing fails.
    r = api.client.post(f"{P}/{project['id']}/shots/{shot['id']}/motion", headers=alice.headers)
    assert r.status_code == 409
    # A voice the speech engine does not have fails the voice task: the project is failed.
    assert (
        api.client.patch(
            f"{P}/{project['id']}", json={"voice": "no-such-voice"}, headers=alice.headers
        ).status_code
        == 200
    )
    r = api.client.post(f"{P}/{project['id']}/shots/{shot['id']}/voice", headers=alice.headers)
    assert r.status_code == 202
    assert settled(api, alice, project["id"])["status"] == "failed"
    failed = api.client.get(P, params={"status": "failed"}, headers=alice.headers).json()
    assert [i["id"] for i in failed["items"]] == [project["id"]]
    # Setting a voice that exists runs the failed voice task again: no failure is left.
    fixed = api.client.patch(f"{P}/{project['id']}", json={"voice": "auto"}, headers=alice.headers)
    assert fixed.status_code == 200
    again = settled(api, alice, project["id"])
    assert again["status"] == "draft"
    assert again["shots"][0]["tasks"]["voice"]["id"] == r.json()["id"]


# --- change ---------------------------------------------------------------------------------


def test_patch_changes_settings_and_refuses_everything_else(api: Api) -> None:
    alice, bob = api.register("alice"), api.register("bob")
    project = storyboarded(api, alice)
    url = f"{P}/{project['id']}"
    r = api.client.patch(url, json={"title": "Renamed", "style": "ink-wash"}, headers=alice.headers)
    assert r.status_code == 200
    assert r.json()["title"] == "Renamed" and r.json()["style"] == "ink_wash"
    for forbidden in (
        {"owner_id": bob.user_id},
        {"quotas": {"images_per_day": 100000}},
        {"status": "done"},
        {"auto": True},
        {"story": "another story"},
        {"id": "x"},
        {"title": None},
        {"title": ""},
        {"style": "vaporwave"},
        {"voice_rate": "fast"},
    ):
        r = api.client.patch(url, json=forbidden, headers=alice.headers)
        assert r.status_code == 422, (forbidden, r.text)
    for raw in (b'{"target_seconds": 1e999}', b'{"voice_rate": NaN}', b"[]", b"null"):
        r = api.client.patch(
            url, content=raw, headers={**alice.headers, "content-type": "application/json"}
        )
        assert r.status_code == 422, (raw, r.text)
    after = api.client.get(url, headers=alice.headers).json()
    assert after["owner_id"] == alice.user_id and after["title"] == "Renamed"
    assert api.client.patch(url, json={"title": "Mine"}, headers=bob.headers).status_code == 404


def _keep_original_narration(api: Api, project_id: str) -> list[str]:
    """Each shot's original narration, as a translation's copy keeps it; the texts."""
    platform = api.client.app.state.storyreel.platform  # type: ignore[attr-defined]
    originals = []
    with platform.db.session() as s:
        for shot in s.scalars(select(Shot).where(Shot.project_id == project_id)):
            shot.original_narration = f"原文 {shot.position + 1}。"
            originals.append((shot.position, shot.original_narration))
    return [text for _, text in sorted(originals)]


def test_bilingual_subtitles_can_be_switched_and_only_the_render_runs_again(api: Api) -> None:
    alice = api.register("alice")
    project = storyboarded(api, alice, quality="preview", music="none")
    pid, url = project["id"], f"{P}/{project['id']}"
    assert project["bilingual_subtitles"] is False
    assert {s["original_narration"] for s in project["shots"]} == {""}
    originals = _keep_original_narration(api, pid)
    r = api.client.post(f"{url}/render", json={"quality": "preview"}, headers=alice.headers)
    assert r.status_code == 202, r.text
    rendered = settled(api, alice, pid, timeout=240)
    assert rendered["status"] == "done", rendered["task_counts"]
    assert [s["original_narration"] for s in rendered["shots"]] == originals
    before, render = finished(rendered), rendered["tasks"]["render"]

    r = api.client.patch(url, json={"bilingual_subtitles": True}, headers=alice.headers)
    assert r.status_code == 200, r.text
    assert r.json()["bilingual_subtitles"] is True
    after = settled(api, alice, pid, timeout=240)
    assert after["status"] == "done", after["task_counts"]
    # No picture, voice or motion ran again: the same render task did, with two-line cues.
    assert finished(after) == before
    assert after["tasks"]["render"]["id"] == render["id"]
    assert after["tasks"]["render"]["finished_at"] != render["finished_at"]
    assert after["latest_render"]["id"] != rendered["latest_render"]["id"]
    srt = api.client.get(after["latest_render"]["srt"]["url"]).text
    assert originals[0] in srt
    assert originals[0] not in api.client.get(rendered["latest_render"]["srt"]["url"]).text

    # The same value again runs nothing; null is refused.
    same = api.client.patch(url, json={"bilingual_subtitles": True}, headers=alice.headers)
    assert same.status_code == 200
    assert settled(api, alice, pid)["tasks"]["render"] == after["tasks"]["render"]
    r = api.client.patch(url, json={"bilingual_subtitles": None}, headers=alice.headers)
    assert r.status_code == 422, r.text
    assert api.client.get(url, headers=alice.headers).json()["bilingual_subtitles"] is True


def _blobs(api: Api, project_id: str) -> set[Path]:
    """The project's files (not its caches: ``projects/{id}/cache``)."""
    root = api.settings.data_dir / "blobs" / "projects" / project_id
    cache = root / "cache"
    return {p for p in root.rglob("*") if p.is_file() and cache not in p.parents}


def _image(api: Api, who: Account, project_id: str, shot_id: str, **params: Any) -> None:
    r = api.client.post(f"{P}/{project_id}/shots/{shot_id}/image", json=params, headers=who.headers)
    assert r.status_code == 202, r.text
    settled(api, who, project_id)


def test_delete_removes_the_blobs_no_other_project_uses(api: Api) -> None:
    alice = api.register("alice")
    original = storyboarded(api, alice)
    pid, first, second = original["id"], original["shots"][0]["id"], original["shots"][1]["id"]
    _image(api, alice, pid, first)
    shared = _blobs(api, pid)
    assert len(shared) == 1

    copy = api.client.post(f"{P}/{pid}/duplicate", headers=alice.headers)
    assert copy.status_code == 201
    copy_id = copy.json()["id"]
    assert copy.json()["shots"][0]["image"]["size"] == original_image_size(api, alice, pid)
    _image(api, alice, pid, second)  # made after the copy: the original's alone
    own = _blobs(api, pid) - shared
    assert len(own) == 1

    caches = api.settings.data_dir / "blobs" / "projects" / pid / "cache"
    assert {p.name for p in caches.iterdir()} >= {"storyboard", "image"}
    assert api.client.delete(f"{P}/{pid}", headers=alice.headers).status_code == 204
    assert api.client.get(f"{P}/{pid}", headers=alice.headers).status_code == 404
    assert not any(p.exists() for p in own)
    # Its provider results went with it (the storyboard holds the story's text).
    assert not caches.exists()
    assert all(p.exists() for p in shared)  # the copy still shows that picture
    image = api.client.get(f"{P}/{copy_id}", headers=alice.headers).json()["shots"][0]["image"]
    assert image is not None

    assert api.client.delete(f"{P}/{copy_id}", headers=alice.headers).status_code == 204
    assert not any(p.exists() for p in shared)
    assert api.client.delete(f"{P}/{copy_id}", headers=alice.headers).status_code == 404


def original_image_size(api: Api, who: Account, project_id: str) -> int:
    project = api.client.get(f"{P}/{project_id}", headers=who.headers).json()
    size: int = project["shots"][0]["image"]["size"]
    return size


def test_duplicate_copies_shots_and_characters_into_an_independent_project(api: Api) -> None:
    alice = api.register("alice")
    original = storyboarded(api, alice, title="Lighthouse")
    r = api.client.post(
        f"{P}/{original['id']}/duplicate",
        json={"title": "Lighthouse, take two"},
        headers=alice.headers,
    )
    assert r.status_code == 201
    copy = r.json()
    assert copy["id"] != original["id"] and copy["title"] == "Lighthouse, take two"
    assert copy["owner_id"] == alice.user_id and copy["status"] == "draft"
    assert [s["narration"] for s in copy["shots"]] == [s["narration"] for s in original["shots"]]
    assert [c["key"] for c in copy["characters"]] == [c["key"] for c in original["characters"]]
    assert not {s["id"] for s in copy["shots"]} & {s["id"] for s in original["shots"]}
    assert copy["task_counts"] == {}

    # Editing the copy leaves the original alone.
    shot = copy["shots"][0]
    edited = api.client.patch(
        f"{P}/{copy['id']}/shots/{shot['id']}",
        json={"narration": "Changed."},
        headers=alice.headers,
    )
    assert edited.status_code == 200
    again = api.client.get(f"{P}/{original['id']}", headers=alice.headers).json()
    assert again["shots"][0]["narration"] == original["shots"][0]["narration"]
    bad = api.client.post(
        f"{P}/{original['id']}/duplicate", json={"owner_id": "x"}, headers=alice.headers
    )
    assert bad.status_code == 422


# --- sharing --------------------------------------------------------------------------------


def test_sharing_gives_read_access_and_refuses_writes(api: Api) -> None:
    alice, bob, carol = api.register("alice"), api.register("bob"), api.register("carol")
    viewer = api.register("vera", role="viewer")
    project = storyboarded(api, alice)
    pid, shot = project["id"], project["shots"][0]
    url = f"{P}/{pid}"
    assert api.client.get(url, headers=bob.headers).status_code == 404

    def share(email: str, who: Account = alice) -> Any:
        return api.client.post(f"{url}/members", json={"email": email}, headers=who.headers)

    assert share("nobody@example.com").status_code == 404
    assert share(alice.email).status_code == 422
    assert share("not-an-email").status_code == 422
    made = share(bob.email)
    assert made.status_code == 201 and made.json()["user_id"] == bob.user_id
    assert share(viewer.email).status_code == 201
    members = api.client.get(f"{url}/members", headers=alice.headers).json()
    assert {m["email"] for m in members} == {bob.email, viewer.email}

    for reader in (bob, viewer):
        got = api.client.get(url, headers=reader.headers)
        assert got.status_code == 200 and got.json()["access"] == "read"
        assert api.client.get(f"{url}/storyboard", headers=reader.headers).status_code == 200
        listed = api.client.get(P, headers=reader.headers).json()["items"]
        assert [(i["id"], i["access"]) for i in listed] == [(pid, "read")]
        writes = [
            api.client.patch(url, json={"title": "Mine now"}, headers=reader.headers),
            api.client.delete(url, headers=reader.headers),
            api.client.post(f"{url}/storyboard", headers=reader.headers),
            api.client.post(
                f"{url}/shots",
                json={"narration": "n", "visual_prompt": "v"},
                headers=reader.headers,
            ),
            api.client.patch(
                f"{url}/shots/{shot['id']}", json={"narration": "n"}, headers=reader.headers
            ),
            api.client.post(f"{url}/shots/{shot['id']}/image", headers=reader.headers),
            api.client.post(f"{url}/characters", json={"name": "X"}, headers=reader.headers),
            share(carol.email, reader),
        ]
        assert [w.status_code for w in writes] == [403] * len(writes)
    # A shared user (not a viewer account) may take their own copy.
    assert api.client.post(f"{url}/duplicate", headers=bob.headers).status_code == 201
    assert api.client.post(f"{url}/duplicate", headers=viewer.headers).status_code == 403
    assert api.client.post(P, json={"story": STORY}, headers=viewer.headers).status_code == 403
    assert api.client.get(url, headers=carol.headers).status_code == 404

    removed = api.client.delete(f"{url}/members/{bob.user_id}", headers=alice.headers)
    assert removed.status_code == 204
    assert api.client.get(url, headers=bob.headers).status_code == 404
    # A member may leave on their own; not remove others.
    assert (
        api.client.delete(f"{url}/members/{alice.user_id}", headers=viewer.headers).status_code
        == 403
    )
    assert (
        api.client.delete(f"{url}/members/{viewer.user_id}", headers=viewer.headers).status_code
        == 204
    )


@pytest.mark.parametrize("path", ["", "/storyboard", "/members", "/shots", "/characters"])
def test_other_accounts_ids_answer_404(api: Api, path: str) -> None:
    alice, mallory = api.register("alice"), api.register("mallory")
    pid = create(api, alice)["id"]
    assert api.client.get(f"{P}/{pid}{path}", headers=mallory.headers).status_code == 404
    assert api.client.get(f"{P}/no-such-id{path}", headers=alice.headers).status_code == 404
