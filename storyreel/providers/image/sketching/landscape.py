"""Outdoor scenery: a far layer on the horizon and the ground in front of it.

Far: rolling hills, mountain ranges with snow caps, a city skyline, dunes, or open sea. Near:
grass with a winding path, water with glitter and a shore, a tree line, sand, snow, a street in
perspective. Everything is sized from the frame's shorter side so any aspect ratio works.
"""

from __future__ import annotations

import math
from typing import Any

from storyreel.providers.image.sketching.colour import RGB, mix
from storyreel.providers.image.sketching.pen import Point, round_corners
from storyreel.providers.image.sketching.scenery import GROUND, Far, Near, Painter
from storyreel.providers.image.sketching.sky import Light, vertical_wash, wave


class LandscapePainter(Painter):
    """Paints an outdoor setting onto the background canvas, below and on the horizon."""

    # --- ground -----------------------------------------------------------------------------

    def ground(self, near: Near, light: Light) -> None:
        hz = round(self.f.horizon)
        far, close = GROUND[near]
        wash = vertical_wash(self.w, self.h - hz, self.tone(far), self.tone(close), self.ss, 0.7)
        self.pen.image.paste(wash, (0, hz))
        if near == "water":
            self._water(light)
        elif near == "street":
            self._street()
        elif near == "sand":
            self._ripples(self.tone(GROUND["sand"][1]))
        elif near == "snow":
            self._ripples(self.tone("#b4c4d4"))
        else:
            self._path_and_tufts(near)

    def _water(self, light: Light) -> None:
        hz = self.f.horizon
        deep = self.tone(GROUND["water"][1])
        crest = mix(self.tone(GROUND["water"][0]), (255, 255, 255), 0.35)
        self.pen.draw.line([(0, hz), (self.w, hz)], fill=mix(crest, deep, 0.3), width=self.ss)
        # Glitter under the light: short strokes that widen towards the viewer.
        glint = mix(self.look.tone(self.look.sky.glow, lit=False), (255, 255, 255), 0.3)
        depth = self.h - hz
        for k in range(26):
            t = (k + self.rng.random()) / 26
            y = hz + depth * t**1.6
            half = light.radius * (0.4 + 2.2 * t) * self.rng.uniform(0.5, 1.2)
            x = light.x + self.rng.uniform(-0.3, 0.3) * half
            self.pen.draw.line([(x - half, y), (x + half, y)], fill=glint, width=max(1, self.ss))
        for _ in range(int(60 * self.w / max(1, self.v))):
            t = self.rng.random()
            y = hz + depth * t**1.5
            size = self.v * (0.01 + 0.05 * t)
            x = self.rng.uniform(-size, self.w + size)
            arc = [
                (x + size * (i / 6 - 0.5), y - size * 0.18 * math.sin(math.pi * i / 6))
                for i in range(7)
            ]
            self.pen.line(arc, crest, max(1.0, self.line * (0.4 + 0.8 * t)))
        if self.f.shot == "wide":
            self._shore()

    def _shore(self) -> None:
        """A strip of beach for the figures of a wide shot to stand on."""
        top = self.h * 0.76
        sand = self.tone("#e6cf9f")
        foam = mix(sand, (255, 255, 255), 0.6)
        edge: list[Point] = []
        steps = 24
        phase = self.rng.uniform(0, 6.28)
        for i in range(steps + 1):
            x = self.w * i / steps
            edge.append((x, top + self.v * 0.02 * math.sin(x / (self.v * 0.35) + phase)))
        self.pen.shape([*edge, (self.w, self.h), (0, self.h)], sand, width=0)
        self.pen.line(edge, foam, self.line * 1.6)
        self.pen.line([(x, y + self.line * 2) for x, y in edge], mix(sand, (0, 0, 0), 0.15), 1)

    def _street(self) -> None:
        hz = self.f.horizon
        vx = self.w * 0.5
        road = self.tone("#6f6c68")
        curb = self.tone("#c9c3b8")
        left, right = -self.w * 0.15, self.w * 1.15
        self.pen.shape(
            [(vx - self.w * 0.02, hz), (vx + self.w * 0.02, hz), (right, self.h), (left, self.h)],
            road,
            width=0,
        )
        for side in (left, right):
            self.pen.line([(vx + (side - vx) * 0.02, hz), (side, self.h)], curb, self.line * 2)
        # Centre line dashes, longer towards the viewer: perspective in three strokes.
        dash = mix(road, (240, 232, 200), 0.75)
        for k in range(7):
            t0, t1 = (k / 7) ** 2, ((k + 0.45) / 7) ** 2
            y0, y1 = hz + (self.h - hz) * t0, hz + (self.h - hz) * t1
            self.pen.line([(vx, y0), (vx, y1)], dash, max(1.0, self.line * (0.5 + 3 * t1)))

    def _ripples(self, colour: RGB) -> None:
        hz = self.f.horizon
        for _ in range(int(24 * self.w / max(1, self.v))):
            t = self.rng.random()
            y = hz + (self.h - hz) * t**1.4
            size = self.v * (0.03 + 0.12 * t)
            x = self.rng.uniform(0, self.w)
            arc = [
                (x + size * (i / 6 - 0.5), y + size * 0.06 * math.sin(math.pi * i / 3))
                for i in range(7)
            ]
            self.pen.line(arc, colour, max(1.0, self.line * 0.8))

    def _path_and_tufts(self, near: Near) -> None:
        hz = self.f.horizon
        tuft = self.tone(GROUND[near][1] if near == "grass" else "#3f5c2a")
        for _ in range(int(40 * self.w / max(1, self.v))):
            t = self.rng.random()
            y = hz + (self.h - hz) * t**1.2
            size = self.v * (0.008 + 0.03 * t)
            x = self.rng.uniform(0, self.w)
            blades = [(x - size * 0.5, y - size), (x, y), (x + size * 0.1, y - size * 1.3)]
            self.pen.line(blades, tuft, max(1.0, self.line * 0.7))
        if self.f.shot != "close_up":
            self._path(hz)

    def _path(self, hz: float) -> None:
        """A path winding to the horizon: it leads the eye into the picture."""
        colour = self.tone("#d8bf92")
        start = self.w * self.rng.uniform(0.55, 0.7)
        end = self.w * 0.45
        bend = self.w * self.rng.choice((-0.08, 0.08))
        left: list[Point] = []
        right: list[Point] = []
        for i in range(17):
            t = i / 16
            y = hz + (self.h - hz) * t
            cx = start + (end - start) * t + bend * math.sin(math.pi * t)
            half = self.w * (0.004 + 0.16 * t**1.6)
            left.append((cx - half, y))
            right.append((cx + half, y))
        edge = mix(colour, self.look.ink, 0.3)
        self.pen.shape([*left, *reversed(right)], colour, width=0)
        self.pen.line(left, edge, self.line * 0.8)
        self.pen.line(right, edge, self.line * 0.8)

    # --- far layer --------------------------------------------------------------------------

    def far(self, far: Far, light: Light) -> None:
        if far == "hills":
            self._hills()
        elif far == "mountains":
            self._mountains(light)
        elif far == "city":
            self._city()
        elif far == "dunes":
            self._dunes()

    def _ridge(self, base: float, amp: float, period: float) -> list[Point]:
        p1, p2 = self.rng.uniform(0, 6.28), self.rng.uniform(0, 6.28)
        steps = max(12, int(self.w / (self.ss * 6)))
        pts = []
        for i in range(steps + 1):
            x = self.w * i / steps
            y = base - amp * (0.65 * wave(x, p1, period) + 0.35 * wave(x, p2, period * 0.43))
            pts.append((x, y))
        return pts

    def _layer(self, ridge: list[Point], colour: RGB, bottom: float) -> None:
        self.pen.shape([*ridge, (self.w, bottom), (0, bottom)], colour, width=0)
        self.pen.line(ridge, mix(colour, self.look.ink, 0.35), self.line)

    def _hills(self) -> None:
        hz = self.f.horizon
        grass = GROUND["grass"][0]
        far = self.far_colour(grass, 0.55)
        near = self.far_colour(grass, 0.15)
        self._layer(self._ridge(hz - self.v * 0.02, self.v * 0.09, self.v * 1.6), far, hz + 1)
        self._layer(self._ridge(hz + self.v * 0.005, self.v * 0.05, self.v * 1.1), near, hz + 2)

    def _dunes(self) -> None:
        hz = self.f.horizon
        sand = GROUND["sand"][0]
        self._layer(
            self._ridge(hz - self.v * 0.01, self.v * 0.07, self.v * 1.3),
            self.far_colour(sand, 0.4),
            hz + 1,
        )

    def _mountains(self, light: Light) -> None:
        hz = self.f.horizon
        for depth, height in ((0.6, 0.3), (0.3, 0.2)):
            rock = self.far_colour("#6f7d8c", depth)
            self._range(hz, self.v * height, rock, light.from_right(self.w))

    def _range(self, hz: float, height: float, rock: RGB, lit_from_right: bool) -> None:
        count = max(2, round(self.w / (self.v * 0.45)))
        ridge: list[Point] = [(-self.w * 0.05, hz - height * 0.1)]
        for i in range(count + 1):
            x = self.w * (i + self.rng.uniform(-0.3, 0.3)) / count
            ridge.append((x, hz - height * self.rng.uniform(0.55, 1.0)))  # a peak
            ridge.append((x + self.w * 0.5 / count, hz - height * self.rng.uniform(0.1, 0.35)))
        ridge[-1] = (self.w * 1.05, hz - height * 0.1)
        self.pen.shape([*ridge, (self.w * 1.05, hz + 2), (-self.w * 0.05, hz + 2)], rock, width=0)
        snow = mix(self.look.tone((245, 247, 250), lit=True), rock, 0.15)
        shade = mix(rock, self.look.ink, 0.2)
        for i in range(1, len(ridge) - 1, 2):
            peak, before, after = ridge[i], ridge[i - 1], ridge[i + 1]
            # The flank away from the light in shadow: two tones are enough to read as form.
            valley = before if lit_from_right else after
            foot = (peak[0] + (valley[0] - peak[0]) * 0.25, hz + 2)
            self.pen.shape([peak, valley, (valley[0], hz + 2), foot], shade, width=0)
            self.pen.shape(_snow_cap(peak, before, after, 0.3), snow, width=0)
        self.pen.line(ridge, mix(rock, self.look.ink, 0.45), self.line)

    def _city(self) -> None:
        hz = self.f.horizon
        for depth, tall, lit in ((0.55, 0.22, False), (0.2, 0.34, True)):
            stone = self.far_colour("#7d8796" if depth > 0.3 else "#5b6472", depth)
            x = -self.rng.uniform(0, self.v * 0.05)
            while x < self.w:
                bw = self.v * self.rng.uniform(0.06, 0.14)
                bh = self.v * tall * self.rng.uniform(0.35, 1.0)
                self._building(x, bw, hz - bh, hz, stone, lit)
                x += bw + self.v * self.rng.uniform(0.0, 0.03)

    def _building(self, x: float, bw: float, top: float, hz: float, stone: RGB, lit: bool) -> None:
        self.pen.shape(
            [(x, top), (x + bw, top), (x + bw, hz + 2), (x, hz + 2)],
            stone,
            ink=mix(stone, self.look.ink, 0.4),
            width=self.line * (1 if lit else 0),
        )
        if not lit:
            return
        night = self.look.time in ("night", "dusk")
        on = (255, 214, 130) if night else mix(stone, (210, 225, 240), 0.35)
        off = mix(stone, self.look.ink, 0.25)
        cell = max(self.ss * 3.0, self.v * 0.022)
        cols = max(1, int((bw - cell) / (cell * 1.6)))
        rows = max(1, int((hz - top - cell) / (cell * 1.8)))
        gap = (bw - cols * cell) / (cols + 1)
        for r in range(rows):
            for c in range(cols):
                wx = x + gap + c * (cell + gap)
                wy = top + cell * 0.8 + r * cell * 1.8
                colour = on if self.rng.random() < (0.55 if night else 0.8) else off
                self.pen.draw.rectangle((wx, wy, wx + cell, wy + cell * 1.1), fill=colour)

    # --- near framing -----------------------------------------------------------------------

    def trees(self) -> None:
        """A tree line on the horizon and, in wide shots, dark trees framing the edges."""
        hz = self.f.horizon
        self._tree_line(hz - self.v * 0.005, self.v * 0.1, self.far_colour("#3f6b3c", 0.55))
        colour = self.far_colour("#3f6b3c", 0.25)
        x = -self.rng.uniform(0, 1) * self.v * 0.05
        while x < self.w + self.v * 0.05:
            s = self.v * 0.15 * self.rng.uniform(0.6, 1.1)
            self._tree(x, hz + self.v * 0.02, s, colour)
            x += s * self.rng.uniform(0.45, 0.7)
        if self.f.shot == "wide":
            dark = self.tone("#24402a")
            for x in (self.w * 0.03, self.w * 0.97):
                self._conifer(x, self.h * 1.02, self.v * 0.75, dark, trunk=True)

    def _tree_line(self, base: float, size: float, colour: RGB) -> None:
        """Distant woods as one silhouette of pointed and rounded crowns: one polygon, fast."""
        top: list[Point] = [(-size, base)]
        x = -size * 0.5
        while x < self.w + size:
            s = size * self.rng.uniform(0.6, 1.1)
            if self.rng.random() < 0.6:
                top += [
                    (x - s * 0.2, base - s * 0.25),
                    (x, base - s),
                    (x + s * 0.2, base - s * 0.25),
                ]
            else:
                top += [
                    (x + s * 0.25 * math.cos(a), base - s * 0.45 - s * 0.3 * math.sin(a))
                    for a in (math.pi * k / 6 for k in range(6, -1, -1))
                ]
            x += s * self.rng.uniform(0.3, 0.5)
        top.append((self.w + size, base))
        self.pen.shape([*top, (self.w + size, base + size), (-size, base + size)], colour, width=0)
        self.pen.line(top, mix(colour, self.look.ink, 0.35), self.line * 0.6)

    def _tree(self, x: float, base: float, size: float, colour: RGB) -> None:
        if self.rng.random() < 0.6:
            self._conifer(x, base, size, colour)
            return
        # A broadleaf: a cluster of overlapping round masses on a short trunk.
        ink = mix(colour, self.look.ink, 0.45)
        trunk = mix(self.tone("#5a4030"), colour, 0.4)
        self._trunk(x, base, size, 0.03, 0.4, trunk, ink=ink, width=self.line * 0.6)
        r = size * 0.2
        for dx, dy, k in ((-0.7, 0.1, 0.85), (0.7, 0.15, 0.8), (0.0, -0.35, 1.0), (0.0, 0.2, 0.9)):
            cx, cy = x + dx * r, base - size * 0.55 + dy * r
            self.pen.ellipse(cx, cy, r * k, r * k, colour, ink=ink, width=self.line * 0.6)

    def _trunk(
        self,
        x: float,
        base: float,
        size: float,
        foot: float,
        height: float,
        colour: RGB,
        **stroke: Any,
    ) -> None:
        """A tapering trunk: ``foot`` wide at the ground, ``height`` tall (fractions of size)."""
        self.pen.shape(
            [
                (x - size * foot, base),
                (x - size * 0.02, base - size * height),
                (x + size * 0.02, base - size * height),
                (x + size * foot, base),
            ],
            colour,
            **stroke,
        )

    def _conifer(
        self, x: float, base: float, size: float, colour: RGB, trunk: bool = False
    ) -> None:
        ink = mix(colour, self.look.ink, 0.45)
        if trunk:
            self._trunk(x, base, size, 0.035, 0.3, self.tone("#4a3426"))
        for k in range(3):
            w = size * (0.3 - k * 0.07)
            y0 = base - size * (0.12 + 0.24 * k)
            tier = [
                (x - w, y0),
                (x - w * 0.5, y0 - size * 0.05),
                (x, y0 - size * 0.4),
                (x + w * 0.5, y0 - size * 0.05),
                (x + w, y0),
            ]
            self.pen.shape(
                round_corners(tier, size * 0.03, 3), colour, ink=ink, width=self.line * 0.8
            )


def _snow_cap(peak: Point, before: Point, after: Point, depth: float) -> list[Point]:
    """Snow down both slopes from a peak, with a ragged lower edge."""

    def along(to: Point, t: float) -> Point:
        return (peak[0] + (to[0] - peak[0]) * t, peak[1] + (to[1] - peak[1]) * t)

    a, b = along(before, depth), along(after, depth)
    drop = (max(a[1], b[1]) - peak[1]) * 0.35
    mid1 = (a[0] + (b[0] - a[0]) * 0.33, max(a[1], b[1]) - drop * 0.2)
    mid2 = (a[0] + (b[0] - a[0]) * 0.66, max(a[1], b[1]) + drop * 0.4)
    return [peak, b, mid2, mid1, a]
