"""Provider results cached by content in the blob store, so the same request costs nothing twice.

The key hashes the provider's name and model, the request's parameters and its input; the
payload (image, audio, clip) is one blob and its metadata (seed, duration, usage...) another.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from storyreel.storage.base import BlobNotFound, BlobStore


def cache_key(capability: str, provider: str, model: str, request: dict[str, Any]) -> str:
    material = {"capability": capability, "provider": provider, "model": model, "request": request}
    blob = json.dumps(material, sort_keys=True, ensure_ascii=False, default=str).encode()
    return hashlib.sha256(blob).hexdigest()


@dataclass
class CachedResult:
    key: str
    payload_key: str
    meta: dict[str, Any]


class ResultCache:
    """Payload at ``{root}/{capability}/…/{key}.{ext}``; metadata in ``{key}.meta.json``.

    ``root`` is ``cache`` for work of no project; a project's work has its own
    (``projects/{id}/cache``), so deleting the project leaves none of its results behind."""

    def __init__(self, store: BlobStore, root: str = "cache") -> None:
        self.store = store
        self.root = root.rstrip("/")

    def within(self, root: str | None) -> ResultCache:
        """The same cache under another root (None: this one)."""
        return self if root is None or root == self.root else ResultCache(self.store, root)

    def _keys(self, capability: str, key: str, ext: str) -> tuple[str, str]:
        base = f"{self.root}/{capability}/{key[:2]}/{key}"
        return f"{base}.{ext}", f"{base}.meta.json"

    def get(self, capability: str, key: str, ext: str) -> CachedResult | None:
        payload_key, meta_key = self._keys(capability, key, ext)
        try:
            meta = json.loads(self.store.read_bytes(meta_key))
        except (BlobNotFound, ValueError):
            return None
        if not self.store.exists(payload_key):
            return None
        return CachedResult(key, payload_key, meta)

    def put(
        self, capability: str, key: str, ext: str, payload: bytes, meta: dict[str, Any]
    ) -> CachedResult:
        payload_key, meta_key = self._keys(capability, key, ext)
        self.store.put(payload_key, payload)
        # Metadata last: its presence marks the entry complete.
        self.store.put(meta_key, json.dumps(meta, ensure_ascii=False).encode())
        return CachedResult(key, payload_key, meta)
