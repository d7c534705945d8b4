"""Blobs in an S3-compatible bucket (AWS, MinIO, SeaweedFS, Ceph RGW, Alibaba OSS) through boto3.

- One client per process, shared by its threads (boto3 clients are thread-safe, sessions are
  not), made on first use and made again in a forked child (a client's connection pool must
  not cross a fork).
- SigV4 and path-style addressing (``endpoint/bucket/key``), which every S3 look-alike serves;
  checksums only where the API requires them, since boto3's newer default (CRC32 on every
  upload, ``aws-chunked`` bodies) is refused by many of them.
- Reads stream (``open`` never reads a whole object; a seek re-requests from the new offset);
  ``open_range`` maps to one ranged GET, for the API's Range downloads.
- Uploads from a file stream through boto3's transfer manager: multipart above
  ``multipart_threshold``, memory bounded by ``multipart_chunksize × max_concurrency``.
- ``put_new`` creates conditionally (``If-None-Match: *``): a 412 means the key exists, which
  for content-addressed keys means the same bytes, so it is success. Servers that do not know
  the header (501) get the fallback: HEAD, then PUT — a racing writer of the same bytes
  overwrites them with identical ones. Multipart uploads use that fallback too (boto3's transfer
  manager does not pass the condition on).
- ``url`` presigns for ``public_url`` with a second client configured for that endpoint (a
  signature covers the host, so a URL signed for the internal name fails from a browser).
- ``local_file`` copies into the worker-local ``BlobCache``.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import mimetypes
import os
import tempfile
import threading
import time
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, ClassVar

import boto3
import botocore.exceptions as boto_errors
from boto3.exceptions import S3TransferFailedError, S3UploadFailedError
from boto3.s3.transfer import TransferConfig
from botocore.config import Config

from storyreel.settings import S3Settings
from storyreel.storage.base import (
    BlobNotFound,
    BlobRef,
    BlobStore,
    InvalidRange,
    StorageError,
    StorageUnavailable,
    StoredKey,
    check_key,
)
from storyreel.storage.cache import BlobCache, is_content_addressed
from storyreel.storage.disposition import content_disposition

MiB = 1 << 20
_TRY_LATER = frozenset({"SlowDown", "ServiceUnavailable", "InternalError", "RequestTimeout"})
READ_CHUNK = MiB
_CREDENTIALS_HINT = (
    "check STORYREEL_S3__ACCESS_KEY_ID and STORYREEL_S3__SECRET_ACCESS_KEY (or the AWS "
    "credential chain when they are unset) and that the key may use the bucket"
)
_DENIED = {
    "AccessDenied",
    "SignatureDoesNotMatch",
    "InvalidAccessKeyId",
    "InvalidToken",
    "ExpiredToken",
    "AllAccessDisabled",
    "403",
}
_MISSING = {"NoSuchKey", "NotFound", "404"}

# Stores whose locks a fork must renew (a lock held by another thread at fork time stays held
# forever in the child).
_stores: weakref.WeakSet[S3BlobStore] = weakref.WeakSet()


def _after_fork() -> None:
    for store in list(_stores):
        store._lock = threading.Lock()


os.register_at_fork(after_in_child=_after_fork)


@dataclass(frozen=True)
class _Clients:
    pid: int
    api: Any  # botocore's S3 client is generated at runtime: no static type
    presign: Any


class S3BlobStore(BlobStore):
    """Keys live under ``prefix`` in ``bucket`` (``s3://bucket/prefix``)."""

    direct_urls: ClassVar[bool] = True

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        settings: S3Settings | None = None,
        *,
        cache: BlobCache | None = None,
        multipart_threshold: int = 16 * MiB,
        multipart_chunksize: int = 8 * MiB,
        max_concurrency: int = 4,
    ) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.settings = settings or S3Settings()
        self.cache = cache or BlobCache(
            Path(tempfile.gettempdir()) / f"storyreel-blobs-{os.getuid()}", 2 << 30
        )
        self.transfer = TransferConfig(
            multipart_threshold=multipart_threshold,
            multipart_chunksize=multipart_chunksize,
            max_concurrency=max_concurrency,
            io_chunksize=256 * 1024,
            use_threads=True,
        )
        self._conditional_create = True  # until the server says it cannot (501)
        self._lock = threading.Lock()
        self._clients: _Clients | None = None
        _stores.add(self)

    def __repr__(self) -> str:
        return f"S3BlobStore(s3://{self.bucket}/{self.prefix}, {self._endpoint})"

    # --- clients ----------------------------------------------------------------------------

    @property
    def _endpoint(self) -> str:
        return self.settings.endpoint_url or "AWS S3"

    def _make_client(self, endpoint: str | None) -> Any:
        s = self.settings
        secret = s.secret_access_key.get_secret_value() if s.secret_access_key else None
        config = Config(
            signature_version="s3v4",
            s3={"addressing_style": "path"},
            retries={"max_attempts": 5, "mode": "standard"},
            connect_timeout=5,
            read_timeout=60,
            max_pool_connections=32,
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        )
        return boto3.session.Session().client(
            "s3",
            endpoint_url=endpoint,
            region_name=s.region,
            aws_access_key_id=s.access_key_id,
            aws_secret_access_key=secret,
            config=config,
        )

    def _get_clients(self) -> _Clients:
        clients = self._clients
        pid = os.getpid()
        if clients is not None and clients.pid == pid:
            return clients
        with self._lock:
            clients = self._clients
            if clients is None or clients.pid != pid:
                api = self._make_client(self.settings.endpoint_url)
                public = self.settings.public_url
                presign = (
                    api
                    if public is None or public == self.settings.endpoint_url
                    else self._make_client(public)
                )
                clients = self._clients = _Clients(pid, api, presign)
        return clients

    @property
    def client(self) -> Any:
        """This process's boto3 S3 client."""
        return self._get_clients().api

    def _object_key(self, key: str) -> str:
        check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    # --- errors -----------------------------------------------------------------------------

    def _translate(self, exc: BaseException, key: str | None) -> Exception:
        where = f"s3://{self.bucket}/{self.prefix}".rstrip("/") + f" at {self._endpoint}"
        if isinstance(exc, S3UploadFailedError | S3TransferFailedError) and isinstance(
            exc.__cause__, boto_errors.ClientError | boto_errors.BotoCoreError
        ):
            exc = exc.__cause__
        if isinstance(exc, boto_errors.ClientError):
            code = str(exc.response.get("Error", {}).get("Code", ""))
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if code == "NoSuchBucket":
                return StorageError(
                    f"the bucket {self.bucket!r} does not exist at {self._endpoint}: create it, "
                    "or fix the bucket in STORYREEL_STORAGE_URL"
                )
            if code in _MISSING or status == 404:
                return BlobNotFound(key or "")
            if code in _DENIED or status == 403:
                return StorageError(f"{where} refused the request ({code}): {_CREDENTIALS_HINT}")
            if (isinstance(status, int) and status >= 500) or code in _TRY_LATER:
                return StorageUnavailable(f"{where}: {code or status} on {key!r}: {exc}")
            return StorageError(f"{where}: {code or status} on {key!r}: {exc}")
        if isinstance(exc, boto_errors.NoCredentialsError | boto_errors.PartialCredentialsError):
            return StorageError(f"no S3 credentials for {where}: {_CREDENTIALS_HINT}")
        if isinstance(exc, boto_errors.ConnectionError | boto_errors.HTTPClientError):
            return StorageUnavailable(
                f"cannot reach the S3 server {self._endpoint} ({exc}): check "
                "STORYREEL_S3__ENDPOINT_URL and that the server is up"
            )
        return StorageError(f"{where}: {exc}")

    @contextlib.contextmanager
    def _errors(self, key: str | None) -> Iterator[None]:
        try:
            yield
        except (
            boto_errors.BotoCoreError,
            boto_errors.ClientError,
            S3UploadFailedError,
            S3TransferFailedError,
        ) as exc:
            raise self._translate(exc, key) from exc

    # --- writes -----------------------------------------------------------------------------

    def put(self, key: str, data: bytes | Path) -> BlobRef:
        ref, _ = self._put(key, data, if_absent=False)
        return ref

    def put_new(self, key: str, data: bytes | Path) -> BlobRef | None:
        ref, written = self._put(key, data, if_absent=True)
        return ref if written else None

    def _put(self, key: str, data: bytes | Path, *, if_absent: bool) -> tuple[BlobRef, bool]:
        """Write (or, ``if_absent``, create) ``key``; returns its ref and whether it wrote."""
        name = self._object_key(key)
        extra: dict[str, Any] = {}
        mime = mimetypes.guess_type(key)[0]
        if mime:
            extra["ContentType"] = mime
        if isinstance(data, Path):
            size, digest = _file_digest(data)
        else:
            size, digest = len(data), hashlib.sha256(data).hexdigest()
        extra["Metadata"] = {"sha256": digest}
        ref = BlobRef(key=key, size=size, sha256=digest)
        large = isinstance(data, Path) and size >= self.transfer.multipart_threshold
        if if_absent and (large or not self._conditional_create):
            if self.exists(key):
                return ref, False
            if_absent = False
        with self._errors(key):
            if isinstance(data, Path) and large:
                self.client.upload_file(
                    str(data), self.bucket, name, ExtraArgs=extra, Config=self.transfer
                )
                return ref, True
            if not if_absent:
                with _body(data) as body:
                    self.client.put_object(Bucket=self.bucket, Key=name, Body=body, **extra)
                return ref, True
            for attempt in range(3):
                try:
                    with _body(data) as body:
                        self.client.put_object(
                            Bucket=self.bucket, Key=name, Body=body, IfNoneMatch="*", **extra
                        )
                    return ref, True
                except boto_errors.ClientError as exc:
                    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
                    if status == 412:  # already there: the same bytes, by construction
                        return ref, False
                    if status == 409 and attempt < 2:  # AWS: a concurrent conditional write
                        time.sleep(0.1 * (attempt + 1))
                        continue
                    if status != 501:
                        raise
                # 501: the server does not do conditional writes; check, then write.
                self._conditional_create = False
                break
        return self._put(key, data, if_absent=True)

    def delete(self, key: str) -> None:
        with self._errors(key):
            self.client.delete_object(Bucket=self.bucket, Key=self._object_key(key))

    def keys(self, prefix: str = "") -> Iterator[str]:
        """Every key under ``prefix`` (a folder-like prefix of our keys), in key order."""
        for found in self.iter_keys(prefix):
            yield found.key

    def iter_keys(self, prefix: str) -> Iterator[StoredKey]:
        # The prefix is a folder: "projects" must not match "projectsX/…".
        base = f"{check_key(prefix.rstrip('/'))}/" if prefix.strip("/") else ""
        if self.prefix:
            base = f"{self.prefix}/{base}"
        strip = len(self.prefix) + 1 if self.prefix else 0
        paginator = self.client.get_paginator("list_objects_v2")
        with self._errors(prefix):
            for page in paginator.paginate(Bucket=self.bucket, Prefix=base):
                for item in page.get("Contents", []):
                    yield StoredKey(item["Key"][strip:], int(item["Size"]), item["LastModified"])

    def delete_prefix(self, prefix: str) -> None:
        batch: list[dict[str, str]] = []
        for key in self.keys(prefix):
            batch.append({"Key": self._object_key(key)})
            if len(batch) == 1000:  # the most one DeleteObjects takes
                self._delete_batch(batch)
                batch = []
        if batch:
            self._delete_batch(batch)

    def _delete_batch(self, batch: list[dict[str, str]]) -> None:
        with self._errors(None):
            self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True})

    # --- reads ------------------------------------------------------------------------------

    def head(self, key: str) -> dict[str, Any]:
        """The object's metadata (``ContentLength``, ``ETag``...); raises ``BlobNotFound``."""
        with self._errors(key):
            response: dict[str, Any] = self.client.head_object(
                Bucket=self.bucket, Key=self._object_key(key)
            )
        return response

    def exists(self, key: str) -> bool:
        try:
            self.head(key)
        except BlobNotFound:
            return False
        return True

    def size(self, key: str) -> int:
        return int(self.head(key)["ContentLength"])

    def open(self, key: str) -> BinaryIO:
        reader = _S3Reader(self, key, 0, None, seekable=True)
        return io.BufferedReader(reader, buffer_size=256 * 1024)

    def open_range(self, key: str, start: int, end: int | None = None) -> BinaryIO:
        reader = _S3Reader(self, key, start, end, seekable=False)
        return io.BufferedReader(reader, buffer_size=256 * 1024)

    def _get(self, key: str, start: int, end: int | None, etag: str | None) -> dict[str, Any]:
        params: dict[str, Any] = {"Bucket": self.bucket, "Key": self._object_key(key)}
        if start or end is not None:
            params["Range"] = f"bytes={start}-{'' if end is None else end}"
        if etag:
            params["IfMatch"] = etag  # a later request of one stream must see the same object
        with self._errors(key):
            try:
                response: dict[str, Any] = self.client.get_object(**params)
            except boto_errors.ClientError as exc:
                if exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 416:
                    raise InvalidRange(key, start, self.size(key)) from None
                raise
        return response

    def url(
        self, key: str, expires: int = 3600, filename: str | None = None, *, inline: bool = False
    ) -> str:
        params: dict[str, Any] = {"Bucket": self.bucket, "Key": self._object_key(key)}
        if filename:
            params["ResponseContentDisposition"] = content_disposition(filename, inline=inline)
        with self._errors(key):
            url: str = self._get_clients().presign.generate_presigned_url(
                "get_object", Params=params, ExpiresIn=expires
            )
        return url

    def local_file(self, key: str) -> Path:
        etag = None if is_content_addressed(key) else str(self.head(key)["ETag"])

        def fetch(f: BinaryIO) -> None:
            response = self._get(key, 0, None, etag)
            body = response["Body"]
            try:
                for chunk in iter(lambda: body.read(READ_CHUNK), b""):
                    f.write(chunk)
            finally:
                body.close()

        return self.cache.get(key, fetch, version=etag)


class _S3Reader(io.RawIOBase):
    """An object (or a byte range of it) as a raw stream over one GET at a time; a seek drops
    the current response and the next read asks for the rest from the new offset."""

    def __init__(
        self, store: S3BlobStore, key: str, start: int, end: int | None, *, seekable: bool
    ) -> None:
        self._store = store
        self._key = key
        self._seekable = seekable
        response = store._get(key, start, end, None)
        self._body: Any = response["Body"]
        self._etag: str | None = response.get("ETag")
        length = int(response["ContentLength"])
        self._pos = start
        self._stop = start + length  # exclusive
        self._size = _total_size(response, length)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return self._seekable

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if not self._seekable:
            raise io.UnsupportedOperation("a byte range of an object cannot seek")
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        target = max(0, base + offset)
        if target != self._pos:
            self._drop()
            self._pos = target
        return self._pos

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        want = min(len(view), self._stop - self._pos)
        if want <= 0:
            return 0
        if self._body is None:
            response = self._store._get(self._key, self._pos, self._stop - 1, self._etag)
            self._body = response["Body"]
        with self._store._errors(self._key):
            data = self._body.read(want)
        view[: len(data)] = data
        self._pos += len(data)
        return len(data)

    def readall(self) -> bytes:
        out = bytearray()
        while chunk := self.read(READ_CHUNK):
            out += chunk
        return bytes(out)

    def _drop(self) -> None:
        if self._body is not None:
            self._body.close()
            self._body = None

    def close(self) -> None:
        if not self.closed:
            self._drop()
        super().close()


def _total_size(response: dict[str, Any], length: int) -> int:
    content_range = response.get("ContentRange")  # "bytes 0-99/1234"
    if content_range and "/" in content_range:
        total = content_range.rsplit("/", 1)[1]
        if total.isdigit():
            return int(total)
    return length


def _file_digest(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(READ_CHUNK), b""):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


@contextlib.contextmanager
def _body(data: bytes | Path) -> Iterator[bytes | BinaryIO]:
    if isinstance(data, Path):
        with data.open("rb") as f:
            yield f
    else:
        yield data
