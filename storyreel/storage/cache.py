"""A bounded, worker-local read-through cache of remote blobs as files, for FFmpeg and providers.

Layout: ``root/ab/<sha256 of key and version><suffix>``; the suffix keeps the key's extension so
tools that look at it (FFmpeg's muxer guess, Pillow) see the same name shape as on a local store.

- **Atomic**: a download goes to a hidden temporary name in the entry's folder, then
  ``os.replace``: a reader sees the whole file or none.
- **Several processes on one host**: the download of an entry holds an ``fcntl.flock`` (one of
  256 lock files, by the entry's first two hex digits), so two workers wanting the same blob
  download it once; the second finds the file when it gets the lock.
- **Bounded, least recently used first**: every hit sets the entry's mtime (atime is unreliable
  under ``noatime``/``relatime``); after each download the oldest entries go until the total is
  under the bound. Entries used in the last ``grace_s`` seconds are kept even past the bound, so
  a file handed to an FFmpeg that has not opened it yet is not pulled away; eviction tolerates
  files that vanish under it (another process evicting).
- **Freshness**: the caller passes a ``version`` (an ETag) for keys whose bytes can change; the
  entry's name includes it, so a changed blob is a new entry and the old one ages out.
  Content-addressed keys (``…/<sha256>.ext``) need no version: their bytes never change.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath
from typing import BinaryIO

log = logging.getLogger(__name__)

#: A key whose last part is a SHA-256 (as ``put_content`` writes): its bytes never change.
CONTENT_ADDRESSED = re.compile(r"(?:^|/)[0-9a-f]{64}(?:\.[A-Za-z0-9]{1,16})?$")
_SUFFIX = re.compile(r"^\.[A-Za-z0-9]{1,16}$")
#: Temporary files older than this are left over from a killed process.
STALE_PART_S = 3600.0


def is_content_addressed(key: str) -> bool:
    return CONTENT_ADDRESSED.search(key) is not None


class BlobCache:
    """Files for blob keys, fetched on a miss by the caller's ``fetch`` (bytes into a file)."""

    def __init__(self, root: Path, max_bytes: int, *, grace_s: float = 300.0) -> None:
        self.root = root
        self.max_bytes = max(0, max_bytes)
        self.grace_s = grace_s
        (self.root / ".locks").mkdir(parents=True, exist_ok=True)
        self._evicting = threading.Lock()

    def path_for(self, key: str, version: str | None = None) -> Path:
        name = hashlib.sha256(f"{key}\0{version or ''}".encode()).hexdigest()
        suffix = PurePosixPath(key).suffix
        return self.root / name[:2] / (name + (suffix if _SUFFIX.match(suffix) else ""))

    def get(self, key: str, fetch: Callable[[BinaryIO], None], version: str | None = None) -> Path:
        """The entry's path, downloaded by ``fetch`` first if absent. ``fetch`` raising leaves
        no entry behind (its exception goes to the caller)."""
        path = self.path_for(key, version)
        if self._touch(path):
            return path
        with self._lock(path.name):
            if self._touch(path):  # another process fetched it while we waited
                return path
            path.parent.mkdir(exist_ok=True)
            tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
            try:
                with tmp.open("wb") as f:
                    fetch(f)
                os.replace(tmp, path)
            finally:
                tmp.unlink(missing_ok=True)
        self.evict(keep=path)
        return path

    def usage(self) -> int:
        """Bytes the entries take now."""
        return sum(size for _, size, _ in self._entries()[0])

    def evict(self, keep: Path | None = None) -> int:
        """Remove least recently used entries until under the bound; returns how many went.
        One process evicts at a time; the others skip (the running one covers them)."""
        if not self._evicting.acquire(blocking=False):
            return 0
        try:
            with self._lock("evict", blocking=False) as got:
                return self._evict(keep) if got else 0
        finally:
            self._evicting.release()

    # --- internals --------------------------------------------------------------------------

    def _evict(self, keep: Path | None) -> int:
        entries, total = self._entries()
        if total <= self.max_bytes:
            return 0
        now = time.time()
        removed = 0
        for mtime, size, path in sorted(entries):
            if total <= self.max_bytes:
                break
            if path == keep or now - mtime < self.grace_s:
                continue
            try:
                if path.stat().st_mtime > mtime:  # used since we looked: now the newest
                    continue
                path.unlink()
            except FileNotFoundError:  # another process evicted it first
                pass
            total -= size
            removed += 1
        if total > self.max_bytes:
            log.warning(
                "worker cache %s holds %d MB, over its %d MB bound (STORYREEL_WORKER_CACHE_GB): "
                "the rest was used in the last %.0f s",
                self.root,
                total >> 20,
                self.max_bytes >> 20,
                self.grace_s,
            )
        return removed

    def _entries(self) -> tuple[list[tuple[float, int, Path]], int]:
        entries: list[tuple[float, int, Path]] = []
        total = 0
        now = time.time()
        for folder in _scandir(self.root):
            if len(folder.name) != 2 or not folder.is_dir():
                continue
            for entry in _scandir(Path(folder.path)):
                try:
                    st = entry.stat()
                except FileNotFoundError:
                    continue
                if entry.name.startswith("."):
                    if entry.name.endswith(".part") and now - st.st_mtime > STALE_PART_S:
                        Path(entry.path).unlink(missing_ok=True)
                    continue
                entries.append((st.st_mtime, st.st_size, Path(entry.path)))
                total += st.st_size
        return entries, total

    @staticmethod
    def _touch(path: Path) -> bool:
        try:
            os.utime(path)
        except FileNotFoundError:
            return False
        return True

    @contextlib.contextmanager
    def _lock(self, name: str, *, blocking: bool = True) -> Iterator[bool]:
        # flock is per open file: threads of one process exclude each other as processes do.
        stripe = name if name == "evict" else name[:2]
        fd = os.open(self.root / ".locks" / f"{stripe}.lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
            except BlockingIOError:
                yield False
                return
            yield True
        finally:
            os.close(fd)  # closing releases the lock


def _scandir(path: Path) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(path) as it:
            return list(it)
    except FileNotFoundError:
        return []
