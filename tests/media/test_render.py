"""Rendering real timelines with the bundled FFmpeg, checked by measuring the output."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import psutil
import pytest

from storyreel.domain.cancel import Cancelled, CancelToken
from storyreel.media import fonts
from storyreel.media.plan import THUMB_HEIGHT, contact_sheet_layout
from storyreel.media.probe import probe
from storyreel.media.render import Renderer, RenderProgress
from storyreel.settings import Settings
from tests.mediatools import (
    atom_order,
    gray_frames,
    loudness,
    make_dot_image,
    make_image,
    make_tone,
    make_video,
    write_timeline,
)

pytestmark = pytest.mark.slow

W, H, FPS = 320, 180, 30


def small_timeline(folder: Path, clips: int = 3, **extra: Any) -> dict[str, Any]:
    """A few test-pattern clips joined by crossfades, at a tiny size so tests stay fast."""
    sources = ["testsrc2", "mandelbrot=s=640x360", "smptebars", "rgbtestsrc"]
    items: list[dict[str, Any]] = []
    for i in range(clips):
        image = make_image(folder / f"c{i}.png", 640, 360, sources[i % len(sources)])
        item: dict[str, Any] = {
            "source": image.name,
            "duration": 1.5,
            "motion": {"type": ["zoom_in", "pan_left", "zoom_out", "pan_up"][i % 4]},
        }
        if i:
            item["transition"] = {"type": "crossfade", "duration": 0.4}
        items.append(item)
    return {"canvas": {"width": W, "height": H, "fps": FPS}, "clips": items, **extra}


def render(settings: Settings, folder: Path, data: dict[str, Any], name: str = "out.mp4") -> Any:
    timeline = write_timeline(folder, data)
    return Renderer(settings).render_file(timeline, folder / "out" / name)


def test_output_format_duration_and_sidecars(settings: Settings, tmp_path: Path) -> None:
    make_tone(tmp_path / "voice.wav", 1.5, freq=300)
    data = small_timeline(
        tmp_path,
        narration=[{"source": "voice.wav", "start": 0.5}],
        subtitles=[{"start": 0.5, "end": 2.0, "text": "Hello there"}],
    )
    result = render(settings, tmp_path, data)
    expected = 3 * 1.5 - 2 * 0.4
    info = probe(result.video)
    assert info.video is not None and info.audio is not None
    assert info.video.codec == "h264" and info.video.profile == "High"
    assert info.video.pix_fmt == "yuv420p"
    assert (info.video.color_primaries, info.video.color_trc, info.video.colorspace) == (
        "bt709",
        "bt709",
        "bt709",
    )
    assert (info.video.width, info.video.height) == (W, H)
    assert info.audio.codec == "aac" and info.audio.sample_rate == 48000
    frames = gray_frames(result.video)
    assert abs(len(frames) - round(expected * FPS)) <= 1
    assert info.duration is not None and abs(info.duration - expected) <= 1 / FPS + 0.03
    order = atom_order(result.video)
    assert order.index("moov") < order.index("mdat"), order  # +faststart
    assert "Hello there" in result.srt.read_text(encoding="utf-8")
    poster = probe(result.poster)
    assert poster.video is not None and (poster.video.width, poster.video.height) == (W, H)
    sheet = probe(result.contact_sheet)
    _cols, rows = contact_sheet_layout(3)
    assert sheet.video is not None
    assert sheet.video.height >= rows * min(THUMB_HEIGHT, H)
    assert not list((tmp_path / "out").glob(".*partial*"))


def test_preview_is_at_most_480p(settings: Settings, tmp_path: Path) -> None:
    data = small_timeline(tmp_path, clips=1)
    data["canvas"] = {"width": 1920, "height": 1080, "fps": 24}
    data["clips"][0]["duration"] = 1.0
    timeline = write_timeline(tmp_path, data)
    result = Renderer(settings).render_file(timeline, tmp_path / "p.mp4", preview=True)
    info = probe(result.video)
    assert info.video is not None
    assert (info.video.width, info.video.height) == (854, 480)


def _dot_track(frames: list[np.ndarray]) -> np.ndarray:
    """Sub-pixel centroid (x, y) of the bright dot in each frame."""
    track = []
    for f in frames:
        mask = np.clip(f - 128.0, 0, None)
        total = mask.sum()
        ys, xs = np.indices(f.shape)
        track.append(((xs * mask).sum() / total, (ys * mask).sum() / total))
    return np.array(track)


@pytest.mark.parametrize(
    ("motion", "axis", "sign", "fps"),
    [
        ("zoom_in", 0, +1, 30),  # the dot right of centre moves further right
        ("zoom_out", 0, -1, 30),
        ("pan_left", 0, +1, 24),  # the camera moves left, so the picture slides right
        ("pan_right", 0, -1, 60),
        ("pan_up", 1, +1, 30),
        ("pan_down", 1, -1, 30),
    ],
)
def test_motion_is_smooth_and_monotonic(
    settings: Settings, tmp_path: Path, motion: str, axis: int, sign: int, fps: int
) -> None:
    # A low-resolution source: exactly where plain zoompan stair-steps.
    make_dot_image(tmp_path / "dot.png", 320, 180, x=240, y=130, r=6)
    data = {
        "canvas": {"width": 320, "height": 180, "fps": fps},
        "clips": [
            {"source": "dot.png", "duration": 2.0, "motion": {"type": motion, "strength": 0.2}}
        ],
    }
    result = render(settings, tmp_path, data)
    track = _dot_track(gray_frames(result.video))
    steps = np.diff(track[:, axis]) * sign
    assert steps.sum() > 3, f"the dot barely moved: {steps.sum():.2f}px"
    # Never reverses (allowing for codec noise) ...
    assert steps.min() > -0.05, steps.min()
    # ... and no stair-stepping: no frame stands still while others jump.
    assert steps.max() < 3 * np.median(steps) + 0.1, (steps.min(), np.median(steps), steps.max())
    assert np.percentile(steps, 5) > 0.2 * np.median(steps)


def test_cover_fit_keeps_aspect_ratio(settings: Settings, tmp_path: Path) -> None:
    # A tall picture with a round dot in the middle: after fitting to 16:9 it must stay round.
    make_dot_image(tmp_path / "tall.png", 400, 800, x=200, y=400, r=60)
    data = {
        "canvas": {"width": 320, "height": 180, "fps": 10},
        "clips": [{"source": "tall.png", "duration": 0.5}],
    }
    result = render(settings, tmp_path, data)
    frame = gray_frames(result.video)[0]
    ys, xs = np.nonzero(frame > 128)
    width, height = xs.max() - xs.min() + 1, ys.max() - ys.min() + 1
    assert abs(width - height) <= 2, (width, height)
    assert abs(xs.mean() - 160) < 2 and abs(ys.mean() - 90) < 2


def _text_rows(frame: np.ndarray) -> np.ndarray:
    """Rows of the lower third that contain subtitle-bright pixels over a mid-grey picture."""
    lower = frame[int(frame.shape[0] * 0.6) :]
    return np.nonzero((lower > 200).sum(axis=1) > 0)[0]


def grey_clip_timeline(
    folder: Path,
    seconds: float,
    subtitles: list[dict[str, Any]],
    width: int = 640,
    height: int = 360,
) -> dict[str, Any]:
    make_image(folder / "grey.png", width, height, "color=c=0x606060")
    return {
        "canvas": {"width": width, "height": height, "fps": 10},
        "clips": [{"source": "grey.png", "duration": seconds}],
        "subtitles": subtitles,
    }


def test_subtitles_only_inside_their_span(settings: Settings, tmp_path: Path) -> None:
    data = grey_clip_timeline(tmp_path, 3.0, [{"start": 1.0, "end": 2.0, "text": "Visible now"}])
    frames = gray_frames(render(settings, tmp_path, data).video)
    shown = [len(_text_rows(f)) > 0 for f in frames]
    assert shown[:10] == [False] * 10
    assert shown[10:20] == [True] * 10
    assert shown[20:] == [False] * 10


@pytest.mark.parametrize(
    ("first_text", "second_text"),
    # Same lengths within a pair, so two rows of identical boxes would look alike.
    [
        ("山川日月", "水火风云"),
        ("😀🌊🔥🎬", "🐉🌙🚀🎵"),
        ("שלום", "אבגד"),
        ("سلام", "كتاب"),
        ("สวัสดี", "ขอบคุณ"),
        ("नमस्ते", "धन्यवाद"),
    ],
    ids=["cjk", "emoji", "hebrew", "arabic", "thai", "devanagari"],
)
def test_subtitles_draw_real_glyphs(
    settings: Settings, tmp_path: Path, first_text: str, second_text: str
) -> None:
    assert_real_glyphs(settings, tmp_path, first_text, second_text)


def test_the_bundled_cjk_font_draws_chinese(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Where Debian's fonts-noto-cjk is installed it is preferred; check the bundled copy too.
    monkeypatch.setattr(fonts, "SYSTEM_CJK_FILES", ())
    fonts.subtitle_font.cache_clear()
    try:
        assert Renderer(settings).font.path == fonts.FONT_DIR / fonts.CJK_FILE
        assert_real_glyphs(settings, tmp_path, "山川日月", "水火风云")
    finally:
        fonts.subtitle_font.cache_clear()


def assert_real_glyphs(
    settings: Settings, tmp_path: Path, first_text: str, second_text: str
) -> None:
    # Missing glyphs all draw the same box; real glyphs for different characters differ. At 720p
    # (at 360p the thin strokes of Arabic letters barely reach full brightness).
    data = grey_clip_timeline(
        tmp_path,
        2.0,
        [
            {"start": 0.0, "end": 1.0, "text": first_text},
            {"start": 1.0, "end": 2.0, "text": second_text},
        ],
        width=1280,
        height=720,
    )
    frames = gray_frames(render(settings, tmp_path, data).video)
    first, second = frames[5], frames[15]
    assert len(_text_rows(first)) > 10 and len(_text_rows(second)) > 10
    lower = slice(int(720 * 0.6), 720)
    text_a = first[lower] > 200
    text_b = second[lower] > 200
    differing = np.logical_xor(text_a, text_b).sum()
    assert differing > 0.4 * max(text_a.sum(), text_b.sum()), differing


def test_hostile_subtitle_text_is_literal(settings: Settings, tmp_path: Path) -> None:
    hostile = r"{\fs200\c&H0000FF&}X'%{pts}:a\,b;[in]\N\n"
    data = grey_clip_timeline(
        tmp_path,
        2.0,
        [{"start": 0.0, "end": 1.0, "text": "Xx"}, {"start": 1.0, "end": 2.0, "text": hostile}],
    )
    result = render(settings, tmp_path, data)
    frames = gray_frames(result.video)
    plain_rows, hostile_rows = _text_rows(frames[5]), _text_rows(frames[15])
    # Drawn at the normal size (an override of \fs200 would fill the frame) on at most two lines.
    assert 0 < len(hostile_rows) <= 2.5 * len(plain_rows)
    # Text colour stays white (an injected \c override would turn it red, i.e. dark in luma).
    assert (frames[15] > 200).sum() > (frames[5] > 200).sum()
    srt = result.srt.read_text(encoding="utf-8")
    assert r"{\fs200\c&H0000FF&}X'%{pts}:a\,b;[in]" in srt


def test_video_clip_is_fitted_and_held_on_last_frame(settings: Settings, tmp_path: Path) -> None:
    make_video(tmp_path / "clip.mp4", 1.0, 320, 240, fps=25)
    data = {
        "canvas": {"width": W, "height": H, "fps": FPS},
        "clips": [{"source": "clip.mp4", "duration": 2.0}],
    }
    result = render(settings, tmp_path, data)
    frames = gray_frames(result.video)
    assert len(frames) == 2 * FPS
    # After the source ends the last frame is held: the tail is still.
    tail = np.abs(np.diff(np.stack(frames[40:]), axis=0)).mean()
    head = np.abs(np.diff(np.stack(frames[:25]), axis=0)).mean()
    assert tail < 0.5 < head
    # Its own audio is dropped unless asked for: the soundtrack is silent.
    assert loudness(result.video)["integrated"] < -60


def test_video_clip_audio_kept_when_asked(settings: Settings, tmp_path: Path) -> None:
    make_video(tmp_path / "clip.mp4", 2.0)
    data = {
        "canvas": {"width": W, "height": H, "fps": FPS},
        "clips": [{"source": "clip.mp4", "duration": 2.0, "keep_audio": True}],
    }
    result = render(settings, tmp_path, data)
    assert abs(loudness(result.video)["integrated"] - (-16)) <= 1.0


def test_loudness_and_true_peak_of_the_final_mix(settings: Settings, tmp_path: Path) -> None:
    make_tone(tmp_path / "voice.wav", 2.0, freq=220, volume=0.9)
    make_tone(tmp_path / "music.wav", 1.0, freq=660, volume=0.3)
    data = small_timeline(
        tmp_path,
        narration=[{"source": "voice.wav", "start": 0.3}],
        music={"source": "music.wav", "volume": 0.5},
    )
    data["output"] = {"loudness": -18}
    result = render(settings, tmp_path, data)
    level = loudness(result.video)
    assert abs(level["integrated"] - (-18)) <= 1.0, level
    assert level["true_peak"] <= -1.0, level


def test_second_render_reencodes_nothing(settings: Settings, tmp_path: Path) -> None:
    data = small_timeline(tmp_path)
    first = render(settings, tmp_path, data, "a.mp4")
    assert len(first.encoded_segments) == first.segments == 3  # one per clip
    second = render(settings, tmp_path, data, "b.mp4")
    assert second.encoded_segments == [] and second.audio_reused
    assert (tmp_path / "out" / "a.mp4").read_bytes() == (tmp_path / "out" / "b.mp4").read_bytes()


def test_changing_one_clip_reencodes_only_its_segments(settings: Settings, tmp_path: Path) -> None:
    data = small_timeline(tmp_path, clips=4)
    first = render(settings, tmp_path, data, "a.mp4")
    assert first.segments == 4  # one per clip, each starting with its entry transition
    make_image(tmp_path / "c2.png", 640, 360, "smptehdbars")  # clip 2 gets a new picture
    edited = render(settings, tmp_path, data, "b.mp4")
    # Its own segment and the next one, whose entry transition shows clip 2's tail; no other.
    assert len(edited.encoded_segments) == 2
    assert set(edited.encoded_segments) == set(edited.segment_keys[2:])
    assert edited.segment_keys[:2] == first.segment_keys[:2]
    assert edited.audio_reused
    # The incremental result equals a clean render of the same timeline.
    clean_settings = Settings(data_dir=tmp_path / "clean-data", render_jobs=2)
    clean = Renderer(clean_settings).render_file(
        tmp_path / "timeline.json", tmp_path / "out" / "c.mp4"
    )
    assert len(clean.encoded_segments) == 4
    a, b = gray_frames(edited.video), gray_frames(clean.video)
    assert len(a) == len(b)
    assert max(float(np.abs(x - y).mean()) for x, y in zip(a, b, strict=True)) < 0.5


def test_progress_reaches_every_frame(settings: Settings, tmp_path: Path) -> None:
    seen: list[RenderProgress] = []
    timeline = write_timeline(tmp_path, small_timeline(tmp_path))
    Renderer(settings).render_file(timeline, tmp_path / "o.mp4", on_progress=seen.append)
    assert seen[-1].done_frames == seen[-1].total_frames
    done = [p.done_frames for p in seen]
    assert done == sorted(done)


def _ffmpeg_children() -> list[psutil.Process]:
    return [p for p in psutil.Process().children(recursive=True) if "ffmpeg" in p.name()]


def test_cancel_kills_ffmpeg_and_leaves_no_output(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", render_jobs=2)
    data = small_timeline(tmp_path, clips=2)
    data["canvas"] = {"width": 1280, "height": 720, "fps": 30}
    for clip in data["clips"]:
        clip["duration"] = 20.0
    timeline = write_timeline(tmp_path, data)
    token = CancelToken()
    outcome: list[BaseException] = []

    def run() -> None:
        try:
            Renderer(settings).render_file(timeline, tmp_path / "out" / "x.mp4", cancel=token)
        except BaseException as exc:
            outcome.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    deadline = time.monotonic() + 30
    while not _ffmpeg_children() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _ffmpeg_children(), "FFmpeg never started"
    time.sleep(0.5)
    token.cancel()
    worker.join(timeout=30)
    assert not worker.is_alive()
    assert outcome and isinstance(outcome[0], Cancelled)
    time.sleep(0.2)
    assert _ffmpeg_children() == []
    out_dir = tmp_path / "out"
    assert not out_dir.exists() or list(out_dir.iterdir()) == []
    render_root = settings.cache_dir / "render"
    assert list((render_root / "tmp").iterdir()) == []
    assert list((render_root / "segments").glob("*.mp4")) == []


def test_sources_outside_the_folder_are_refused_unless_allowed(
    settings: Settings, tmp_path: Path
) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    make_image(outside / "pic.png", 64, 64)
    project = tmp_path / "project"
    project.mkdir()
    data = {
        "canvas": {"width": 64, "height": 64, "fps": 5},
        "clips": [{"source": "../elsewhere/pic.png", "duration": 1}],
    }
    timeline = write_timeline(project, data)
    renderer = Renderer(settings)
    from storyreel.domain.timeline import TimelineError

    with pytest.raises(TimelineError) as info:
        renderer.render_file(timeline, tmp_path / "o.mp4")
    assert "clips[0].source" in str(info.value) and "outside" in str(info.value)
    result = renderer.render_file(timeline, tmp_path / "o.mp4", allowed_roots=[outside])
    assert result.frames == 5
    shutil.rmtree(outside)


def test_cache_is_trimmed_least_recently_used_first(tmp_path: Path) -> None:
    # A tiny budget: after each render only what that render used may stay.
    settings = Settings(data_dir=tmp_path / "data", render_jobs=2, render_cache_gb=1e-9)
    first_dir, second_dir = tmp_path / "one", tmp_path / "two"
    first_dir.mkdir()
    second_dir.mkdir()
    first = render(settings, first_dir, small_timeline(first_dir, clips=2))
    segments = settings.cache_dir / "render" / "segments"
    assert {p.stem for p in segments.glob("*.mp4")} == set(first.segment_keys)
    second_data = small_timeline(second_dir, clips=2)
    second_data["clips"][0]["motion"] = {"type": "pan_right"}
    second = render(settings, second_dir, second_data)
    kept = {p.stem for p in segments.glob("*.mp4")}
    assert kept == set(second.segment_keys)  # the first render's segments were evicted
    assert {p.stem for p in segments.glob("*.jpg")} == kept  # thumbnails go with them
    again = render(settings, second_dir, second_data, "again.mp4")
    assert again.encoded_segments == [] and again.audio_reused


class FolderShare:
    """A ``SharedRenderCache`` on a folder, standing in for the blob store between machines."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.published: list[str] = []

    def fetch(self, name: str, dest: Path) -> bool:
        if not (self.root / name).is_file():
            return False
        shutil.copyfile(self.root / name, dest)
        return True

    def publish(self, name: str, src: Path) -> None:
        (self.root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, self.root / name)
        self.published.append(name)


def test_a_second_machine_fetches_shared_segments_instead_of_encoding(tmp_path: Path) -> None:
    timeline = write_timeline(tmp_path, small_timeline(tmp_path))
    share = FolderShare(tmp_path / "shared")
    first = Renderer(Settings(data_dir=tmp_path / "machine-1", render_jobs=2))
    made = first.render_file(timeline, tmp_path / "out" / "a.mp4", shared=share)
    assert len(made.encoded_segments) == 3 and made.fetched_segments == []
    # Every segment with its thumbnail, and the soundtrack, for the next machine.
    assert len(share.published) == 7

    second = Renderer(Settings(data_dir=tmp_path / "machine-2", render_jobs=2))
    taken = second.render_file(timeline, tmp_path / "out" / "b.mp4", shared=share)
    assert taken.encoded_segments == [] and taken.audio_reused
    assert sorted(taken.fetched_segments) == sorted(made.segment_keys)
    assert (tmp_path / "out" / "a.mp4").read_bytes() == (tmp_path / "out" / "b.mp4").read_bytes()

    # A shared segment missing its thumbnail is not taken: it is encoded again.
    (share.root / "segments" / f"{made.segment_keys[1]}.jpg").unlink()
    third = Renderer(Settings(data_dir=tmp_path / "machine-3", render_jobs=2))
    again = third.render_file(timeline, tmp_path / "out" / "c.mp4", shared=share)
    assert again.encoded_segments == [made.segment_keys[1]]
