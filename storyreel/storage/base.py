"""The BlobStore interface every storage backend implements."""

from __future__ import annotations

import hashlib
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,511}$")


class BlobNotFound(KeyError):
    """No blob under that key."""


class InvalidKey(ValueError):
    """A key that could escape the store or is not one we generate."""


def check_key(key: str) -> str:
    if not _KEY.fullmatch(key) or ".." in key.split("/") or "//" in key:
        raise InvalidKey(f"invalid blob key: {key!r}")
    return key


@dataclass(frozen=True)
class BlobRef:
    key: str
    size: int
    sha256: str


class BlobStore(ABC):
    """Keys like ``projects/{id}/shots/{id}/image/{hash}.png`` or ``cache/image/…/{hash}.png``."""

    @abstractmethod
    def put(self, key: str, data: bytes | Path) -> BlobRef:
        """Store bytes (or a file's bytes) under ``key``, atomically."""

    @abstractmethod
    def open(self, key: str) -> BinaryIO:
        """A readable binary stream; raises ``BlobNotFound``."""

    @abstractmethod
    def exists(self, key: str) -> bool: ...

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove ``key``; removing a missing key is not an error."""

    @abstractmethod
    def url(self, key: str, expires: int = 3600) -> str:
        """A URL a client can fetch the blob from for ``expires`` seconds."""

    @abstractmethod
    def local_file(self, key: str) -> Path:
        """A path on this machine's disk holding the blob's bytes, for FFmpeg and providers that
        read files: the local store's own file; a remote store's copy in a bounded worker-local
        cache. Treat it as read-only. Raises ``BlobNotFound``."""

    def read_bytes(self, key: str) -> bytes:
        with self.open(key) as f:
            return f.read()


def put_content(store: BlobStore, prefix: str, source: Path, suffix: str) -> BlobRef:
    """Store a file under ``{prefix}/{sha256}{suffix}``: content-addressed, so writing the same
    bytes twice (a task that ran twice) lands on the same key and costs one copy."""
    digest = hashlib.sha256()
    with source.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    key = f"{prefix.rstrip('/')}/{digest.hexdigest()}{suffix}"
    if store.exists(key):
        return BlobRef(key=key, size=source.stat().st_size, sha256=digest.hexdigest())
    return store.put(key, source)
