"""The soundtrack mixer: pure command building, then real FFmpeg renders measured by FFmpeg."""

from __future__ import annotations

import json
import re
import subprocess
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest

from storyreel.domain.cancel import Cancelled, CancelToken
from storyreel.media.audio import (
    AudioLayer,
    LoudnessMeasurement,
    MixSpec,
    MusicBed,
    limiting_db,
    measure_command,
    measure_limited_command,
    mix_filtergraph,
    parse_loudnorm,
    render_command,
    render_soundtrack,
)
from storyreel.media.ffmpeg import FFmpegError, find_ffmpeg

FFMPEG = find_ffmpeg()
SR = 48_000
# The music bed is a chord below 450 Hz; the synthetic voice lives in 1.5-5 kHz. Keeping the two
# in separate bands lets a spectrum tell how loud the music is while someone speaks.
MUSIC_BAND = (150.0, 450.0)
CHORD = (220.0, 277.18, 329.63)


# ---------------------------------------------------------------------------- media makers


def _lavfi(out: Path, graph: str, *encode: str) -> Path:
    subprocess.run(
        [
            FFMPEG,
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            graph,
            *encode,
            str(out),
        ],
        check=True,
    )
    return out


def _speech(out: Path, seconds: float, seed: int = 1) -> Path:
    """Speech-like noise in 1.5-5 kHz: 4 Hz syllables, each opening with a 4 ms plosive burst
    12 dB above it (so peaks sit ~23 dB over the loudness, as in real speech), and a pattern of
    talking 2 s then pausing 1 s."""
    band = ",".join(["highpass=f=1500"] * 4 + ["lowpass=f=5000"] * 4)
    envelope = "(pow(0.5+0.5*sin(2*PI*4*t),2)+4*lt(mod(t,0.25),0.004))*if(lt(mod(t,3),2),1,0)"
    return _lavfi(
        out,
        # 1 ms frames, so the per-frame envelope can shape 4 ms bursts.
        f"anoisesrc=c=white:r={SR}:a=0.45:d={seconds}:seed={seed}:nb_samples=48,"
        f"volume='{envelope}':eval=frame,{band}",
        "-ac",
        "1",
    )


def _music(out: Path, seconds: float) -> Path:
    """A steady chord, MP3-encoded at 44.1 kHz so resampling and the MP3 demuxer are exercised."""
    tones = "+".join(f"0.2*sin(2*PI*{f}*t)" for f in CHORD)
    return _lavfi(
        out, f"aevalsrc='{tones}':s=44100:d={seconds}", "-c:a", "libmp3lame", "-b:a", "128k"
    )


def _cosine(out: Path, seconds: float) -> Path:
    """A loud 150 Hz cosine: it starts and stops on a peak, the worst case for a click."""
    return _lavfi(out, f"aevalsrc='0.5*cos(2*PI*150*t)':s={SR}:d={seconds}", "-ac", "1")


# ---------------------------------------------------------------------------- measurements


def _decode(path: Path) -> np.ndarray:
    """Decoded PCM (samples x 2) through the FFmpeg CLI, which honours the MP4 edit list."""
    raw = subprocess.run(
        [FFMPEG, "-v", "error", "-i", str(path), "-f", "f32le", "-ac", "2", "-ar", str(SR), "-"],
        check=True,
        capture_output=True,
    ).stdout
    return np.frombuffer(raw, np.float32).reshape(-1, 2)


def _ebur128(path: Path) -> tuple[float, float]:
    """Integrated loudness (LUFS) and true peak (dBTP) of a file, per FFmpeg's ebur128."""
    log = subprocess.run(
        [
            FFMPEG,
            "-hide_banner",
            "-nostats",
            "-i",
            str(path),
            "-af",
            "ebur128=peak=true",
            "-f",
            "null",
            "-",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stderr
    summary = log[log.rindex("Summary:") :]
    integrated = re.search(r"I:\s+(-?[\d.]+|-inf) LUFS", summary)
    peak = re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary)
    assert integrated and peak, summary
    return float(integrated.group(1)), float(peak.group(1))


def _band_db(pcm: np.ndarray, start: float, end: float, band: tuple[float, float]) -> float:
    """Mean power (dB) of the mono-summed signal inside ``band`` over [start, end) seconds."""
    seg = pcm[int(start * SR) : int(end * SR)].mean(axis=1)
    spectrum = np.abs(np.fft.rfft(seg * np.hanning(len(seg)))) ** 2
    freqs = np.fft.rfftfreq(len(seg), 1 / SR)
    inside = (freqs >= band[0]) & (freqs <= band[1])
    return float(10 * np.log10(spectrum[inside].sum() / len(seg) + 1e-30))


# ---------------------------------------------------------------------------- pure tests


def _spec(tmp: Path, **music: Any) -> MixSpec:
    bed = MusicBed(
        tmp / "bed: music.mp3", "mp3", volume=0.25, duck=True, loop=True, fade_in=1, fade_out=2
    )
    return MixSpec(
        total=12.0,
        voices=(
            AudioLayer(tmp / "shot:1.wav", "wav", start=1.5, duration=3.0),
            AudioLayer(
                tmp / "clip.mov", "mov", start=6.25, duration=2.0, volume=0.5, source_start=4
            ),
        ),
        music=replace(bed, **music),
    )


def _inputs(argv: list[str]) -> list[tuple[str, str]]:
    """(forced format, url) of every input; each must carry its own protocol whitelist."""
    found = []
    previous = 0
    for i, arg in enumerate(argv):
        if arg == "-i":
            options = argv[previous:i]
            assert options[options.index("-protocol_whitelist") + 1] == "file", options
            found.append((options[options.index("-f") + 1], argv[i + 1]))
            previous = i + 2
    return found


def test_every_input_is_a_forced_format_local_file(tmp_path: Path) -> None:
    spec = _spec(tmp_path)
    measured = LoudnessMeasurement(-20.0, -3.0, 5.0, -30.0, 0.1)
    for argv in (measure_command(FFMPEG, spec), render_command(FFMPEG, spec, measured, tmp_path)):
        assert _inputs(argv) == [
            ("wav", f"file:{tmp_path / 'shot:1.wav'}"),
            ("mov", f"file:{tmp_path / 'clip.mov'}"),
            ("mp3", f"file:{tmp_path / 'bed: music.mp3'}"),
        ]
        graph = argv[argv.index("-filter_complex") + 1]
        assert str(tmp_path) not in graph and "shot" not in graph and "music.mp3" not in graph


def test_filtergraph_places_fades_and_sums_without_normalising(tmp_path: Path) -> None:
    graph = mix_filtergraph(_spec(tmp_path))
    assert "adelay=delays=1500:all=1" in graph
    assert "adelay=delays=6250:all=1" in graph
    assert graph.count("afade=t=in") == 3 and graph.count("afade=t=out") == 3
    assert "volume=0.5" in graph
    assert "amix=inputs=2:normalize=0" in graph
    assert "sidechaincompress=" in graph
    assert graph.endswith("atrim=end_sample=576000[mix]")  # 12 s at 48 kHz, exactly


def test_music_options_shape_its_chain(tmp_path: Path) -> None:
    looped = measure_command(FFMPEG, _spec(tmp_path))
    assert looped[looped.index("-stream_loop") + 1] == "-1"
    assert "-stream_loop" not in measure_command(FFMPEG, _spec(tmp_path, loop=False))
    assert "sidechaincompress" not in mix_filtergraph(_spec(tmp_path, duck=False))
    # Fades longer than the video are clamped to it.
    graph = mix_filtergraph(_spec(tmp_path, fade_in=30, fade_out=30))
    assert "afade=t=in:st=0:d=12" in graph and "afade=t=out:st=0:d=12" in graph


def test_missing_parts_drop_out_of_the_graph(tmp_path: Path) -> None:
    voices_only = replace(_spec(tmp_path), music=None)
    assert "[music]" not in mix_filtergraph(voices_only)
    assert "-stream_loop" not in measure_command(FFMPEG, voices_only)
    silence = MixSpec(total=2.5, voices=(), music=None)
    assert mix_filtergraph(silence).startswith("anullsrc=r=48000:cl=stereo")
    assert _inputs(render_command(FFMPEG, silence, None, tmp_path / "o.m4a")) == []


def test_commands_have_the_agreed_outputs(tmp_path: Path) -> None:
    spec = _spec(tmp_path)
    measure = measure_command(FFMPEG, spec)
    assert "print_format=json" in measure[measure.index("-filter_complex") + 1]
    assert measure[-3:] == ["-f", "null", "-"]
    render = render_command(FFMPEG, spec, None, tmp_path / "a:b.m4a")
    joined = " ".join(render)
    for option in ("-progress pipe:1", "-nostats", "-c:a aac", "-b:a 192k", "-ar 48000", "-ac 2"):
        assert option in joined
    assert render[-1] == f"file:{tmp_path / 'a:b.m4a'}"


def _graph(argv: list[str]) -> str:
    return argv[argv.index("-filter_complex") + 1]


def test_the_measurement_sets_one_gain_and_silence_gets_none(tmp_path: Path) -> None:
    spec = _spec(tmp_path)  # target -16 LUFS, ceiling -1 dBTP
    quiet = LoudnessMeasurement(-30.0, -9.0, 4.0, -40.0, 0.0)
    assert "volume=14dB" in _graph(render_command(FFMPEG, spec, quiet, tmp_path / "o"))
    made_up = render_command(FFMPEG, spec, quiet, tmp_path / "o", makeup_db=1.5)
    assert "volume=15.5dB" in _graph(made_up)
    # Peaks at -9 + 14 = +5 dBTP against a limiter at -2.5 dBFS (4x oversampled).
    assert limiting_db(spec, quiet) == pytest.approx(7.5)
    limited = _graph(measure_limited_command(FFMPEG, spec, quiet))
    assert "volume=14dB" in limited and "alimiter=limit=0.749894" in limited
    # A silent measurement is not amplified up to the target.
    silent = LoudnessMeasurement(float("-inf"), float("-inf"), 0.0, -70.0, 0.0)
    assert "dB," not in _graph(render_command(FFMPEG, spec, silent, tmp_path / "o"))


def test_numbers_that_would_break_the_filter_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="start"):
        AudioLayer(tmp_path / "a.wav", "wav", start=float("nan"), duration=1)
    with pytest.raises(ValueError, match="duration"):
        AudioLayer(tmp_path / "a.wav", "wav", start=0, duration=0)
    with pytest.raises(ValueError, match="demuxer"):
        AudioLayer(tmp_path / "a.wav", "wav -i x", start=0, duration=1)
    with pytest.raises(ValueError, match="total"):
        MixSpec(total=float("inf"), voices=(), music=None)


def test_cache_key_material_is_json_and_tracks_every_setting(tmp_path: Path) -> None:
    spec = _spec(tmp_path)
    material = spec.cache_key_material()
    assert json.loads(json.dumps(material)) == material
    assert material["voices"][0]["path"] == str(tmp_path / "shot:1.wav")
    assert replace(spec, loudness=-23).cache_key_material() != material
    assert _spec(tmp_path, volume=0.3).cache_key_material() != material


LOUDNORM_LOG = """[Parsed_loudnorm_9 @ 0x55] \n{
\t"input_i" : "-27.61",\n\t"input_tp" : "-4.47",\n\t"input_lra" : "18.06",
\t"input_thresh" : "-39.20",\n\t"output_i" : "-16.58",\n\t"output_tp" : "-1.50",
\t"output_lra" : "14.78",\n\t"output_thresh" : "-27.71",
\t"normalization_type" : "dynamic",\n\t"target_offset" : "0.58"\n}
[out#0/null @ 0x56] video:0KiB audio:2625KiB"""


def test_parse_loudnorm_reads_the_json_block() -> None:
    m = parse_loudnorm(LOUDNORM_LOG)
    assert m == LoudnessMeasurement(-27.61, -4.47, 18.06, -39.2, 0.58)
    assert not m.silent
    silence = LOUDNORM_LOG.replace('"-27.61"', '"-inf"')
    assert parse_loudnorm(silence).silent


def test_parse_loudnorm_without_a_measurement_says_so() -> None:
    with pytest.raises(ValueError, match="no loudnorm measurement"):
        parse_loudnorm("Error opening input file\n")


# ---------------------------------------------------------------------------- real renders


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("media")
    _speech(folder / "speech.wav", 6.0)
    _speech(folder / "speech2.wav", 2.0, seed=7)
    _music(folder / "music.mp3", 3.0)
    return folder


def _narrated(media: Path, loudness: float) -> MixSpec:
    """14 s: speech at 1-3 s and 4-6 s, a long pause, speech at 9-11 s, then music to the end."""
    return MixSpec(
        total=14.0,
        voices=(
            AudioLayer(media / "speech.wav", "wav", start=1.0, duration=6.0),
            AudioLayer(media / "speech2.wav", "wav", start=9.0, duration=2.0, volume=0.8),
        ),
        music=MusicBed(
            media / "music.mp3", "mp3", volume=0.25, duck=True, loop=True, fade_in=0.5, fade_out=1
        ),
        loudness=loudness,
    )


@pytest.fixture(scope="module")
def narrated(media: Path) -> Path:
    out = media / "narrated.m4a"
    render_soundtrack(_narrated(media, -16.0), out, ffmpeg=FFMPEG, timeout=60)
    return out


@pytest.mark.slow
def test_output_is_48k_stereo_aac_of_exactly_the_video_length(narrated: Path) -> None:
    with av.open(str(narrated)) as container:
        stream = container.streams.audio[0].codec_context
        assert (stream.name, stream.sample_rate, stream.channels) == ("aac", 48_000, 2)
        assert not container.streams.video
    assert abs(len(_decode(narrated)) / SR - 14.0) <= 0.025
    assert not list(narrated.parent.glob(".*.part"))


@pytest.mark.slow
@pytest.mark.parametrize("target", [-16.0, -23.0])
def test_loudness_and_true_peak_of_the_encoded_file(
    media: Path, narrated: Path, tmp_path: Path, target: float
) -> None:
    out = narrated
    if target != -16.0:
        out = tmp_path / "quiet.m4a"
        render_soundtrack(_narrated(media, target), out, ffmpeg=FFMPEG, timeout=60)
    integrated, true_peak = _ebur128(out)
    assert abs(integrated - target) <= 1.0, integrated
    assert true_peak <= -1.0, true_peak


@pytest.mark.slow
def test_a_loud_ending_to_a_quiet_programme_still_lands_on_target(
    media: Path, tmp_path: Path
) -> None:
    # Two traps at once: loudnorm's first pass counts the last ~3 s twice (here the loud part),
    # and bringing the quiet programme up to -16 LUFS sends the loud ending ~10 dB into the
    # limiter, which takes whole LU with it unless that loss is measured and made up.
    quiet = AudioLayer(media / "speech.wav", "wav", start=0.0, duration=6.0, volume=0.2)
    spec = MixSpec(
        total=12.0,
        voices=(
            quiet,
            replace(quiet, start=6.0),
            AudioLayer(media / "speech2.wav", "wav", start=10.0, duration=2.0),
        ),
        music=None,
    )
    out = tmp_path / "ending.m4a"
    render_soundtrack(spec, out, ffmpeg=FFMPEG, timeout=60)
    integrated, true_peak = _ebur128(out)
    assert abs(integrated + 16.0) <= 1.0, integrated
    assert true_peak <= -1.0, true_peak


@pytest.mark.slow
def test_music_ducks_at_least_8_db_under_speech(narrated: Path) -> None:
    # The voice has no energy below 1.5 kHz (8th-order filters), so the power in the chord's
    # band is the music alone, in the very file users get. Speech windows skip the 20 ms attack;
    # pause windows start well after the 400 ms release and end before the fade-out.
    pcm = _decode(narrated)
    speaking = [(1.1, 2.9), (4.1, 5.9), (9.1, 10.9)]
    pauses = [(7.0, 8.9), (11.6, 12.9)]
    under_speech = max(_band_db(pcm, a, b, MUSIC_BAND) for a, b in speaking)
    in_pauses = min(_band_db(pcm, a, b, MUSIC_BAND) for a, b in pauses)
    assert in_pauses - under_speech >= 8.0, (in_pauses, under_speech)


@pytest.mark.slow
def test_a_layer_that_starts_and_stops_on_a_peak_does_not_click(tmp_path: Path) -> None:
    tone = _cosine(tmp_path / "tone.wav", 1.0)
    out = tmp_path / "tone.m4a"
    spec = MixSpec(
        total=3.0, voices=(AudioLayer(tone, "wav", start=1.0, duration=1.0),), music=None
    )
    render_soundtrack(spec, out, ffmpeg=FFMPEG)
    pcm = _decode(out)[:, 0].astype(np.float64)
    step = np.abs(np.diff(pcm))
    # The steepest a 150 Hz tone gets by itself; a click is a jump many times larger.
    steady = step[int(1.3 * SR) : int(1.7 * SR)].max()
    for edge in (1.0, 2.0):
        around = step[int((edge - 0.02) * SR) : int((edge + 0.02) * SR)]
        assert around.max() <= 1.5 * steady, (edge, around.max(), steady)
    assert np.abs(pcm[int(1.2 * SR) : int(1.8 * SR)]).max() > 0.1  # the tone itself is there


@pytest.mark.slow
def test_nothing_to_play_is_exact_silence(tmp_path: Path) -> None:
    out = tmp_path / "silence.m4a"
    render_soundtrack(MixSpec(total=2.5, voices=(), music=None), out, ffmpeg=FFMPEG)
    pcm = _decode(out)
    assert abs(len(pcm) / SR - 2.5) <= 0.025
    assert np.abs(pcm).max() < 1e-4


@pytest.mark.slow
@pytest.mark.parametrize("loop", [True, False])
def test_short_music_is_looped_to_the_end_of_the_video(
    media: Path, tmp_path: Path, loop: bool
) -> None:
    out = tmp_path / "bed.m4a"
    bed = MusicBed(
        media / "music.mp3", "mp3", volume=0.5, duck=True, loop=loop, fade_in=0, fade_out=1
    )
    render_soundtrack(MixSpec(total=10.0, voices=(), music=bed), out, ffmpeg=FFMPEG)
    pcm = _decode(out)
    start = _band_db(pcm, 0.5, 2.5, MUSIC_BAND)
    late = _band_db(pcm, 7.0, 8.9, MUSIC_BAND)  # the 3 s file has ended twice by now
    if loop:
        assert abs(start - late) < 1.5, (start, late)
    else:
        assert late < start - 40, (start, late)


def _cancel_when_partial_appears(folder: Path, cancel: CancelToken) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not cancel.cancelled:
        if list(folder.glob(".*.part")):
            cancel.cancel()
        time.sleep(0.002)


@pytest.mark.slow
def test_cancelling_while_encoding_leaves_no_file(tmp_path: Path) -> None:
    # Silence skips the measuring pass, so the encoder starts at once; 300 s keeps it busy
    # for seconds, while the watcher cancels within milliseconds of its temporary file.
    out = tmp_path / "cancelled.m4a"
    cancel = CancelToken()
    watcher = threading.Thread(target=_cancel_when_partial_appears, args=(tmp_path, cancel))
    watcher.start()
    try:
        with pytest.raises(Cancelled):
            render_soundtrack(MixSpec(300.0, (), None), out, ffmpeg=FFMPEG, cancel=cancel)
    finally:
        cancel.cancel()
        watcher.join()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_cancelling_while_measuring_leaves_no_file(media: Path, tmp_path: Path) -> None:
    spec = replace(_narrated(media, -16.0), total=300.0)  # measuring takes seconds
    out = tmp_path / "cancelled.m4a"
    cancel = CancelToken()
    timer = threading.Timer(0.3, cancel.cancel)
    timer.start()
    started = time.monotonic()
    try:
        with pytest.raises(Cancelled):
            render_soundtrack(spec, out, ffmpeg=FFMPEG, cancel=cancel)
    finally:
        timer.cancel()
    assert time.monotonic() - started < 3  # FFmpeg was stopped, not waited for
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_an_ffmpeg_failure_leaves_the_previous_file_untouched(tmp_path: Path) -> None:
    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"this is not a wave file" * 100)
    out = tmp_path / "out.m4a"
    out.write_bytes(b"previous render")
    spec = MixSpec(total=2.0, voices=(AudioLayer(broken, "wav", start=0, duration=1),), music=None)
    with pytest.raises(FFmpegError):
        render_soundtrack(spec, out, ffmpeg=FFMPEG)
    assert out.read_bytes() == b"previous render"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.wav", "out.m4a"]
