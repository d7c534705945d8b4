"""Watch while it renders: the render's segments as a growing HLS playlist.

Every segment the renderer finishes is already H.264 for the film. Here it is only *remuxed*
(stream copy, never a second encode) into an MPEG-TS file together with its stretch of the
soundtrack, stamped with its place on the film's clock (``-output_ts_offset``), so the
playlist needs no discontinuities. The playlist lists the longest run of ready segments from
the film's start; it is an ``EVENT`` playlist that gains ``#EXT-X-ENDLIST`` when the render is
done. The final MP4 is still joined as before and stays the download.

Sound: once the film's soundtrack is mixed, each segment's sound is cut from it. Before that (a
fresh render mixes it beside the first segments), the segment's stretch is mixed on its own
from the same voices and music and normalised to the same loudness target — a few hundred
milliseconds of audio work instead of waiting for the whole film's mix.

Remuxing runs on one background thread in film order, so the encoders never wait for it.
"""

from __future__ import annotations

import logging
import math
import queue
import secrets
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path

from storyreel.domain.cancel import Cancelled
from storyreel.media.audio import AudioLayer, MixSpec, render_soundtrack
from storyreel.media.ffmpeg import FFmpegError, run_ffmpeg

log = logging.getLogger(__name__)

PLAYLIST = "playlist.m3u8"
#: Segment files are named by their place in the film; nothing else is ever published.
SEGMENT_NAME_PATTERN = r"[0-9]{5}\.ts"
_MIN_AUDIO_S = 0.05  # a stretch of sound shorter than this is left out of a window's mix

#: ``publish(name, file)``: make ``file`` readable as ``name`` (the playlist is published again
#: each time it grows, so it must overwrite; segments are published once).
Publish = Callable[[str, Path], None]


def segment_name(index: int) -> str:
    return f"{index:05d}.ts"


@dataclass(frozen=True)
class LiveSegment:
    """Where one render segment sits on the film's clock."""

    index: int
    start: float  # seconds
    duration: float
    key: str


def playlist_text(segments: list[LiveSegment], *, target_s: int, ended: bool) -> str:
    """An HLS media playlist (version 3, MPEG-TS) of ``segments`` in film order."""
    lines = [
        "#EXTM3U",
        "#EXT-X-VERSION:3",
        f"#EXT-X-TARGETDURATION:{target_s}",
        "#EXT-X-MEDIA-SEQUENCE:0",
        # EVENT: segments are only ever appended, so a player may start at the beginning and
        # seek anywhere in what is there.
        "#EXT-X-PLAYLIST-TYPE:EVENT",
        "#EXT-X-INDEPENDENT-SEGMENTS",  # every segment starts on its own keyframe
    ]
    for seg in segments:
        lines += [f"#EXTINF:{seg.duration:.6f},", segment_name(seg.index)]
    if ended:
        lines.append("#EXT-X-ENDLIST")
    return "\n".join(lines) + "\n"


def window_spec(spec: MixSpec, start: float, end: float, music_seconds: float | None) -> MixSpec:
    """The soundtrack's description for ``[start, end)`` alone, on a clock starting at 0.

    Voices are cut to the window (seeking into their files); the music bed is entered at the
    right place in its loop; fades are kept where the window holds the film's own start or
    end. Loudness is normalised per window, to the film's target.
    """
    length = end - start
    voices: list[AudioLayer] = []
    for v in spec.voices:
        a, b = max(v.start, start), min(v.start + v.duration, end)
        if b - a >= _MIN_AUDIO_S:
            voices.append(
                replace(
                    v, start=a - start, duration=b - a, source_start=v.source_start + a - v.start
                )
            )
    music = spec.music
    if music is not None:
        offset = start
        if music.loop and music_seconds:
            offset = math.fmod(start, music_seconds)
        at_end = end >= spec.total - 1e-3
        music = replace(
            music,
            offset=max(0.0, offset),
            fade_in=max(0.0, music.fade_in - start),
            fade_out=min(music.fade_out, length) if at_end else 0.0,
        )
    return replace(spec, total=length, voices=tuple(voices), music=music)


def ts_command(
    ffmpeg: str,
    *,
    video: Path,
    audio: Path,
    audio_start: float,
    duration: float,
    offset: float,
    out: Path,
) -> list[str]:
    """Remux one encoded segment and its sound into MPEG-TS placed at ``offset`` seconds.

    The picture is copied; the sound (``audio`` from ``audio_start``) is encoded to AAC, which
    for a few seconds of audio costs a few milliseconds.
    """
    seek = ["-ss", f"{audio_start:.6f}"] if audio_start > 0 else []
    return [
        ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
        "-protocol_whitelist", "file", "-f", "mov", "-i", f"file:{video}",
        "-protocol_whitelist", "file", *seek, "-t", f"{duration:.6f}",
        "-f", "mov", "-i", f"file:{audio}",
        "-map", "0:v:0", "-map", "1:a:0", "-c:v", "copy", "-c:a", "aac", "-b:a", "160k",
        "-t", f"{duration:.6f}",
        # Timestamps on the film's clock: the segments join without discontinuities.
        "-output_ts_offset", f"{offset:.6f}", "-muxdelay", "0", "-muxpreload", "0",
        "-f", "mpegts", f"file:{out}",
    ]  # fmt: skip


class LiveStream:
    """A render's growing HLS playlist. The renderer calls ``begin`` with the film's segments,
    ``segment_ready``/``soundtrack_ready`` as parts land, and ``finish`` when the MP4 is done
    (or ``close`` when the render stops). Failures here are logged, never raised into the
    render: watching is a convenience, the film is the product."""

    def __init__(
        self,
        *,
        ffmpeg: str,
        work: Path,
        publish: Publish,
        timeout_s: float = 120.0,
    ) -> None:
        self.ffmpeg = ffmpeg
        self.work = work
        self.publish = publish
        self.timeout_s = timeout_s
        self._segments: list[LiveSegment] = []
        self._files: dict[str, Path] = {}  # segment key -> its encoded file
        self._ready: set[int] = set()
        self._spec: MixSpec | None = None
        self._music_seconds: float | None = None
        self._soundtrack: Path | None = None
        self._published = 0  # segments in the playlist so far (a prefix of the film)
        self._target = 1
        self._ended = False
        self._lock = threading.Lock()
        self._wake: queue.SimpleQueue[bool] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._stopped = threading.Event()
        self.first_published_at: float | None = None  # monotonic time of the first segment

    # --- called by the renderer -----------------------------------------------------------

    def begin(
        self,
        segments: list[LiveSegment],
        files: dict[str, Path],
        spec: MixSpec,
        music_seconds: float | None,
    ) -> None:
        """The film's segments in order, as planned now. Called again whenever the plan changes
        (a render started early sees a segment's key change when its picture lands): segments
        not published yet follow the new plan; published ones stay as they were."""
        with self._lock:
            before = {s.index: s.key for s in self._segments}
            self._ready = {
                i
                for i in self._ready
                if i < self._published or before.get(i) == _key_at(segments, i)
            }
            self._segments = segments
            self._files = files
            self._spec = spec
            self._music_seconds = music_seconds
            if self._thread is not None:
                return
            # The longest segment, rounded up, as HLS requires (it may never grow afterwards).
            self._target = max(1, math.ceil(max((s.duration for s in segments), default=1)))
            self.work.mkdir(parents=True, exist_ok=True)
            self._thread = threading.Thread(target=self._run, name="live-hls", daemon=True)
            self._thread.start()

    def segment_ready(self, key: str) -> None:
        """Every segment whose encoded file is ``key`` can now be published."""
        with self._lock:
            self._ready.update(s.index for s in self._segments if s.key == key)
        self._wake.put(True)

    def soundtrack_ready(self, path: Path) -> None:
        with self._lock:
            self._soundtrack = path
        self._wake.put(True)

    def finish(self, wait_s: float = 60.0) -> None:
        """The render is done: publish what is left, then end the playlist."""
        with self._lock:
            self._ended = True
        self._wake.put(True)
        if self._thread is not None:
            self._thread.join(wait_s)
        self.close()

    def close(self) -> None:
        """Stop publishing (the render failed or was cancelled); leaves what was published."""
        self._stopped.set()
        self._wake.put(False)
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(10)
        shutil.rmtree(self.work, ignore_errors=True)

    # --- the publishing thread ------------------------------------------------------------

    def _run(self) -> None:
        while not self._stopped.is_set():
            try:
                self._wake.get(timeout=1.0)
            except queue.Empty:
                continue
            try:
                self._publish_ready()
            except (Cancelled, FFmpegError, OSError) as exc:
                log.warning("live playback stopped: %s", exc)
                return
            with self._lock:
                done = self._ended and self._published == len(self._segments)
            if done:
                self._publish_playlist(ended=True)
                return

    def _publish_ready(self) -> None:
        while not self._stopped.is_set():
            with self._lock:
                if self._published >= len(self._segments) or self._published not in self._ready:
                    return
                seg = self._segments[self._published]
                soundtrack = self._soundtrack
            self._publish_segment(seg, soundtrack)
            with self._lock:
                self._published += 1
            self._publish_playlist(ended=False)

    def _publish_segment(self, seg: LiveSegment, soundtrack: Path | None) -> None:
        tag = secrets.token_hex(4)
        out = self.work / f"{seg.index:05d}.{tag}.ts"
        window = self.work / f"{seg.index:05d}.{tag}.m4a"
        try:
            if soundtrack is not None:
                audio, audio_start = soundtrack, seg.start
            else:
                assert self._spec is not None
                spec = window_spec(
                    self._spec, seg.start, seg.start + seg.duration, self._music_seconds
                )
                render_soundtrack(spec, window, ffmpeg=self.ffmpeg, timeout=self.timeout_s)
                audio, audio_start = window, 0.0
            run_ffmpeg(
                ts_command(
                    self.ffmpeg,
                    video=self._files[seg.key],
                    audio=audio,
                    audio_start=audio_start,
                    duration=seg.duration,
                    offset=seg.start,
                    out=out,
                ),
                timeout=self.timeout_s,
            )
            self.publish(segment_name(seg.index), out)
        finally:
            out.unlink(missing_ok=True)
            window.unlink(missing_ok=True)
        if self.first_published_at is None:
            self.first_published_at = time.monotonic()

    def _publish_playlist(self, *, ended: bool) -> None:
        with self._lock:
            listed = self._segments[: self._published]
        path = self.work / f"playlist.{secrets.token_hex(4)}.m3u8"
        try:
            path.write_text(playlist_text(listed, target_s=self._target, ended=ended), "utf-8")
            self.publish(PLAYLIST, path)
        finally:
            path.unlink(missing_ok=True)


def _key_at(segments: list[LiveSegment], index: int) -> str | None:
    return segments[index].key if index < len(segments) else None


def live_segments(starts_frames: list[tuple[int, int, str]], fps: Fraction) -> list[LiveSegment]:
    """``(start_frame, frames, key)`` per segment in film order → their places in seconds."""
    return [
        LiveSegment(index=i, start=float(start / fps), duration=float(frames / fps), key=key)
        for i, (start, frames, key) in enumerate(starts_frames)
    ]
