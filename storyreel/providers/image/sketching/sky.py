"""The sky: a graded wash with a glow around the sun or moon, clouds by day, stars by night."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

import numpy as np
from PIL import Image

from storyreel.providers.image.sketching.colour import RGB, mix, with_alpha
from storyreel.providers.image.sketching.look import Look
from storyreel.providers.image.sketching.pen import Pen

# Washes are computed this many times smaller and enlarged: smooth, and far cheaper than
# per-pixel maths at the supersampled size.
_WASH_STEP = 16


@dataclass(frozen=True)
class Light:
    """Where the sun (or moon) is, in canvas pixels, and how big it looks."""

    x: float
    y: float
    radius: float

    def from_right(self, width: int) -> bool:
        return self.x > width / 2


def place_light(look: Look, width: int, horizon: float, top: float, rng: random.Random) -> Light:
    """The sun low on the horizon at dawn and dusk, high by day; the moon high at night."""
    v = min(horizon, width * 0.8)
    x = width * rng.uniform(0.64, 0.84)
    if look.time in ("dawn", "dusk"):
        return Light(x, horizon - v * 0.12, v * 0.1)
    y = top + (horizon - top) * rng.uniform(0.25, 0.4)
    return Light(x, y, v * (0.06 if look.time == "night" else 0.07))


def stretch(small: Image.Image, width: int, height: int, ss: int) -> Image.Image:
    """Enlarge a smooth wash: bilinear to the output size, then pixel repeats to the canvas.

    Repeating pixels is exact here because the canvas is later averaged back down by ``ss``,
    and it is several times cheaper than a smooth resize at the supersampled size.
    """
    width, height = max(1, width), max(1, height)
    # Bicubic, not bilinear: bilinear leaves a faint grid in dark, smooth skies.
    out = small.resize(
        (max(1, -(-width // ss)), max(1, -(-height // ss))), Image.Resampling.BICUBIC
    )
    return out if ss == 1 else out.resize((width, height), Image.Resampling.NEAREST)


def vertical_wash(
    width: int, height: int, top: RGB, bottom: RGB, ss: int, power: float = 1.0
) -> Image.Image:
    """A top-to-bottom gradient, built one pixel wide and stretched."""
    rows = max(2, height // _WASH_STEP)
    t = np.linspace(0.0, 1.0, rows)[:, None, None] ** power
    col = np.asarray(top, np.float32) * (1 - t) + np.asarray(bottom, np.float32) * t
    strip = Image.fromarray(np.clip(col, 0, 255).astype(np.uint8), "RGB")
    return stretch(strip, width, height, ss)


def sky_wash(look: Look, width: int, height: int, light: Light, ss: int) -> Image.Image:
    """The sky from the top of the frame down to the horizon, brightest around the light."""
    step = _WASH_STEP // 2  # the glow is round: give it finer cells than a vertical wash
    cols, rows = max(2, width // step), max(2, height // step)
    y = np.linspace(0.0, 1.0, rows, dtype=np.float32)[:, None, None]
    x = np.linspace(0.0, 1.0, cols, dtype=np.float32)[None, :, None]
    top = np.asarray(look.tone(look.sky.top, lit=False), np.float32)
    horizon = np.asarray(look.tone(look.sky.horizon, lit=False), np.float32)
    glow = np.asarray(look.tone(look.sky.glow, lit=False), np.float32)
    wash = top * (1 - y**1.3) + horizon * y**1.3
    # A broad halo around the light source: what makes a dusk sky read as dusk.
    dx = (x - light.x / width) * width
    dy = (y - light.y / max(1, height)) * height
    reach = light.radius * (9 if look.time in ("dawn", "dusk") else 6)
    strength = 0.35 if look.time == "night" else 0.6
    g = strength * np.exp(-(dx**2 + dy**2) / (reach**2))
    wash = wash * (1 - g) + glow * g
    small = Image.fromarray(np.clip(wash, 0, 255).astype(np.uint8), "RGB")
    return stretch(small, width, height, ss)


class SkyPainter:
    def __init__(self, pen: Pen, look: Look, rng: random.Random, ss: int) -> None:
        self.pen = pen
        self.look = look
        self.rng = rng
        self.ss = ss

    def paint(self, width: int, horizon: float, top: float, light: Light) -> None:
        sky = sky_wash(self.look, width, max(1, round(horizon)), light, self.ss)
        self.pen.image.paste(sky, (0, 0))
        if self.look.time == "night":
            self._stars(width, horizon, top)
        self._light(light)
        if self.look.time != "night":
            self._clouds(width, horizon, top)
            self._birds(width, horizon, top)

    def _light(self, light: Light) -> None:
        x, y, r = light.x, light.y, light.radius
        glow = self.look.tone(self.look.sky.glow, lit=False)
        for k, alpha in ((2.4, 28), (1.7, 40), (1.3, 60)):
            self.pen.wash.ellipse(
                (x - r * k, y - r * k, x + r * k, y + r * k), with_alpha(glow, alpha)
            )
        disc = mix(glow, (255, 252, 240), 0.6)
        self.pen.draw.ellipse((x - r, y - r, x + r, y + r), fill=disc)
        if self.look.time == "night":
            # Two faint maria make it a moon, not a second sun.
            shade = mix(disc, self.look.tone(self.look.sky.horizon, lit=False), 0.18)
            for ox, oy, k in ((-0.3, -0.2, 0.28), (0.25, 0.3, 0.2)):
                cx, cy, rr = x + ox * r, y + oy * r, k * r
                self.pen.draw.ellipse((cx - rr, cy - rr, cx + rr, cy + rr), fill=shade)

    def _stars(self, width: int, horizon: float, top: float) -> None:
        area = width * horizon / (self.ss * self.ss)
        count = max(6, min(260, int(area / 2600)))
        base = self.look.tone(self.look.sky.top, lit=False)
        for _ in range(count):
            x = self.rng.uniform(0, width)
            # More stars high up, where the sky is darkest.
            y = self.rng.uniform(0, 1) ** 1.6 * horizon * 0.9
            r = self.rng.uniform(0.5, 1.4) * self.ss
            colour = mix(base, (255, 250, 235), self.rng.uniform(0.45, 1.0))
            self.pen.draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)
            if self.rng.random() < 0.08:
                # An occasional twinkle cross, as a storyboard artist marks a bright star.
                k = r * 4
                self.pen.draw.line([(x - k, y), (x + k, y)], fill=colour, width=max(1, self.ss))
                self.pen.draw.line([(x, y - k), (x, y + k)], fill=colour, width=max(1, self.ss))

    def _clouds(self, width: int, horizon: float, top: float) -> None:
        v = min(horizon * 1.6, width * 0.8)
        light = {"day": (252, 252, 250), "dawn": (255, 222, 208), "dusk": (250, 176, 140)}
        under = {"day": (214, 226, 238), "dawn": (214, 170, 178), "dusk": (150, 104, 132)}
        hi = self.look.tone(light.get(self.look.time, (240, 240, 240)), lit=False)
        lo = self.look.tone(under.get(self.look.time, (200, 200, 210)), lit=False)
        count = self.rng.randint(2, 4)
        for i in range(count):
            cx = width * (i + self.rng.uniform(0.2, 0.8)) / count
            size = v * self.rng.uniform(0.05, 0.085)
            # Clear of the caption band, and well above the horizon.
            lo_y = top + size * 1.8
            cy = self.rng.uniform(lo_y, max(lo_y + 1, horizon - v * 0.22))
            self._cloud(cx, cy, size, hi, lo)

    def _cloud(self, cx: float, cy: float, size: float, hi: RGB, lo: RGB) -> None:
        puffs = []
        n = self.rng.randint(3, 5)
        for k in range(n):
            t = k / (n - 1) - 0.5
            r = size * (1.0 - abs(t) * 0.9) * self.rng.uniform(0.8, 1.15)
            puffs.append((cx + t * size * n * 0.9, cy - r * 0.35, r))
        # Underside first, shifted down, then the sunlit tops: a two-tone cloud in two passes.
        for colour, drop in ((lo, size * 0.14), (hi, 0.0)):
            for x, y, r in puffs:
                self.pen.draw.ellipse((x - r, y - r + drop, x + r, y + r + drop), fill=colour)
            flat = (cx - size * n * 0.45, cy - size * 0.3 + drop, cx + size * n * 0.45)
            self.pen.draw.rounded_rectangle(
                (flat[0], flat[1], flat[2], cy + size * 0.3 + drop), radius=size * 0.3, fill=colour
            )

    def _birds(self, width: int, horizon: float, top: float) -> None:
        """A few distant birds: scale and life in a handful of strokes."""
        if self.rng.random() < 0.4:
            return
        v = min(horizon * 1.6, width * 0.8)
        ink = mix(self.look.ink, self.look.tone(self.look.sky.horizon, lit=False), 0.35)
        cx = width * self.rng.uniform(0.15, 0.5)
        cy = top + (horizon - top) * self.rng.uniform(0.3, 0.6)
        for _ in range(self.rng.randint(2, 4)):
            x = cx + self.rng.uniform(-1, 1) * v * 0.08
            y = cy + self.rng.uniform(-1, 1) * v * 0.04
            s = v * self.rng.uniform(0.008, 0.014)
            wing = [(x - s, y - s * 0.4), (x - s * 0.45, y - s * 0.55), (x, y)]
            self.pen.line([*wing, (x + s * 0.45, y - s * 0.55), (x + s, y - s * 0.4)], ink, self.ss)

    def mist(self, width: int, horizon: float, height: int) -> None:
        """Soft fog lying on the horizon for mysterious shots: it hides the distance."""
        band = max(2.0, height * 0.09)
        y0, y1 = max(0, round(horizon - band * 2)), min(height, round(horizon + band * 2.5))
        if y1 - y0 < 2:
            return
        cols, rows = max(2, width // (_WASH_STEP * 4)), max(2, (y1 - y0) // _WASH_STEP)
        y = np.linspace(y0, y1, rows, dtype=np.float32)[:, None]
        x = np.linspace(0.0, 1.0, cols, dtype=np.float32)[None, :]
        # Denser on the horizon, thinning above and below, drifting unevenly along it.
        drift = 0.75 + 0.25 * np.sin(x * 9.0 + self.rng.uniform(0, 6.28))
        density = 0.7 * np.exp(-(((y - horizon) / band) ** 2)) * drift
        mask = Image.fromarray((density * 255).astype(np.uint8), "L")
        mask = stretch(mask, width, y1 - y0, self.ss)
        fog = Image.new("RGB", mask.size, self.look.tone(self.look.sky.horizon, lit=False))
        region = self.pen.image.crop((0, y0, width, y1))
        self.pen.image.paste(Image.composite(fog, region, mask), (0, y0))


def wave(x: float, phase: float, period: float) -> float:
    """A gentle 0..1 undulation used for rolling ridgelines."""
    return 0.5 + 0.5 * math.sin(2 * math.pi * x / period + phase)
