"""Live playback: a render's segments published as a growing HLS playlist, by remuxing."""

from __future__ import annotations

import re
import shutil
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from storyreel.media.audio import AudioLayer, MixSpec, MusicBed
from storyreel.media.live import (
    PLAYLIST,
    LiveSegment,
    LiveStream,
    Publish,
    playlist_text,
    window_spec,
)
from storyreel.media.probe import probe
from storyreel.media.render import Renderer, RenderInputs, check_timeline
from storyreel.settings import Settings
from tests.mediatools import ffmpeg, make_image, make_tone

from .test_render import small_timeline

pytestmark = pytest.mark.slow


def test_playlist_lists_segments_in_order_and_ends_only_when_told() -> None:
    segs = [LiveSegment(0, 0.0, 4.1, "a"), LiveSegment(1, 4.1, 6.25, "b")]
    growing = playlist_text(segs[:1], target_s=7, ended=False)
    assert growing.splitlines() == [
        "#EXTM3U",
        "#EXT-X-VERSION:3",
        "#EXT-X-TARGETDURATION:7",
        "#EXT-X-MEDIA-SEQUENCE:0",
        "#EXT-X-PLAYLIST-TYPE:EVENT",
        "#EXT-X-INDEPENDENT-SEGMENTS",
        "#EXTINF:4.100000,",
        "00000.ts",
    ]
    done = playlist_text(segs, target_s=7, ended=True)
    assert done.splitlines()[-3:] == ["#EXTINF:6.250000,", "00001.ts", "#EXT-X-ENDLIST"]


def test_a_window_of_the_soundtrack_cuts_voices_and_enters_the_music_loop(tmp_path: Path) -> None:
    voice = AudioLayer(path=tmp_path / "v.wav", fmt="wav", start=3.0, duration=4.0)
    later = AudioLayer(path=tmp_path / "w.wav", fmt="wav", start=9.0, duration=2.0)
    music = MusicBed(
        path=tmp_path / "m.wav", fmt="wav", volume=0.3, duck=True, loop=True, fade_in=1, fade_out=2
    )
    spec = MixSpec(total=12.0, voices=(voice, later), music=music)

    middle = window_spec(spec, 5.0, 8.0, music_seconds=4.0)
    assert middle.total == pytest.approx(3.0)
    # Only the first voice sounds here: its last two seconds, from 0 s of the window.
    assert len(middle.voices) == 1
    v = middle.voices[0]
    assert (v.start, v.duration, v.source_start) == pytest.approx((0.0, 2.0, 2.0))
    assert middle.music is not None
    assert middle.music.offset == pytest.approx(1.0)  # 5 s into a 4 s loop
    assert (middle.music.fade_in, middle.music.fade_out) == (0.0, 0.0)

    start = window_spec(spec, 0.0, 4.0, music_seconds=4.0)
    assert start.music is not None and start.music.fade_in == 1.0
    end = window_spec(spec, 10.0, 12.0, music_seconds=4.0)
    assert end.music is not None and end.music.fade_out == 2.0
    assert end.voices[0].source_start == pytest.approx(1.0)


def _published(folder: Path) -> tuple[dict[str, float], Publish]:
    """A publisher into ``folder`` and when each name was first published."""
    folder.mkdir()
    stamps: dict[str, float] = {}

    def publish(name: str, path: Path) -> None:
        shutil.copyfile(path, folder / name)
        stamps.setdefault(name, time.monotonic())

    return stamps, publish


def _with_sound(folder: Path, data: dict[str, Any]) -> dict[str, Any]:
    """Narration on every clip and a looping music bed under it all."""
    make_tone(folder / "voice.wav", 1.0, freq=300)
    make_tone(folder / "music.wav", 0.7, freq=500, volume=0.3)
    starts = [0.2 + 1.1 * i for i in range(len(data["clips"]))]
    return {
        **data,
        "narration": [{"source": "voice.wav", "start": s} for s in starts],
        "music": {"source": "music.wav", "volume": 0.4, "loop": True, "duck": True},
    }


def _starts(ts: Path) -> tuple[float, float, bool]:
    """(video start, duration, has audio) of a TS file."""
    info = probe(ts)
    text = ffmpeg("-i", str(ts), "-map", "0:v", "-c", "copy", "-f", "null", "-")
    video_start = float(re.search(r"Video:.*?start ([0-9.]+)", text, re.S)[1])  # type: ignore[index]
    return video_start, float(info.duration or 0), info.audio is not None


def test_a_render_publishes_playable_segments_before_it_finishes(
    settings: Settings, tmp_path: Path
) -> None:
    data = _with_sound(tmp_path, small_timeline(tmp_path, clips=3))
    timeline, sources = check_timeline(data, tmp_path)
    out_dir = tmp_path / "live"
    stamps, publish = _published(out_dir)
    renderer = Renderer(settings)
    live = LiveStream(ffmpeg=renderer.ffmpeg, work=tmp_path / "work", publish=publish)
    result = renderer.render(timeline, sources, tmp_path / "film.mp4", jobs=1, live=live)
    finished = time.monotonic()

    text = (out_dir / PLAYLIST).read_text()
    names = [line for line in text.splitlines() if line.endswith(".ts")]
    assert names == [f"{i:05d}.ts" for i in range(result.segments)]
    assert text.rstrip().endswith("#EXT-X-ENDLIST")
    # The first segment was out while later ones were still being encoded.
    assert stamps["00000.ts"] < stamps[names[-1]] <= finished
    durations = [float(d) for d in re.findall(r"#EXTINF:([0-9.]+),", text)]
    assert sum(durations) == pytest.approx(result.duration, abs=0.05)
    # Each segment sits at its place on the film's clock, with sound: no discontinuities.
    clock = 0.0
    for name, duration in zip(names, durations, strict=True):
        start, length, has_audio = _starts(out_dir / name)
        assert has_audio
        assert start == pytest.approx(clock, abs=0.1)
        assert length == pytest.approx(duration, abs=0.1)
        clock += duration
    assert not (tmp_path / "work").exists()  # its scratch files are gone


def test_a_cached_render_publishes_everything_with_the_mixed_soundtrack(
    settings: Settings, tmp_path: Path
) -> None:
    data = _with_sound(tmp_path, small_timeline(tmp_path, clips=2))
    timeline, sources = check_timeline(data, tmp_path)
    renderer = Renderer(settings)
    renderer.render(timeline, sources, tmp_path / "first.mp4", jobs=2)
    out_dir = tmp_path / "live"
    _, publish = _published(out_dir)
    live = LiveStream(ffmpeg=renderer.ffmpeg, work=tmp_path / "work", publish=publish)
    again = renderer.render(timeline, sources, tmp_path / "again.mp4", jobs=2, live=live)
    assert again.encoded_segments == [] and again.audio_reused
    assert sorted(p.name for p in out_dir.glob("*.ts")) == ["00000.ts", "00001.ts"]
    assert "#EXT-X-ENDLIST" in (out_dir / PLAYLIST).read_text()


class _Feed:
    """Clips become ready one by one, each after ``every`` seconds."""

    def __init__(self, folder: Path, data: dict[str, Any], every: float) -> None:
        self.folder, self.data, self.every = folder, data, every
        self.started = time.monotonic()
        self.polls = 0
        self.lock = threading.Lock()

    def current(self) -> RenderInputs:
        with self.lock:
            self.polls += 1
        count = len(self.data["clips"])
        ready = min(count, int((time.monotonic() - self.started) / self.every) + 1)
        data = {**self.data, "clips": list(self.data["clips"])}
        for i in range(ready, count):  # not ready yet: a stand-in picture
            data["clips"][i] = {**data["clips"][i], "source": "stand-in.png"}
        timeline, sources = check_timeline(data, self.folder)
        return RenderInputs(timeline, sources, frozenset(range(ready)))

    def wait(self, seconds: float) -> None:
        time.sleep(seconds)


def test_render_as_ready_encodes_shots_as_they_arrive_and_joins_the_right_film(
    settings: Settings, tmp_path: Path
) -> None:
    data = small_timeline(tmp_path, clips=3)
    make_image(tmp_path / "stand-in.png", 64, 36, source="color=c=black")
    feed = _Feed(tmp_path, data, every=2.5)
    renderer = Renderer(settings)
    result = renderer.render_as_ready(feed, tmp_path / "film.mp4", jobs=2, poll_s=0.2)
    # Segments of the first clips were encoded before the last clip was ready...
    assert result.early_segments
    assert set(result.early_segments) <= set(result.segment_keys)
    assert set(result.encoded_segments) == set(result.segment_keys)
    # ...and the film is the one a plain render of the finished timeline makes.
    timeline, sources = check_timeline(data, tmp_path)
    plain = Renderer(settings).render(timeline, sources, tmp_path / "plain.mp4", jobs=2)
    assert plain.encoded_segments == [] and plain.segment_keys == result.segment_keys
    assert probe(result.video).duration == pytest.approx(probe(plain.video).duration, abs=0.01)
    assert feed.polls >= 3


def test_render_as_ready_stops_when_an_input_fails(settings: Settings, tmp_path: Path) -> None:
    data = small_timeline(tmp_path, clips=2)
    make_image(tmp_path / "stand-in.png", 64, 36, source="color=c=black")

    class Failing(_Feed):
        def current(self) -> RenderInputs:
            if self.polls >= 2:
                raise RuntimeError("shot 2's picture could not be made")
            return super().current()

    with pytest.raises(RuntimeError, match="shot 2"):
        Renderer(settings).render_as_ready(
            Failing(tmp_path, data, every=60), tmp_path / "film.mp4", jobs=1, poll_s=0.1
        )
    assert not (tmp_path / "film.mp4").exists()
