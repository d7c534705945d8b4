"""Time spans (start, end) in seconds: merging, subtracting, and where a time falls on the clip
track. Pure functions for the quality check."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

Span = tuple[float, float]


def merge(spans: Iterable[Span], gap: float = 0.0) -> list[Span]:
    """Sorted spans with overlaps, and gaps of at most ``gap`` seconds, joined."""
    out: list[Span] = []
    for a, b in sorted(s for s in spans if s[1] > s[0]):
        if out and a <= out[-1][1] + gap:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def subtract(span: Span, holes: Iterable[Span]) -> list[Span]:
    """The parts of ``span`` that none of ``holes`` covers."""
    pieces = [span]
    for ha, hb in merge(holes):
        next_pieces: list[Span] = []
        for a, b in pieces:
            if hb <= a or ha >= b:
                next_pieces.append((a, b))
                continue
            if ha > a:
                next_pieces.append((a, ha))
            if hb < b:
                next_pieces.append((hb, b))
        pieces = next_pieces
    return pieces


def intersect(spans: Iterable[Span], window: Span) -> list[Span]:
    """``spans`` clipped to ``window`` (those outside it dropped)."""
    a0, b0 = window
    return [(max(a, a0), min(b, b0)) for a, b in spans if min(b, b0) > max(a, a0)]


def total(spans: Iterable[Span]) -> float:
    return sum(b - a for a, b in merge(spans))


def grow(spans: Iterable[Span], by: float) -> list[Span]:
    """Each span widened by ``by`` seconds on both sides (never before zero)."""
    return merge((max(0.0, a - by), b + by) for a, b in spans)


def shot_at(t: float, clip_starts: Sequence[float]) -> int:
    """The 1-based number of the clip on screen at ``t``; during a transition, the one coming
    in (it is the shot the viewer is being shown)."""
    number = 1
    for index, start in enumerate(clip_starts):
        if start <= t + 1e-6:
            number = index + 1
    return number


def clock(t: float) -> str:
    """A time for people: ``0:12.4``, ``4:05.0``."""
    t = max(0.0, t)
    minutes, seconds = divmod(round(t, 1), 60)
    return f"{int(minutes)}:{seconds:04.1f}"
