"""Sketch provider benchmark: median milliseconds per frame, PNG encoding included.

Frames mix shot types, styles, times of day and settings, as a storyboard does.
Targets (slow 2-core machine): 1280x720 < 150 ms, 1920x1080 < 400 ms.

    python bench/sketch.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import time

from storyreel.domain.storyboard import Character
from storyreel.providers.base import ImageSpec
from storyreel.providers.image.sketch import SketchImageGenerator
from storyreel.settings import Settings

CAST = (
    Character(id="mei", name="Mei", color="#d9534f"),
    Character(id="old-tom", name="Old Tom", color="#3b7dd8"),
    Character(id="kai", name="凯", color="#e0a800"),
)
SHOTS = [
    ("wide", "A girl and an old fisherman walk along the beach at dusk", "cinematic", 2),
    ("medium", "Mei and Old Tom talk in the mountain village, morning light", "anime", 2),
    ("close_up", "Mei looks up at the night sky, stars in her eyes", "watercolor", 1),
    ("wide", "夜晚的城市街道上，三个朋友并肩走着，霓虹灯闪烁", "comic", 3),
    ("medium", "Old Tom sits in his small house by the window", "ink_wash", 1),
    ("wide", "Three friends enter a mysterious forest", "childrens_book", 3),
]


def bench(width: int, height: int, repeat: int) -> float:
    """Median ms per frame over ``repeat`` passes through the shot list."""
    generator = SketchImageGenerator(Settings())
    times: list[float] = []
    for r in range(repeat + 1):
        for shot, prompt, style, n in SHOTS:
            spec = ImageSpec(
                width, height, seed=r, style=style, shot_type=shot, characters=CAST[:n]
            )
            started = time.perf_counter()
            generator.generate(prompt, spec)
            if r:  # the first pass warms font and import caches
                times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    for (w, h), target in (((1280, 720), 150.0), ((1920, 1080), 400.0)):
        ms = bench(w, h, args.repeat)
        print(f"{w}x{h}: {ms:6.1f} ms/frame (target < {target:.0f} ms, ratio {ms / target:.2f})")


if __name__ == "__main__":
    main()
