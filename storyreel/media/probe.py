"""Read media facts through FFmpeg's libraries (PyAV), never by parsing FFmpeg's log."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av


class ProbeError(ValueError):
    """The file is not media we can read."""


@dataclass(frozen=True)
class VideoStreamInfo:
    codec: str
    width: int
    height: int
    fps: Fraction | None
    frames: int | None
    pix_fmt: str | None
    profile: str | None
    color_primaries: str | None
    color_trc: str | None
    colorspace: str | None


@dataclass(frozen=True)
class AudioStreamInfo:
    codec: str
    sample_rate: int
    channels: int


@dataclass(frozen=True)
class MediaInfo:
    path: Path
    format_name: str
    duration: float | None
    video: VideoStreamInfo | None
    audio: AudioStreamInfo | None


# ISO/IEC 23091-4 code points shared by primaries, transfer and matrix (the ones we meet).
_COLOR_CODES = {1: "bt709", 4: "bt470m", 5: "bt470bg", 6: "smpte170m", 7: "smpte240m", 9: "bt2020"}


def _enum_name(value: object) -> str | None:
    """Colour tags as names ('bt709'); None when unspecified."""
    if value is None:
        return None
    if isinstance(value, int):
        return _COLOR_CODES.get(value)
    name = getattr(value, "name", None)
    return str(name if name is not None else value).lower()


def _decodes(container: av.container.InputContainer) -> bool:
    """Whether the first picture (or, without one, the first sound) actually decodes."""
    streams = container.streams.video or container.streams.audio
    if not streams:
        return False
    for _frame in container.decode(streams[0]):
        return True
    return False


def probe(path: Path, *, decode: bool = False) -> MediaInfo:
    """Describe the first video and audio stream of ``path``; raise ``ProbeError`` if unreadable.

    With ``decode``, also decode the first frame: a truncated or corrupt file can have a valid
    header, and we would rather say so now than halfway through a render.
    """
    try:
        with av.open(str(path)) as container:
            video = None
            audio = None
            if container.streams.video:
                vs = container.streams.video[0]
                cc = vs.codec_context
                video = VideoStreamInfo(
                    codec=cc.name,
                    width=cc.width,
                    height=cc.height,
                    fps=Fraction(vs.average_rate) if vs.average_rate else None,
                    frames=vs.frames or None,
                    pix_fmt=cc.pix_fmt,
                    profile=cc.profile,
                    color_primaries=_enum_name(getattr(cc, "color_primaries", None)),
                    color_trc=_enum_name(getattr(cc, "color_trc", None)),
                    colorspace=_enum_name(getattr(cc, "colorspace", None)),
                )
            if container.streams.audio:
                a = container.streams.audio[0].codec_context
                audio = AudioStreamInfo(
                    codec=a.name, sample_rate=a.sample_rate, channels=a.channels
                )
            duration = container.duration / 1e6 if container.duration is not None else None
            if duration is None:
                stream = (container.streams.video or container.streams.audio or [None])[0]
                if stream is not None and stream.duration is not None and stream.time_base:
                    duration = float(stream.duration * stream.time_base)
            if decode and not _decodes(container):
                raise ProbeError(f"{path.name}: no frame could be decoded")
            return MediaInfo(path, container.format.name, duration, video, audio)
    except (av.FFmpegError, OSError, UnicodeDecodeError) as err:
        raise ProbeError(f"{path.name}: not readable media ({err})") from err
