"""SubRip (.srt) subtitles, read for the player: cues and the one showing at a time."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

_TIME = re.compile(r"(\d+):(\d{2}):(\d{2})[,.](\d{1,3})\s*-->\s*(\d+):(\d{2}):(\d{2})[,.](\d{1,3})")


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    text: str


def _seconds(h: str, m: str, s: str, ms: str) -> float:
    return int(h) * 3600 + int(m) * 60 + int(s) + int(ms.ljust(3, "0")) / 1000


def parse_srt(text: str) -> list[Cue]:
    """The cues of an SRT file, in time order; blocks without a timing line are skipped."""
    cues = []
    for block in re.split(r"\r?\n\s*\r?\n", text.strip().lstrip("\ufeff")):
        lines = block.splitlines()
        for i, line in enumerate(lines):
            match = _TIME.search(line)
            if match:
                g = match.groups()
                body = "\n".join(lines[i + 1 :]).strip()
                cues.append(Cue(_seconds(*g[:4]), _seconds(*g[4:]), body))
                break
    return sorted(cues, key=lambda c: c.start)


def cue_at(cues: list[Cue], seconds: float) -> str:
    """The text showing at ``seconds`` ('' between cues)."""
    i = bisect.bisect_right([c.start for c in cues], seconds) - 1
    if i >= 0 and seconds < cues[i].end:
        return cues[i].text
    return ""
