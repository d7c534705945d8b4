"""Blob storage: content lives under keys; local folder now, S3-compatible later."""

from storyreel.storage.base import BlobNotFound, BlobRef, BlobStore
from storyreel.storage.local import LocalBlobStore

__all__ = ["BlobNotFound", "BlobRef", "BlobStore", "LocalBlobStore"]
