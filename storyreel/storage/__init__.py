"""Blob storage: content lives under keys in the store ``STORYREEL_STORAGE_URL`` names.

``store_from_settings`` is the one place a store is built; nothing else constructs one or joins
paths under ``blobs/`` (files on disk come from ``BlobStore.local_file``).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from storyreel.settings import Settings
from storyreel.storage.base import BlobNotFound, BlobRef, BlobStore, StorageError
from storyreel.storage.cache import BlobCache
from storyreel.storage.local import LocalBlobStore

__all__ = [
    "BlobNotFound",
    "BlobRef",
    "BlobStore",
    "LocalBlobStore",
    "StorageError",
    "store_from_settings",
    "worker_cache",
]


class UnsupportedStorage(ValueError):
    """``STORYREEL_STORAGE_URL`` names a scheme no store here understands."""


def store_from_settings(settings: Settings) -> BlobStore:
    """The blob store the settings choose: ``file:///path`` or a plain folder path (default: the
    data dir's ``blobs/``), or ``s3://BUCKET/PREFIX`` on the server ``settings.s3`` names."""
    url = settings.storage_url
    if not url:
        return LocalBlobStore(settings.data_dir / "blobs")
    parts = urlsplit(url)
    if parts.scheme in ("", "file"):
        path = Path(unquote(parts.path if parts.scheme else url)).expanduser()
        if not path.is_absolute():
            raise UnsupportedStorage(
                f"STORYREEL_STORAGE_URL={url!r}: give an absolute folder (file:///srv/blobs)"
            )
        return LocalBlobStore(path)
    if parts.scheme == "s3":
        if not parts.netloc:
            raise UnsupportedStorage(
                f"STORYREEL_STORAGE_URL={url!r} names no bucket: use s3://BUCKET/PREFIX"
            )
        # Imported here: boto3 costs ~0.3 s to import, and the embedded shape never needs it.
        from storyreel.storage.s3 import S3BlobStore

        return S3BlobStore(
            parts.netloc, unquote(parts.path), settings.s3, cache=worker_cache(settings)
        )
    raise UnsupportedStorage(
        f"STORYREEL_STORAGE_URL={url!r}: unknown scheme {parts.scheme!r}; use "
        "file:///path/to/folder, s3://BUCKET/PREFIX (or leave it unset for the data dir's blobs/)"
    )


def worker_cache(settings: Settings) -> BlobCache:
    """The worker-local copies of remote blobs: ``cache/blobs`` in the data dir, bounded by
    ``STORYREEL_WORKER_CACHE_GB``."""
    return BlobCache(settings.cache_dir / "blobs", int(settings.worker_cache_gb * (1 << 30)))
