"""Blobs as files under a folder, written atomically (temporary name, then rename)."""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from storyreel.storage.base import BlobNotFound, BlobRef, BlobStore, StoredKey, check_key


class LocalBlobStore(BlobStore):
    def __init__(self, root: Path) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def put(self, key: str, data: bytes | Path) -> BlobRef:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
        digest = hashlib.sha256()
        try:
            if isinstance(data, Path):
                with data.open("rb") as src, tmp.open("wb") as dst:
                    for chunk in iter(lambda: src.read(1 << 20), b""):
                        digest.update(chunk)
                        dst.write(chunk)
            else:
                digest.update(data)
                tmp.write_bytes(data)
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        return BlobRef(key=key, size=path.stat().st_size, sha256=digest.hexdigest())

    def open(self, key: str) -> BinaryIO:
        try:
            return self._path(key).open("rb")
        except FileNotFoundError:
            raise BlobNotFound(key) from None

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def delete_prefix(self, prefix: str) -> None:
        shutil.rmtree(self._path(prefix.rstrip("/")), ignore_errors=True)

    def url(
        self, key: str, expires: int = 3600, filename: str | None = None, *, inline: bool = False
    ) -> str:
        # Signed HTTP URLs come with the API; locally the file itself is the address (it can
        # neither expire nor name a download).
        return self._path(key).resolve().as_uri()

    def size(self, key: str) -> int:
        try:
            return self._path(key).stat().st_size
        except FileNotFoundError:
            raise BlobNotFound(key) from None

    def local_file(self, key: str) -> Path:
        path = self._path(key)
        if not path.is_file():
            raise BlobNotFound(key)
        return path

    def iter_keys(self, prefix: str) -> Iterator[StoredKey]:
        # Files being written (``.name.xxxx.tmp``) start with a dot, which no key does.
        top = self.root / check_key(prefix.rstrip("/"))
        for folder, dirs, files in os.walk(top):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                if name.startswith("."):
                    continue
                path = Path(folder, name)
                try:
                    st = path.stat()
                except FileNotFoundError:  # deleted meanwhile
                    continue
                key = path.relative_to(self.root).as_posix()
                yield StoredKey(key, st.st_size, datetime.fromtimestamp(st.st_mtime, UTC))
