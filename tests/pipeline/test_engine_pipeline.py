"""Whole projects through the task engine with the real offline providers and FFmpeg."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest

from storyreel.db import migrate
from storyreel.db.models import Task
from storyreel.db.repositories import projects as projects_repo
from storyreel.db.repositories import tasks as tasks_repo
from storyreel.db.session import Database
from storyreel.domain.blob_keys import live_prefix
from storyreel.domain.project import ProjectOptions
from storyreel.media.probe import probe
from storyreel.media.qc_report import QcCheck, QcReport
from storyreel.pipeline.engine import Platform
from storyreel.pipeline.handlers.render import quality_outcome
from storyreel.pipeline.project import create_project, edit_shot
from storyreel.settings import Settings
from storyreel.tasks.model import PermanentError
from storyreel.tasks.runner import TaskContext

STORY = (
    "Mara kept the lighthouse on the cliff. Every night she climbed the stairs to light the lamp. "
    "One stormy evening a small boat drifted toward the rocks. Mara swung the beam across the "
    "waves, and the boat turned safely into the harbour."
)


def _platform(tmp_path: Path, url: str, **overrides: Any) -> Platform:
    settings = Settings(
        data_dir=tmp_path / "data", database_url=url, render_jobs=2, heartbeat_s=1, **overrides
    )
    migrate.upgrade(Database(settings.database))
    return Platform.create(settings)


def _tasks(platform: Platform, project_id: str) -> list[Task]:
    with platform.session() as s:
        return tasks_repo.for_project(s, project_id)


def _create(platform: Platform, **fields: Any) -> str:
    with platform.session() as s:
        project, _ = create_project(
            s, platform.kinds, STORY, ProjectOptions(style="watercolor", **fields)
        )
    return project.id


@pytest.fixture
def platform(tmp_path: Path, database_url: str) -> Iterator[Platform]:
    p = _platform(tmp_path, database_url)
    yield p
    p.stop(2)


@pytest.mark.slow
def test_a_project_runs_to_a_finished_video_and_edits_rerun_only_downstream(
    platform: Platform,
) -> None:
    pid = _create(platform, target_seconds=12, quality="preview")
    platform.start()
    counts = platform.wait_for_project(pid, 240)
    failures = [(t.kind, t.error) for t in _tasks(platform, pid) if t.status != "succeeded"]
    assert counts == {"succeeded": len(_tasks(platform, pid))}, failures
    tasks = _tasks(platform, pid)
    kinds = Counter(t.kind for t in tasks)
    shots = kinds["image"]
    assert shots >= 2 and kinds == {
        "storyboard": 1,
        "image": shots,
        "voice": shots,
        "motion": shots,
        "music": 1,
        "render": 1,
    }
    assert all(t.attempts == 1 for t in tasks)
    with platform.session() as s:
        (render,) = projects_repo.renders(s, pid)
        video = projects_repo.asset(s, render.video_asset_id)
        rows = projects_repo.shots(s, pid)
        usage = projects_repo.usage(s, pid)
    assert video is not None and video.mime == "video/mp4"
    path = platform.settings.data_dir / "blobs" / video.blob_key
    info = probe(path)
    assert info.video is not None and info.audio is not None and info.duration is not None
    assert abs(info.duration - render.duration) < 0.2
    assert {u.capability for u in usage} == {"storyboard", "image", "voice", "motion", "music"}

    # Edit the second shot's prompt: its image, its motion and the render run again; nothing else.
    before = {t.id: t.attempts for t in tasks}
    finished_before = {t.id: t.finished_at for t in tasks}
    with platform.session() as s:
        stale = edit_shot(
            s, platform.kinds, rows[1].id, visual_prompt="a lighthouse beam sweeping a dark sea"
        )
    expected = {t.id for t in tasks if t.shot_id == rows[1].id and t.kind in ("image", "motion")}
    expected |= {t.id for t in tasks if t.kind == "render"}
    assert {t.id for t in stale} == expected
    platform.wait_for_project(pid, 240)
    after = _tasks(platform, pid)
    rerun = {t.id for t in after if t.finished_at != finished_before[t.id]}
    assert rerun == expected
    assert all(t.status == "succeeded" for t in after)
    assert all(t.attempts == 1 for t in after) and set(before) == {t.id for t in after}
    with platform.session() as s:
        renders = projects_repo.renders(s, pid)
    assert len(renders) == 2
    # Only the segments that show the changed picture were encoded again.
    assert renders[0].segments_encoded <= 2 and renders[0].segments_reused >= shots - 2

    # A narration edit re-speaks that shot.
    with platform.session() as s:
        stale = edit_shot(
            s, platform.kinds, rows[0].id, narration="Mara kept the old lighthouse alone."
        )
    assert {t.kind for t in stale} == {"voice", "motion", "render"}


def _ffmpeg_children() -> list[psutil.Process]:
    found = []
    for p in psutil.Process().children(recursive=True):
        try:
            if "ffmpeg" in p.name():
                found.append(p)
        except psutil.NoSuchProcess:  # it exited between listing and asking its name
            continue
    return found


@pytest.mark.slow
def test_cancelling_mid_render_kills_ffmpeg_and_leaves_no_partial_asset(
    tmp_path: Path, database_url: str
) -> None:
    platform = _platform(tmp_path, database_url)
    pid = _create(platform, target_seconds=30)
    platform.start()
    deadline = time.monotonic() + 180
    render = None
    while time.monotonic() < deadline:
        render = next((t for t in _tasks(platform, pid) if t.kind == "render"), None)
        if render is not None and render.status == "running" and _ffmpeg_children():
            break
        time.sleep(0.05)
    assert render is not None and render.status == "running"
    with platform.session() as s:
        from storyreel.tasks import service

        service.cancel(s, render.id)
    deadline = time.monotonic() + 15
    while _ffmpeg_children() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _ffmpeg_children() == []
    platform.wait_for_project(pid, 30)
    with platform.session() as s:
        assert tasks_repo.get(s, render.id).status == "cancelled"  # type: ignore[union-attr]
        assert projects_repo.renders(s, pid) == []
        kinds = {a for a in projects_repo.blob_keys(s, pid) if "/renders/" in a}
    assert kinds == set()
    renders_dir = platform.settings.data_dir / "blobs" / "projects" / pid / "renders"
    assert not renders_dir.exists() or list(renders_dir.iterdir()) == []
    work = platform.settings.data_dir / "work"
    assert not work.exists() or list(work.iterdir()) == []
    platform.stop(2)


def test_a_hundred_projects_at_once_all_finish_and_no_task_runs_twice(
    tmp_path: Path, database_url: str
) -> None:
    """The real storyboard writer plans each project's DAG; the media steps are stand-ins,
    so what is measured is the engine: every task of every project runs exactly once."""
    runs: Counter[str] = Counter()
    lock = threading.Lock()

    settings = Settings(data_dir=tmp_path / "data", database_url=database_url)
    migrate.upgrade(Database(settings.database))
    platform = Platform.create(settings)
    kinds = platform.kinds

    def counted(name: str) -> Any:
        real = kinds.get(name).handler

        def handler(ctx: TaskContext) -> dict[str, Any] | None:
            with lock:
                runs[ctx.task_id] += 1
            return real(ctx) if name == "storyboard" else {"ok": True}

        return handler

    for name in kinds.names():
        kinds.register(name, counted(name), kinds.policy(name))
    with platform.session() as s:
        ids = [
            create_project(s, kinds, STORY, ProjectOptions(style="anime", music="none"))[0].id
            for _ in range(100)
        ]
    platform.start()
    try:
        for pid in ids:
            platform.wait_for_project(pid, 180, poll_s=0.05)
    finally:
        platform.stop(2)
    with platform.session() as s:
        all_tasks = [t for pid in ids for t in tasks_repo.for_project(s, pid)]
    assert all(t.status == "succeeded" for t in all_tasks)
    for pid in ids:  # the whole DAG was planned and run: 3 tasks per shot, storyboard, render
        kinds = Counter(t.kind for t in all_tasks if t.project_id == pid)
        assert kinds["render"] == kinds["storyboard"] == 1
        assert kinds["image"] == kinds["voice"] == kinds["motion"] >= 2
        assert sum(kinds.values()) == 3 * kinds["image"] + 2
    assert set(runs) == {t.id for t in all_tasks} and set(runs.values()) == {1}


@pytest.mark.slow
def test_the_render_starts_before_the_pictures_and_encodes_each_as_it_lands(
    tmp_path: Path, database_url: str
) -> None:
    platform = _platform(tmp_path, database_url)
    image = platform.kinds.get("image")

    def slow_image(ctx: TaskContext) -> dict[str, Any] | None:
        time.sleep(2.0)  # a picture from a real service takes a while
        return image.handler(ctx)

    platform.kinds.register("image", slow_image, image.policy)
    pid = _create(platform, target_seconds=12, quality="preview")
    platform.start()
    try:
        assert platform.wait_for_project(pid, 300) == {"succeeded": len(_tasks(platform, pid))}
        tasks = _tasks(platform, pid)
        (render,) = [t for t in tasks if t.kind == "render"]
        last_picture = max(t.finished_at for t in tasks if t.kind in ("image", "motion"))
        assert render.started_at is not None and last_picture is not None
        assert render.started_at < last_picture  # it did not wait for every shot
        result = render.result or {}
        assert result["early_segments"], "no segment was encoded before the last picture"
        assert set(result["early_segments"]) <= set(result["segment_keys"])
        # Its live playlist is complete: every segment, then the end.
        key = f"{live_prefix(pid, render.id)}/playlist.m3u8"
        playlist = platform.store.read_bytes(key).decode()
        assert playlist.count(".ts") == len(result["segment_keys"])
        assert playlist.rstrip().endswith("#EXT-X-ENDLIST")
        video = probe(platform.store.local_file(result["video"]))
        assert video.duration == pytest.approx(result["duration"], abs=0.1)
    finally:
        platform.stop(2)


def test_render_after_every_picture_when_render_as_ready_is_off(
    tmp_path: Path, database_url: str
) -> None:
    early = _platform(tmp_path / "a", database_url)
    late = _platform(tmp_path / "b", database_url, render_as_ready=False)
    try:
        assert early.kinds.policy("render").starts_before == {"image", "motion"}
        assert late.kinds.policy("render").starts_before == frozenset()
    finally:
        early.stop(1)
        late.stop(1)


@pytest.mark.slow
def test_a_render_that_fails_its_quality_check_fails_when_told_to_and_stores_nothing(
    tmp_path: Path, database_url: str
) -> None:
    # Music 40 dB under speech is more than a ducked bed gives: the check fails.
    qc = {"on_failure": "fail", "music_under_speech_db": 40}
    platform = _platform(tmp_path, database_url, qc=qc)
    pid = _create(platform, target_seconds=8, quality="preview")
    platform.start()
    try:
        platform.wait_for_project(pid, 300)
        (render,) = [t for t in _tasks(platform, pid) if t.kind == "render"]
        assert render.status == "failed"
        error = render.error or {}
        assert error["code"] == "quality_check_failed"
        assert "music" in error["message"] and "STORYREEL_QC__ON_FAILURE" in error["message"]
        with platform.session() as s:
            assert projects_repo.renders(s, pid) == []
        assert not list(platform.store.iter_keys(f"projects/{pid}/renders/"))
    finally:
        platform.stop(2)


def test_the_quality_checks_verdict_decides_the_renders_outcome() -> None:
    failing = QcReport(
        checks=(
            QcCheck("loudness", "fail", "The film is at -21.0 LUFS (needs -16 ± 1).", {}, {}),
            QcCheck("black", "pass", "No black stretch.", {}, {}),
        ),
        elapsed_s=1.0,
    )
    passing = QcReport(checks=(QcCheck("black", "pass", "No black stretch.", {}, {}),))
    assert quality_outcome(None, "fail") is None
    assert quality_outcome(passing, "fail") == "ok"
    assert quality_outcome(failing, "attention") == "attention"
    with pytest.raises(PermanentError, match=r"-21\.0 LUFS") as caught:
        quality_outcome(failing, "fail")
    assert caught.value.code == "quality_check_failed"
