"""Audio from speech servers as clean 16-bit WAV with an exact duration.

Servers send WAV with streaming headers (sizes 0 or 0xFFFFFFFF, as OpenAI does), raw PCM
(CosyVoice), or compressed audio (MP3, Opus...). Everything becomes a ``Pcm`` — samples we
counted ourselves — and is written back as a WAV whose header is right.
"""

from __future__ import annotations

import struct
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from storyreel.media.ffmpeg import FFmpegError, FFmpegNotFound, find_ffmpeg, run_ffmpeg
from storyreel.providers.base import ProviderError

_PCM = 1
_EXTENSIBLE = 0xFFFE


@dataclass(frozen=True)
class Pcm:
    """Signed 16-bit little-endian samples, channels interleaved."""

    data: bytes
    rate: int
    channels: int = 1

    @property
    def frames(self) -> int:
        return len(self.data) // (2 * self.channels)

    @property
    def duration(self) -> float:
        return self.frames / self.rate

    def wav(self) -> bytes:
        body = self.data[: self.frames * 2 * self.channels]
        header = struct.pack(
            "<4sI4s4sIHHIIHH4sI",
            b"RIFF",
            36 + len(body),
            b"WAVE",
            b"fmt ",
            16,
            _PCM,
            self.channels,
            self.rate,
            self.rate * 2 * self.channels,
            2 * self.channels,
            16,
            b"data",
            len(body),
        )
        return header + body


def pcm16(raw: bytes, rate: int, channels: int = 1) -> Pcm:
    """Raw samples as ``Pcm``; a partial last frame (a stream cut mid-sample) is dropped."""
    frame = 2 * channels
    return Pcm(raw[: len(raw) // frame * frame], rate, channels)


def parse_wav(data: bytes) -> Pcm | None:
    """A 16-bit PCM WAV's samples, trusting the bytes present over the header's sizes; None
    for any other content (another encoding, not a WAV)."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        return None
    position = 12
    fmt: tuple[int, int, int, int] | None = None
    while position + 8 <= len(data):
        chunk, size = struct.unpack_from("<4sI", data, position)
        body = position + 8
        if chunk == b"fmt " and size >= 16:
            tag, channels, rate, _, _, bits = struct.unpack_from("<HHIIHH", data, body)
            if tag == _EXTENSIBLE and size >= 26:
                tag = struct.unpack_from("<H", data, body + 24)[0]
            fmt = (tag, channels, rate, bits)
        elif chunk == b"data":
            if fmt is None or fmt[0] != _PCM or fmt[3] != 16 or fmt[1] < 1 or fmt[2] < 1:
                return None
            # Streaming writers do not know the size yet: 0 or 0xFFFFFFFF means "to the end".
            end = len(data) if size in (0, 0xFFFFFFFF) else min(len(data), body + size)
            return pcm16(data[body:end], rate=fmt[2], channels=fmt[1])
        position = body + size + (size & 1)
    return None


def _atempo(tempo: float) -> str:
    """An FFmpeg filter chain that changes speed by ``tempo`` (each atempo does 0.5–2)."""
    steps: list[float] = []
    while tempo > 2.0:
        steps.append(2.0)
        tempo /= 2.0
    while tempo < 0.5:
        steps.append(0.5)
        tempo /= 0.5
    steps.append(tempo)
    return ",".join(f"atempo={s:.6f}" for s in steps)


def transcode(
    data: bytes,
    *,
    what: str,
    ffmpeg: Path | None = None,
    input_args: Sequence[str] = (),
    tempo: float = 1.0,
    timeout_s: float = 120.0,
) -> Pcm:
    """Any audio FFmpeg reads (``input_args`` describe raw input), as 16-bit PCM, optionally
    sped up or slowed down by ``tempo`` without changing pitch."""
    try:
        binary = find_ffmpeg(ffmpeg)
    except FFmpegNotFound as exc:
        raise ProviderError(f"{what}: cannot convert the audio: {exc}") from exc
    with tempfile.TemporaryDirectory(prefix="storyreel-audio-") as folder:
        source, target = Path(folder) / "in.audio", Path(folder) / "out.wav"
        source.write_bytes(data)
        argv = [binary, "-hide_banner", "-nostdin", "-y", *input_args, "-i", str(source), "-vn"]
        if abs(tempo - 1.0) > 1e-6:
            argv += ["-af", _atempo(tempo)]
        argv += ["-c:a", "pcm_s16le", "-f", "wav", str(target)]
        try:
            run_ffmpeg(argv, timeout=timeout_s)
        except FFmpegError as exc:
            tail = exc.stderr_tail.strip().splitlines()[-3:]
            raise ProviderError(
                f"{what}: the audio could not be decoded: {' / '.join(tail)}", retryable=True
            ) from exc
        pcm = parse_wav(target.read_bytes())
    if pcm is None:  # pragma: no cover - FFmpeg wrote what we asked for
        raise ProviderError(f"{what}: FFmpeg did not produce 16-bit PCM")
    return pcm


def to_pcm(data: bytes, *, what: str, ffmpeg: Path | None = None, tempo: float = 1.0) -> Pcm:
    """Whatever audio a server sent, as ``Pcm``: WAV read directly, the rest through FFmpeg."""
    if not data:
        raise ProviderError(f"{what}: the server sent no audio", retryable=True)
    pcm = parse_wav(data)
    if pcm is not None and abs(tempo - 1.0) <= 1e-6:
        return pcm
    return transcode(data if pcm is None else pcm.wav(), what=what, ffmpeg=ffmpeg, tempo=tempo)
