"""Animals as simple storybook silhouettes: four-legged beasts, birds, fish, snakes, insects.

An animal is first built as a ``Model``: named parts (legs, tail, ears, beak...) in its own unit
space (x towards where it looks, y up from the ground), from its species' proportions. A
``Pose`` then scales and places it in the frame for the shot type, and ``CreatureArtist`` inks
it. The model is plain data, so what an animal is made of can be checked without pixels.

Fur and feathers take the coat colour (half the time-of-day light, as faces do); a collar, saddle
cloth, fin or wing spot keeps the character's signature colour exactly, in every shot.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from storyreel.providers.image.sketching.beings import Being, Species
from storyreel.providers.image.sketching.colour import RGB, hex_rgb, luminance, mix
from storyreel.providers.image.sketching.framing import Placement, ShotKind
from storyreel.providers.image.sketching.look import Look
from storyreel.providers.image.sketching.pen import Pen, Point, round_corners

Role = Literal[
    "coat", "shade", "dark", "belly", "tips", "accent", "ink", "horn", "hoof", "beak", "red",
    "white", "leg",
]  # fmt: skip
PartKind = Literal["oval", "poly", "path", "dot"]


@dataclass(frozen=True)
class Part:
    """One shape of an animal in its unit space.

    ``oval``: ``points`` is its centre, ``size`` and ``size2`` its radii, ``angle`` its tilt in
    degrees. ``poly``: a filled outline. ``path``: a limb, neck or tail of thickness ``size``
    along ``points``, with round ends. ``dot``: a disc of radius ``size`` (eyes, noses).
    """

    name: str
    kind: PartKind
    points: tuple[Point, ...]
    role: Role
    size: float = 0.0
    size2: float = 0.0
    angle: float = 0.0
    outline: bool = True


@dataclass(frozen=True)
class Model:
    """An animal's parts, back to front, and the anchors a layout needs."""

    plan: str
    parts: tuple[Part, ...]
    head: Point
    head_r: float
    chest: Point

    def count(self, name: str) -> int:
        return sum(1 for p in self.parts if p.name == name)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(left, right, bottom, top) over every part, in units; the bottom is the ground."""
        xs: list[float] = []
        ys: list[float] = []
        for p in self.parts:
            if p.kind == "oval":
                (cx, cy), a = p.points[0], math.radians(p.angle)
                ex = math.hypot(p.size * math.cos(a), p.size2 * math.sin(a))
                ey = math.hypot(p.size * math.sin(a), p.size2 * math.cos(a))
                xs += [cx - ex, cx + ex]
                ys += [cy - ey, cy + ey]
            else:
                pad = p.size / 2 if p.kind == "path" else p.size
                xs += [x + s for x, _ in p.points for s in (-pad, pad)]
                ys += [y + s for _, y in p.points for s in (-pad, pad)]
        return min(xs), max(xs), min(0.0, min(ys)), max(ys)


def _oval(
    name: str, c: Point, rx: float, ry: float, role: Role, angle: float = 0.0, line: bool = True
) -> Part:
    return Part(name, "oval", (c,), role, rx, ry, angle, line)


def _poly(
    name: str, pts: list[Point], role: Role, round_by: float = 0.0, line: bool = True
) -> Part:
    shape = round_corners(pts, round_by, 4) if round_by > 0 else pts
    return Part(name, "poly", tuple(shape), role, outline=line)


def _path(name: str, pts: list[Point], role: Role, size: float, line: bool = True) -> Part:
    return Part(name, "path", tuple(pts), role, size, outline=line)


def _dot(name: str, c: Point, r: float, role: Role = "ink") -> Part:
    return Part(name, "dot", (c,), role, r, outline=False)


def _curve(a: Point, c: Point, b: Point, n: int = 10) -> list[Point]:
    """A quadratic Bézier from ``a`` to ``b`` bent towards ``c``."""
    return [
        (
            (1 - t) ** 2 * a[0] + 2 * (1 - t) * t * c[0] + t * t * b[0],
            (1 - t) ** 2 * a[1] + 2 * (1 - t) * t * c[1] + t * t * b[1],
        )
        for t in (i / n for i in range(n + 1))
    ]


def _arc(c: Point, rx: float, ry: float, a0: float, a1: float, n: int = 12) -> list[Point]:
    """Points on an ellipse from angle ``a0`` to ``a1`` (radians, counter-clockwise, y up)."""
    return [
        (c[0] + rx * math.cos(a), c[1] + ry * math.sin(a))
        for a in (a0 + (a1 - a0) * i / n for i in range(n + 1))
    ]


def _band(a: Point, b: Point, half: float, thick: float, name: str = "collar") -> Part:
    """A band across the segment a→b at its middle, in the character's colour."""
    mx, my = (a[0] + b[0]) / 2, (a[1] + b[1]) / 2
    dx, dy = b[0] - a[0], b[1] - a[1]
    n = math.hypot(dx, dy) or 1.0
    px, py = -dy / n * half, dx / n * half
    return _path(name, [(mx - px, my - py), (mx + px, my + py)], "accent", thick)


# --- four legs -------------------------------------------------------------------------------


def _quadruped(s: Species) -> Model:
    if s.has("frog"):
        return _frog(s)
    L, G, B, R, N = s.legs, s.girth, s.length, s.head, s.neck
    ty = L + G  # the middle of the torso
    hx, hy = B * 0.86 + R * 0.55 + N * 0.3, ty + G * 0.5 + N + R * 0.3
    if s.has("shell"):  # a turtle holds its head low and forward
        hx, hy = B + R * 0.7, ty + G * 0.1
    if s.has("trunk"):
        hx, hy = B * 0.95 + R * 0.4, ty + G * 0.35
    parts: list[Part] = _legs(s, far=True) + _tail(s, B, G, ty)
    if s.has("mane") and s.tail == "tuft":  # a lion's mane frames its head
        parts.append(_oval("mane", (hx - R * 0.25, hy - R * 0.1), R * 1.65, R * 1.75, "dark"))
    parts += _legs(s, far=False)
    parts += _torso(s, B, G, ty)
    if N > 0.02 and not s.has("shell"):
        neck = [
            (B * 0.42, ty + G * 0.9),
            (hx - R * 0.75, hy + R * 0.25),
            (hx + R * 0.2, hy - R * 0.8),
            (B * 0.96, ty - G * 0.4),
        ]
        parts.append(_poly("neck", neck, "coat", R * 0.35))
        if s.has("mane"):
            ridge = [
                (B * 0.36, ty + G * 0.85),
                (hx - R * 0.85, hy + R * 0.45),
                (hx - R * 0.35, hy + R * 0.85),
                (hx - R * 0.95, hy - R * 0.05),
                (B * 0.5, ty + G * 0.55),
            ]
            parts.append(_poly("mane", ridge, "dark", R * 0.2))
    parts += _ears(s, hx, hy, R, near=False)
    parts.append(_oval("head", (hx, hy), R * 1.05, R * 0.92, "coat"))
    if s.has("trunk"):
        parts.append(_oval("ear", (hx - R * 0.4, hy - R * 0.05), R * 0.72, R * 1.02, "shade"))
    parts += _face(s, hx, hy, R)
    parts += _ears(s, hx, hy, R, near=True)
    parts += _headgear(s, hx, hy, R)
    if s.has("blanket"):
        cloth = [
            (-B * 0.4, ty + G * 1.02),
            (B * 0.3, ty + G * 1.02),
            (B * 0.34, ty - G * 0.15),
            (-B * 0.44, ty - G * 0.15),
        ]
        parts.append(_poly("blanket", cloth, "accent", G * 0.15))
    else:
        neck_at = (B * 0.7, ty + G * 0.35) if N > 0.02 else (B * 0.78, ty + G * 0.1)
        half = max(G * 0.5, R * 0.62) if N > 0.02 else R * 0.75
        parts.append(_band(neck_at, (hx - R * 0.2, hy - R * 0.2), half, max(G * 0.2, R * 0.24)))
    return Model("quadruped", tuple(parts), (hx, hy), R, (0.0, ty))


def _legs(s: Species, *, far: bool) -> list[Part]:
    """Two legs of a walking animal: the far pair in shade and mid-stride, so four read."""
    L, G, B = s.legs, s.girth, s.length
    ty = L + G
    lw = max(0.04, G * 0.42) * (0.75 if L > 0.4 else 1.0) * (1.3 if s.has("trunk") else 1.0)
    role: Role = "shade" if far else "coat"
    parts: list[Part] = []
    for root, stride, hind in ((-B * 0.6, -1.0, True), (B * 0.58, 1.0, False)):
        step = (B * 0.16 * stride if far else 0.0) + (B * 0.06 if far else 0.0)
        x = root + (B * 0.08 if far else 0.0)
        foot = (x + step, lw * 0.45)
        if L < 0.2:  # short legs: one stroke
            parts.append(_path("leg", [(x, ty - G * 0.3), foot], role, lw * 1.1))
        else:
            # Hind legs bend back at the hock, forelegs stand straight.
            joint = (x - B * 0.1 + step * 0.5, L * 0.45) if hind else (x + step * 0.4, L * 0.5)
            parts.append(_path("leg", [(x, ty - G * 0.2), joint, foot], role, lw))
            if hind:
                thigh = (x + B * 0.02, ty - G * 0.3)
                parts.append(_oval("haunch", thigh, G * 0.5, G * 0.6, role, line=False))
        if s.has("hooves"):
            fx, h = foot[0], lw * 0.55
            hoof = [(fx - h * 0.8, h), (fx + h * 0.8, h), (fx + h, 0.0), (fx - h, 0.0)]
            parts.append(_poly("hoof", hoof, "hoof"))
    return parts


def _torso(s: Species, B: float, G: float, ty: float) -> list[Part]:
    if s.has("wool"):
        parts = [_poly("body", _bumpy((0, ty), B, G, 14), "coat")]
    else:
        parts = [_oval("body", (0, ty), B, G, "coat")]
    if s.belly:
        cap = _arc((0, ty - G * 0.25), B * 0.85, G * 0.68, math.pi, 2 * math.pi)
        parts.append(_poly("belly", cap, "belly", line=False))
    if s.has("shell"):
        parts.append(
            _poly("shell", _arc((0, ty - G * 0.3), B * 1.05, G * 1.5, 0, math.pi, 14), "shade")
        )
        rim = _curve((-B * 0.5, ty - G * 0.25), (0, ty + G * 0.8), (B * 0.5, ty - G * 0.25))
        parts.append(_path("shell", rim, "dark", G * 0.08, line=False))
    if s.has("stripes"):
        for k in range(5):
            x = -B * 0.55 + k * B * 0.26
            stroke = [(x - B * 0.05, ty + G * 0.95), (x + B * 0.04, ty + G * 0.2)]
            parts.append(_path("stripe", stroke, "dark", G * 0.12, line=False))
    if s.has("spots"):
        role: Role = "white" if luminance(hex_rgb(s.coat)) < 0.6 else "dark"
        for fx, fy, fr in ((-0.45, 0.35, 0.3), (0.05, 0.45, 0.22), (0.3, -0.05, 0.26)):
            parts.append(
                _oval("spot", (B * fx, ty + G * fy), G * fr * 1.3, G * fr, role, line=False)
            )
    if s.has("spines"):
        spikes = [
            (-B * r * math.cos(a) * 0.98, ty + G * r * math.sin(a) * 1.05)
            for k in range(11)
            for a, r in [(math.pi * (0.15 + 0.075 * k), 1.22 if k % 2 else 1.0)]
        ]
        parts.append(_poly("spines", [(-B * 0.95, ty), *spikes, (B * 0.7, ty)], "dark"))
    return parts


def _bumpy(c: Point, rx: float, ry: float, bumps: int) -> list[Point]:
    """A woolly outline: an ellipse with a scalloped edge."""
    n = bumps * 6
    return [
        (c[0] + rx * k * math.cos(a), c[1] + ry * k * math.sin(a))
        for i in range(n)
        for a in [2 * math.pi * i / n]
        for k in [1.0 + 0.08 * abs(math.sin(bumps * a / 2))]
    ]


def _tail(s: Species, B: float, G: float, ty: float) -> list[Part]:
    root = (-B * 0.92, ty + G * 0.35)
    if s.tail in ("bushy", "plume"):
        T = B * 1.05
        if s.tail == "plume":  # a squirrel's tail curls up over its back
            brush = [(-B * 0.8, ty + G * 0.2), (-B * 1.5, ty + G * 0.6), (-B * 1.55, ty + G * 2.6),
                     (-B * 0.9, ty + G * 3.3), (-B * 0.5, ty + G * 2.7), (-B * 0.95, ty + G * 2.3),
                     (-B * 1.05, ty + G * 1.1), (-B * 0.7, ty + G * 0.9)]  # fmt: skip
            return [_poly("tail", brush, "coat", G * 0.4)]
        brush = [
            (-B * 0.85, ty + G * 0.7),
            (-B - T * 0.55, ty + G * 0.75),
            (-B - T, ty - G * 0.35),
            (-B - T * 0.75, ty - G * 0.85),
            (-B - T * 0.3, ty - G * 0.35),
            (-B * 0.85, ty - G * 0.05),
        ]
        parts = [_poly("tail", brush, "coat", G * 0.45)]
        if s.belly:  # a fox's white tip
            tip = [(-B - T * 0.72, ty - G * 0.1), (-B - T * 1.0, ty - G * 0.35),
                   (-B - T * 0.75, ty - G * 0.85), (-B - T * 0.55, ty - G * 0.55)]  # fmt: skip
            parts.append(_poly("tail", tip, "belly", G * 0.2, line=False))
        return parts
    if s.tail == "long":
        curve = _curve(root, (-B * 1.7, ty - G * 0.6), (-B * 1.75, ty + G * 1.5))
        return [_path("tail", curve, "coat", max(0.03, G * 0.22))]
    if s.tail == "short":
        role: Role = "belly" if s.belly else "coat"
        return [_oval("tail", (-B * 0.98, ty + G * 0.4), G * 0.3, G * 0.26, role)]
    if s.tail == "curly":
        r0 = G * 0.35
        spiral = [
            (-B * 1.05 - r * math.cos(t * 5.5), ty + G * 0.5 + r * math.sin(t * 5.5))
            for t in (i / 14 for i in range(15))
            for r in [r0 * (1 - t * 0.6)]
        ]
        if s.length < 0.35:  # a monkey's long tail, curled at its end
            reach = _curve(root, (-B * 1.8, ty - G * 0.4), (-B * 1.9, ty + G * 0.9))
            curl = [(x - B * 0.85, y + G * 0.3) for x, y in spiral[3:]]
            return [_path("tail", [*reach, *curl], "coat", G * 0.18)]
        return [_path("tail", [(root[0] + B * 0.05, root[1]), *spiral], "coat", G * 0.12)]
    if s.tail == "tuft":
        end = (-B * 1.22, ty - G * 1.1)
        return [
            _path("tail", _curve(root, (-B * 1.2, ty + G * 0.2), end, 6), "coat", G * 0.1),
            _oval("tail", (end[0], end[1] - G * 0.15), G * 0.14, G * 0.28, "dark"),
        ]
    if s.tail == "flowing":
        hair = [root, (-B * 1.35, ty + G * 0.2), (-B * 1.38, ty - G * 2.2),
                (-B * 1.12, ty - G * 1.6), (-B * 0.9, ty)]  # fmt: skip
        return [_poly("tail", hair, "dark", G * 0.35)]
    return []


def _ears(s: Species, hx: float, hy: float, R: float, *, near: bool) -> list[Part]:
    """The far ear (in shade, behind the head) or the near one (in front of it)."""
    x = hx + (-0.05 if near else -0.5) * R
    role: Role = "coat" if near else "shade"
    if s.ears == "pointed":
        tall = 1.5 if s.snout >= 0.8 else 1.25
        ear = [
            (x - R * 0.36, hy + R * 0.5),
            (x - R * 0.02, hy + R * tall),
            (x + R * 0.34, hy + R * 0.62),
        ]
        parts = [_poly("ear", ear, role, R * 0.08)]
        if near:
            inner = [
                (x - R * 0.2, hy + R * 0.68),
                (x - R * 0.03, hy + R * (tall - 0.3)),
                (x + R * 0.17, hy + R * 0.73),
            ]
            parts.append(_poly("ear", inner, "dark", line=False))
        return parts
    if s.ears == "round":
        return [_oval("ear", (x - R * 0.1, hy + R * 0.82), R * 0.34, R * 0.32, role)]
    if s.ears == "long":
        return [
            _oval(
                "ear", (x - R * 0.25, hy + R * 1.45), R * 0.22, R * 0.85, role, 12 if near else 22
            )
        ]
    if s.ears == "floppy" and near:
        return [_oval("ear", (hx - R * 0.5, hy - R * 0.05), R * 0.28, R * 0.62, "shade", -15)]
    return []


def _face(s: Species, hx: float, hy: float, R: float) -> list[Part]:
    parts: list[Part] = []
    if s.has("trunk"):
        trunk = _curve(
            (hx + R * 0.75, hy - R * 0.1),
            (hx + R * 1.6, hy - R * 0.9),
            (hx + R * 1.25, hy - R * 2.4),
            8,
        )
        parts.append(_path("trunk", trunk, "coat", R * 0.42))
        parts.append(
            _path(
                "tusk",
                [(hx + R * 0.55, hy - R * 0.65), (hx + R * 1.05, hy - R * 0.95)],
                "white",
                R * 0.14,
            )
        )
    elif s.snout >= 0.45:
        # A muzzle from the head's centre, pointing forward and down by ``droop``.
        a = -math.radians(15 + 50 * s.droop)
        length = R * (0.75 + 0.7 * s.snout)
        dx, dy = math.cos(a), math.sin(a)
        px, py = -dy, dx
        w0, w1 = R * 0.85, R * (0.22 + 0.35 * s.droop)
        base = (hx + dx * R * 0.1, hy + dy * R * 0.1)
        tip = (hx + dx * length, hy + dy * length)
        muzzle = [
            (base[0] + px * w0 / 2, base[1] + py * w0 / 2),
            (tip[0] + px * w1 / 2, tip[1] + py * w1 / 2),
            (tip[0] - px * w1 / 2, tip[1] - py * w1 / 2),
            (base[0] - px * w0 / 2, base[1] - py * w0 / 2),
        ]
        parts.append(_poly("snout", muzzle, "coat", R * (0.14 + 0.2 * s.droop)))
        if s.belly and s.droop == 0:
            cheek = [(hx + R * 0.15, hy - R * 0.2), (tip[0] - R * 0.1, tip[1] - R * 0.12),
                     (hx + R * 0.3, hy - R * 0.62), (hx - R * 0.2, hy - R * 0.55)]  # fmt: skip
            parts.append(_poly("cheek", cheek, "belly", R * 0.1, line=False))
        nose = (tip[0] - dx * R * 0.08 + px * w1 * 0.2, tip[1] - dy * R * 0.08 + py * w1 * 0.2)
        parts.append(_dot("nose", nose, R * (0.13 - 0.04 * s.droop)))
    else:
        parts.append(_dot("nose", (hx + R * 0.98, hy - R * 0.18), R * 0.11))
    if s.has("stripe"):  # a badger's white blaze
        blaze = [
            (hx - R * 0.6, hy + R * 0.7),
            (hx + R * 1.1, hy - R * 0.05),
            (hx + R * 1.0, hy - R * 0.3),
            (hx - R * 0.7, hy + R * 0.4),
        ]
        parts.append(_poly("stripe", blaze, "white", line=False))
    parts.append(_dot("eye", (hx + R * 0.38, hy + R * 0.22), R * 0.13))
    return parts


def _headgear(s: Species, hx: float, hy: float, R: float) -> list[Part]:
    parts: list[Part] = []
    if s.has("antlers"):
        for off in (-0.45, 0.0):
            root = (hx + R * off, hy + R * 0.75)
            tip = (root[0] - R * 0.7, root[1] + R * 2.6)
            parts.append(
                _path(
                    "antler",
                    _curve(root, (root[0] + R * 0.2, root[1] + R * 1.4), tip, 6),
                    "horn",
                    R * 0.16,
                )
            )
            for t, dx in ((0.45, 0.75), (0.75, 0.55)):
                bx, by = root[0] + (tip[0] - root[0]) * t, root[1] + (tip[1] - root[1]) * t
                parts.append(
                    _path("antler", [(bx, by), (bx + R * dx, by + R * 0.55)], "horn", R * 0.12)
                )
    if s.has("horns"):
        for off in (-0.45, 0.0):
            root = (hx + R * off, hy + R * 0.7)
            bend = _curve(
                root,
                (root[0] - R * 0.1, root[1] + R * 0.7),
                (root[0] - R * 0.6, root[1] + R * 0.9),
                6,
            )
            parts.append(_path("horn", bend, "horn", R * 0.2))
    if s.has("horn"):
        spike = [
            (hx + R * 0.05, hy + R * 0.7),
            (hx + R * 0.55, hy + R * 2.2),
            (hx + R * 0.5, hy + R * 0.55),
        ]
        parts.append(_poly("horn", spike, "horn"))
    return parts


def _frog(s: Species) -> Model:
    """A frog sits: a squat body tilted up at the front, a folded hind leg, eyes on top."""
    G, B, R = s.girth, s.length, s.head
    ty = G * 0.9
    hx, hy = B * 0.7, ty + G * 0.55
    parts = [
        _path(
            "leg",
            [(B * 0.35, ty - G * 0.2), (B * 0.55, G * 0.1), (B * 0.75, G * 0.05)],
            "shade",
            G * 0.3,
        ),
        _oval("body", (0, ty), B, G, "coat", 12),
        _oval("belly", (B * 0.25, ty - G * 0.35), B * 0.55, G * 0.45, "belly", 12, line=False),
        _oval("leg", (-B * 0.45, ty - G * 0.25), B * 0.42, G * 0.62, "coat", 20),
        _path("leg", [(-B * 0.2, G * 0.12), (B * 0.05, G * 0.1)], "coat", G * 0.22),
        _path(
            "leg",
            [(B * 0.45, ty - G * 0.3), (B * 0.5, G * 0.12), (B * 0.68, G * 0.08)],
            "coat",
            G * 0.26,
        ),
        _oval("head", (hx, hy), R * 1.1, R * 0.8, "coat"),
        _oval("eye", (hx - R * 0.1, hy + R * 0.75), R * 0.42, R * 0.4, "coat"),
        _dot("eye", (hx + R * 0.02, hy + R * 0.8), R * 0.2),
        _path(
            "mouth",
            [(hx - R * 0.3, hy - R * 0.15), (hx + R * 0.9, hy - R * 0.2)],
            "ink",
            R * 0.06,
            line=False,
        ),
        _band((B * 0.2, ty), (hx, hy), R * 0.75, R * 0.24),
    ]
    return Model("quadruped", tuple(parts), (hx, hy), R, (0.0, ty))


# --- birds -----------------------------------------------------------------------------------


def _bird(s: Species) -> Model:
    if s.has("owl"):
        return _owl(s)
    L, G, B, R, N, S = s.legs, s.girth, s.length, s.head, s.neck, s.snout
    ty = L + G
    hx, hy = B * 0.7 + N * 0.3 + R * 0.5, ty + G * 0.55 + N + R * 0.2
    foot = max(0.012, R * 0.22)
    tips: Role = "tips" if s.tips else "shade"
    parts: list[Part] = []
    for x in (-B * 0.15, B * 0.18):
        parts.append(
            _path("leg", [(x, ty - G * 0.5), (x + B * 0.02, 0.0), (x + B * 0.24, 0.0)], "leg", foot)
        )
    tail = [
        (-B * 0.7, ty + G * 0.45),
        (-B * 1.55, ty + G * 0.05),
        (-B * 1.5, ty - G * 0.45),
        (-B * 0.6, ty - G * 0.35),
    ]
    parts.append(_poly("tail", tail, tips, G * 0.15))
    parts.append(_oval("body", (0, ty), B, G, "coat", -8))
    if s.belly:
        breast = _arc((B * 0.6, ty - G * 0.1), B * 0.35, G * 0.8, -math.pi * 0.5, math.pi * 0.3, 8)
        parts.append(
            _poly(
                "belly",
                [*breast, (-B * 0.3, ty - G * 0.2), (-B * 0.2, ty - G * 0.85)],
                "belly",
                G * 0.3,
                line=False,
            )
        )
    wing = [
        (-B * 0.55, ty + G * 0.6),
        (B * 0.45, ty + G * 0.55),
        (B * 0.1, ty - G * 0.35),
        (-B * 1.2, ty - G * 0.2),
    ]
    parts.append(_poly("wing", wing, "shade", G * 0.35))
    if s.tips:
        parts.append(
            _poly(
                "wing",
                [(-B * 0.7, ty + G * 0.1), (-B * 0.2, ty - G * 0.15), (-B * 1.25, ty - G * 0.22)],
                "tips",
                G * 0.1,
            )
        )
    thick = max(R * 1.25, min(G * 1.2, R * 1.9))
    if N > 0.05:
        base = (B * 0.6, ty + G * 0.35)
        bend = (B * 0.45 + N * 0.9, ty + G + N * 0.35) if N > 0.25 else (hx, ty + G)
        parts.append(
            _path("neck", _curve(base, bend, (hx - R * 0.2, hy - R * 0.3), 10), "coat", thick)
        )
        parts.append(
            _band(
                (hx - R * 0.4, hy - R * 1.2),
                (hx - R * 0.1, hy - R * 0.4),
                thick * 0.42,
                thick * 0.32,
            )
        )
    else:
        parts.append(
            _band((hx - R * 1.1, hy - R * 0.9), (hx - R * 0.3, hy - R * 0.2), R * 0.6, R * 0.26)
        )
    head: Role = "white" if s.has("white_head") else "coat"
    parts.append(_oval("head", (hx, hy), R, R * 0.95, head))
    beak = [
        (hx + R * 0.72, hy + R * 0.32),
        (hx + R * (0.9 + S), hy - R * 0.12),
        (hx + R * 0.72, hy - R * 0.38),
    ]
    parts.append(_poly("beak", beak, "beak", R * 0.05))
    parts.append(_dot("eye", (hx + R * 0.3, hy + R * 0.18), R * 0.16))
    if s.has("crown"):
        parts.append(
            _oval("crown", (hx - R * 0.05, hy + R * 0.6), R * 0.42, R * 0.3, "red", line=False)
        )
    if s.has("comb"):
        comb = [
            (hx - R * 0.55, hy + R * 0.7),
            (hx - R * 0.35, hy + R * 1.35),
            (hx - R * 0.05, hy + R * 0.95),
            (hx + R * 0.2, hy + R * 1.4),
            (hx + R * 0.45, hy + R * 0.75),
        ]
        parts.append(_poly("comb", comb, "red", R * 0.1))
        parts.append(_oval("wattle", (hx + R * 0.75, hy - R * 0.65), R * 0.16, R * 0.3, "red"))
    return Model("bird", tuple(parts), (hx, hy), R, (0.0, ty))


def _owl(s: Species) -> Model:
    L, G, B, R = s.legs, s.girth, s.length, s.head
    ty = L + B
    hx, hy = 0.0, ty + B * 0.9 + R * 0.55
    parts: list[Part] = [
        _path("leg", [(-G * 0.25, L + 0.02), (-G * 0.25, 0.0)], "leg", R * 0.2),
        _path("leg", [(G * 0.25, L + 0.02), (G * 0.25, 0.0)], "leg", R * 0.2),
        _poly(
            "tail",
            [(-G * 0.35, ty - B * 0.8), (G * 0.35, ty - B * 0.8), (0, ty - B * 1.15)],
            "shade",
        ),
        _oval("body", (0, ty), G, B, "coat"),
        _oval("belly", (G * 0.1, ty - B * 0.15), G * 0.62, B * 0.7, "belly", line=False),
        _oval("wing", (-G * 0.6, ty), G * 0.45, B * 0.82, "shade", 6),
        _band((0, hy - R * 1.25), (0, hy - R * 0.85), R * 0.6, R * 0.24),
    ]
    for side in (-1, 1):
        tuft = [
            (hx + side * R * 0.45, hy + R * 0.6),
            (hx + side * R * 0.95, hy + R * 1.35),
            (hx + side * R * 0.95, hy + R * 0.4),
        ]
        parts.append(_poly("ear", tuft, "coat", R * 0.05))
    parts.append(_oval("head", (hx, hy), R * 1.08, R, "coat"))
    for side in (-1, 1):
        parts.append(
            _oval("eye", (hx + side * R * 0.45, hy + R * 0.05), R * 0.38, R * 0.38, "white")
        )
        parts.append(_dot("eye", (hx + side * R * 0.42, hy + R * 0.05), R * 0.18))
    parts.append(
        _poly(
            "beak",
            [(hx - R * 0.13, hy - R * 0.25), (hx + R * 0.13, hy - R * 0.25), (hx, hy - R * 0.6)],
            "beak",
        )
    )
    return Model("bird", tuple(parts), (hx, hy), R, (0.0, ty))


# --- fish, snakes, insects -------------------------------------------------------------------


def _fish(s: Species) -> Model:
    B, G = s.length * 0.5, s.girth
    cy = G * 1.8  # swims a little above its shadow
    parts = [
        _poly(
            "tail",
            [
                (-B * 0.85, cy),
                (-B * 1.4, cy + G * 0.95),
                (-B * 1.25, cy),
                (-B * 1.4, cy - G * 0.95),
            ],
            "shade",
            G * 0.1,
        ),
        _poly(
            "fin",
            [(-B * 0.4, cy + G * 0.8), (-B * 0.05, cy + G * 1.5), (B * 0.25, cy + G * 0.8)],
            "accent",
            G * 0.08,
        ),
        _oval("body", (0, cy), B, G, "coat"),
        _oval("belly", (B * 0.1, cy - G * 0.45), B * 0.7, G * 0.4, "belly", line=False),
        _path(
            "gill",
            _arc((B * 0.45, cy), G * 0.5, G * 0.8, -math.pi * 0.4, math.pi * 0.4, 6),
            "dark",
            G * 0.08,
            line=False,
        ),
        _poly(
            "fin",
            [(-B * 0.05, cy - G * 0.1), (B * 0.3, cy - G * 0.05), (B * 0.0, cy - G * 0.6)],
            "accent",
            G * 0.05,
        ),
        _dot("eye", (B * 0.72, cy + G * 0.22), G * 0.12),
    ]
    return Model("fish", tuple(parts), (B * 0.6, cy + G * 0.2), G * 0.6, (0.0, cy))


def _snake(s: Species) -> Model:
    B, w = s.length * 0.5, 0.1
    body = [
        (x, w * 0.55 + w * 0.5 * math.sin(x / B * 2.6 * math.pi))
        for x in (-B + 2 * B * i / 24 for i in range(25))
    ]
    head = (B + w * 0.9, w * 2.2)
    neck = _curve(body[-1], (B + w * 0.1, w * 1.6), (head[0] - w * 0.4, head[1] - w * 0.2), 6)
    parts = [
        _path("body", body + neck[1:], "coat", w),
        _band(body[-5], body[-3], w * 0.55, w * 0.5),
        _oval("head", head, w * 0.85, w * 0.6, "coat"),
        _path(
            "tongue",
            [
                (head[0] + w * 0.8, head[1] - w * 0.1),
                (head[0] + w * 1.4, head[1] - w * 0.05),
                (head[0] + w * 1.6, head[1] + w * 0.15),
            ],
            "red",
            w * 0.1,
            line=False,
        ),
        _dot("eye", (head[0] + w * 0.3, head[1] + w * 0.2), w * 0.14),
    ]
    return Model("snake", tuple(parts), head, w * 0.85, (0.0, w))


def _insect(s: Species) -> Model:
    """A butterfly or a bee seen from above, hovering over its shadow."""
    bee = s.has("stripes")
    cy = 1.0
    wing: Role = "white" if bee else "coat"
    parts: list[Part] = []
    for side in (-1, 1):
        if bee:
            parts.append(_oval("wing", (side * 0.22, cy + 0.18), 0.22, 0.14, wing, side * 25))
        else:
            parts.append(_oval("wing", (side * 0.26, cy + 0.16), 0.26, 0.2, wing, side * 30))
            parts.append(_oval("wing", (side * 0.18, cy - 0.16), 0.16, 0.14, wing, -side * 30))
            parts.append(_dot("spot", (side * 0.3, cy + 0.2), 0.07, "accent"))
    if bee:
        parts.append(_oval("body", (0, cy - 0.05), 0.13, 0.22, "coat"))
        for y in (cy - 0.02, cy - 0.14):
            parts.append(_path("stripe", [(-0.11, y), (0.11, y)], "ink", 0.05, line=False))
        parts.append(_band((0, cy + 0.12), (0, cy + 0.18), 0.1, 0.05))
    else:
        parts.append(_path("body", [(0, cy - 0.24), (0, cy + 0.22)], "dark", 0.07))
    parts.append(_oval("head", (0, cy + 0.26), 0.06, 0.06, "dark"))
    for side in (-1, 1):
        parts.append(
            _path(
                "antenna",
                [(side * 0.02, cy + 0.3), (side * 0.1, cy + 0.44), (side * 0.14, cy + 0.46)],
                "ink",
                0.015,
                line=False,
            )
        )
    return Model("insect", tuple(parts), (0.0, cy + 0.26), 0.2, (0.0, cy))


@lru_cache(maxsize=128)
def model_of(species: Species) -> Model:
    """The unit-space model of an animal of ``species`` (cached: species are few)."""
    build = {"quadruped": _quadruped, "bird": _bird, "fish": _fish, "snake": _snake}
    return build.get(species.plan, _insect)(species)


# --- placing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pose:
    """Where a model lands in the canvas: unit (0, 0) at (x, ground), ``scale`` px per unit."""

    x: float
    ground: float
    scale: float
    facing: int  # +1: looks right, -1: looks left
    label: Point  # where its name goes (canvas)
    shadow: bool

    def at(self, p: Point) -> Point:
        return (self.x + self.facing * p[0] * self.scale, self.ground - p[1] * self.scale)


def pose(
    model: Model,
    species: Species,
    p: Placement,
    shot: ShotKind,
    frame: tuple[int, int, float],
    count: int,
    alone: bool,
) -> Pose:
    """Scale and place ``model`` where the layout put a figure (``frame``: width, height and
    the caption band's bottom). Wide: the animal's size beside a person (a fox to the knee),
    larger when no person shares the shot; medium: the whole animal, large; close-up: its head
    where a person's head would be, the body running out of the frame."""
    width, height, top = frame
    facing = 1 if p.facing > 0 or (p.facing == 0 and p.x <= width / 2) else -1
    left, right, bottom, peak = model.bounds
    tall, long = peak - bottom, right - left
    slot = width * 0.92 / max(1, count)
    if shot == "close_up":
        s = p.head_radius * 0.85 / model.head_r
        hx, hy = p.head_centre
        hx -= facing * p.head_radius * 0.6  # the head a little back: room for the snout
        x, ground = hx - facing * model.head[0] * s, hy + model.head[1] * s
        # The ears stay below the caption band.
        ground += max(0.0, top + height * 0.04 - (ground - peak * s))
        label = (hx, min(hy + p.head_radius * 2.7, height * 0.92))
        return Pose(x, ground, s, facing, label, False)
    if shot == "medium":
        ground = height * 0.86
        room = max(height * 0.2, ground - (top + height * 0.06))  # a caption taller than the frame
        s = room * min(0.92, max(0.6, 0.5 + 0.45 * species.size)) / tall
        label = (p.x, ground + height * 0.05)
    else:
        ground = p.feet
        relative = 0.35 if species.plan == "insect" else max(species.size, 0.5 if alone else 0.22)
        s = p.height * relative / tall
        label = (p.x, ground + p.height * 0.07)
    s = max(1e-6, min(s, slot * 0.95 / long))
    return Pose(p.x - facing * (left + right) / 2 * s, ground, s, facing, label, True)


# --- drawing ---------------------------------------------------------------------------------


class CreatureArtist:
    """Inks one animal onto the figure layer."""

    def __init__(self, pen: Pen, look: Look, ss: int) -> None:
        self.pen = pen
        self.look = look
        self.ss = ss

    def colours(self, being: Being, species: Species, accent: RGB) -> dict[Role, RGB]:
        """Every role's colour: the coat and its shades under this frame's light; the accent
        exactly the character's colour."""
        lit = self.look.skin
        coat, ink = lit(being.coat), self.look.ink
        belly = lit(hex_rgb(species.belly)) if species.belly else mix(coat, (255, 255, 255), 0.5)
        beak = "#2a2a2a" if being.noun in ("crow", "raven", "magpie") else "#e0a030"
        if species.snout >= 2:
            beak = "#8a8f7a"  # a crane's or heron's long bill
        return {
            "coat": coat,
            "shade": mix(coat, ink, 0.22),
            "dark": mix(coat, ink, 0.6),
            "belly": belly,
            "tips": lit(hex_rgb(species.tips)) if species.tips else mix(coat, ink, 0.4),
            "accent": accent,
            "ink": ink,
            "horn": lit(hex_rgb("#cbb48a")),
            "hoof": mix(coat, ink, 0.7),
            "beak": lit(hex_rgb(beak)),
            "red": lit(hex_rgb("#d2352b")),
            "white": lit(hex_rgb("#f4f1ea")),
            "leg": lit(hex_rgb("#3a3a3a" if species.legs > 0.3 else "#d89a3a")),
        }

    def draw(self, model: Model, pose: Pose, colours: dict[Role, RGB]) -> None:
        s = pose.scale
        if pose.shadow:
            left, right, _, _ = model.bounds
            half = (right - left) * s * 0.42
            cx = pose.x + pose.facing * (left + right) / 2 * s
            box = (cx - half, pose.ground - half * 0.09, cx + half, pose.ground + half * 0.09)
            self.pen.draw.ellipse(box, fill=(0, 0, 0, 60))
        for part in model.parts:
            self._part(part, pose, colours[part.role])

    def _part(self, part: Part, pose: Pose, fill: RGB) -> None:
        pen, s = self.pen, pose.scale
        outline = pen.width if part.outline else 0
        if part.kind == "oval":
            cx, cy = pose.at(part.points[0])
            rx, ry = part.size * s, part.size2 * s
            if part.angle == 0:
                pen.ellipse(cx, cy, rx, ry, fill, width=outline)
                return
            a = math.radians(part.angle) * pose.facing
            n = max(16, min(90, int(max(rx, ry) / 3)))
            pts = []
            for i in range(n):
                t = 2 * math.pi * i / n
                ex, ey = rx * math.cos(t), ry * math.sin(t)
                pts.append(
                    (
                        cx + ex * math.cos(a) + ey * math.sin(a),
                        cy - ex * math.sin(a) + ey * math.cos(a),
                    )
                )
            pen.shape(pts, fill, width=outline)
        elif part.kind == "poly":
            pen.shape([pose.at(p) for p in part.points], fill, width=outline)
        elif part.kind == "dot":
            cx, cy = pose.at(part.points[0])
            r = max(self.ss * 0.8, part.size * s)
            pen.draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=fill)
        else:
            self._path(
                [pose.at(p) for p in part.points], max(self.ss, part.size * s), fill, outline
            )

    def _path(self, pts: list[Point], thick: float, fill: RGB, outline: float) -> None:
        """A thick stroke with round ends: an inked rim, then the fill inside it."""
        draw = self.pen.draw
        layers = (
            ((self.pen.ink, thick + 2 * outline), (fill, thick)) if outline else ((fill, thick),)
        )
        for colour, size in layers:
            draw.line(pts, fill=colour, width=max(1, round(size)), joint="curve")
            r = size / 2
            for x, y in (pts[0], pts[-1]):
                draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)
