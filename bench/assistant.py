"""The assistant's offline latency per turn (goal: ≤ 50 ms): reading a request, refining the
brief, choosing a template and checking the brief, on conversations in Chinese and English.

    .venv/bin/python bench/assistant.py [--repeat 20]

Prints jieba's one-time dictionary load (once per process, before the first Chinese message)
apart, then the median and 95th percentile milliseconds of a first turn and of a refinement,
per language, and the ratio to the goal. No network, no model: the whole turn is our rules.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from storyreel.domain.assistant.conversation import reply, start
from storyreel.domain.assistant.read import warm_up
from storyreel.domain.assistant.templates import TemplateLibrary

GOAL_MS = 50.0
CONVERSATIONS = {
    "en": [
        "a 60-second sci-fi short about a lighthouse keeper's robot, warm, for children",
        "make it darker",
        "add a cat named Pip",
        "call the robot Bolt",
        "On a rocky island at night",
        "The robot must keep the lamp lit through a storm",
        "30 seconds, vertical for TikTok",
        "remove the cat",
    ],
    "zh": [
        "给孩子们做一个60秒的科幻短片，讲灯塔看守人老周和他的机器人，温暖一点",
        "再黑暗一点，加一只猫",
        "机器人叫小铁",
        "故事发生在海边的小岛上，夜晚",
        "小铁必须在暴风雨中守住灯塔的灯",
        "竖屏，30秒",
        "去掉猫",
        "改成给大人看",
    ],
}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    started = time.perf_counter()
    warm_up()
    load_ms = (time.perf_counter() - started) * 1000
    library = TemplateLibrary.builtin()
    print(f"jieba dictionary load (once per process): {load_ms:.0f} ms")
    print(f"{'language':<9}{'turn':<12}{'median ms':>10}{'p95 ms':>9}{'goal ratio':>12}")
    worst = 0.0
    for language, messages in CONVERSATIONS.items():
        firsts: list[float] = []
        refinements: list[float] = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            conversation = start(messages[0], library)
            firsts.append((time.perf_counter() - t0) * 1000)
            for message in messages[1:]:
                t0 = time.perf_counter()
                conversation = reply(conversation, message, library)
                refinements.append((time.perf_counter() - t0) * 1000)
        for name, values in (("first", firsts), ("refinement", refinements)):
            median = statistics.median(values)
            p95 = percentile(values, 0.95)
            worst = max(worst, p95)
            print(f"{language:<9}{name:<12}{median:>10.2f}{p95:>9.2f}{median / GOAL_MS:>11.3f}×")
    verdict = "met" if worst <= GOAL_MS else "MISSED"
    print(f"worst p95 {worst:.2f} ms against the {GOAL_MS:.0f} ms goal: {verdict}")
    return 0 if worst <= GOAL_MS else 1


if __name__ == "__main__":
    sys.exit(main())
