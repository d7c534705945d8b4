"""Blob storage: content lives under keys in the store ``STORYREEL_STORAGE_URL`` names.

``store_from_settings`` is the one place a store is built; nothing else constructs one or joins
paths under ``blobs/`` (files on disk come from ``BlobStore.local_file``).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from storyreel.settings import Settings
from storyreel.storage.base import BlobNotFound, BlobRef, BlobStore
from storyreel.storage.local import LocalBlobStore

__all__ = ["BlobNotFound", "BlobRef", "BlobStore", "LocalBlobStore", "store_from_settings"]


class UnsupportedStorage(ValueError):
    """``STORYREEL_STORAGE_URL`` names a scheme no store here understands."""


def store_from_settings(settings: Settings) -> BlobStore:
    """The blob store the settings choose: ``file:///path`` or a plain folder path (default: the
    data dir's ``blobs/``)."""
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
    raise UnsupportedStorage(
        f"STORYREEL_STORAGE_URL={url!r}: unknown scheme {parts.scheme!r}; "
        "use file:///path/to/folder (or leave it unset for the data dir's blobs/)"
    )
