"""The setting behind the figures, chosen from words in the shot's setting and prompt.

A scene is a far layer on the horizon (hills, mountains, a skyline, dunes or open sea) and a
near layer below it (grass, water, forest, sand, snow, a street); interiors replace both with a
wall, a window and a floor. Sizes follow the frame's shorter side so any aspect ratio works.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Literal

from storyreel.providers.image.sketching.colour import RGB, hex_rgb, mix
from storyreel.providers.image.sketching.framing import Framing
from storyreel.providers.image.sketching.look import Look
from storyreel.providers.image.sketching.pen import Pen

Far = Literal["hills", "mountains", "city", "dunes", "open"]
Near = Literal["grass", "water", "forest", "sand", "snow", "street"]

_WORDS: dict[str, tuple[str, ...]] = {
    "indoor": (
        "room", "house", "home", "kitchen", "bedroom", "office", "indoor", "inside", "classroom",
        "library", "hall", "屋", "房", "室", "家中", "厅", "客栈", "教室",
    ),
    "sea": (
        "sea", "ocean", "beach", "shore", "wave", "coast", "harbo", "lake", "river", "port",
        "pier", "lighthouse", "海", "浪", "湖", "江", "河", "岸", "港", "码头", "灯塔",
    ),
    "mountain": ("mountain", "peak", "cliff", "summit", "山", "峰", "崖", "岭"),
    "city": (
        "city", "street", "town", "building", "downtown", "alley", "market", "skyline", "城",
        "街", "市", "楼", "巷", "镇",
    ),
    "forest": ("forest", "tree", "wood", "jungle", "grove", "bamboo", "林", "树", "森", "竹"),
    "desert": ("desert", "dune", "sand", "沙漠", "沙丘", "沙"),
    "snow": ("snow", "ice", "winter", "frozen", "雪", "冰"),
}  # fmt: skip


# First match wins: a city by the sea keeps its skyline and gets water in front of it.
_FAR_BY_WORD: tuple[tuple[str, Far], ...] = (
    ("city", "city"),
    ("mountain", "mountains"),
    ("desert", "dunes"),
    ("sea", "open"),
)
_NEAR_BY_WORD: tuple[tuple[str, Near], ...] = (
    ("sea", "water"),
    ("forest", "forest"),
    ("desert", "sand"),
    ("snow", "snow"),
    ("city", "street"),
)


@dataclass(frozen=True)
class Scenery:
    far: Far
    near: Near
    indoor: bool


def _has(text: str, key: str) -> bool:
    for word in _WORDS[key]:
        if word.isascii():
            if re.search(rf"\b{word}", text):
                return True
        elif word in text:
            return True
    return False


def scenery(*texts: str) -> Scenery:
    """Read the setting from words; the shot's setting field wins over its prompt."""
    found: set[str] = set()
    for text in texts:
        found = {k for k in _WORDS if _has(text.lower(), k)}
        if found:
            break
    far: Far = "hills"
    for key, f in _FAR_BY_WORD:
        if key in found:
            far = f
            break
    near: Near = "grass"
    for key, n in _NEAR_BY_WORD:
        if key in found:
            near = n
            break
    return Scenery(far, near, "indoor" in found)


# Natural colours before the style, time and mood tone them: (towards the horizon, near).
GROUND: dict[Near, tuple[str, str]] = {
    "grass": ("#b5c47e", "#5f7f3c"),
    "water": ("#8fbad0", "#255873"),
    "forest": ("#9ab26c", "#4d6e35"),
    "sand": ("#ecd3a0", "#c49a62"),
    "snow": ("#f4f6f8", "#c6d4e0"),
    "street": ("#aaa69e", "#5d5b58"),
}


class Painter:
    """Shared state and colour helpers for the painters of one frame's background."""

    def __init__(self, pen: Pen, look: Look, framing: Framing, rng: random.Random, ss: int):
        self.pen = pen
        self.look = look
        self.f = framing
        self.rng = rng
        self.ss = ss
        self.w, self.h = framing.width, framing.height
        # Vertical sizes follow the short side so a tall frame doesn't grow needle mountains.
        self.v = min(self.h, self.w * 1.2)
        self.line = pen.width * 0.8

    def tone(self, c: str | RGB) -> RGB:
        return self.look.tone(hex_rgb(c) if isinstance(c, str) else c)

    def far_colour(self, c: str | RGB, depth: float) -> RGB:
        """Aerial perspective: the further away, the closer to the colour of the horizon sky."""
        sky = self.look.tone(self.look.sky.horizon, lit=False)
        return mix(self.tone(c), sky, depth)
