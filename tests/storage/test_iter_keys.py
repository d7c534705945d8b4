"""``BlobStore.iter_keys``: what the orphan sweep lists — every key under a folder, with its
size and when it was written, and nothing else (no neighbour folder, no half-written file)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from storyreel.db.types import utcnow
from storyreel.storage.base import BlobStore
from storyreel.storage.local import LocalBlobStore


def test_keys_under_a_folder_come_with_size_and_time(store: BlobStore) -> None:
    if type(store).iter_keys is BlobStore.iter_keys:
        pytest.skip(f"{type(store).__name__} does not list keys yet")
    before = utcnow() - timedelta(minutes=5)  # the server's clock may differ a little
    store.put("projects/p1/shots/s1/image/aa.png", b"12345")
    store.put("projects/p2/renders/bb.mp4", b"1234567890")
    store.put("projectsX/p3/cc.png", b"x")  # a neighbour folder, not under projects/
    store.put("users/u1/images/dd.png", b"xy")
    found = {k.key: k for k in store.iter_keys("projects/")}
    assert set(found) == {"projects/p1/shots/s1/image/aa.png", "projects/p2/renders/bb.mp4"}
    assert found["projects/p2/renders/bb.mp4"].size == 10
    for k in found.values():
        assert before <= k.modified <= utcnow() + timedelta(minutes=5)
    assert [k.key for k in store.iter_keys("users")] == ["users/u1/images/dd.png"]
    assert list(store.iter_keys("nothing-here")) == []


def test_a_file_being_written_is_not_listed(tmp_path: Path) -> None:
    root = tmp_path / "blobs"
    store = LocalBlobStore(root)
    store.put("projects/p1/a.png", b"a")
    (root / "projects/p1/.b.png.1234abcd.tmp").write_bytes(b"partial")
    assert [k.key for k in store.iter_keys("projects")] == ["projects/p1/a.png"]
