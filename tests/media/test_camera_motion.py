"""Camera moves are honoured: the storyboard's ``camera_motion`` is what the video does.

Each case goes the way a shot goes in the pipeline: storyboard shot → motion spec → the Ken Burns
provider's plan → ``build_timeline`` → ``Renderer.render`` (what the render task calls), and the
rendered video is measured: the motion between its first and last frames, found by phase
correlation (translation) over a search of scales about the frame's centre (zoom).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from storyreel.domain.motion import AUTO, choose_move, planned_moves
from storyreel.domain.storyboard import Shot, Storyboard
from storyreel.domain.timeline import MOTION_TYPES, Canvas
from storyreel.media.render import Renderer
from storyreel.media.sources import resolve_sources
from storyreel.pipeline.steps import motion_spec
from storyreel.pipeline.timeline import ShotMedia, build_timeline
from storyreel.providers.motion.kenburns import KenBurnsMotion
from storyreel.settings import Settings
from tests.mediatools import gray_frames, make_tone

W, H, FPS = 320, 180, 5
VOICE_SECONDS = 3.5  # long enough for the provider's full strength (a 5 s shot)
SEED = 7


def board_of(moves: list[str], shot_type: str = "wide") -> Storyboard:
    shots = [
        Shot(
            id=f"s{i}",
            narration=f"Line {i}.",
            visual_prompt=f"picture {i}",
            shot_type=shot_type,  # type: ignore[arg-type]
            camera_motion=move,  # type: ignore[arg-type]
        )
        for i, move in enumerate(moves)
    ]
    return Storyboard(title="t", language="en", style="cinematic", shots=shots)


def textured_picture(path: Path) -> Path:
    """Smooth random blobs, a few output pixels across: distinct features everywhere, which
    survive scaling and x264, so any shift or zoom of the picture is measurable."""
    rng = np.random.default_rng(11)
    coarse = Image.fromarray((rng.random((36, 64)) * 255).astype(np.uint8))
    big = np.asarray(coarse.resize((640, 360), Image.Resampling.BICUBIC), dtype=np.float32)
    big = 24 + (big - big.min()) / (big.max() - big.min()) * 200
    Image.fromarray(big.astype(np.uint8)).convert("RGB").save(path)
    return path


# --- motion analysis ------------------------------------------------------------------------


def _resample(img: np.ndarray, coords: np.ndarray, axis: int) -> np.ndarray:
    """Linear interpolation of ``img`` along ``axis`` at fractional ``coords`` (edges held)."""
    n = img.shape[axis]
    coords = np.clip(coords, 0, n - 1)
    i0 = np.minimum(np.floor(coords).astype(int), n - 2)
    frac = coords - i0
    a, b = np.take(img, i0, axis=axis), np.take(img, i0 + 1, axis=axis)
    shape = [1, 1]
    shape[axis] = -1
    f = frac.reshape(shape)
    return a * (1 - f) + b * f


def _zoomed(img: np.ndarray, k: float) -> np.ndarray:
    """``img`` magnified ``k`` times about the frame's centre."""
    h, w = img.shape
    cy, cx = (h - 1) / 2, (w - 1) / 2
    rows = _resample(img, cy + (np.arange(h) - cy) / k, 0)
    return _resample(rows, cx + (np.arange(w) - cx) / k, 1)


def _parabola(m: float, c: float, p: float) -> float:
    """Sub-sample offset of a peak from its value ``c`` and neighbours ``m`` and ``p``."""
    den = m - 2 * c + p
    return 0.0 if den == 0 else 0.5 * (m - p) / den


def phase_correlation(a: np.ndarray, b: np.ndarray) -> tuple[float, float, float]:
    """(dx, dy, peak): ``b`` shows ``a``'s content moved by (dx, dy) pixels."""
    h, w = a.shape
    window = np.outer(np.hanning(h), np.hanning(w))
    fa = np.fft.fft2((a - a.mean()) * window)
    fb = np.fft.fft2((b - b.mean()) * window)
    cross = fb * np.conj(fa)
    corr = np.real(np.fft.ifft2(cross / (np.abs(cross) + 1e-9)))
    py, px = np.unravel_index(int(np.argmax(corr)), corr.shape)
    dy = py + _parabola(corr[(py - 1) % h, px], corr[py, px], corr[(py + 1) % h, px])
    dx = px + _parabola(corr[py, (px - 1) % w], corr[py, px], corr[py, (px + 1) % w])
    dy = dy - h if dy > h / 2 else dy
    dx = dx - w if dx > w / 2 else dx
    return float(dx), float(dy), float(corr[py, px])


def measure_motion(first: np.ndarray, last: np.ndarray) -> tuple[float, float, float]:
    """(scale, dx, dy) taking ``first`` to ``last``: the scale about the centre whose phase
    correlation peaks highest (coarse, then fine), and the translation left after it."""

    def best(scales: np.ndarray) -> float:
        peaks = [phase_correlation(_zoomed(first, float(k)), last)[2] for k in scales]
        return float(scales[int(np.argmax(peaks))])

    coarse = best(np.exp(np.linspace(np.log(0.8), np.log(1.25), 91)))  # 0.5 % steps, 1.0 in
    scale = best(coarse * np.exp(np.linspace(-0.006, 0.006, 25)))  # 0.05 % steps
    dx, dy, _ = phase_correlation(_zoomed(first, scale), last)
    return scale, dx, dy


# --- the pipeline's own path, shot to video -------------------------------------------------


def render_second_shot(settings: Settings, folder: Path, move: str) -> tuple[str, float, Path]:
    """A two-shot storyboard that asks for ``move`` on both shots (a repeat, the case an
    override would hit first); the second shot is planned and rendered as the pipeline does.
    Returns the planned move, its strength and the video."""
    board = board_of([move, move])
    plan = KenBurnsMotion(settings).plan(motion_spec(board, 1, VOICE_SECONDS, SEED))
    picture = textured_picture(folder / "picture.png")
    voice = make_tone(folder / "voice.wav", VOICE_SECONDS, freq=300)
    media = ShotMedia(image=picture, voice=voice, voice_seconds=VOICE_SECONDS, motion=plan)
    single = board.model_copy(update={"shots": board.shots[1:]})
    timeline = build_timeline(single, [media], base_dir=folder, music=None, fps=FPS)
    # A small canvas keeps the test fast; the filter graph is the same at any size.
    timeline = timeline.model_copy(update={"canvas": Canvas(width=W, height=H, fps=FPS)})
    sources, problems = resolve_sources(json.loads(timeline.model_dump_json()), folder)
    assert not problems
    result = Renderer(settings).render(timeline, sources, folder / "out" / f"{move}.mp4")
    return plan.type, plan.strength, result.video


# Content travels the opposite way to the camera: a camera panning left shows more of the
# picture's left side, so the picture slides right. (axis, sign) of the content's travel.
PANS = {"pan_left": (0, +1), "pan_right": (0, -1), "pan_up": (1, +1), "pan_down": (1, -1)}


@pytest.mark.slow
@pytest.mark.parametrize("move", MOTION_TYPES)
def test_the_video_does_the_requested_move(settings: Settings, tmp_path: Path, move: str) -> None:
    planned, strength, video = render_second_shot(settings, tmp_path, move)
    assert planned == move
    frames = gray_frames(video)
    assert len(frames) == round(5.0 * FPS)
    scale, dx, dy = measure_motion(frames[0], frames[-1])
    print(f"{move}: scale {scale:.4f} dx {dx:+.2f}px dy {dy:+.2f}px (strength {strength})")
    if move == "none":
        assert abs(dx) < 0.5 and abs(dy) < 0.5, (dx, dy)
        assert abs(scale - 1) < 0.005, scale
        # A still frame all the way through, not a move that comes back.
        mid_scale, mid_dx, mid_dy = measure_motion(frames[0], frames[len(frames) // 2])
        assert abs(mid_scale - 1) < 0.005 and abs(mid_dx) < 0.5 and abs(mid_dy) < 0.5
        shifts = [phase_correlation(frames[0], f)[:2] for f in frames]
        assert max(abs(c) for shift in shifts for c in shift) < 0.5, shifts
    elif move in ("zoom_in", "zoom_out"):
        expected = 1 + strength if move == "zoom_in" else 1 / (1 + strength)
        assert (scale > 1.05) if move == "zoom_in" else (scale < 0.95), scale
        assert abs(scale / expected - 1) < 0.01, (scale, expected)
        assert abs(dx) < 0.5 and abs(dy) < 0.5, (dx, dy)  # about the centre
    else:
        axis, sign = PANS[move]
        along, across = (dx, dy) if axis == 0 else (dy, dx)
        travel = (W, H)[axis] * strength  # the whole free margin, in output pixels
        assert along * sign > 10, (dx, dy)
        assert abs(along * sign - travel) < 1.5, (along, travel)
        assert abs(across) < 0.5, (dx, dy)
        assert abs(scale - 1) < 0.005, scale  # a pan keeps its framing


# --- the rule, without rendering ------------------------------------------------------------


def test_explicit_moves_are_planned_exactly_even_none_and_repeats(settings: Settings) -> None:
    requested = ["none", "none", "pan_left", "pan_left", "zoom_in", "none", "pan_down", "zoom_out"]
    for shot_type in ("wide", "medium", "close_up"):
        board = board_of(requested, shot_type)
        assert planned_moves(board.shots, SEED) == requested
        kb = KenBurnsMotion(settings)
        plans = [kb.plan(motion_spec(board, i, VOICE_SECONDS, SEED)) for i in range(len(requested))]
        assert [p.type for p in plans] == requested


def test_only_an_open_request_gets_a_move_picked() -> None:
    for requested in (None, "", AUTO):
        for previous in (None, "zoom_in", "pan_left"):
            picked = choose_move("medium", 3, SEED, requested, previous)
            assert picked in MOTION_TYPES and picked not in ("none", previous)
    assert choose_move("medium", 3, SEED, "none", "pan_left") == "none"
    assert choose_move("wide", 3, SEED, "zoom_in", "zoom_in") == "zoom_in"
