"""Find the FFmpeg binary and run it: timeout, cancellation, progress, errors with stderr."""

from __future__ import annotations

import functools
import os
import shlex
import signal
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path

from storyreel.domain.cancel import Cancelled, CancelToken

STDERR_TAIL_CHARS = 4000


class FFmpegNotFound(RuntimeError):
    """No usable FFmpeg binary."""


class FFmpegError(RuntimeError):
    """FFmpeg exited non-zero; carries the command and the tail of its stderr."""

    def __init__(self, argv: Sequence[str], returncode: int | None, stderr_tail: str) -> None:
        self.argv = list(argv)
        self.returncode = returncode
        self.stderr_tail = stderr_tail
        super().__init__(
            f"ffmpeg failed (exit {returncode}): {shlex.join(self.argv)}\n{stderr_tail}"
        )


class FFmpegTimeout(FFmpegError):
    """FFmpeg ran past its time limit and was killed."""


@lru_cache(maxsize=4)
def find_ffmpeg(configured: Path | None = None) -> str:
    """The configured binary (``STORYREEL_FFMPEG``) or the one bundled with imageio-ffmpeg."""
    if configured is not None:
        if not os.access(configured, os.X_OK):
            raise FFmpegNotFound(f"STORYREEL_FFMPEG={configured} is not an executable file")
        return str(configured)
    try:
        import imageio_ffmpeg
    except ImportError as err:  # pragma: no cover - it is a hard dependency
        raise FFmpegNotFound(
            "imageio-ffmpeg is not installed; reinstall storyreel or set STORYREEL_FFMPEG"
        ) from err
    return str(imageio_ffmpeg.get_ffmpeg_exe())


@functools.lru_cache(maxsize=8)
def ffmpeg_build(binary: str) -> str:
    """The first line of ``ffmpeg -version`` (version and build), part of every render cache key:
    the workers of one cluster may run different builds, and segments are joined by stream
    copy, so a segment is only interchangeable with one made by the same build."""
    try:
        done = subprocess.run(
            [binary, "-hide_banner", "-version"], capture_output=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as err:
        raise FFmpegNotFound(f"cannot run {binary} (set STORYREEL_FFMPEG): {err}") from None
    first = done.stdout.decode("utf-8", "replace").splitlines()[:1]
    if done.returncode != 0 or not first:
        raise FFmpegNotFound(f"{binary} -version failed (set STORYREEL_FFMPEG to a working FFmpeg)")
    return first[0].strip()


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()


ProgressCallback = Callable[[float], None]


def run_ffmpeg(
    argv: Sequence[str],
    *,
    timeout: float | None = None,
    cancel: CancelToken | None = None,
    on_progress: ProgressCallback | None = None,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> str:
    """Run an FFmpeg command line; return its stderr tail.

    ``on_progress`` receives output seconds written so far (the command must contain
    ``-progress pipe:1``). Raises ``FFmpegTimeout``, ``Cancelled`` or ``FFmpegError``; the
    process group is killed in every failure case, so no FFmpeg outlives its caller's intent.
    """
    if cancel is not None:
        cancel.raise_if_cancelled()
    proc = subprocess.Popen(
        list(argv),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=cwd,
        env={**os.environ, **env} if env else None,
        start_new_session=True,  # its own group, so a kill reaches any helper it spawns
    )
    unregister = cancel.on_cancel(lambda: _kill_group(proc)) if cancel is not None else None
    stderr_tail: deque[str] = deque(maxlen=200)

    def read_stderr() -> None:
        assert proc.stderr is not None
        for raw in proc.stderr:
            stderr_tail.append(raw.decode("utf-8", "replace").rstrip())

    def read_progress() -> None:
        assert proc.stdout is not None
        for raw in proc.stdout:
            key, _, value = raw.decode("ascii", "replace").strip().partition("=")
            if on_progress is not None and key == "out_time_us" and value.lstrip("-").isdigit():
                on_progress(max(0, int(value)) / 1e6)

    readers = [
        threading.Thread(target=read_stderr, daemon=True),
        threading.Thread(target=read_progress, daemon=True),
    ]
    for t in readers:
        t.start()
    started = time.monotonic()
    timed_out = False
    try:
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            _kill_group(proc)
            proc.wait()
    except BaseException:
        _kill_group(proc)
        proc.wait()
        raise
    finally:
        if unregister is not None:
            unregister()
        for t in readers:
            t.join(timeout=5)
    tail = "\n".join(stderr_tail)[-STDERR_TAIL_CHARS:]
    if cancel is not None and cancel.cancelled:
        raise Cancelled("ffmpeg was cancelled")
    if timed_out:
        raise FFmpegTimeout(
            argv, proc.returncode, f"killed after {time.monotonic() - started:.1f}s\n{tail}"
        )
    if proc.returncode != 0:
        raise FFmpegError(argv, proc.returncode, tail)
    return tail
