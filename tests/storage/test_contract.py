"""The BlobStore contract: the same cases on the local folder and on a real S3 server.

Cases that only one kind of store can have are parametrized to it alone (``ONLY_S3``,
``ONLY_LOCAL``): presigned HTTP URLs exist only on S3 (the local store's URL is its file; the
API's own signed links are tested in tests/api), and the worker cache only backs remote stores.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

import httpx
import pytest

from storyreel.storage.base import BlobNotFound, BlobStore, InvalidRange, put_content
from storyreel.storage.s3 import S3BlobStore
from tests.storage.conftest import CACHE_BOUND, MULTIPART_THRESHOLD

ONLY_S3 = pytest.mark.parametrize(
    "store", [pytest.param("s3", marks=pytest.mark.s3)], indirect=True
)
ONLY_LOCAL = pytest.mark.parametrize("store", ["local"], indirect=True)

KEY = "projects/p1/renders/r1/video.mp4"


def pattern(size: int, seed: int = 0) -> bytes:
    """Bytes where every offset differs from its neighbours, so a misplaced range shows."""
    block = hashlib.sha256(str(seed).encode()).digest() * 2048
    return (block * (size // len(block) + 1))[:size]


def write_file(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# --- round trip -------------------------------------------------------------------------------


def test_a_blob_put_is_read_back_and_gone_after_delete(store: BlobStore) -> None:
    data = pattern(100_000)
    ref = store.put(KEY, data)
    assert (ref.key, ref.size, ref.sha256) == (KEY, len(data), hashlib.sha256(data).hexdigest())
    assert store.exists(KEY)
    with store.open(KEY) as f:
        assert f.read() == data
    assert store.read_bytes(KEY) == data
    assert store.size(KEY) == len(data)

    store.delete(KEY)
    assert not store.exists(KEY)
    with pytest.raises(BlobNotFound):
        store.open(KEY)
    with pytest.raises(BlobNotFound):
        store.local_file(KEY)
    store.delete(KEY)  # deleting what is not there is not an error


def test_a_file_put_is_stored_with_its_size_and_digest(store: BlobStore, tmp_path: Path) -> None:
    data = pattern(300_000, seed=1)
    ref = store.put("projects/p1/voice.wav", write_file(tmp_path / "v.wav", data))
    assert ref.size == len(data) and ref.sha256 == hashlib.sha256(data).hexdigest()
    assert store.read_bytes("projects/p1/voice.wav") == data


def test_a_put_replaces_the_previous_bytes(store: BlobStore) -> None:
    store.put(KEY, b"first version")
    store.put(KEY, b"second")
    assert store.read_bytes(KEY) == b"second"


# --- content-addressed writes -----------------------------------------------------------------


def test_put_content_twice_lands_on_one_key(store: BlobStore, tmp_path: Path) -> None:
    source = write_file(tmp_path / "picture.png", pattern(50_000, seed=2))
    first = put_content(store, "projects/p1/images", source, ".png")
    second = put_content(store, "projects/p1/images", source, ".png")
    assert first == second
    assert first.key == f"projects/p1/images/{hashlib.sha256(source.read_bytes()).hexdigest()}.png"
    assert store.read_bytes(first.key) == source.read_bytes()


def test_put_new_leaves_an_existing_key_alone(store: BlobStore) -> None:
    assert store.put_new(KEY, b"original") is not None
    assert store.put_new(KEY, b"original") is None
    assert store.read_bytes(KEY) == b"original"


def test_concurrent_writers_of_one_content_key_leave_one_intact_blob(
    store: BlobStore, tmp_path: Path
) -> None:
    data = pattern(2_000_000, seed=3)
    sources = [write_file(tmp_path / f"copy{i}.mp4", data) for i in range(8)]
    refs, errors = [], []
    start = threading.Barrier(len(sources))

    def write(source: Path) -> None:
        start.wait()
        try:
            refs.append(put_content(store, "projects/p1/renders", source, ".mp4"))
        except Exception as exc:  # collected: a thread's exception would be lost otherwise
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(s,)) for s in sources]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len({r.key for r in refs}) == 1
    assert hashlib.sha256(store.read_bytes(refs[0].key)).digest() == hashlib.sha256(data).digest()


def test_racing_puts_of_different_bytes_leave_one_of_them_whole(store: BlobStore) -> None:
    versions = [pattern(1_500_000, seed=10 + i) for i in range(6)]
    start = threading.Barrier(len(versions))

    def write(data: bytes) -> None:
        start.wait()
        store.put(KEY, data)

    threads = [threading.Thread(target=write, args=(v,)) for v in versions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.read_bytes(KEY) in versions  # never a mix of two writers


# --- byte ranges ------------------------------------------------------------------------------


def test_ranges_read_the_first_middle_and_last_bytes(store: BlobStore) -> None:
    data = pattern(1_000_003, seed=4)
    store.put(KEY, data)

    def read(start: int, end: int | None) -> bytes:
        with store.open_range(KEY, start, end) as f:
            return f.read()

    assert read(0, 9) == data[:10]
    assert read(500_000, 699_999) == data[500_000:700_000]
    assert read(len(data) - 1, len(data) - 1) == data[-1:]
    assert read(999_000, None) == data[999_000:]
    assert read(999_000, 10_000_000) == data[999_000:]  # an end past the end: to the end
    with pytest.raises(InvalidRange) as raised:
        read(len(data), None)
    assert raised.value.size == len(data)


def test_an_open_blob_seeks_like_a_file(store: BlobStore) -> None:
    data = pattern(600_000, seed=5)
    store.put(KEY, data)
    with store.open(KEY) as f:
        assert f.read(10) == data[:10]
        f.seek(400_000)
        assert f.read(1000) == data[400_000:401_000]
        f.seek(-5, os.SEEK_END)
        assert f.read() == data[-5:]


# --- large files ------------------------------------------------------------------------------


def test_a_file_over_the_multipart_threshold_round_trips(store: BlobStore, tmp_path: Path) -> None:
    data = pattern(MULTIPART_THRESHOLD * 2 + 123_457, seed=6)  # three parts on S3
    source = write_file(tmp_path / "render.mp4", data)
    ref = store.put(KEY, source)
    assert ref.size == len(data)
    assert hashlib.sha256(store.read_bytes(KEY)).digest() == hashlib.sha256(data).digest()
    if isinstance(store, S3BlobStore):  # S3 tags a multipart object's ETag with its part count
        assert store.head(KEY)["ETag"].strip('"').endswith("-3")


# --- local files ------------------------------------------------------------------------------


def test_local_file_holds_the_blobs_bytes(store: BlobStore) -> None:
    data = pattern(70_000, seed=7)
    store.put(KEY, data)
    path = store.local_file(KEY)
    assert path.read_bytes() == data
    assert path.suffix == ".mp4"  # tools that look at the extension see the key's


@ONLY_S3
def test_the_worker_cache_stays_under_its_bound_evicting_the_least_recently_used(
    store: BlobStore,
) -> None:
    assert isinstance(store, S3BlobStore)
    size = CACHE_BOUND // 3 + 1000  # three do not fit
    keys = [
        f"projects/p1/shots/s{i}/{hashlib.sha256(bytes([i])).hexdigest()}.png" for i in range(3)
    ]
    for i, key in enumerate(keys):
        store.put(key, pattern(size, seed=20 + i))
    first = store.local_file(keys[0])
    second = store.local_file(keys[1])
    os.utime(first, (time.time() - 60, time.time() - 60))
    os.utime(second, (time.time() - 30, time.time() - 30))
    assert store.local_file(keys[0]) == first  # a hit: now the most recently used
    third = store.local_file(keys[2])

    assert first.exists() and third.exists()
    assert not second.exists()  # the least recently used went
    assert store.cache.usage() <= CACHE_BOUND
    assert store.local_file(keys[1]).read_bytes() == pattern(size, seed=21)  # fetched again


@ONLY_S3
def test_a_changed_blob_under_a_plain_key_is_fetched_again(store: BlobStore) -> None:
    key = "cache/image/ab/request-key.png"  # not content-addressed: its bytes may change
    store.put(key, b"old picture")
    assert store.local_file(key).read_bytes() == b"old picture"
    store.put(key, b"new picture")
    assert store.local_file(key).read_bytes() == b"new picture"


# --- URLs -------------------------------------------------------------------------------------


@ONLY_LOCAL
def test_the_local_stores_url_is_its_file(store: BlobStore) -> None:
    store.put(KEY, b"bytes")
    url = store.url(KEY, 60, filename="Lighthouse.mp4")
    assert url.startswith("file://")
    assert Path(unquote(urlsplit(url).path)).read_bytes() == b"bytes"


@ONLY_S3
def test_a_presigned_url_downloads_the_blob_under_its_name(store: BlobStore) -> None:
    data = pattern(200_000, seed=8)
    store.put(KEY, data)
    url = store.url(KEY, 60, filename="灯塔守护者.mp4")
    response = httpx.get(url)
    assert response.status_code == 200
    assert response.content == data
    disposition = response.headers["content-disposition"]
    assert "attachment" in disposition
    assert "filename*=UTF-8''%E7%81%AF%E5%A1%94%E5%AE%88%E6%8A%A4%E8%80%85.mp4" in disposition

    ranged = httpx.get(url, headers={"Range": "bytes=1000-1999"})
    assert ranged.status_code == 206 and ranged.content == data[1000:2000]


@ONLY_S3
def test_a_presigned_url_with_one_signature_character_changed_is_refused(
    store: BlobStore,
) -> None:
    store.put(KEY, b"secret render")
    url = store.url(KEY, 60)
    marker = "X-Amz-Signature="
    at = url.index(marker) + len(marker)
    tampered = url[:at] + ("0" if url[at] != "0" else "1") + url[at + 1 :]
    assert httpx.get(url).status_code == 200
    response = httpx.get(tampered)
    assert response.status_code == 403
    assert b"secret render" not in response.content


@ONLY_S3
def test_an_expired_presigned_url_is_refused(store: BlobStore) -> None:
    store.put(KEY, b"secret render")
    url = store.url(KEY, 1)
    time.sleep(2)
    response = httpx.get(url)
    assert response.status_code == 403
    assert b"secret render" not in response.content


def test_keys_outside_the_store_are_refused(store: BlobStore) -> None:
    for bad in ("../etc/passwd", "projects//x", "/abs", "projects/../../x"):
        with pytest.raises(ValueError):
            store.put(bad, b"x")
