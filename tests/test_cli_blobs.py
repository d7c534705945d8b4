"""``storyreel blobs sweep``, run as an operator runs it: unreferenced blobs older than the
grace period are listed (dry run) and deleted with --apply, at most --limit per run; referenced
ones, fresh ones (a task may be uploading) and the shared result cache stay."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from storyreel.db import migrate
from storyreel.db.models import Asset, Project, User
from storyreel.db.session import Database
from storyreel.settings import Settings
from storyreel.storage.local import LocalBlobStore
from tests.test_cli import storyreel

REFERENCED = "projects/p-live/shots/s1/image/aa.png"
LATE = "projects/p-deleted/shots/s9/image/bb.png"  # a task finished after its project went
LEFTOVER = "users/u-gone/images/cc.png"
FRESH = "projects/p-deleted/renders/dd.mp4"  # unreferenced, but written a moment ago
CACHED = "cache/image/ee/ee.png"  # the shared result cache: never swept
# A project's caches (provider results, shared render files): no asset names them; they are the
# project's while it exists.
LIVE_RENDER_CACHE = "projects/p-live/cache/render/segments/k1.mp4"
GONE_RENDER_CACHE = "projects/p-deleted/cache/image/ab/ab12.png"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    settings = Settings(data_dir=data)
    db = Database(settings.database)
    migrate.upgrade(db)
    with db.session() as s:
        user = User(email="owner@example.com")
        s.add(user)
        s.flush()
        project = Project(id="p-live", owner_id=user.id, title="t", story="s", style="sketch")
        s.add(project)
        s.flush()
        s.add(
            Asset(
                owner_id=user.id,
                project_id=project.id,
                kind="image",
                blob_key=REFERENCED,
                mime="image/png",
                size=3,
                sha256="0" * 64,
            )
        )
    db.dispose()
    store = LocalBlobStore(data / "blobs")
    two_hours_ago = time.time() - 7200
    for key, body in (
        (REFERENCED, b"abc"),
        (LATE, b"late!"),
        (LEFTOVER, b"xy"),
        (CACHED, b"c"),
        (LIVE_RENDER_CACHE, b"seg1"),
        (GONE_RENDER_CACHE, b"seg"),
    ):
        store.put(key, body)
        os.utime(store.local_file(key), (two_hours_ago, two_hours_ago))
    store.put(FRESH, b"uploading")
    return data


def sweep(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    result = storyreel("blobs", "sweep", *args, data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    return result


def present(data_dir: Path) -> set[str]:
    store = LocalBlobStore(data_dir / "blobs")
    return {k.key for prefix in ("projects", "users", "cache") for k in store.iter_keys(prefix)}


def test_dry_run_lists_old_unreferenced_blobs_and_apply_deletes_only_them(data_dir: Path) -> None:
    everything = present(data_dir)
    dry = sweep(data_dir)
    for orphan in (LATE, LEFTOVER, GONE_RENDER_CACHE):
        assert f"would delete {orphan}" in dry.stdout
    for kept in (REFERENCED, FRESH, CACHED, LIVE_RENDER_CACHE):
        assert kept not in dry.stdout
    assert "dry run: 3 unreferenced blob(s), 10 B" in dry.stdout and "1 newer kept" in dry.stdout
    assert present(data_dir) == everything  # a dry run deletes nothing

    applied = sweep(data_dir, "--apply")
    assert "deleted 3 unreferenced blob(s), 10 B" in applied.stdout
    assert f"deleted orphan blob {LATE}" in applied.stderr  # logged, for the record
    assert present(data_dir) == {REFERENCED, FRESH, CACHED, LIVE_RENDER_CACHE}

    # With no grace period the blob being "uploaded" goes too.
    assert f"would delete {FRESH}" in sweep(data_dir, "--older-than", "0s").stdout


def test_limit_bounds_a_run_and_bad_durations_are_refused(data_dir: Path) -> None:
    first = sweep(data_dir, "--apply", "--limit", "1")
    assert (
        "deleted 1 unreferenced blob(s)" in first.stdout and "stopped at --limit 1" in first.stdout
    )
    assert len(present(data_dir) & {LATE, LEFTOVER, GONE_RENDER_CACHE}) == 2
    sweep(data_dir, "--apply", "--limit", "2")
    assert present(data_dir) == {REFERENCED, FRESH, CACHED, LIVE_RENDER_CACHE}
    bad = storyreel("blobs", "sweep", "--older-than", "soon", data_dir=data_dir)
    assert bad.returncode == 2 and "not a duration" in bad.stderr
