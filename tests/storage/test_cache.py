"""The worker-local blob cache, driven directly: bounded, atomic, shared by processes."""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import pytest

from storyreel.storage.cache import BlobCache, is_content_addressed

SHA = "9f" * 32


def writer(data: bytes) -> Callable[[BinaryIO], None]:
    def fetch(f: BinaryIO) -> None:
        f.write(data)

    return fetch


def age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_a_miss_fetches_once_and_a_hit_reads_the_file(tmp_path: Path) -> None:
    cache = BlobCache(tmp_path, 1 << 20)
    calls: list[int] = []

    def fetch(f: BinaryIO) -> None:
        calls.append(1)
        f.write(b"frame bytes")

    key = f"projects/p/images/{SHA}.png"
    first = cache.get(key, fetch)
    second = cache.get(key, fetch)
    assert first == second and first.read_bytes() == b"frame bytes"
    assert first.suffix == ".png"
    assert len(calls) == 1


def test_a_failed_fetch_leaves_no_entry_and_no_temporary_file(tmp_path: Path) -> None:
    cache = BlobCache(tmp_path, 1 << 20)

    def broken(f: BinaryIO) -> None:
        f.write(b"half of it")
        raise ConnectionError("the network went away")

    with pytest.raises(ConnectionError):
        cache.get("projects/p/video.mp4", broken)
    assert not cache.path_for("projects/p/video.mp4").exists()
    assert [p for p in tmp_path.rglob("*") if p.is_file() and p.parent.name != ".locks"] == []


def test_a_new_version_is_a_new_entry(tmp_path: Path) -> None:
    cache = BlobCache(tmp_path, 1 << 20)
    old = cache.get("cache/image/ab/k.png", writer(b"old"), version='"etag-1"')
    new = cache.get("cache/image/ab/k.png", writer(b"new"), version='"etag-2"')
    assert old != new
    assert (old.read_bytes(), new.read_bytes()) == (b"old", b"new")


def test_the_least_recently_used_entries_go_first_past_the_bound(tmp_path: Path) -> None:
    cache = BlobCache(tmp_path, 2500, grace_s=0)
    a = cache.get("k/a.bin", writer(b"a" * 1000))
    b = cache.get("k/b.bin", writer(b"b" * 1000))
    age(a, 20)
    age(b, 10)
    cache.get("k/a.bin", writer(b"unused"))  # a hit makes a the most recent
    c = cache.get("k/c.bin", writer(b"c" * 1000))
    assert a.exists() and c.exists() and not b.exists()
    assert cache.usage() <= 2500


def test_entries_used_within_the_grace_period_are_kept_past_the_bound(tmp_path: Path) -> None:
    # A file just handed to an FFmpeg that has not opened it yet must not vanish.
    cache = BlobCache(tmp_path, 1500, grace_s=60)
    a = cache.get("k/a.bin", writer(b"a" * 1000))
    b = cache.get("k/b.bin", writer(b"b" * 1000))
    assert a.exists() and b.exists()
    age(a, 120)
    cache.evict()
    assert not a.exists() and b.exists()


def test_eviction_tolerates_entries_that_vanish_under_it(tmp_path: Path) -> None:
    cache = BlobCache(tmp_path, 0, grace_s=0)
    a = cache.get("k/a.bin", writer(b"a" * 10))
    a.unlink()  # another process evicted it
    kept = cache.get("k/b.bin", writer(b"b" * 10))
    assert kept.read_bytes() == b"b" * 10  # the entry just fetched stays even over the bound


def test_left_over_partial_downloads_are_swept(tmp_path: Path) -> None:
    cache = BlobCache(tmp_path, 1 << 20, grace_s=0)
    entry = cache.get("k/a.bin", writer(b"a"))
    stale = entry.with_name(f".{entry.name}.dead.part")
    stale.write_bytes(b"from a killed worker")
    age(stale, 7200)
    cache.evict()  # as after every download
    assert not stale.exists()


def _fetch_in_process(root: str, counter: str, start: float) -> str:
    cache = BlobCache(Path(root), 1 << 20)

    def fetch(f: BinaryIO) -> None:
        with open(counter, "a") as log:
            log.write(f"{os.getpid()}\n")
        time.sleep(0.5)  # a slow download: the others must wait for it, not repeat it
        f.write(b"x" * 100_000)

    time.sleep(max(0.0, start - time.time()))
    path = cache.get(f"projects/p/renders/{SHA}.mp4", fetch)
    return path.read_bytes().hex()[:16] + f":{path.stat().st_size}"


def test_processes_wanting_one_blob_download_it_once(tmp_path: Path) -> None:
    counter = tmp_path / "fetches.log"
    root = tmp_path / "cache"
    start = time.time() + 0.5
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(4) as pool:
        results = pool.starmap(
            _fetch_in_process, [(str(root), str(counter), start) for _ in range(4)]
        )
    assert len(set(results)) == 1 and results[0].endswith(":100000")
    assert len(counter.read_text().splitlines()) == 1


def test_content_addressed_keys_are_recognised() -> None:
    assert is_content_addressed(f"projects/p/renders/{SHA}.mp4")
    assert is_content_addressed(f"cache/{SHA}")
    assert not is_content_addressed("cache/image/ab/abcdef.png")
    assert not is_content_addressed(f"projects/p/{SHA}x.mp4")
