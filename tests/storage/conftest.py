"""The stores the contract runs on: the local folder and S3 (SeaweedFS, real signatures)."""

from __future__ import annotations

from pathlib import Path

import pytest

from storyreel.settings import S3Settings
from storyreel.storage.base import BlobStore
from storyreel.storage.cache import BlobCache
from storyreel.storage.local import LocalBlobStore
from storyreel.storage.s3 import MiB, S3BlobStore

# The smallest part S3 accepts, so a 12 MiB file is a three-part upload.
MULTIPART_THRESHOLD = 5 * MiB
CACHE_BOUND = 300_000


def make_s3_store(bucket: str, settings: S3Settings, tmp_path: Path) -> S3BlobStore:
    """A store under a prefix of ``bucket``, with a small multipart threshold and a small
    worker cache (no grace period, so eviction is visible at once)."""
    return S3BlobStore(
        bucket,
        "storyreel",
        settings,
        cache=BlobCache(tmp_path / "worker-cache", CACHE_BOUND, grace_s=0),
        multipart_threshold=MULTIPART_THRESHOLD,
        multipart_chunksize=MULTIPART_THRESHOLD,
    )


@pytest.fixture(params=["local", pytest.param("s3", marks=pytest.mark.s3)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> BlobStore:
    """Each store the product supports: a test using it runs on both."""
    if request.param == "local":
        return LocalBlobStore(tmp_path / "blobs")
    bucket: str = request.getfixturevalue("s3_bucket")
    return make_s3_store(bucket, request.getfixturevalue("s3_settings"), tmp_path)


@pytest.fixture
def s3_store(s3_bucket: str, s3_settings: S3Settings, tmp_path: Path) -> S3BlobStore:
    return make_s3_store(s3_bucket, s3_settings, tmp_path)
