"""Sizes for remote image models: the nearest size a model accepts, and the picture it returns
cropped and resized to exactly the frame asked for (cover fit: filled, never squashed)."""

from __future__ import annotations

import io
import math
import warnings
from collections.abc import Iterable

from PIL import Image, ImageOps, UnidentifiedImageError

from storyreel.providers.base import ProviderError

# Decoding a picture from a server must not take the worker down: bigger than this is refused.
MAX_PIXELS = 80_000_000


def parse_size(text: str) -> tuple[int, int]:
    """'1024x768' → (1024, 768)."""
    width, sep, height = text.strip().lower().partition("x")
    if not sep or not width.isdigit() or not height.isdigit() or not int(width) or not int(height):
        raise ValueError(f"{text!r} is not a size like 1024x768")
    return int(width), int(height)


def nearest_size(width: int, height: int, sizes: Iterable[str]) -> tuple[int, int]:
    """Of ``sizes``, the one whose aspect ratio is nearest ``width``×``height``'s; among equals,
    the one that covers the frame with the fewest extra pixels (else the largest)."""
    options = [parse_size(s) for s in sizes]
    if not options:
        return width, height
    aspect, area = width / height, width * height

    def badness(size: tuple[int, int]) -> tuple[float, int, float]:
        w, h = size
        ratio = round(abs(math.log((w / h) / aspect)), 3)
        covers = w * h >= area
        return ratio, 0 if covers else 1, abs(math.log(w * h / area)) if covers else -w * h

    return min(options, key=badness)


def open_image(data: bytes, what: str) -> Image.Image:
    """Decode a picture a server sent, refusing what is not one (or is a pixel bomb)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.width * image.height > MAX_PIXELS:
                raise ProviderError(f"{what} is {image.width}x{image.height}: too large")
            image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ProviderError(f"{what} is not a picture we can read ({exc})", retryable=True) from exc
    except Image.DecompressionBombWarning as exc:
        raise ProviderError(f"{what} is too large ({exc})") from exc
    return image


def cover_png(image: Image.Image, width: int, height: int) -> bytes:
    """``image`` scaled to cover ``width``×``height``, centre-cropped to it, as an RGB PNG."""
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGBA")
        flat = Image.new("RGB", image.size, (0, 0, 0))
        flat.paste(image, mask=image.getchannel("A"))
        image = flat
    if image.size != (width, height):
        image = ImageOps.fit(image, (width, height), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.convert("RGB").save(out, "PNG", optimize=False, compress_level=6)
    return out.getvalue()
