"""Drawing primitives with a storyboard artist's hand: flat fills, inked and doubled outlines."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from typing import Literal

from PIL import Image, ImageDraw

from storyreel.providers.image.sketching.colour import RGB, RGBA

Point = tuple[float, float]


def ellipse_points(cx: float, cy: float, rx: float, ry: float) -> list[Point]:
    """An ellipse as a polygon, with enough points that it stays round when large."""
    n = max(16, min(120, int(max(rx, ry) / 3)))
    return [
        (cx + rx * math.cos(2 * math.pi * i / n), cy + ry * math.sin(2 * math.pi * i / n))
        for i in range(n)
    ]


def round_corners(points: Sequence[Point], radius: float, steps: int = 6) -> list[Point]:
    """Replace each corner with a short quadratic curve, so shapes look drawn, not machined."""
    out: list[Point] = []
    n = len(points)
    for i in range(n):
        prev, here, nxt = points[i - 1], points[i], points[(i + 1) % n]
        d_in = math.dist(prev, here)
        d_out = math.dist(here, nxt)
        r = min(radius, d_in / 2, d_out / 2)
        if r <= 0:
            out.append(here)
            continue
        a = (here[0] + (prev[0] - here[0]) * r / d_in, here[1] + (prev[1] - here[1]) * r / d_in)
        b = (here[0] + (nxt[0] - here[0]) * r / d_out, here[1] + (nxt[1] - here[1]) * r / d_out)
        for s in range(steps + 1):
            t = s / steps
            out.append(
                (
                    (1 - t) ** 2 * a[0] + 2 * (1 - t) * t * here[0] + t * t * b[0],
                    (1 - t) ** 2 * a[1] + 2 * (1 - t) * t * here[1] + t * t * b[1],
                )
            )
    return out


def clip_x(points: Sequence[Point], x: float, keep_right: bool) -> list[Point]:
    """The part of a polygon on one side of a vertical line (Sutherland-Hodgman, one edge)."""

    def inside(p: Point) -> bool:
        return p[0] >= x if keep_right else p[0] <= x

    out: list[Point] = []
    n = len(points)
    for i in range(n):
        cur, nxt = points[i], points[(i + 1) % n]
        if inside(cur):
            out.append(cur)
        if inside(cur) != inside(nxt):
            t = (x - cur[0]) / (nxt[0] - cur[0])
            out.append((x, cur[1] + (nxt[1] - cur[1]) * t))
    return out


class Pen:
    """Fills shapes and inks their outlines with a faint second stroke, like a pencil rough."""

    def __init__(self, image: Image.Image, *, ink: RGB, width: float, rng: random.Random) -> None:
        self.image = image
        self.draw = ImageDraw.Draw(image)
        # Translucent washes (glows, mist, shadows) blend only on an RGB canvas.
        self.wash = ImageDraw.Draw(image, "RGBA") if image.mode == "RGB" else self.draw
        self.ink = ink
        self.width = width
        self.rng = rng

    def shape(
        self,
        points: Sequence[Point],
        fill: RGB | RGBA,
        *,
        ink: RGB | None = None,
        width: float | None = None,
    ) -> None:
        """A filled polygon with an inked outline (``width=0``: no outline)."""
        if len(points) < 3:
            return
        self.draw.polygon(list(points), fill=fill)
        w = self.width if width is None else width
        if w > 0:
            self.line([*points, points[0]], ink or self.ink, w)

    def ellipse(
        self,
        cx: float,
        cy: float,
        rx: float,
        ry: float,
        fill: RGB | RGBA,
        *,
        ink: RGB | None = None,
        width: float | None = None,
    ) -> None:
        self.shape(ellipse_points(cx, cy, rx, ry), fill, ink=ink, width=width)

    def line(self, points: Sequence[Point], colour: RGB | RGBA, width: float) -> None:
        """An inked stroke; thick enough strokes get a thinner, slightly shifted echo."""
        w = max(1, round(width))
        # Round joints matter only at sharp corners; densely sampled curves have none, and
        # Pillow draws each round joint separately (slow for a 100-point ellipse).
        joint: Literal["curve"] | None = "curve" if len(points) <= 16 and w >= 3 else None
        self.draw.line(list(points), fill=colour, width=w, joint=joint)
        if width >= 3:
            dx = self.rng.uniform(-0.8, 0.8) * width
            dy = self.rng.uniform(-0.8, 0.8) * width
            echo = [(x + dx, y + dy) for x, y in points]
            self.draw.line(echo, fill=colour, width=max(1, round(width * 0.4)))

    def capsule(self, a: Point, b: Point, thickness: float, fill: RGB | RGBA) -> None:
        """A limb: a thick stroke with round ends and an inked rim."""
        rim = thickness + 2 * self.width
        for colour, size in ((self.ink, rim), (fill, thickness)):
            self.draw.line([a, b], fill=colour, width=max(1, round(size)))
            for x, y in (a, b):
                r = size / 2
                self.draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)
