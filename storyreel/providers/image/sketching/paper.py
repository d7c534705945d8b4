"""Finishing passes on the flattened background: depth-of-field blur, vignette and paper grain.

They run at the output size (not supersampled) and work on small maps that are enlarged, so
they cost a few milliseconds even for 4K frames. The paper texture is a soft mottle plus sparse
fibre specks rather than per-pixel noise: it reads as paper and keeps PNGs small.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageChops, ImageFilter


def soften(image: Image.Image, radius: float) -> Image.Image:
    """A cheap wide blur (shrink, blur, enlarge): the shallow focus behind a close-up."""
    if radius < 1:
        return image
    step = max(1, int(radius / 2))
    small = image.resize(
        (max(1, image.width // step), max(1, image.height // step)), Image.Resampling.BOX
    )
    small = small.filter(ImageFilter.GaussianBlur(2))
    return small.resize(image.size, Image.Resampling.BICUBIC)


def vignette(image: Image.Image, strength: float) -> Image.Image:
    """Darken towards the corners so the eye settles on the middle of the frame."""
    if strength <= 0:
        return image
    # A quarter-size map: a coarse one, enlarged, shows its grid as faint bands in dark skies.
    w, h = max(2, image.width // 4), max(2, image.height // 4)
    y = np.linspace(-1.0, 1.0, h, dtype=np.float32)[:, None]
    x = np.linspace(-1.0, 1.0, w, dtype=np.float32)[None, :]
    d = np.clip((x**2 + y**2) / 2.0, 0.0, 1.0) ** 1.5
    mask = Image.fromarray(((1.0 - strength * d) * 255 + 0.5).astype(np.uint8), "L")
    mask = mask.resize(image.size, Image.Resampling.BILINEAR)
    return ImageChops.multiply(image, Image.merge("RGB", (mask, mask, mask)))


def texture(image: Image.Image, seed: int) -> Image.Image:
    """Lay a deterministic paper texture (mottle and fibres) over the image."""
    w, h = image.size
    rng = np.random.default_rng(seed)
    cell = max(8, min(w, h) // 14)
    mottle_small = rng.normal(0.0, 1.8, (max(2, h // cell), max(2, w // cell))).astype(np.float32)
    mottle = Image.fromarray(np.clip(mottle_small + 128, 0, 255).astype(np.uint8), "L")
    offsets = np.asarray(mottle.resize((w, h), Image.Resampling.BICUBIC), dtype=np.int16)
    count = w * h // 700
    ys = rng.integers(0, h, count)
    xs = rng.integers(0, w, count)
    offsets[ys, xs] -= rng.integers(4, 14, count).astype(np.int16)
    grain = Image.fromarray(np.clip(offsets, 0, 255).astype(np.uint8), "L")
    # add(): out = a + b - 128, clipped; the grain map is centred on 128.
    return ImageChops.add(image, Image.merge("RGB", (grain, grain, grain)), 1.0, -128)
