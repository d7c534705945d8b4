"""The look of one frame: the style's palette, the time of day's light and the mood's grade.

Every colour the scenery uses passes through ``Look.tone`` so that one style reads the same in
every shot while dusk, night or a sad mood still change the whole picture coherently.
Characters' signature colours deliberately do not: they must stay identical across shots.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Literal, TypeVar

from storyreel.domain.styles import StylePreset
from storyreel.providers.image.sketching.colour import (
    RGB,
    clamp8,
    hex_rgb,
    luminance,
    mix,
    multiply,
    saturation,
    scale,
)

T = TypeVar("T")
TimeOfDay = Literal["dawn", "day", "dusk", "night"]
Mood = Literal["neutral", "calm", "tense", "joyful", "sad", "epic", "mysterious"]

# Checked in this order: 'dusk' before 'night' so that 傍晚 is not read as 晚 (night).
_TIME_WORDS: tuple[tuple[TimeOfDay, tuple[str, ...]], ...] = (
    ("dusk", ("dusk", "sunset", "evening", "twilight", "黄昏", "傍晚", "夕阳", "日落", "薄暮")),
    (
        "dawn",
        ("dawn", "sunrise", "daybreak", "early morning", "黎明", "清晨", "拂晓", "日出", "晨"),
    ),
    (
        "night",
        ("night", "midnight", "moonlight", "moonlit", "starry", "夜", "晚", "月光", "月亮", "星空"),
    ),
    ("day", ("day", "daytime", "noon", "morning", "afternoon", "sunny", "白天", "中午", "午后")),
)

_MOOD_WORDS: tuple[tuple[Mood, tuple[str, ...]], ...] = (
    ("tense", ("tense", "danger", "fear", "chase", "threat", "紧张", "危险", "恐惧", "追")),
    (
        "sad",
        (
            "sad",
            "grie",
            "sorrow",
            "cry",
            "tears",
            "weep",
            "lonely",
            "mourn",
            "悲",
            "难过",
            "哭",
            "泪",
            "孤独",
            "伤心",
        ),
    ),
    ("joyful", ("joy", "happy", "laugh", "celebrat", "cheer", "欢", "快乐", "开心", "笑", "喜")),
    ("epic", ("epic", "battle", "heroic", "vast", "triumph", "史诗", "战", "壮", "英雄")),
    ("mysterious", ("myster", "fog", "mist", "secret", "strange", "神秘", "雾", "诡", "秘密")),
    ("calm", ("calm", "peace", "quiet", "serene", "gentle", "宁静", "平静", "安静", "悠闲")),
)


def _mentions(text: str, word: str) -> bool:
    """Latin words match at a word start (so 'day' is not found in 'today'); Chinese anywhere."""
    if word.isascii():
        return re.search(rf"\b{re.escape(word)}", text) is not None
    return word in text


def _first_match(table: tuple[tuple[T, tuple[str, ...]], ...], *texts: str) -> T | None:
    for text in texts:
        lowered = text.lower()
        for key, words in table:
            if any(_mentions(lowered, w) for w in words):
                return key
    return None


def time_of_day(explicit: str, *context: str) -> TimeOfDay:
    """The shot's time of day: the explicit field first, then words in the setting or prompt."""
    return _first_match(_TIME_WORDS, explicit, *context) or "day"


def mood(explicit: str, *context: str) -> Mood:
    """The shot's mood, read the same way; 'neutral' when nothing says otherwise."""
    return _first_match(_MOOD_WORDS, explicit, *context) or "neutral"


@dataclass(frozen=True)
class Sky:
    top: RGB
    horizon: RGB
    glow: RGB  # the halo around the sun or moon
    light: tuple[float, float, float]  # how the time of day tints lit surfaces


_SKIES: dict[TimeOfDay, Sky] = {
    "day": Sky(hex_rgb("#5f9fd8"), hex_rgb("#dceef6"), hex_rgb("#fff6dc"), (1.0, 1.0, 1.0)),
    "dawn": Sky(hex_rgb("#7a86c2"), hex_rgb("#fbc4a2"), hex_rgb("#ffd6a0"), (1.02, 0.9, 0.88)),
    "dusk": Sky(hex_rgb("#3b3570"), hex_rgb("#f39257"), hex_rgb("#ffb066"), (0.95, 0.74, 0.7)),
    "night": Sky(hex_rgb("#070d26"), hex_rgb("#243560"), hex_rgb("#c8d3ff"), (0.3, 0.36, 0.56)),
}


@dataclass(frozen=True)
class Grade:
    saturation: float
    contrast: float
    tint: tuple[float, float, float]


_GRADES: dict[Mood, Grade] = {
    "neutral": Grade(1.0, 1.0, (1.0, 1.0, 1.0)),
    "calm": Grade(0.85, 0.9, (1.0, 1.0, 1.02)),
    "tense": Grade(0.7, 1.2, (0.96, 1.0, 0.98)),
    "joyful": Grade(1.2, 1.05, (1.05, 1.02, 0.94)),
    "sad": Grade(0.55, 0.9, (0.9, 0.95, 1.04)),
    "epic": Grade(1.1, 1.25, (1.05, 1.0, 0.92)),
    "mysterious": Grade(0.8, 1.1, (0.9, 0.9, 1.06)),
}


def _grade(c: RGB, g: Grade) -> RGB:
    """Saturation, then contrast around mid-grey, then a tint: a colourist's three knobs."""
    lum = luminance(c) * 255
    out = [128 + (lum + (v - lum) * g.saturation - 128) * g.contrast for v in c]
    return multiply((clamp8(out[0]), clamp8(out[1]), clamp8(out[2])), g.tint)


@dataclass(frozen=True)
class Look:
    """Resolved colours for one frame."""

    style: StylePreset
    time: TimeOfDay
    mood: Mood

    @cached_property
    def palette(self) -> tuple[RGB, ...]:
        return tuple(hex_rgb(c) for c in self.style.palette)

    @property
    def sky(self) -> Sky:
        return _SKIES[self.time]

    @property
    def ink(self) -> RGB:
        """Outline colour: the style's darkest tone, pushed towards black so lines read."""
        return mix(self.palette[0], (12, 10, 8), 0.45)

    @property
    def accent(self) -> RGB:
        return self.palette[-2]

    @cached_property
    def _ramp(self) -> tuple[tuple[RGB, ...], tuple[float, ...]]:
        """The palette ordered by brightness, with those brightnesses."""
        ramp = tuple(sorted(self.palette, key=luminance))
        return ramp, tuple(luminance(p) for p in ramp)

    @cached_property
    def _style_strength(self) -> float:
        # A nearly grey palette (ink wash) should pull colours much harder than a vivid one.
        vividness = sum(saturation(c) for c in self.palette) / len(self.palette)
        return 0.22 + 0.55 * max(0.0, 1.0 - vividness * 1.8)

    def _harmonise(self, c: RGB) -> RGB:
        """Pull ``c`` towards the palette colour of the same brightness (a gradient map)."""
        ramp, lums = self._ramp
        lum = luminance(c)
        if lum <= lums[0]:
            target = ramp[0]
        elif lum >= lums[-1]:
            target = ramp[-1]
        else:
            i = next(k for k in range(1, len(ramp)) if lums[k] >= lum)
            span = max(1e-6, lums[i] - lums[i - 1])
            target = mix(ramp[i - 1], ramp[i], (lum - lums[i - 1]) / span)
        # Keep the original brightness so the map changes hue, not the composition's values.
        toned = mix(c, target, self._style_strength)
        ratio = (lum + 0.02) / (luminance(toned) + 0.02)
        return scale(toned, ratio)

    def tone(self, c: RGB, *, lit: bool = True) -> RGB:
        """A scene colour as this style, time and mood show it (``lit``: catches daylight)."""
        out = self._harmonise(c)
        if lit:
            out = multiply(out, self.sky.light)
        return _grade(out, _GRADES[self.mood])

    def skin(self, c: RGB) -> RGB:
        """Faces and hair: only half the time-of-day light, so figures stay readable at night."""
        r, g, b = self.sky.light
        return multiply(c, ((1 + r) / 2, (1 + g) / 2, (1 + b) / 2))
