"""Indoor scenery: walls, a plank floor in perspective, a window and a door, and what the room
holds — a shop's shelves and counter, a kitchen's cupboards and stove, a bed, bookcases, a
workbench, a blackboard, clocks on the wall of a clock shop.

By night (and at dusk) a hanging lamp is lit: the room takes its warm light instead of the cold
blue of the night outside, which shows through the window with the moon and a few stars.
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image

from storyreel.providers.image.sketching.colour import (
    RGB,
    hex_rgb,
    mix,
    multiply,
    scale,
    with_alpha,
)
from storyreel.providers.image.sketching.look import Look
from storyreel.providers.image.sketching.pen import round_corners
from storyreel.providers.image.sketching.scenery import Painter, Scenery
from storyreel.providers.image.sketching.sky import Light, stretch, vertical_wash

# How the lamp colours a room lit by it, in place of the time of day's light.
_LAMPLIGHT: dict[str, tuple[float, float, float]] = {
    "night": (0.66, 0.52, 0.38),
    "dusk": (0.95, 0.8, 0.64),
}
_BOOKS = ("#8c3b2f", "#2f5d8c", "#c9a23f", "#3f7a4a", "#6b4a8a", "#b5652f", "#e3dccb")
_GOODS = ("#c9a23f", "#b5652f", "#5f8a9c", "#8c3b2f", "#e3dccb", "#7d9a5a")


def lamp_lit(look: Look) -> bool:
    """A room is lit by its lamp at night and at dusk."""
    return look.time in _LAMPLIGHT


class InteriorPainter(Painter):
    """Paints a room: the floor line sits where an outdoor horizon would."""

    def tone(self, c: str | RGB) -> RGB:
        rgb = hex_rgb(c) if isinstance(c, str) else c
        if lamp_lit(self.look):
            return multiply(self.look.tone(rgb, lit=False), _LAMPLIGHT[self.look.time])
        return self.look.tone(rgb)

    def paint(self, light: Light, where: Scenery | None = None) -> None:
        hz = self.f.horizon
        wall = self.tone("#e4d5bb")
        floor_far, floor_near = self.tone("#b98a5e"), self.tone("#7d5434")
        self.pen.image.paste(self._wash(0, round(hz), scale(wall, 0.92), wall), (0, 0))
        self.pen.image.paste(self._wash(round(hz), self.h, floor_far, floor_near), (0, round(hz)))
        ink = mix(wall, self.look.ink, 0.45)
        # Wainscot and skirting: two lines that turn a colour field into a wall.
        dado = hz - self.v * 0.16
        self.pen.wash.rectangle((0, dado, self.w, hz), fill=with_alpha(scale(wall, 0.8), 90))
        self.pen.line([(0, dado), (self.w, dado)], ink, self.line)
        self.pen.draw.rectangle(
            (0, hz - self.v * 0.025, self.w, hz), fill=mix(floor_near, self.look.ink, 0.2)
        )
        self._planks(hz, floor_near)
        if hz - self.f.top < max(self.v * 0.1, 4 * self.ss):
            return  # a sliver of wall under the caption (a tiny frame) holds nothing
        room = where.room if where is not None else "room"
        self._window(hz, light)
        self._door(hz)
        clocks = where is not None and where.clocks
        furnish = {
            "shop": lambda hz: self._shop(hz, clocks),
            "kitchen": self._kitchen,
            "bedroom": self._bedroom,
            "library": self._library,
            "workshop": self._workshop,
            "classroom": self._classroom,
        }.get(room, self._picture)
        furnish(hz)
        if clocks:
            self._clocks(hz)
        if lamp_lit(self.look):
            self._lamp()

    # --- the room ---------------------------------------------------------------------------

    def _planks(self, hz: float, floor: RGB) -> None:
        vx, vy = self.w * 0.5, hz - self.v * 0.8
        seam = mix(floor, self.look.ink, 0.35)
        for k in range(-8, 9):
            bx = self.w * 0.5 + k * self.v * 0.22
            # Seams converge on a vanishing point above the floor: the room gets depth.
            t = (hz - vy) / (self.h - vy)
            top = (vx + (bx - vx) * t, hz)
            self.pen.line([top, (bx, self.h)], seam, self.line * 0.6)

    def _window(self, hz: float, light: Light) -> None:
        # Between the caption band and the dado rail, whatever the framing.
        room_top, dado = self.f.top, hz - self.v * 0.16
        wh = max(4.0, min(self.v * 0.4, (dado - room_top) * 0.75))
        ww = min(self.v * 0.42, wh * 1.1)
        x0 = self.w * 0.68 - ww / 2
        y0 = dado - (dado - room_top) * 0.1 - wh
        frame = self.tone("#f4efe6")
        sky = self.look.sky
        outside = vertical_wash(
            round(ww),
            round(wh),
            self.look.tone(sky.top, lit=False),
            self.look.tone(sky.horizon, lit=False),
            self.ss,
        )
        self.pen.image.paste(outside, (round(x0), round(y0)))
        if self.look.time == "night":
            r = ww * 0.1
            mx, my = x0 + ww * 0.7, y0 + wh * 0.3
            self.pen.draw.ellipse((mx - r, my - r, mx + r, my + r), fill=(240, 236, 214))
            star = mix(self.look.tone(sky.top, lit=False), (255, 250, 235), 0.8)
            for fx, fy in ((0.18, 0.2), (0.38, 0.12), (0.25, 0.62), (0.85, 0.7), (0.55, 0.4)):
                sr = max(self.ss * 0.8, ww * 0.012)
                sx, sy = x0 + ww * fx, y0 + wh * fy
                self.pen.draw.ellipse((sx - sr, sy - sr, sx + sr, sy + sr), fill=star)
        bar = max(self.ss * 2.0, self.v * 0.018)
        box = [(x0, y0), (x0 + ww, y0), (x0 + ww, y0 + wh), (x0, y0 + wh)]
        self.pen.line([*box, box[0]], frame, bar)
        self.pen.line([(x0 + ww / 2, y0), (x0 + ww / 2, y0 + wh)], frame, bar * 0.7)
        self.pen.line([(x0, y0 + wh / 2), (x0 + ww, y0 + wh / 2)], frame, bar * 0.7)
        outline = [
            (x0 - bar / 2, y0 - bar / 2),
            (x0 + ww + bar / 2, y0 - bar / 2),
            (x0 + ww + bar / 2, y0 + wh + bar / 2),
            (x0 - bar / 2, y0 + wh + bar / 2),
        ]
        self.pen.line([*outline, outline[0]], self.look.ink, self.line * 0.8)
        # Light falling through the window onto the floor, by day.
        if not lamp_lit(self.look) and self.look.time != "night":
            patch = [
                (x0, hz + self.v * 0.04),
                (x0 + ww, hz + self.v * 0.04),
                (x0 + ww * 1.3, hz + self.v * 0.2),
                (x0 - ww * 0.1, hz + self.v * 0.2),
            ]
            self.pen.wash.polygon(patch, fill=(255, 240, 200, 45))

    @property
    def _door_right(self) -> float:
        return self.w * 0.1 + min(self.v * 0.55, (self.f.horizon - self.f.top) * 0.92) * 0.44

    @property
    def _window_width(self) -> float:
        dado = self.f.horizon - self.v * 0.16
        return min(self.v * 0.42, max(4.0, min(self.v * 0.4, (dado - self.f.top) * 0.75)) * 1.1)

    def _door(self, hz: float) -> None:
        dh = min(self.v * 0.55, (hz - self.f.top) * 0.92)
        dw = dh * 0.44
        x0 = self.w * 0.1
        wood = self.tone("#8a5a36")
        door = [(x0, hz - dh), (x0 + dw, hz - dh), (x0 + dw, hz), (x0, hz)]
        self.pen.shape(door, wood)
        inset = dw * 0.14
        for y0, y1 in ((hz - dh + inset, hz - dh * 0.55), (hz - dh * 0.48, hz - inset)):
            self._box(x0 + inset, y0, x0 + dw - inset, y1, None, mix(wood, self.look.ink, 0.4))
        kx, ky, kr = x0 + dw * 0.82, hz - dh * 0.48, dw * 0.04
        self.pen.draw.ellipse((kx - kr, ky - kr, kx + kr, ky + kr), fill=self.tone("#d8b45a"))

    def _box(
        self, x0: float, y0: float, x1: float, y1: float, fill: RGB | None, ink: RGB | None = None
    ) -> None:
        """A rectangle: filled and inked, or (``fill`` None) only outlined."""
        pts = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
        if fill is not None:
            self.pen.shape(pts, fill, ink=ink, width=self.line * 0.8)
        else:
            self.pen.line([*pts, pts[0]], ink or self.look.ink, self.line * 0.6)

    @property
    def _wall_top(self) -> float:
        """Where furniture may reach up to: under the caption band."""
        return self.f.top + (self.f.horizon - self.f.top) * 0.08

    # --- furniture --------------------------------------------------------------------------

    def _shelves(
        self, x0: float, x1: float, hz: float, goods: tuple[str, ...], books: bool
    ) -> None:
        """A tall open shelf unit against the wall, its boards filled with goods or books."""
        top = max(self._wall_top, hz - self.v * 0.62)
        wood = self.tone("#7a5234")
        self._box(x0, top, x1, hz, wood)
        inner = mix(wood, self.look.ink, 0.45)
        pad = (x1 - x0) * 0.07
        rows = 4 if hz - top > self.v * 0.35 else 3
        step = (hz - top - pad) / rows
        if step <= pad * 1.5 or x1 - x0 <= pad * 4:
            return  # too small a unit to hold anything
        for r in range(rows):
            y0, y1 = top + pad + r * step, top + (r + 1) * step
            self.pen.draw.rectangle((x0 + pad, y0, x1 - pad, y1), fill=inner)
            x = x0 + pad * 1.3
            k = r * 3
            while x < x1 - pad * 1.6:
                colour = self.tone(goods[k % len(goods)])
                if books:
                    bw = (x1 - x0) * (0.05 + 0.03 * ((k * 7) % 3))
                    bh = (y1 - y0) * (0.72 + 0.08 * ((k * 5) % 3))
                    self._box(x, y1 - bh, min(x + bw, x1 - pad * 1.3), y1, colour)
                    x += bw
                else:  # jars and boxes
                    bw = (x1 - x0) * 0.14
                    bh = (y1 - y0) * (0.5 + 0.12 * (k % 3))
                    if k % 2:
                        self.pen.ellipse(x + bw / 2, y1 - bh / 2, bw / 2, bh / 2, colour)
                    else:
                        self._box(x, y1 - bh, x + bw, y1, colour)
                    x += bw * 1.35
                k += 1
            self.pen.line([(x0 + pad, y1), (x1 - pad, y1)], wood, max(self.ss, step * 0.08))

    def _counter(self, x0: float, x1: float, hz: float, depth: float = 0.2) -> float:
        """A counter or cupboards along the wall; returns the y of its top."""
        top = hz - self.v * depth
        wood = self.tone("#8f6240")
        self._box(x0, top, x1, hz, wood)
        slab = self.tone("#d9cbb0")
        self._box(x0 - self.v * 0.01, top - self.v * 0.025, x1 + self.v * 0.01, top, slab)
        return top - self.v * 0.025

    def _shop(self, hz: float, clocks: bool = False) -> None:
        # A clock shop keeps room beside the door for its tall case clock.
        left = max(self.w * 0.27, self._door_right + self.v * 0.14) if clocks else self.w * 0.27
        self._shelves(min(left, self.w * 0.4), self.w * 0.47, hz, _GOODS, books=False)
        self._shelves(self.w * 0.86, self.w * 0.98, hz, _GOODS[2:], books=False)
        self._counter(self.w * 0.52, self.w * 0.84, hz)

    def _library(self, hz: float) -> None:
        self._shelves(self.w * 0.25, self.w * 0.45, hz, _BOOKS, books=True)
        self._shelves(self.w * 0.84, self.w * 0.99, hz, _BOOKS[3:] + _BOOKS[:3], books=True)

    def _kitchen(self, hz: float) -> None:
        """Cupboards under a worktop (the window above it), a range with a pot on the hob, pans
        on a rail above it and plates on a shelf."""
        v, ink = self.v, self.look.ink
        x0, x1 = self.w * 0.3, self.w * 0.97
        top = self._counter(x0, x1, hz, 0.14)
        wood = self.tone("#8f6240")
        seam = mix(wood, ink, 0.4)
        step = max(v * 0.14, 1.0)
        for k in range(int((x1 - x0) / step)):
            dx = x0 + k * step
            self._box(dx + step * 0.1, top + v * 0.05, dx + step * 0.9, hz - v * 0.015, None, seam)
        sx, half = self.w * 0.4, min(v * 0.09, self.w * 0.07)
        iron = self.tone("#3d3a38")
        self._box(sx - half, top - v * 0.01, sx + half, hz, iron)
        self._box(
            sx - half * 0.75,
            top + v * 0.05,
            sx + half * 0.75,
            hz - v * 0.02,
            None,
            scale(iron, 1.8),
        )
        # A pot on the hob: a rounded body, a lid with a knob, two handles.
        pot, pw, ph = self.tone("#b5652f"), half * 0.55, v * 0.06
        base = top - v * 0.012
        body = [
            (sx - pw, base - ph),
            (sx + pw, base - ph),
            (sx + pw * 0.92, base),
            (sx - pw * 0.92, base),
        ]
        self.pen.shape(round_corners(body, ph * 0.3), pot)
        for side in (-1, 1):
            hx = sx + side * pw
            self.pen.line(
                [(hx, base - ph * 0.8), (hx + side * pw * 0.25, base - ph * 0.8)],
                ink,
                self.line * 1.5,
            )
        self.pen.ellipse(sx, base - ph, pw * 1.05, ph * 0.14, mix(pot, ink, 0.2))
        self.pen.ellipse(sx, base - ph * 1.2, pw * 0.14, ph * 0.1, ink, width=0)
        rail = max(self._wall_top + v * 0.02, top - v * 0.34)
        if top - rail > v * 0.2:
            self.pen.line([(sx - half * 1.3, rail), (sx + half * 1.3, rail)], ink, self.line)
            for k, r in enumerate((0.035, 0.045, 0.032)):
                px = sx - half + k * half
                py = rail + v * 0.025 + v * r
                self.pen.line([(px, rail), (px, py - v * r)], ink, self.line * 0.6)
                self.pen.ellipse(px, py, v * r, v * r, self.tone("#6b6f74"))
        window_right = self.w * 0.68 + min(v * 0.42, (hz - v * 0.16 - self.f.top) * 0.83) / 2
        sx2 = (window_right + x1) / 2
        if x1 - window_right > v * 0.2:
            shelf = max(self._wall_top + v * 0.06, top - v * 0.22)
            self.pen.line([(sx2 - v * 0.1, shelf), (sx2 + v * 0.1, shelf)], wood, self.line * 1.6)
            for k in range(3):
                px = sx2 - v * 0.065 + k * v * 0.065
                self.pen.ellipse(px, shelf - v * 0.035, v * 0.03, v * 0.03, self.tone("#eef0f2"))

    def _bedroom(self, hz: float) -> None:
        """A bed against the wall: headboard, pillow, and a blanket over the mattress."""
        v = self.v
        x0, x1 = self.w * 0.28, min(self.w * 0.56, self.w * 0.28 + v * 0.5)
        wood = self.tone("#7a5234")
        head_top = max(self._wall_top, hz - v * 0.3)
        self._box(x0, head_top, x0 + v * 0.05, hz, wood)
        self._box(x1 - v * 0.03, hz - v * 0.15, x1, hz, wood)
        mattress = hz - v * 0.14
        self._box(x0 + v * 0.05, mattress, x1 - v * 0.03, hz - v * 0.05, self.tone("#f1ece2"))
        self.pen.ellipse(
            x0 + v * 0.11, mattress - v * 0.02, v * 0.055, v * 0.03, self.tone("#faf7f0")
        )
        blanket = [
            (x0 + v * 0.17, mattress - v * 0.01),
            (x1 - v * 0.02, mattress - v * 0.01),
            (x1 - v * 0.02, hz - v * 0.03),
            (x0 + v * 0.16, hz - v * 0.03),
        ]
        self.pen.shape(blanket, self.tone("#6f8fb5"))
        self.pen.line(
            [(x0 + v * 0.2, mattress + v * 0.02), (x1 - v * 0.04, mattress + v * 0.02)],
            self.tone("#f1ece2"),
            self.line * 1.4,
        )
        self._picture(hz)

    def _workshop(self, hz: float) -> None:
        x0, x1 = self.w * 0.28, self.w * 0.58
        top = hz - self.v * 0.2
        wood = self.tone("#9a6a40")
        self._box(x0, top - self.v * 0.03, x1, top, wood)
        for x in (x0 + self.v * 0.02, x1 - self.v * 0.04):
            self._box(x, top, x + self.v * 0.02, hz, mix(wood, self.look.ink, 0.3))
        # A tool board: a saw, a hammer and a ring of string.
        board_y0 = max(self._wall_top, top - self.v * 0.33)
        board = self.tone("#c9ad84")
        self._box(x0 + self.v * 0.03, board_y0, x1 - self.v * 0.03, top - self.v * 0.08, board)
        steel, handle = self.tone("#8d9399"), self.tone("#7a4a2a")
        bx, by = x0 + self.v * 0.08, board_y0 + self.v * 0.04
        self._box(bx, by, bx + self.v * 0.1, by + self.v * 0.04, steel)
        self._box(bx + self.v * 0.1, by, bx + self.v * 0.13, by + self.v * 0.05, handle)
        hx = bx + self.v * 0.2
        self._box(hx, by, hx + self.v * 0.02, by + self.v * 0.12, handle)
        self._box(hx - self.v * 0.03, by, hx + self.v * 0.05, by + self.v * 0.03, steel)

    def _classroom(self, hz: float) -> None:
        x0, x1 = self.w * 0.26, self.w * 0.56
        y1 = hz - self.v * 0.2
        y0 = max(self._wall_top, y1 - self.v * 0.26)
        self._box(x0, y0, x1, y1, self.tone("#2f4a3a"), self.tone("#8a5a36"))
        chalk = mix(self.tone("#2f4a3a"), (250, 250, 245), 0.75)
        for k in range(3):
            y = y0 + (y1 - y0) * (0.3 + 0.2 * k)
            self.pen.line(
                [(x0 + (x1 - x0) * 0.1, y), (x0 + (x1 - x0) * (0.75 - 0.15 * k), y)],
                chalk,
                self.line * 0.7,
            )
        desk = self.tone("#9a6a40")
        self._box(self.w * 0.78, hz - self.v * 0.14, self.w * 0.95, hz - self.v * 0.11, desk)
        for x in (self.w * 0.79, self.w * 0.93):
            self._box(x, hz - self.v * 0.11, x + self.v * 0.015, hz, desk)

    def _picture(self, hz: float) -> None:
        """A framed picture on the wall: a room that someone lives in."""
        cx, w = self.w * 0.36, self.v * 0.2
        y1 = hz - self.v * 0.26
        y0 = max(self._wall_top, y1 - w * 0.75)
        if y1 - y0 < self.v * 0.05:
            return
        self._box(cx - w / 2, y0, cx + w / 2, y1, self.tone("#8a6a3a"))
        inset = w * 0.09
        self._box(
            cx - w / 2 + inset, y0 + inset, cx + w / 2 - inset, y1 - inset, self.tone("#a9c2a0")
        )
        hill = [
            (cx - w / 2 + inset, y1 - inset),
            (cx - w * 0.1, y0 + (y1 - y0) * 0.45),
            (cx + w / 2 - inset, y1 - inset),
        ]
        self.pen.shape(hill, self.tone("#6b8f5a"), width=0)

    def _clocks(self, hz: float) -> None:
        """A tall case clock beside the door and clocks on the free wall: a clock shop."""
        v, top, dado = self.v, self._wall_top, hz - self.v * 0.16
        x0, cw = self._door_right + v * 0.02, min(v * 0.1, self.w * 0.07)
        ch = min(v * 0.55, hz - top)
        wood = self.tone("#6a4028")
        self._box(x0, hz - ch, x0 + cw, hz, wood)
        self._clock_face(x0 + cw / 2, hz - ch + cw * 0.62, cw * 0.38, wood)
        self._box(
            x0 + cw * 0.3,
            hz - ch * 0.55,
            x0 + cw * 0.7,
            hz - ch * 0.12,
            mix(wood, self.look.ink, 0.5),
        )
        self.pen.ellipse(x0 + cw / 2, hz - ch * 0.2, cw * 0.12, cw * 0.12, self.tone("#d8b45a"))
        half = self._window_width / 2
        gaps = (
            (self.w * 0.47, self.w * 0.68 - half, 0.3),
            (self.w * 0.68 + half, self.w * 0.86, 0.18),
        )
        for left, right, fy in gaps:
            r = min(v * 0.05, (right - left) * 0.33)
            y = max(top + r * 1.3, top + (dado - top) * fy)
            if r > v * 0.02 and y + r < dado:
                self._clock_face((left + right) / 2, y, r, self.tone("#8a5a36"))

    def _clock_face(self, x: float, y: float, r: float, rim: RGB) -> None:
        self.pen.ellipse(x, y, r * 1.15, r * 1.15, rim)
        self.pen.ellipse(x, y, r, r, self.tone("#f6f0e0"), width=0)
        ink = self.look.ink
        for k in range(12):
            a = math.pi * 2 * k / 12
            self.pen.line(
                [
                    (x + r * 0.8 * math.cos(a), y + r * 0.8 * math.sin(a)),
                    (x + r * 0.92 * math.cos(a), y + r * 0.92 * math.sin(a)),
                ],
                ink,
                max(1.0, r * 0.05),
            )
        self.pen.line([(x, y), (x + r * 0.45, y - r * 0.3)], ink, max(1.0, r * 0.09))
        self.pen.line([(x, y), (x - r * 0.1, y - r * 0.75)], ink, max(1.0, r * 0.06))

    @property
    def _lamp_at(self) -> tuple[float, float]:
        return self.w * 0.47, self.f.top + (self.f.horizon - self.f.top) * 0.22

    def _wash(self, y0: int, y1: int, top: RGB, bottom: RGB) -> Image.Image:
        """The wall (or the floor) from ``y0`` to ``y1``: a vertical gradient and, when the lamp
        is lit, its warm light spreading from it — computed small and stretched, so it costs
        no more than the plain gradient."""
        height = max(1, y1 - y0)
        if not lamp_lit(self.look):
            return vertical_wash(self.w, height, top, bottom, self.ss)
        cols, rows = max(2, self.w // 32), max(2, height // 24)
        t = np.linspace(0.0, 1.0, rows, dtype=np.float32)[:, None, None]
        wash = np.asarray(top, np.float32) * (1 - t) + np.asarray(bottom, np.float32) * t
        lx, ly = self._lamp_at
        reach = self.v * 0.95
        yy = np.linspace(y0, y1, rows, dtype=np.float32)[:, None, None]
        xx = np.linspace(0, self.w, cols, dtype=np.float32)[None, :, None]
        d2 = ((xx - lx) / reach) ** 2 + ((yy - ly) / (reach * 0.75)) ** 2
        glow = np.clip(1.0 - d2, 0.0, 1.0) ** 2 * (0.55 if self.look.time == "night" else 0.3)
        warm = np.asarray((255, 206, 140), np.float32)
        out = wash * (1 - glow) + warm * glow
        small = Image.fromarray(np.clip(out, 0, 255).astype(np.uint8), "RGB")
        return stretch(small, self.w, height, self.ss)

    def _lamp(self) -> None:
        """A lamp hanging from the ceiling, lit (its light is in the wall and floor washes)."""
        x, y = self._lamp_at
        top = self.f.top
        r = self.v * 0.05
        halo = (255, 214, 150)
        for k, alpha in ((3.0, 16), (2.4, 22), (1.85, 30), (1.4, 42)):
            box = (x - r * k, y + r * 0.3 - r * k, x + r * k, y + r * 0.3 + r * k)
            self.pen.wash.ellipse(box, fill=with_alpha(halo, alpha))
        self.pen.line([(x, top - self.ss), (x, y - r * 0.7)], self.look.ink, self.line * 0.7)
        self.pen.ellipse(x, y + r * 0.25, r * 0.45, r * 0.45, (255, 236, 190), width=0)
        shade = self.tone("#3f5a4a")
        cone = [
            (x - r * 0.35, y - r * 0.7),
            (x + r * 0.35, y - r * 0.7),
            (x + r * 1.1, y + r * 0.3),
            (x - r * 1.1, y + r * 0.3),
        ]
        self.pen.shape(cone, shade)
