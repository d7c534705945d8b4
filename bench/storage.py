"""Storage benchmark: the S3 store against the local store, and the questions ADR 0008 answers.

Prints, measured in one run (medians of --repeat):
  * upload and download of a 50 MB render on each store (MB/s), and the peak RSS growth of this
    process during the upload (the upload must stream: goal ≤ 64 MB);
  * downloads of that render over HTTP both ways the API could serve it from S3: proxied by
    the API (ranged reads from the store, streamed through) or redirected (307) to a presigned
    URL: time to first byte, a seek (a 1 MB Range at 70 %), and a whole download;
  * the render segment cache question: what a segment costs to encode, against what it costs
    to download from the store (so: share segments as blobs, or rebuild them on each worker?).

By default a SeaweedFS server is started on loopback as the tests do (tests/services.py); pass
--endpoint/--bucket/--access-key/--secret-key for another S3 server.

    python bench/storage.py [--repeat 3] [--size-mb 50]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import psutil
import uvicorn
from fastapi import FastAPI, Header
from fastapi.responses import RedirectResponse, Response, StreamingResponse

from storyreel.media.ffmpeg import find_ffmpeg
from storyreel.media.render import Renderer
from storyreel.settings import S3Settings, Settings
from storyreel.storage.base import BlobStore
from storyreel.storage.cache import BlobCache
from storyreel.storage.local import LocalBlobStore
from storyreel.storage.s3 import MiB, S3BlobStore

CHUNK = 256 * 1024  # what the API's download route streams in
med = statistics.median


class PeakRss:
    """Samples this process's resident memory every 5 ms; ``growth`` is peak minus start."""

    def __init__(self) -> None:
        self.proc = psutil.Process()
        self.start = self.peak = self.proc.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.proc.memory_info().rss)
            self._stop.wait(0.005)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def growth(self) -> int:
        return self.peak - self.start


def timed(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def drain(f: Any) -> int:
    n = 0
    with f:
        while chunk := f.read(CHUNK):
            n += len(chunk)
    return n


# --- 1. upload and download -----------------------------------------------------------------


def transfer_figures(
    name: str, store: BlobStore, source: Path, repeat: int, fresh_cache: Callable[[], None]
) -> dict[str, float]:
    size_mb = source.stat().st_size / 1e6
    store.put("bench/warm-up.bin", b"x")  # clients and connection pools exist before we measure
    ups, downs, files, growth = [], [], [], []
    for run in range(repeat):
        key = f"bench/render-{run}.mp4"
        with PeakRss() as rss:
            ups.append(timed(lambda: store.put(key, source)))  # noqa: B023
        growth.append(rss.growth)
        downs.append(timed(lambda: drain(store.open(key))))  # noqa: B023
        fresh_cache()
        files.append(timed(lambda: store.local_file(key)))  # noqa: B023
    for run in range(repeat):
        store.delete(f"bench/render-{run}.mp4")
    figures = {
        "upload MB/s": size_mb / med(ups),
        "download (stream) MB/s": size_mb / med(downs),
        "local_file, cold MB/s": size_mb / med(files),
        "upload RSS growth MB": max(growth) / 2**20,
    }
    print(f"  {name}: " + ", ".join(f"{k} {v:.1f}" for k, v in figures.items()))
    return figures


# --- 2. proxy or redirect -------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def chunks(f: Any) -> Iterator[bytes]:
    with f:
        while chunk := f.read(CHUNK):
            yield chunk


def download_app(store: S3BlobStore, key: str, size: int) -> FastAPI:
    """The two ways the API's content route can answer for a remote store, reduced to the
    storage part (the signature check and database lookup are the same both ways)."""
    app = FastAPI()

    @app.get("/proxy")
    def proxy(range_header: str | None = Header(None, alias="Range")) -> Response:
        if range_header:
            first_s, last_s = range_header.removeprefix("bytes=").split("-")
            first, last = int(first_s), min(int(last_s or size - 1), size - 1)
            return StreamingResponse(
                chunks(store.open_range(key, first, last)),
                status_code=206,
                headers={
                    "Content-Range": f"bytes {first}-{last}/{size}",
                    "Content-Length": str(last - first + 1),
                },
            )
        return StreamingResponse(
            chunks(store.open_range(key, 0, None)),
            headers={"Content-Length": str(size)},
        )

    @app.get("/redirect")
    def redirect() -> Response:
        return RedirectResponse(store.url(key, 600, "render.mp4", inline=True), status_code=307)

    return app


@contextlib.contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join()


def http_figures(store: S3BlobStore, source: Path, repeat: int) -> dict[str, dict[str, float]]:
    key = "bench/served.mp4"
    size = store.put(key, source).size
    seek_at = int(size * 0.7)
    results: dict[str, dict[str, float]] = {}
    with serve(download_app(store, key, size)) as base, httpx.Client(timeout=60) as client:

        def first_byte(path: str, headers: dict[str, str]) -> tuple[float, int]:
            t0 = time.perf_counter()
            with client.stream("GET", base + path, headers=headers, follow_redirects=True) as r:
                got = 0
                first = 0.0
                for chunk in r.iter_raw(CHUNK):
                    if not got:
                        first = time.perf_counter() - t0
                    got += len(chunk)
                assert r.status_code in (200, 206), r.status_code
            return first, got

        for way in ("proxy", "redirect"):
            ttfb, seeks, whole = [], [], []
            for _ in range(repeat):
                ttfb.append(first_byte(f"/{way}", {"Range": "bytes=0-65535"})[0])
                span = {"Range": f"bytes={seek_at}-{seek_at + MiB - 1}"}
                seeks.append(timed(lambda: first_byte(f"/{way}", span)))  # noqa: B023
                whole.append(timed(lambda: first_byte(f"/{way}", {})))  # noqa: B023
            results[way] = {
                "first byte ms": med(ttfb) * 1000,
                "seek (1 MB at 70 %) ms": med(seeks) * 1000,
                "whole MB/s": size / 1e6 / med(whole),
            }
    store.delete(key)
    return results


# --- 3. segments: encode or download --------------------------------------------------------


def segment_figures(store: S3BlobStore, work: Path, repeat: int) -> dict[str, float]:
    """Encode one 4.6 s 1280x720@30 Ken Burns clip segment (the unit of the render cache) with
    the real renderer; then upload it as a blob and time fetching it into a cold worker cache."""
    media = work / "segment-media"
    media.mkdir()
    subprocess.run(
        [find_ffmpeg(), "-loglevel", "error", "-y", "-f", "lavfi", "-i",
         "gradients=s=1920x1080:c0=0x402818:c1=0xd8b080:seed=3,noise=alls=12:allf=u",
         "-frames:v", "1", str(media / "shot.png")],
        check=True,
    )  # fmt: skip
    timeline = media / "timeline.json"
    timeline.write_text(
        json.dumps(
            {
                "version": 1,
                "canvas": {"width": 1280, "height": 720, "fps": 30},
                "clips": [
                    {
                        "source": "shot.png",
                        "duration": 4.6,
                        "motion": {"type": "zoom_in", "strength": 0.1},
                    }
                ],
                "subtitles": [{"start": 0.5, "end": 4.0, "text": "The keeper climbs — 守塔人"}],
                "output": {"quality": "final"},
            }
        )
    )
    renderer = Renderer(Settings(data_dir=work / "render-data", render_jobs=1))
    out = work / "segment-render.mp4"
    first = renderer.render_file(timeline, out)  # renders the soundtrack too: now cached
    cached = timed(lambda: renderer.render_file(timeline, out))  # every segment reused
    segment = renderer.segment_path(first.segment_keys[0])
    encodes, downloads = [], []
    for _ in range(repeat):
        segment.unlink()
        encodes.append(timed(lambda: renderer.render_file(timeline, out)) - cached)
    blob = f"render-segments/{first.segment_keys[0]}.mp4"
    store.put(blob, segment)
    for run in range(repeat):
        store.cache = BlobCache(work / f"segment-cache-{run}", 1 << 30)
        downloads.append(timed(lambda: store.local_file(blob)))
    encode, download = med(encodes), med(downloads)
    return {
        "segment seconds of video": first.duration,
        "segment MB": segment.stat().st_size / 1e6,
        "encode s (1 job)": encode,
        "download s (cold cache)": download,
        "encode / download": encode / download,
    }


# --- main -----------------------------------------------------------------------------------


def start_local_s3(folder: Path) -> tuple[Any, S3Settings]:
    """The test suite's SeaweedFS server (tests/services.py) on loopback, its data in ``folder``
    (made here), and the settings that reach it with its keys. Stop it with ``.stop()``; make
    buckets with ``.create_bucket(name)``. Shared with bench/make.py."""
    # tests/ is not installed: import it from the checkout.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.services import S3_ACCESS_KEY, S3_REGION, S3_SECRET_KEY, start_seaweedfs

    folder.mkdir(parents=True)
    server = start_seaweedfs(folder)
    s3 = S3Settings(
        endpoint_url=server.endpoint_url,
        region=S3_REGION,
        access_key_id=S3_ACCESS_KEY,
        secret_access_key=S3_SECRET_KEY,
    )
    return server, s3


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--size-mb", type=int, default=50)
    parser.add_argument("--endpoint", help="an S3 server to use instead of a local SeaweedFS")
    parser.add_argument("--bucket", default="storyreel-bench")
    parser.add_argument("--access-key")
    parser.add_argument("--secret-key")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="storyreel-bench-storage-"))
    server = None
    try:
        if args.endpoint:
            s3 = S3Settings(
                endpoint_url=args.endpoint,
                access_key_id=args.access_key,
                secret_access_key=args.secret_key,
            )
        else:
            server, s3 = start_local_s3(work / "seaweedfs")
            server.create_bucket(args.bucket)
        source = work / "render.mp4"
        with source.open("wb") as f:  # incompressible, like an encoded video
            for _ in range(args.size_mb):
                f.write(os.urandom(1_000_000))

        print(f"{args.size_mb} MB file, medians of {args.repeat}, S3 at {s3.endpoint_url}")
        cache_root = work / "worker-cache"
        s3_store = S3BlobStore(args.bucket, "bench", s3, cache=BlobCache(cache_root, 1 << 30))
        local_store = LocalBlobStore(work / "local-blobs")

        def fresh_s3_cache() -> None:
            shutil.rmtree(cache_root, ignore_errors=True)
            s3_store.cache = BlobCache(cache_root, 1 << 30)

        print("\n1. upload and download")
        s3_fig = transfer_figures("s3", s3_store, source, args.repeat, fresh_s3_cache)
        local_fig = transfer_figures("local", local_store, source, args.repeat, lambda: None)
        print(f"\n  {'figure':<26}{'S3':>10}{'local':>10}{'S3/local':>10}")
        for k in s3_fig:
            ratio = f"{s3_fig[k] / local_fig[k]:>10.2f}" if "MB/s" in k else f"{'':>10}"
            print(f"  {k:<26}{s3_fig[k]:>10.1f}{local_fig[k]:>10.1f}{ratio}")
        rss = s3_fig["upload RSS growth MB"]
        print(
            f"  S3 upload RSS growth {rss:.1f} MB: goal <= 64 MB {'ok' if rss <= 64 else 'MISSED'}"
        )

        print("\n2. API downloads from S3: proxy (ranged reads streamed) or 307 to a presigned URL")
        http = http_figures(s3_store, source, args.repeat)
        print(f"  {'figure':<26}{'proxy':>10}{'redirect':>10}")
        for k in http["proxy"]:
            print(f"  {k:<26}{http['proxy'][k]:>10.1f}{http['redirect'][k]:>10.1f}")

        print("\n3. render segment cache: encode a segment, or download it from the store")
        for k, v in segment_figures(s3_store, work, args.repeat).items():
            print(f"  {k:<28}{v:>10.3f}")
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
