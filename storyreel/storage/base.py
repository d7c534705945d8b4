"""The BlobStore interface every storage backend implements."""

from __future__ import annotations

import hashlib
import io
import re
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO, ClassVar, NamedTuple

_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,511}$")


class BlobNotFound(KeyError):
    """No blob under that key."""


class InvalidKey(ValueError):
    """A key that could escape the store or is not one we generate."""


class InvalidRange(ValueError):
    """A byte range that starts past the end of the blob."""

    def __init__(self, key: str, start: int, size: int) -> None:
        super().__init__(f"byte {start} is past the end of {key!r} ({size} bytes)")
        self.size = size


class StorageError(RuntimeError):
    """The store cannot do what was asked (refused, unreachable, misconfigured); the message
    names the setting to fix."""


class StorageUnavailable(StorageError):
    """The store cannot be reached or answers "try later" (5xx, 503 SlowDown): an outage that
    passes, unlike refused credentials or a missing bucket."""


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

    #: ``url`` gives an http(s) URL a browser can fetch directly (a presigned GET), not a path.
    direct_urls: ClassVar[bool] = False

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

    def delete_prefix(self, prefix: str) -> None:
        """Remove every blob under ``prefix`` (a folder such as ``projects/{id}/render-cache``)."""
        for found in list(self.iter_keys(prefix)):
            self.delete(found.key)

    def put_new(self, key: str, data: bytes | Path) -> BlobRef | None:
        """Store ``data`` under ``key`` unless something is there already (then None): for
        content-addressed keys, whose bytes never differ. Stores that can create conditionally
        do so in one request; this default checks first, which a racing writer of the same
        bytes cannot harm."""
        if self.exists(key):
            return None
        return self.put(key, data)

    @abstractmethod
    def url(
        self, key: str, expires: int = 3600, filename: str | None = None, *, inline: bool = False
    ) -> str:
        """A URL a client can fetch the blob from for ``expires`` seconds; ``filename``: the
        name a browser saves it under, shown in place when ``inline`` (where the store's URLs
        can say so)."""

    @abstractmethod
    def local_file(self, key: str) -> Path:
        """A path on this machine's disk holding the blob's bytes, for FFmpeg and providers that
        read files: the local store's own file; a remote store's copy in a bounded worker-local
        cache. Treat it as read-only. Raises ``BlobNotFound``."""

    def read_bytes(self, key: str) -> bytes:
        with self.open(key) as f:
            return f.read()

    def size(self, key: str) -> int:
        """The blob's length in bytes; raises ``BlobNotFound``."""
        with self.open(key) as f:
            return f.seek(0, io.SEEK_END)

    def open_range(self, key: str, start: int, end: int | None = None) -> BinaryIO:
        """A stream of bytes ``start``..``end`` (inclusive; None or past the end: to the end),
        as HTTP Range counts them. Raises ``InvalidRange`` when ``start`` is past the end."""
        f = self.open(key)
        try:
            size = f.seek(0, io.SEEK_END)
            if start >= size:
                raise InvalidRange(key, start, size)
            last = size - 1 if end is None else min(end, size - 1)
            f.seek(start)
        except BaseException:
            f.close()
            raise
        return io.BufferedReader(LimitedReader(f, last - start + 1))

    def iter_keys(self, prefix: str) -> Iterator[StoredKey]:
        """Every blob under ``prefix`` (a folder such as ``projects/``) with its size and last
        change (UTC), in no promised order — what the orphan sweep (``storyreel blobs sweep``)
        compares with the ``assets`` table. Stores that cannot list say so."""
        raise NotImplementedError(f"{type(self).__name__} cannot list its keys")


class LimitedReader(io.RawIOBase):
    """At most ``length`` bytes of ``inner`` (then EOF); closing it closes ``inner``."""

    def __init__(self, inner: BinaryIO, length: int) -> None:
        self._inner = inner
        self._left = length

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        want = min(len(view), self._left)
        if want <= 0:
            return 0
        data = self._inner.read(want)
        view[: len(data)] = data
        self._left -= len(data)
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._inner.close()
        super().close()


def put_content(store: BlobStore, prefix: str, source: Path, suffix: str) -> BlobRef:
    """Store a file under ``{prefix}/{sha256}{suffix}``: content-addressed, so writing the same
    bytes twice (a task that ran twice) lands on the same key and costs one copy."""
    digest = hashlib.sha256()
    with source.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    key = f"{prefix.rstrip('/')}/{digest.hexdigest()}{suffix}"
    stored = store.put_new(key, source)
    return stored or BlobRef(key=key, size=source.stat().st_size, sha256=digest.hexdigest())


class StoredKey(NamedTuple):
    """A key found by ``BlobStore.iter_keys``."""

    key: str
    size: int
    modified: datetime  # UTC
