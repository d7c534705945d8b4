"""Rules storyboard writer speed: median seconds for stories of growing length (zh and en)."""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from storyreel.domain.styles import get_style
from storyreel.providers.base import Brief
from storyreel.providers.llm.rules import build_storyboard

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    for name in ("story_zh.txt", "story_en.txt"):
        base = (ROOT / "tests" / "fixtures" / name).read_text(encoding="utf-8")
        for size in (1_000, 10_000, 100_000):
            story = (base * (size // len(base) + 1))[:size]
            brief = Brief(style=get_style("cinematic"), target_seconds=600, max_shots=200)
            times = []
            for _ in range(5):
                t0 = time.perf_counter()
                build_storyboard(story, brief)
                times.append(time.perf_counter() - t0)
            print(f"{name:<14}{size:>8} chars  {statistics.median(times) * 1000:8.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
