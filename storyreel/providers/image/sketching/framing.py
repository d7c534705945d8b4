"""Composition by shot type: where the horizon sits and where, and how big, each figure stands.

Wide: low horizon, big sky, small full figures on the lower third line. Medium: eye-level
horizon, figures cut at the waist. Close-up: one head and shoulders filling the frame against a
blurred background. Figures stand on the thirds and never reach up into the caption band.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from storyreel.domain.storyboard import Character

ShotKind = Literal["wide", "medium", "close_up"]

#: Head radius as a fraction of a figure's full height (shared with the figure drawing).
HEAD_RATIO = 0.11
#: A figure's width (arms included) as a fraction of its height.
WIDTH_RATIO = 0.5

MAX_FIGURES = 4

# Horizontal positions (fractions of the width) for 1..4 figures: thirds, then even spacing.
_SLOTS_LANDSCAPE = ((0.36,), (0.33, 0.67), (0.25, 0.5, 0.75), (0.2, 0.4, 0.6, 0.8))
_SLOTS_PORTRAIT = ((0.5,), (0.32, 0.68), (0.24, 0.5, 0.76), (0.2, 0.4, 0.6, 0.8))


def shot_kind(shot_type: str) -> ShotKind:
    """Map any shot-type wording ('extreme wide', 'close-up', 'establishing') to three framings."""
    s = shot_type.lower().replace("-", "_").replace(" ", "_")
    if any(w in s for w in ("wide", "long", "establish", "full", "远", "全")):
        return "wide"
    if any(w in s for w in ("close", "detail", "特写", "近")):
        return "close_up"
    return "medium"


@dataclass(frozen=True)
class Placement:
    character: Character
    x: float  # centre line, canvas pixels
    feet: float  # where the feet are (often below the frame)
    height: float  # the whole figure, head to feet
    facing: float  # where the eyes look: -1 left, 0 at camera, +1 right

    @property
    def head_radius(self) -> float:
        return self.height * HEAD_RATIO

    @property
    def head_centre(self) -> tuple[float, float]:
        return (self.x, self.feet - self.height + self.head_radius)


@dataclass(frozen=True)
class Framing:
    shot: ShotKind
    width: int
    height: int
    top: float  # bottom of the caption band: nothing important is drawn above it
    horizon: float  # y of the horizon (or of the floor line indoors)
    placements: tuple[Placement, ...]
    blur: float  # background blur as a fraction of the short side; 0 keeps it sharp
    vignette: float  # how much the corners darken, 0..1


def _slots(n: int, width: int, height: int) -> tuple[float, ...]:
    table = _SLOTS_PORTRAIT if width < height * 0.9 else _SLOTS_LANDSCAPE
    return table[n - 1]


def _facing(x: float, width: int, n: int) -> float:
    """Look towards the middle of the frame: at each other in a two-shot, into open space alone."""
    if n == 1:
        return 0.0 if abs(x - width / 2) < width * 0.05 else (0.6 if x < width / 2 else -0.6)
    return max(-1.0, min(1.0, (width / 2 - x) / (width * 0.25)))


def _wide(w: int, h: int, top: float, cast: tuple[Character, ...]) -> Framing:
    n = len(cast)
    horizon = max(h * 0.62, top + h * 0.18)
    base = min(min(w, h) * 0.27, w * 0.9 / (n * WIDTH_RATIO * 1.1 + 0.2)) if n else 0.0
    placements = []
    for i, (c, fx) in enumerate(zip(cast, _slots(n, w, h) if n else (), strict=True)):
        # Alternate figures step back a little: depth without hiding anyone.
        back = i % 2 if n > 2 else 0
        size = base * (0.9 if back else 1.0)
        feet = h * (0.84 - 0.035 * back)
        placements.append(Placement(c, w * fx, feet, size, _facing(w * fx, w, n)))
    return Framing("wide", w, h, top, horizon, tuple(placements), 0.0, 0.28)


def _medium(w: int, h: int, top: float, cast: tuple[Character, ...]) -> Framing:
    n = len(cast)
    horizon = max(h * 0.52, top + h * 0.12)
    # Shoulders may overlap a little, as in any two-shot; a narrow frame squeezes harder.
    size = min(h * 1.2, w * 0.92 / (n * WIDTH_RATIO * (0.8 if w >= h else 0.7))) if n else 0.0
    # Cut at the waist: the hips sit just below the frame, the head just below the caption.
    # Narrow frames show more of the body rather than leave the top half empty.
    head_top = max(top + h * 0.05, min(h * 1.03 - size * 0.6, h * 0.42))
    placements = tuple(
        Placement(c, w * fx, head_top + size, size, _facing(w * fx, w, n))
        for c, fx in zip(cast, _slots(n, w, h) if n else (), strict=True)
    )
    return Framing("medium", w, h, top, horizon, placements, 0.0, 0.32)


def _close_up(w: int, h: int, top: float, cast: tuple[Character, ...]) -> Framing:
    horizon = h * 0.58
    if not cast:
        return Framing("close_up", w, h, top, horizon, (), 0.012, 0.5)
    r = min(h * 0.21, w * 0.27)
    size = r / HEAD_RATIO
    cy = max(top + r * 1.25, h * 0.5)
    fx = 0.5 if w < h * 0.9 else 0.4
    placement = Placement(cast[0], w * fx, cy - r + size, size, _facing(w * fx, w, 1))
    return Framing("close_up", w, h, top, horizon, (placement,), 0.012, 0.55)


def frame(
    shot: ShotKind, width: int, height: int, top: float, characters: tuple[Character, ...]
) -> Framing:
    """Lay out a ``width`` x ``height`` frame whose top ``top`` pixels hold the caption."""
    cast = characters[:MAX_FIGURES]
    if shot == "wide":
        return _wide(width, height, top, cast)
    if shot == "close_up":
        return _close_up(width, height, top, cast)
    return _medium(width, height, top, cast)
