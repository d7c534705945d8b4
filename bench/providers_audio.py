"""Offline audio providers benchmark: eSpeak NG speech and the procedural music bed.

Prints the median wall time (over --repeat runs, after one warm-up) to
  * speak a 200-character Chinese line and a 200-character English line with espeak,
  * render 60 s of ambient music for every mood,
with the real-time factor (seconds of audio per second of compute) beside each.

Target (slow 2-core machine): 60 s of music in under 2 s for every mood.

    python bench/providers_audio.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from storyreel.providers.base import VoiceSpec
from storyreel.providers.music.ambient import AmbientMusic
from storyreel.providers.voice.espeak import EspeakSynthesizer
from storyreel.settings import Settings

CHINESE = (
    "很久很久以前，在一座被云雾环绕的高山脚下，住着一位以打柴为生的年轻人。他每天天不亮就上山，"
    "傍晚才背着沉甸甸的柴火回家。有一天，他在山路旁发现了一只受伤的白鹤，便小心地把它抱回家中，"
    "每天为它清洗伤口、喂它清水和小鱼。过了整整一个月，白鹤的伤终于好了。临别的那天清晨，"
    "它在院子上空盘旋了三圈，留下一根洁白的羽毛，然后向着远方飞去，再也没有回来。"
)[:200]
ENGLISH = (
    "Long ago, at the foot of a mountain wrapped in mist, there lived a young woodcutter who "
    "climbed the slopes before dawn every day and came home at dusk with a heavy load of wood "
    "on his back, tired but content."
)[:200]


def median_seconds(run: Callable[[], float], repeat: int) -> tuple[float, float]:
    """Median wall time of ``run`` and the audio seconds it produced."""
    audio = run()  # warm-up: loads the library, fills wavetable caches
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        audio = run()
        times.append(time.perf_counter() - began)
    return statistics.median(times), audio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    settings = Settings()

    espeak = EspeakSynthesizer(settings)
    print(f"{'task':<34}{'median s':>10}{'audio s':>10}{'x realtime':>12}")
    for label, text in (
        ("espeak, 200 chars Chinese", CHINESE),
        ("espeak, 200 chars English", ENGLISH),
    ):
        seconds, audio = median_seconds(
            lambda t=text: espeak.synthesize(t, VoiceSpec()).duration, args.repeat
        )
        print(f"{label:<34}{seconds:>10.3f}{audio:>10.1f}{audio / seconds:>12.0f}")

    music = AmbientMusic(settings)
    worst = 0.0
    for mood in music.moods():
        seconds, audio = median_seconds(lambda m=mood: music.track(m, 60.0).duration, args.repeat)
        worst = max(worst, seconds)
        print(
            f"{'ambient, 60 s ' + mood:<34}{seconds:>10.3f}{audio:>10.1f}{audio / seconds:>12.0f}"
        )
    print(f"slowest mood: {worst:.3f} s for 60 s of music (target < 2 s on a slow 2-core machine)")


if __name__ == "__main__":
    main()
