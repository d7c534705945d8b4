"""What only the S3 store has: errors that name the setting, fork safety, public endpoints,
listing, and its place in ``store_from_settings``."""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr, ValidationError

from storyreel.settings import S3Settings, Settings
from storyreel.storage import store_from_settings
from storyreel.storage.base import StorageError
from storyreel.storage.s3 import S3BlobStore
from tests.services import SeaweedServer, free_port

pytestmark = pytest.mark.s3


def test_a_wrong_secret_names_the_key_settings(s3_bucket: str, s3_settings: S3Settings) -> None:
    wrong = s3_settings.model_copy(update={"secret_access_key": SecretStr("not-the-secret")})
    store = S3BlobStore(s3_bucket, "", wrong)
    with pytest.raises(StorageError) as raised:
        store.put("a.txt", b"x")
    assert "STORYREEL_S3__SECRET_ACCESS_KEY" in str(raised.value)
    assert "not-the-secret" not in str(raised.value)
    with pytest.raises(StorageError, match="STORYREEL_S3__ACCESS_KEY_ID"):
        store.exists("a.txt")  # a HEAD's 403 has no body, and still says what to fix


def test_an_unreachable_endpoint_names_the_endpoint_setting(tmp_path: Path) -> None:
    settings = S3Settings(
        endpoint_url=f"http://127.0.0.1:{free_port()}", access_key_id="k", secret_access_key="s"
    )
    store = S3BlobStore("bucket", "", settings)
    store.client.meta.config.retries = {"max_attempts": 1}
    with pytest.raises(StorageError, match="STORYREEL_S3__ENDPOINT_URL"):
        store.put("a.txt", b"x")


def test_a_missing_bucket_names_the_storage_url(s3_settings: S3Settings) -> None:
    store = S3BlobStore("no-such-bucket-here", "", s3_settings)
    with pytest.raises(StorageError, match="STORYREEL_STORAGE_URL"):
        store.put("a.txt", b"x")


def _use_in_child(store: S3BlobStore, results: multiprocessing.Queue[object]) -> None:
    store.put("from-child.txt", b"written after the fork")
    clients = store._clients
    results.put((clients is not None and clients.pid == os.getpid(), store.read_bytes("seen.txt")))


def test_a_forked_worker_makes_its_own_client(s3_store: S3BlobStore) -> None:
    s3_store.put("seen.txt", b"written before the fork")  # the parent's client exists now
    parent = s3_store._clients
    ctx = multiprocessing.get_context("fork")  # as Celery's prefork pool does
    results: multiprocessing.Queue[object] = ctx.Queue()
    child = ctx.Process(target=_use_in_child, args=(s3_store, results))
    child.start()
    own_client, seen = results.get(timeout=30)  # type: ignore[misc]
    child.join(10)
    assert child.exitcode == 0
    assert own_client
    assert seen == b"written before the fork"
    assert s3_store.read_bytes("from-child.txt") == b"written after the fork"
    assert s3_store._clients is parent  # the parent's client is untouched


def test_urls_are_signed_for_the_public_endpoint(
    s3_store: S3BlobStore, s3_server: SeaweedServer
) -> None:
    s3_store.put("video.mp4", b"public bytes")
    # The same server under another host name, as a browser would reach it through a proxy.
    public = s3_server.endpoint_url.replace("127.0.0.1", "localhost")
    s3_store.settings = s3_store.settings.model_copy(update={"public_url": public})
    s3_store._clients = None
    url = s3_store.url("video.mp4", 60)
    assert url.startswith(public + "/")
    assert httpx.get(url).content == b"public bytes"
    # The signature covers the host: the same URL through the internal name is refused.
    internal = url.replace(public, s3_server.endpoint_url)
    assert httpx.get(internal).status_code == 403


def test_keys_are_listed_and_deleted_by_prefix(s3_store: S3BlobStore) -> None:
    for key in ("projects/a/1.png", "projects/a/sub/2.png", "projects/b/3.png"):
        s3_store.put(key, b"x")
    assert sorted(s3_store.keys("projects/a")) == ["projects/a/1.png", "projects/a/sub/2.png"]
    s3_store.delete_prefix("projects/a")
    assert list(s3_store.keys()) == ["projects/b/3.png"]


def test_the_storage_url_chooses_the_s3_store(
    s3_storage_url: str, s3_settings: S3Settings, tmp_path: Path
) -> None:
    settings = Settings(
        data_dir=tmp_path / "data", storage_url=s3_storage_url, s3=s3_settings, worker_cache_gb=0.5
    )
    store = store_from_settings(settings)
    assert isinstance(store, S3BlobStore)
    assert (store.bucket, store.prefix) == (s3_storage_url[5:].split("/")[0], "storyreel")
    assert store.cache.root == settings.cache_dir / "blobs"
    assert store.cache.max_bytes == 512 << 20
    store.put("projects/p/x.txt", b"through the settings")
    assert store.local_file("projects/p/x.txt").read_bytes() == b"through the settings"


@pytest.mark.parametrize("url", ["s3://", "s3:///prefix", "s3://Bad_Bucket/x"])
def test_an_s3_url_without_a_valid_bucket_fails_at_startup(url: str, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="bucket"):
        Settings(data_dir=tmp_path, storage_url=url)


def test_keys_come_in_pairs() -> None:
    with pytest.raises(ValidationError, match="STORYREEL_S3__SECRET_ACCESS_KEY"):
        S3Settings(access_key_id="only-the-id")


def test_blank_keys_and_endpoints_mean_unset(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # As an .env file or a chart with `STORYREEL_S3__ACCESS_KEY_ID=` gives them: boto3's
    # credential chain is used, instead of an empty key that fails on the first request.
    for name in ("ACCESS_KEY_ID", "SECRET_ACCESS_KEY", "PUBLIC_URL"):
        monkeypatch.setenv(f"STORYREEL_S3__{name}", "")
    monkeypatch.setenv("STORYREEL_S3__ENDPOINT_URL", " ")
    s3 = Settings(data_dir=tmp_path).s3
    assert s3.access_key_id is None and s3.secret_access_key is None
    assert s3.endpoint_url is None and s3.public_url is None
