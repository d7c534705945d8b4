"""Which camera move each shot gets: one pure rule for every provider and every client.

A shot's ``camera_motion`` is what the video does, exactly: ``none`` is a still frame, a move
is that move, even when it repeats the shot before (the storyboard writers already vary their
moves; a person who asks for two zooms in a row gets two). Only a shot with no request
(``None`` or ``auto``) gets a move picked for it: one that suits the framing, never the
previous shot's, deterministically from the shot's position and the seed. ``planned_moves``
folds the rule over a storyboard, so the move a shot follows is known without waiting for the
previous shot's motion to be made: shots animate in parallel, and the CLI and the studio agree.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Protocol

#: A request that leaves the move to ``choose_move`` (as does no request at all).
AUTO = "auto"

# Moves that suit each framing, best first. Wide shots travel across the scene, close-ups
# barely breathe (a big move on a face feels like a zoom lens, not a camera). Vertical pans
# are left to an explicit storyboard choice: they would crop the top of a captioned frame.
MOVES_BY_FRAMING: dict[str, tuple[str, ...]] = {
    "wide": ("pan_right", "pan_left", "zoom_out"),
    "medium": ("zoom_in", "pan_right", "pan_left", "zoom_out"),
    "close_up": ("zoom_in", "zoom_out"),
}


class Framed(Protocol):
    @property
    def shot_type(self) -> str: ...

    @property
    def camera_motion(self) -> str: ...


def choose_move(
    shot_type: str, index: int, seed: int, requested: str | None, previous: str | None
) -> str:
    """The move for one shot: the requested one exactly (``none`` included); only when nothing
    (or ``auto``) was requested, a move that suits the framing and differs from ``previous``."""
    if requested and requested != AUTO:
        return requested
    moves = MOVES_BY_FRAMING.get(shot_type, MOVES_BY_FRAMING["medium"])
    candidates = [m for m in moves if m != previous] or ["zoom_in"]
    digest = hashlib.sha256(f"{seed}:{index}".encode()).digest()
    return candidates[digest[0] % len(candidates)]


def planned_moves(shots: Sequence[Framed], seed: int) -> list[str]:
    """Every shot's move, in order (each chosen knowing the one before)."""
    moves: list[str] = []
    for i, shot in enumerate(shots):
        moves.append(
            choose_move(shot.shot_type, i, seed, shot.camera_motion, moves[-1] if moves else None)
        )
    return moves


def previous_moves(shots: Sequence[Framed], seed: int) -> list[str | None]:
    """For each shot, the move of the shot before it (None for the first)."""
    moves = planned_moves(shots, seed)
    return [None, *moves[:-1]]
