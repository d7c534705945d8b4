"""Characters as simple, friendly figures that stay recognisable from shot to shot.

The body is filled with the character's signature colour, exactly, in every shot and at every
time of day; hair style, build and skin tone come from a hash of the character id, so the same
character always has the same silhouette and two characters rarely share one.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from typing import Literal

from storyreel.providers.image.sketching.colour import RGB, hex_rgb, mix
from storyreel.providers.image.sketching.framing import Placement
from storyreel.providers.image.sketching.look import Look, Mood
from storyreel.providers.image.sketching.pen import Pen, Point, clip_x, round_corners

Hair = Literal["short", "long", "bun", "ponytail", "hat", "spiky"]
Build = Literal["coat", "robe", "dress", "broad"]

_HAIRS: tuple[Hair, ...] = ("short", "long", "bun", "ponytail", "hat", "spiky")
_BUILDS: tuple[Build, ...] = ("coat", "robe", "dress", "broad")
_HAIR_COLOURS = ("#2a211b", "#4b3124", "#7a4a2a", "#a0522d", "#cfa867", "#8c8c8c", "#151515")
_SKINS = ("#f3d3b5", "#e8bd98", "#d29d73", "#a8714d")

# Shoulder half-width, hem half-width, and how far above the feet the hem ends (x height).
_BUILD_SHAPE: dict[Build, tuple[float, float, float]] = {
    "coat": (0.16, 0.17, 0.3),
    "robe": (0.15, 0.24, 0.05),
    "dress": (0.13, 0.25, 0.22),
    "broad": (0.2, 0.16, 0.32),
}


@dataclass(frozen=True)
class Silhouette:
    """What makes a character recognisable besides its colour."""

    hair: Hair
    build: Build
    hair_colour: RGB
    skin: RGB


def silhouette(character_id: str) -> Silhouette:
    """The same id always gives the same silhouette (a hash, not Python's salted ``hash``)."""
    d = hashlib.sha256(character_id.encode()).digest()
    return Silhouette(
        hair=_HAIRS[d[0] % len(_HAIRS)],
        build=_BUILDS[d[1] % len(_BUILDS)],
        hair_colour=hex_rgb(_HAIR_COLOURS[d[2] % len(_HAIR_COLOURS)]),
        skin=hex_rgb(_SKINS[d[3] % len(_SKINS)]),
    )


def _rect(x0: float, y0: float, x1: float, y1: float) -> list[Point]:
    return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]


@dataclass(frozen=True)
class _Body:
    """Key measurements of one figure in canvas pixels."""

    x: float
    feet: float
    size: float
    head: Point
    r: float
    shoulders: float  # y of the shoulder line
    shoulder_w: float
    hem_w: float
    hem: float  # y of the hem


def _measure(p: Placement, build: Build) -> _Body:
    sw, hw, hem_up = _BUILD_SHAPE[build]
    hx, hy = p.head_centre
    r = p.head_radius
    f = p.height
    return _Body(
        p.x, p.feet, f, (hx, hy), r, hy + r + 0.03 * f, sw * f, hw * f, p.feet - hem_up * f
    )


class FigureArtist:
    """Draws placed characters onto the figure layer, back to front."""

    def __init__(self, pen: Pen, look: Look, *, light_from_right: bool, ss: int) -> None:
        self.pen = pen
        self.look = look
        self.light_from_right = light_from_right
        self.ss = ss

    def draw(self, p: Placement) -> None:
        sil = silhouette(p.character.id)
        body = _measure(p, sil.build)
        colour = hex_rgb(p.character.color)
        skin = self.look.skin(sil.skin)
        hair = self.look.skin(sil.hair_colour)
        self._shadow(body)
        self._back_hair(body, sil, hair, p.facing)
        self._legs(body, sil.build, colour)
        self._arms(body, colour, skin)
        self._neck(body, skin)
        self._torso(body, colour)
        self.pen.ellipse(body.head[0], body.head[1], body.r, body.r, skin)
        self._rim(body, skin)
        self._hair(body, sil, hair, colour, p.facing)
        # Faces only where they are big enough to read; a wide shot's figures stay graphic.
        if body.r >= 7 * self.ss:
            self._face(body, skin, p.facing)

    def _rim(self, b: _Body, skin: RGB) -> None:
        """In low light, a thin edge of moon- or sunlight on the lit side keeps faces alive."""
        if self.look.time not in ("night", "dusk"):
            return
        hx, hy = b.head
        r = b.r - self.pen.width * 1.2
        if r <= 0:  # a head smaller than its outline (a tiny frame): no room for a rim
            return
        glow = mix(skin, self.look.tone(self.look.sky.glow, lit=False), 0.55)
        start, end = (-70, 50) if self.light_from_right else (130, 250)
        box = (hx - r, hy - r, hx + r, hy + r)
        self.pen.draw.arc(box, start, end, fill=glow, width=max(1, round(r * 0.08)))

    def _shadow(self, b: _Body) -> None:
        # A contact shadow anchors the figure to the ground instead of floating on it.
        x, y, s = b.x, b.feet, b.size
        box = (x - 0.3 * s, y - 0.03 * s, x + 0.3 * s, y + 0.03 * s)
        self.pen.draw.ellipse(box, fill=(0, 0, 0, 70))

    def _back_hair(self, b: _Body, sil: Silhouette, hair: RGB, facing: float) -> None:
        hx, hy = b.head
        r = b.r
        if sil.hair == "long":
            back = _rect(hx - 1.12 * r, hy - 0.6 * r, hx + 1.12 * r, hy + 1.75 * r)
            self.pen.shape(round_corners(back, r), hair)
        elif sil.hair == "ponytail":
            side = -1.0 if facing > 0 else 1.0
            self.pen.ellipse(hx + side * 1.05 * r, hy + 0.25 * r, 0.38 * r, 0.85 * r, hair)

    def _legs(self, b: _Body, build: Build, colour: RGB) -> None:
        s = b.size
        trousers = mix(colour, self.look.ink, 0.55)
        shoe = mix(self.look.ink, (90, 70, 60), 0.3)
        if build != "robe":
            for side in (-1, 1):
                top = (b.x + side * 0.06 * s, b.hem - 0.03 * s)
                foot = (b.x + side * 0.065 * s, b.feet - 0.04 * s)
                self.pen.capsule(top, foot, 0.075 * s, trousers)
        for side in (-1, 1):
            self.pen.ellipse(b.x + side * 0.075 * s, b.feet - 0.02 * s, 0.055 * s, 0.028 * s, shoe)

    def _arms(self, b: _Body, colour: RGB, skin: RGB) -> None:
        s = b.size
        shade = mix(colour, self.look.ink, 0.22)
        reach = max(b.shoulder_w, b.hem_w) + 0.055 * s
        for side in (-1, 1):
            lit = (side > 0) == self.light_from_right
            shoulder = (b.x + side * (b.shoulder_w - 0.045 * s), b.shoulders + 0.085 * s)
            hand = (b.x + side * reach, b.shoulders + 0.34 * s)
            self.pen.capsule(shoulder, hand, 0.075 * s, colour if lit else shade)
            self.pen.ellipse(hand[0], hand[1] + 0.02 * s, 0.04 * s, 0.04 * s, skin)

    def _neck(self, b: _Body, skin: RGB) -> None:
        hx, hy = b.head
        w = 0.04 * b.size
        self.pen.shape(_rect(hx - w, hy + 0.5 * b.r, hx + w, b.shoulders + 0.03 * b.size), skin)

    def _torso(self, b: _Body, colour: RGB) -> None:
        s, x, y = b.size, b.x, b.shoulders
        sw, hw = b.shoulder_w, b.hem_w
        raw = [
            (x - sw * 0.45, y),
            (x + sw * 0.45, y),
            (x + sw, y + 0.07 * s),
            (x + hw, b.hem),
            (x - hw, b.hem),
            (x - sw, y + 0.07 * s),
        ]
        torso = round_corners(raw, 0.05 * s)
        self.pen.shape(torso, colour, width=0)
        # Form shading on the side away from the light; the lit side keeps the exact colour.
        edge = x - sw * 0.4 if self.light_from_right else x + sw * 0.4
        shade = clip_x(torso, edge, keep_right=not self.light_from_right)
        self.pen.shape(shade, mix(colour, self.look.ink, 0.22), width=0)
        # A collar gives the shape a front, so it reads as clothing rather than a blob.
        collar = [(x - sw * 0.35, y + 0.005 * s), (x, y + 0.07 * s), (x + sw * 0.35, y + 0.005 * s)]
        self.pen.line(collar, self.pen.ink, self.pen.width * 0.8)
        self.pen.line([*torso, torso[0]], self.pen.ink, self.pen.width)

    def _hair(self, b: _Body, sil: Silhouette, hair: RGB, colour: RGB, facing: float) -> None:
        hx, hy = b.head
        r = b.r
        if sil.hair == "hat":
            hat = mix(colour, self.look.ink, 0.6)
            crown = _rect(hx - 0.72 * r, hy - 1.5 * r, hx + 0.72 * r, hy - 0.5 * r)
            self.pen.shape(round_corners(crown, 0.3 * r), hat)
            band = _rect(hx - 0.7 * r, hy - 0.8 * r, hx + 0.7 * r, hy - 0.6 * r)
            self.pen.shape(band, colour, width=0)
            self.pen.ellipse(hx, hy - 0.55 * r, 1.55 * r, 0.26 * r, hat)
            return
        if sil.hair == "bun":
            self.pen.ellipse(hx, hy - 1.12 * r, 0.45 * r, 0.42 * r, hair)
        self.pen.shape(_cap(hx, hy, r, facing, sil.hair == "spiky"), hair)

    def _face(self, b: _Body, skin: RGB, facing: float) -> None:
        hx, hy = b.head
        r = b.r
        ink = self.look.ink
        mouth_curve, brow = face_marks(self.look.mood)
        look_x = facing * 0.28 * r
        blush = mix(skin, (232, 110, 110), 0.35)
        for side in (-1, 1):
            ex = hx + side * 0.38 * r + look_x
            cx = hx + side * 0.58 * r + look_x * 0.7
            cheek = (cx - 0.15 * r, hy + 0.33 * r, cx + 0.15 * r, hy + 0.48 * r)
            self.pen.draw.ellipse(cheek, fill=blush)
            self.pen.draw.ellipse(
                (ex - 0.09 * r, hy - 0.02 * r, ex + 0.09 * r, hy + 0.2 * r), fill=ink
            )
            if brow:
                # Brows slant in towards the nose for resolve, up for sorrow.
                inner = (ex - side * 0.14 * r, hy - 0.2 * r + brow * 0.08 * r)
                outer = (ex + side * 0.16 * r, hy - 0.2 * r - brow * 0.08 * r)
                self.pen.line([inner, outer], ink, max(self.ss, 0.06 * r))
        mx, my = hx + look_x * 0.8, hy + 0.5 * r
        mouth = [
            (mx + (t - 0.5) * 0.36 * r, my + mouth_curve * 0.1 * r * (1 - (2 * t - 1) ** 2))
            for t in (i / 8 for i in range(9))
        ]
        self.pen.line(mouth, ink, max(self.ss, 0.055 * r))


def _cap(hx: float, hy: float, r: float, facing: float, spiky: bool) -> list[Point]:
    """Hair over the top of the head with a fringe swept towards where the figure looks."""
    pts: list[Point] = []
    steps = 18 if spiky else 14
    for i in range(steps + 1):
        a = math.pi + math.pi * i / steps
        # Spiky hair: short tufts rather than a crown, so it reads as hair.
        rr = 1.08 * r if not spiky or i % 2 == 0 else 1.26 * r
        pts.append((hx + rr * math.cos(a), hy - 0.04 * r + rr * math.sin(a)))
    # The fringe: a wavy edge from the right temple back to the left one.
    sweep = 0.18 * r * (1 if facing >= 0 else -1)
    for i in range(6, -1, -1):
        t = i / 6
        x = hx - 1.0 * r + 2.0 * r * t
        y = hy - 0.22 * r - (0.14 * r if i % 2 else 0.0) + sweep * (t - 0.5)
        pts.append((x, y))
    return round_corners(pts, 0.08 * r, 3) if spiky else pts


def face_marks(mood: Mood) -> tuple[float, float]:
    """(mouth curve, brow slant) for a mood: a smile, a frown or a set jaw."""
    if mood == "sad":
        return (-1.0, -0.6)
    if mood in ("tense", "epic", "mysterious"):
        return (0.0, 0.7)
    return (1.0, 0.0)
