"""The soundtrack: narration and music mixed, ducked, loudness-normalised and encoded to AAC.

The soundtrack is rendered on its own (the video renderer muxes it in with stream copy) in two
FFmpeg passes: pass 1 measures the loudness of the mix, pass 2 renders the same mix with a
loudness correction derived from that measurement, a true-peak limiter and the AAC encoder.
When the limiter would take a lot off the peaks, a pass 1b measures what it takes.
Command builders are pure; ``render_soundtrack`` is the thin runner around them.
"""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from storyreel.domain.cancel import CancelToken
from storyreel.media.ffmpeg import run_ffmpeg

SAMPLE_RATE = 48_000
AAC_BITRATE = "192k"

# Bump when a change below alters the rendered sound for the same spec, so caches miss.
RECIPE_VERSION = 1

# A few milliseconds of fade at each end of a layer turn a step (an audible click when a sound
# starts or stops on a non-zero sample) into a ramp too short to hear as a fade.
_LAYER_FADE_S = 0.005

# Ducking: the key is the narration bus before loudness correction. A -50 dBFS threshold with
# ratio 20 crushes the music far down whenever anyone speaks, at any usual speech level; mixing
# 15 % of the unducked music back in (mix=0.85) then holds the depth near 11..14 dB (measured
# for speech at -30..-22 LUFS) instead of one that follows how loud the speaker is. 20 ms
# attack ducks within the first syllable; 400 ms release rides over the pauses between words
# so the music does not pump.
_DUCK_THRESHOLD = 0.003
_DUCK_MIX = 0.85
_DUCK_RATIO = 20
_DUCK_ATTACK_MS = 20
_DUCK_RELEASE_MS = 400

# Below this the mix is silence (or nearly): amplifying it to the target would only raise noise.
_SILENT_LUFS = -60.0
# loudnorm's first pass re-feeds its last ~3 s buffer to its input meter when the stream ends,
# counting the ending twice (FFmpeg af_loudnorm.c, request_frame -> filter_frame). Digital
# silence appended to the measured stream makes that re-fed tail silence, which BS.1770 gating
# drops, so the figures describe the mix itself.
_MEASURE_TAIL_S = 4.0
# The limiter runs 4x oversampled, so its sample-peak ceiling approximates a true-peak ceiling;
# it sits 1.5 dB under the requested ceiling because AAC quantisation adds overshoot on decode
# (1 dB was seen to fall short once: a -0.5 dBTP peak from a -2 dBFS ceiling).
_OVERSAMPLED_RATE = 4 * SAMPLE_RATE
_LIMITER_HEADROOM_DB = 1.5
_LIMITER_ATTACK_MS = 5
_LIMITER_RELEASE_MS = 50
# Limiting speech peaks by a dB or two costs well under 0.1 LU. Beyond that (a loud passage in
# a quiet programme, plosive-heavy speech) the loss reaches whole LU, so the limited mix is
# measured again and the shortfall added back as gain before the limiter.
_LIMITING_TOLERATED_DB = 2.0
_MAX_MAKEUP_DB = 12.0

_FMT = re.compile(r"[a-z0-9_]+")
_STEREO_FLOAT = f"aformat=sample_fmts=fltp:sample_rates={SAMPLE_RATE}:channel_layouts=stereo"


@dataclass(frozen=True)
class AudioLayer:
    """A sound placed on the timeline: a narration file or a video clip's own audio."""

    path: Path
    fmt: str
    start: float
    duration: float
    volume: float = 1.0
    source_start: float = 0.0

    def __post_init__(self) -> None:
        _check_fmt(self.fmt)
        _check_number("start", self.start, minimum=0)
        _check_number("duration", self.duration, minimum=0, exclusive=True)
        _check_number("volume", self.volume, minimum=0)
        _check_number("source_start", self.source_start, minimum=0)


@dataclass(frozen=True)
class MusicBed:
    """Background music under the whole video."""

    path: Path
    fmt: str
    volume: float
    duck: bool
    loop: bool
    fade_in: float
    fade_out: float
    #: Seconds into the music file where the bed starts (a stretch of the film mixed on its
    #: own, for live playback, enters the loop where the film is).
    offset: float = 0.0

    def __post_init__(self) -> None:
        _check_fmt(self.fmt)
        _check_number("volume", self.volume, minimum=0)
        _check_number("fade_in", self.fade_in, minimum=0)
        _check_number("fade_out", self.fade_out, minimum=0)
        _check_number("offset", self.offset, minimum=0)


@dataclass(frozen=True)
class MixSpec:
    """Everything that decides the soundtrack; ``total`` is the video's length in seconds."""

    total: float
    voices: tuple[AudioLayer, ...]
    music: MusicBed | None
    loudness: float = -16.0
    true_peak: float = -1.0

    def __post_init__(self) -> None:
        _check_number("total", self.total, minimum=0, exclusive=True)
        _check_number("loudness", self.loudness, minimum=-70, maximum=-5)
        _check_number("true_peak", self.true_peak, minimum=-9, maximum=0)

    @property
    def total_samples(self) -> int:
        return round(self.total * SAMPLE_RATE)

    def cache_key_material(self) -> dict[str, Any]:
        """A JSON-able description of everything that shapes the output (file hashes excluded)."""
        return {
            "recipe": RECIPE_VERSION,
            "total": self.total,
            "loudness": self.loudness,
            "true_peak": self.true_peak,
            "voices": [_layer_material(v) for v in self.voices],
            "music": _layer_material(self.music) if self.music is not None else None,
        }


@dataclass(frozen=True)
class LoudnessMeasurement:
    """What loudnorm's first pass reports about the mix (LUFS, dBTP, LU)."""

    input_i: float
    input_tp: float
    input_lra: float
    input_thresh: float
    target_offset: float

    @property
    def silent(self) -> bool:
        return not math.isfinite(self.input_i) or self.input_i < _SILENT_LUFS


def _check_fmt(fmt: str) -> None:
    # The name goes to `-f`; refusing anything but a plain demuxer name keeps it one argument.
    if not _FMT.fullmatch(fmt):
        raise ValueError(f"not an FFmpeg demuxer name: {fmt!r}")


def _check_number(
    name: str,
    value: float,
    *,
    minimum: float,
    maximum: float | None = None,
    exclusive: bool = False,
) -> None:
    # Numbers are the only thing written into the filter string: NaN or inf would break it.
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, not {value!r}")
    if value < minimum or (exclusive and value == minimum):
        raise ValueError(f"{name} must be {'>' if exclusive else '>='} {minimum:g}, not {value:g}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum:g}, not {value:g}")


def _layer_material(layer: AudioLayer | MusicBed) -> dict[str, Any]:
    material = {k: str(v) if isinstance(v, Path) else v for k, v in asdict(layer).items()}
    if isinstance(layer, MusicBed) and not layer.offset:
        del material["offset"]  # keys of soundtracks mixed before the field existed stay
    return material


def _num(value: float) -> str:
    """A plain decimal for filter strings and argv (never exponent notation, never 'nan')."""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _input_args(
    path: Path, fmt: str, *, loop: bool = False, seek: float = 0.0, duration: float | None = None
) -> list[str]:
    # Only the file protocol and an explicit demuxer: a name with ':' or a crafted file cannot
    # make FFmpeg open a URL, a concat list or an image sequence.
    args = ["-protocol_whitelist", "file", "-f", fmt]
    if loop:
        args += ["-stream_loop", "-1"]
    if seek > 0:
        args += ["-ss", _num(seek)]
    if duration is not None:
        args += ["-t", _num(duration)]
    return [*args, "-i", f"file:{path}"]


def _inputs(spec: MixSpec) -> list[str]:
    """Input arguments in filtergraph order: voices 0..n-1, then the music."""
    args: list[str] = []
    for v in spec.voices:
        args += _input_args(v.path, v.fmt, seek=v.source_start, duration=v.duration)
    if spec.music is not None:
        music = spec.music
        args += _input_args(music.path, music.fmt, loop=music.loop, seek=music.offset)
    return args


def _voice_chain(index: int, layer: AudioLayer) -> str:
    samples = max(1, round(layer.duration * SAMPLE_RATE))
    fade = min(_LAYER_FADE_S, layer.duration / 2)
    length = samples / SAMPLE_RATE
    return (
        f"[{index}:a:0]aresample={SAMPLE_RATE},{_STEREO_FLOAT},asetpts=N/SR/TB,"
        # Pad then cut to exactly the requested length, so the fade-out always lands on the
        # layer's real end even if the file is a little shorter than the caller thought.
        f"apad=whole_len={samples},atrim=end_sample={samples},"
        f"volume={_num(layer.volume)},"
        f"afade=t=in:st=0:d={_num(fade)},afade=t=out:st={_num(length - fade)}:d={_num(fade)},"
        f"adelay=delays={_num(layer.start * 1000)}:all=1[v{index}]"
    )


def _music_chain(index: int, music: MusicBed, total: float, samples: int) -> str:
    chain = (
        f"[{index}:a:0]aresample={SAMPLE_RATE},{_STEREO_FLOAT},asetpts=N/SR/TB,"
        f"atrim=end_sample={samples},volume={_num(music.volume)}"
    )
    fade_in = min(music.fade_in, total)
    fade_out = min(music.fade_out, total)
    if fade_in > 0:
        chain += f",afade=t=in:st=0:d={_num(fade_in)}"
    if fade_out > 0:
        chain += f",afade=t=out:st={_num(total - fade_out)}:d={_num(fade_out)}"
    return chain + "[music]"


def _sum(labels: list[str], out: str) -> str:
    # normalize=0: amix would otherwise divide every input by the input count.
    if len(labels) == 1:
        return f"[{labels[0]}]anull[{out}]"
    joined = "".join(f"[{label}]" for label in labels)
    return (
        f"{joined}amix=inputs={len(labels)}:normalize=0:duration=longest:dropout_transition=0"
        f"[{out}]"
    )


def _ducking() -> list[str]:
    """``[voices]`` and ``[music]`` to ``[vmix]`` and ``[ducked]``: music keyed by the voices."""
    return [
        "[voices]asplit=2[vmix][vkey]",
        # The key is padded without end: sidechaincompress stops when either input ends, and
        # the music must outlive the last sentence.
        "[vkey]apad[vkeyp]",
        "[music][vkeyp]sidechaincompress="
        f"threshold={_num(_DUCK_THRESHOLD)}:ratio={_DUCK_RATIO}:attack={_DUCK_ATTACK_MS}:"
        f"release={_DUCK_RELEASE_MS}:mix={_num(_DUCK_MIX)}[ducked]",
    ]


def _buses(spec: MixSpec) -> tuple[list[str], str | None, str | None]:
    """Chains up to the two buses: the voices (narration and clips' own sound, the ducking key)
    and the music as heard (ducked when asked). Returns the chains and each bus's label, None
    when there is no such bus."""
    samples = spec.total_samples
    chains = [_voice_chain(i, v) for i, v in enumerate(spec.voices)]
    voices = music = None
    if spec.voices:
        chains.append(_sum([f"v{i}" for i in range(len(spec.voices))], "voices"))
        voices = "voices"
    if spec.music is not None:
        chains.append(_music_chain(len(spec.voices), spec.music, spec.total, samples))
        music = "music"
        if spec.music.duck and spec.voices:
            chains += _ducking()
            voices, music = "vmix", "ducked"
    return chains, voices, music


def mix_filtergraph(spec: MixSpec) -> str:
    """The pre-normalisation mix as a filter_complex ending in ``[mix]`` (numbers only)."""
    samples = spec.total_samples
    chains, voices, music = _buses(spec)
    beds = [label for label in (voices, music) if label is not None]
    if beds:
        chains.append(_sum(beds, "bed"))
        chains.append(f"[bed]apad=whole_len={samples},atrim=end_sample={samples}[mix]")
    else:
        chains.append(
            f"anullsrc=r={SAMPLE_RATE}:cl=stereo,atrim=end_sample={samples},{_STEREO_FLOAT}[mix]"
        )
    return ";".join(chains)


# --- stems for the quality check ------------------------------------------------------------

#: Stems are written at 16 kHz: the rate the voice-activity detector wants, and plenty for
#: comparing speech and music levels (K-weighting matters below 40 Hz and above 1.5 kHz).
STEM_RATE = 16_000
# ITU-R BS.1770 K-weighting as FFmpeg biquads: the +4 dB high shelf ("head" filter) and the
# RLB high-pass, at the standard's corner frequencies and Qs. Levels compared after it are
# what a loudness meter would compare.
_K_WEIGHTING = "highshelf=f=1681.97:g=4:t=q:w=0.7072,highpass=f=38.14:t=q:w=0.5003"


@dataclass(frozen=True)
class StemFiles:
    """Raw PCM stems of one mix, each exactly ``total`` seconds at ``STEM_RATE``: the voices bus
    and the music as heard, mono s16le for the voice-activity detector, and K-weighted stereo
    float32 for level comparisons."""

    voice_speech: Path
    music_speech: Path
    voice_weighted: Path
    music_weighted: Path


def _stem_chains(source: str | None, name: str, samples: int) -> list[str]:
    """One bus to its two stem outputs ``[{name}_speech]`` and ``[{name}_weighted]``."""
    if source is None:  # no such bus: exact silence keeps the stems aligned and the same length
        head = f"anullsrc=r={SAMPLE_RATE}:cl=stereo,{_STEREO_FLOAT},atrim=end_sample={samples}"
    else:
        head = f"[{source}]apad=whole_len={samples},atrim=end_sample={samples}"
    return [
        f"{head},asplit=2[{name}_a][{name}_b]",
        f"[{name}_a]aresample={STEM_RATE},"
        f"aformat=sample_fmts=s16:sample_rates={STEM_RATE}:channel_layouts=mono[{name}_speech]",
        f"[{name}_b]{_K_WEIGHTING},aresample={STEM_RATE},"
        f"aformat=sample_fmts=flt:sample_rates={STEM_RATE}:channel_layouts=stereo"
        f"[{name}_weighted]",
    ]


def stems_filtergraph(spec: MixSpec) -> str:
    """The mix's own graph up to its buses (the same ducking), ending in the four stems."""
    chains, voices, music = _buses(spec)
    chains += _stem_chains(voices, "voice", spec.total_samples)
    chains += _stem_chains(music, "music", spec.total_samples)
    return ";".join(chains)


def stems_command(ffmpeg: str, spec: MixSpec, out: StemFiles) -> list[str]:
    """One FFmpeg run writing the four stems of ``spec`` (audio only: seconds, not minutes)."""
    outputs: list[str] = []
    for label, path, codec in (
        ("voice_speech", out.voice_speech, "s16le"),
        ("music_speech", out.music_speech, "s16le"),
        ("voice_weighted", out.voice_weighted, "f32le"),
        ("music_weighted", out.music_weighted, "f32le"),
    ):
        outputs += ["-map", f"[{label}]", "-c:a", f"pcm_{codec}", "-f", codec, f"file:{path}"]
    return [
        ffmpeg,
        "-hide_banner",
        "-nostdin",
        "-nostats",
        "-loglevel",
        "error",
        "-y",
        *_inputs(spec),
        "-filter_complex",
        stems_filtergraph(spec),
        *outputs,
    ]


def render_stems(
    spec: MixSpec,
    out: StemFiles,
    *,
    ffmpeg: str,
    timeout: float | None = None,
    cancel: CancelToken | None = None,
) -> StemFiles:
    """Write the stems of ``spec`` to the paths of ``out`` (the caller removes them)."""
    run_ffmpeg(stems_command(ffmpeg, spec, out), timeout=timeout, cancel=cancel)
    return out


def _measure_argv(ffmpeg: str, spec: MixSpec, chain: str) -> list[str]:
    """Print loudnorm's JSON measurement of ``[mix]`` after ``chain``; write nothing."""
    graph = (
        f"{mix_filtergraph(spec)};"
        f"[mix]{chain}apad=pad_dur={_num(_MEASURE_TAIL_S)},"
        f"loudnorm=I={_num(spec.loudness)}:TP={_num(spec.true_peak)}:print_format=json[out]"
    )
    return [
        ffmpeg,
        "-hide_banner",
        "-nostdin",
        "-nostats",
        "-loglevel",
        "info",
        *_inputs(spec),
        "-filter_complex",
        graph,
        "-map",
        "[out]",
        "-f",
        "null",
        "-",
    ]


def measure_command(ffmpeg: str, spec: MixSpec) -> list[str]:
    """Pass 1: print loudnorm's JSON measurement of the mix to stderr; write nothing."""
    return _measure_argv(ffmpeg, spec, "")


def _gain_db(spec: MixSpec, measured: LoudnessMeasurement | None, makeup_db: float) -> float:
    """The loudness correction: one constant gain (none at all for silence).

    This is the gain loudnorm's linear mode would apply. It is applied with ``volume`` because
    loudnorm silently switches to its dynamic mode (a 3 s AGC that lifts the music in every
    pause and so undoes the ducking) whenever the gained peaks would pass its TP target, which
    speech at -16 LUFS usually does. Those peaks are the true-peak limiter's job instead.
    """
    if measured is None or measured.silent:
        return 0.0
    return spec.loudness - measured.input_i + makeup_db


def _limit_db(spec: MixSpec) -> float:
    return spec.true_peak - _LIMITER_HEADROOM_DB


def _limited(spec: MixSpec, measured: LoudnessMeasurement | None, makeup_db: float) -> str:
    """Filters from the mix to the gained, peak-limited signal (at the oversampled rate)."""
    gain = _gain_db(spec, measured, makeup_db)
    volume = f"volume={_num(gain)}dB," if gain else ""
    return (
        f"{volume}aresample={_OVERSAMPLED_RATE},"
        # level=0: alimiter otherwise re-normalises its output up to 0 dBFS; latency=1 removes
        # its look-ahead delay so the soundtrack stays in sync with the picture.
        f"alimiter=limit={10 ** (_limit_db(spec) / 20):.6f}:level_in=1:level_out=1:level=0:"
        f"latency=1:attack={_LIMITER_ATTACK_MS}:release={_LIMITER_RELEASE_MS},"
    )


def limiting_db(spec: MixSpec, measured: LoudnessMeasurement) -> float:
    """How far the gained mix's peaks would go over the limiter (<= 0: it will not act)."""
    return measured.input_tp + _gain_db(spec, measured, 0.0) - _limit_db(spec)


def measure_limited_command(ffmpeg: str, spec: MixSpec, measured: LoudnessMeasurement) -> list[str]:
    """Pass 1b: measure the mix after gain and limiter, to learn the loudness the limiter took."""
    return _measure_argv(ffmpeg, spec, _limited(spec, measured, 0.0))


def render_command(
    ffmpeg: str,
    spec: MixSpec,
    measured: LoudnessMeasurement | None,
    out: Path,
    *,
    makeup_db: float = 0.0,
) -> list[str]:
    """Pass 2: the mix, normalised with ``measured`` (None or silent: left as is), to AAC/MP4.

    ``makeup_db`` adds gain before the limiter to win back loudness it takes (see pass 1b).
    """
    samples = spec.total_samples
    graph = (
        f"{mix_filtergraph(spec)};[mix]{_limited(spec, measured, makeup_db)}"
        f"aresample={SAMPLE_RATE},{_STEREO_FLOAT},"
        f"apad=whole_len={samples},atrim=end_sample={samples}[out]"
    )
    return [
        ffmpeg,
        "-hide_banner",
        "-nostdin",
        "-nostats",
        "-progress",
        "pipe:1",
        "-y",
        *_inputs(spec),
        "-filter_complex",
        graph,
        "-map",
        "[out]",
        "-c:a",
        "aac",
        "-b:a",
        AAC_BITRATE,
        "-ar",
        str(SAMPLE_RATE),
        "-ac",
        "2",
        "-movflags",
        "+faststart",
        "-f",
        "mp4",
        f"file:{out}",
    ]


_LOUDNORM_JSON = re.compile(r"\{[^{}]*\"input_i\"[^{}]*\}", re.DOTALL)
_MEASUREMENT_KEYS = ("input_i", "input_tp", "input_lra", "input_thresh", "target_offset")


def parse_loudnorm(stderr: str) -> LoudnessMeasurement:
    """Read loudnorm's ``print_format=json`` block (the last one) out of FFmpeg's stderr."""
    blocks = _LOUDNORM_JSON.findall(stderr)
    if not blocks:
        raise ValueError("no loudnorm measurement (JSON with 'input_i') in FFmpeg's output")
    try:
        data = json.loads(blocks[-1])
        # loudnorm writes numbers as strings, including "-inf" for silence.
        values = {key: float(data[key]) for key in _MEASUREMENT_KEYS}
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as err:
        raise ValueError(f"unreadable loudnorm measurement: {err}") from err
    return LoudnessMeasurement(**values)


def _remaining(deadline: float | None) -> float | None:
    return None if deadline is None else max(0.001, deadline - time.monotonic())


def _measure(
    spec: MixSpec, ffmpeg: str, deadline: float | None, cancel: CancelToken | None
) -> tuple[LoudnessMeasurement | None, float]:
    """Pass 1 (and 1b when the limiter will work hard): the measurement and the makeup gain."""
    if not spec.voices and spec.music is None:  # pure silence has nothing to measure
        return None, 0.0
    stderr = run_ffmpeg(measure_command(ffmpeg, spec), timeout=_remaining(deadline), cancel=cancel)
    measured = parse_loudnorm(stderr)
    if measured.silent or limiting_db(spec, measured) <= _LIMITING_TOLERATED_DB:
        return measured, 0.0
    stderr = run_ffmpeg(
        measure_limited_command(ffmpeg, spec, measured),
        timeout=_remaining(deadline),
        cancel=cancel,
    )
    limited = parse_loudnorm(stderr)
    # One step of makeup: the limiter then takes a little more, but far less than it took.
    makeup = min(_MAX_MAKEUP_DB, max(0.0, spec.loudness - limited.input_i))
    return measured, makeup


def render_soundtrack(
    spec: MixSpec,
    out: Path,
    *,
    ffmpeg: str,
    timeout: float | None = None,
    cancel: CancelToken | None = None,
) -> None:
    """Measure, then render the soundtrack to ``out``; ``out`` appears only when complete.

    ``timeout`` bounds all passes together. Raises what ``run_ffmpeg`` raises (FFmpegError,
    FFmpegTimeout, Cancelled); on any failure no partial file is left behind.
    """
    deadline = None if timeout is None else time.monotonic() + timeout
    measured, makeup = _measure(spec, ffmpeg, deadline, cancel)
    # A temporary name in the destination folder, so the final rename is atomic.
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        run_ffmpeg(
            render_command(ffmpeg, spec, measured, tmp, makeup_db=makeup),
            timeout=_remaining(deadline),
            cancel=cancel,
        )
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
