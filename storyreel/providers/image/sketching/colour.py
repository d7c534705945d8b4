"""Small RGB helpers; colours are plain int tuples so they hash, compare and print simply."""

from __future__ import annotations

RGB = tuple[int, int, int]
RGBA = tuple[int, int, int, int]


def hex_rgb(value: str) -> RGB:
    """'#c0504d' -> (192, 80, 77)."""
    value = value.lstrip("#")
    return (int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16))


def clamp8(value: float) -> int:
    return max(0, min(255, round(value)))


def mix(a: RGB, b: RGB, t: float) -> RGB:
    """``a`` moved a fraction ``t`` of the way to ``b``."""
    return (
        clamp8(a[0] + (b[0] - a[0]) * t),
        clamp8(a[1] + (b[1] - a[1]) * t),
        clamp8(a[2] + (b[2] - a[2]) * t),
    )


def scale(c: RGB, factor: float) -> RGB:
    """Darken (factor < 1) or brighten a colour without changing its hue."""
    return (clamp8(c[0] * factor), clamp8(c[1] * factor), clamp8(c[2] * factor))


def multiply(c: RGB, factors: tuple[float, float, float]) -> RGB:
    """Tint a colour channel by channel, as light of another colour would."""
    return (clamp8(c[0] * factors[0]), clamp8(c[1] * factors[1]), clamp8(c[2] * factors[2]))


def luminance(c: RGB) -> float:
    """Perceived brightness, 0..1 (Rec. 709 weights on the stored values)."""
    return (0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]) / 255.0


def saturation(c: RGB) -> float:
    """HSV-style saturation, 0..1."""
    high, low = max(c), min(c)
    return 0.0 if high == 0 else (high - low) / high


def with_alpha(c: RGB, alpha: int) -> RGBA:
    return (c[0], c[1], c[2], alpha)
