"""The setting behind the figures, chosen from words in the shot's setting and prompt.

A scene is a far layer on the horizon (hills, mountains, a skyline, dunes or open sea) and a
near layer below it (grass, water, forest, sand, snow, a street); interiors replace both with a
room — walls, a floor, a window and a door, and what its kind of room holds (a shop's shelves,
a kitchen's cupboards and stove, a bed...). Sizes follow the frame's shorter side so any aspect
ratio works.

Indoors or out is read as the story writer reads it: the place nouns of its lexicon
(``storyreel.domain.entities.find_places``: "the clock shop" is inside, "村口的池塘边" outside),
then the offline writer's "Interior"/"Exterior", then plain keywords.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Literal

from storyreel.domain.entities import find_places
from storyreel.domain.lexicon import ZH_PLACES
from storyreel.providers.image.sketching.colour import RGB, hex_rgb, mix
from storyreel.providers.image.sketching.framing import Framing
from storyreel.providers.image.sketching.look import Look
from storyreel.providers.image.sketching.pen import Pen

Far = Literal["hills", "mountains", "city", "dunes", "open"]
Near = Literal["grass", "water", "forest", "sand", "snow", "street"]
Room = Literal["room", "shop", "kitchen", "bedroom", "library", "workshop", "classroom"]

_WORDS: dict[str, tuple[str, ...]] = {
    "indoor": (
        "room", "house", "home", "kitchen", "bedroom", "office", "indoor", "inside", "classroom",
        "library", "hall", "shop", "store", "bakery", "workshop", "cellar", "attic", "parlo",
        "屋", "房", "室", "家中", "厅", "客栈", "教室", "店", "铺", "馆",
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


# Which room an interior is, by the words of its setting (first match wins).
_ROOMS: tuple[tuple[Room, tuple[str, ...]], ...] = (
    ("kitchen", ("kitchen", "bakery", "stove", "厨房", "灶")),
    ("bedroom", ("bedroom", "bed", "卧室", "床")),
    ("library", ("library", "study", "bookshop", "bookcase", "图书馆", "书房", "书店", "书架")),
    ("classroom", ("classroom", "school", "教室", "学校", "课堂")),
    ("workshop", ("workshop", "workbench", "studio", "工坊", "作坊", "车间", "工作台")),
    ("shop", ("shop", "store", "counter", "店", "铺", "柜台")),
)
# A clock named in the setting or prompt ("o'clock" is a time, "分钟" minutes: neither).
_CLOCKS = re.compile(r"(?<!o')\bclock|钟表|时钟|挂钟|座钟|闹钟", re.IGNORECASE)
_EXPLICIT = re.compile(r"\b(interior|exterior)\b", re.IGNORECASE)
# Beside a building, not in it (the writer's lexicon reads "in front of the shop" as in it).
_OUTSIDE = re.compile(
    r"\b(?:in front of|outside|on the roof|on top of|rooftops?)\b|屋顶|房顶|门外|外面",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Scenery:
    far: Far
    near: Near
    indoor: bool
    room: Room = "room"
    clocks: bool = False  # a clock shop, or a shot that names a clock: clocks on the wall


def _has(text: str, key: str) -> bool:
    for word in _WORDS[key]:
        if word.isascii():
            if re.search(rf"\b{word}", text):
                return True
        elif word in text:
            return True
    return False


def _zh_indoor(text: str) -> bool | None:
    """Indoors by the longest Chinese place word in ``text`` ("钟表店", "厨房", "池塘边")."""
    best = ""
    for word in ZH_PLACES:
        if len(word) > len(best) and word in text:
            best = word
    if not best:
        return None
    where = ZH_PLACES[best].where
    if where == "bld":
        return not any(f"{best}{side}" in text for side in ("外", "前", "门口", "旁"))
    return {"in": True, "spot": True, "out": False}.get(where)


def _indoor_by_lexicon(text: str) -> bool | None:
    place, spot, _ = find_places(text)
    for found in (place, spot):
        if found is not None and found.indoor is not None:
            return found.indoor
    return _zh_indoor(text) if not text.isascii() else None


def indoors(setting: str, prompt: str) -> bool | None:
    """Inside or out as the story says it: the setting's place noun, the prompt's own
    "Interior"/"Exterior", the prompt's place noun; None when nothing says."""
    if setting.strip():
        said = False if _OUTSIDE.search(setting) else _indoor_by_lexicon(setting)
        if said is not None:
            return said
    explicit = _EXPLICIT.search(prompt)
    if explicit:
        return explicit.group(1).lower() == "interior"
    return _indoor_by_lexicon(prompt) if prompt.strip() else None


def _room(*texts: str) -> Room:
    """The kind of room: by the place noun, then the thing in it ("by the stove"), then any
    word of the setting, then of the prompt."""
    for text in texts:
        place, spot, _ = find_places(text)
        nouns = [f.gloss for f in (place, spot) if f is not None]
        for said in (*nouns, text):
            lowered = said.lower()
            for room, words in _ROOMS:
                if any(_mentions(lowered, w) for w in words):
                    return room
    return "room"


def _mentions(text: str, word: str) -> bool:
    return re.search(rf"\b{word}", text) is not None if word.isascii() else word in text


def scenery(setting: str, prompt: str = "") -> Scenery:
    """Read the setting from words; the shot's setting field wins over its prompt."""
    found: set[str] = set()
    for text in (setting, prompt):
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
    inside = indoors(setting, prompt)
    if inside is None:
        inside = "indoor" in found
    if not inside:
        return Scenery(far, near, False)
    clocks = any(_CLOCKS.search(t) for t in (setting, prompt))
    return Scenery(far, near, True, _room(setting, prompt), clocks)


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
