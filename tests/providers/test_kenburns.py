"""Ken Burns plans: varied, never repeated back to back, gentle on close-ups."""

from __future__ import annotations

from storyreel.providers.base import MotionSpec
from storyreel.providers.motion.kenburns import KenBurnsMotion
from storyreel.settings import Settings


def test_never_the_same_move_twice_in_a_row(settings: Settings) -> None:
    kb = KenBurnsMotion(settings)
    previous = None
    moves = []
    for i in range(40):
        shot_type = ["wide", "medium", "close_up", "medium"][i % 4]
        plan = kb.plan(MotionSpec(shot_type=shot_type, index=i, previous=previous))
        assert plan.type != previous
        previous = plan.type
        moves.append(plan.type)
    assert len(set(moves)) >= 4


def test_close_ups_are_gentle_and_preference_is_honoured(settings: Settings) -> None:
    kb = KenBurnsMotion(settings)
    close = kb.plan(MotionSpec(shot_type="close_up", index=0))
    wide = kb.plan(MotionSpec(shot_type="wide", index=0))
    assert close.type in ("zoom_in", "zoom_out") and close.strength < wide.strength
    preferred = kb.plan(MotionSpec(shot_type="medium", index=3, preferred="pan_down"))
    assert preferred.type == "pan_down"
    # ... exactly: even when it repeats the previous shot's move, and "none" is a still.
    repeat = kb.plan(
        MotionSpec(shot_type="medium", index=3, preferred="pan_down", previous="pan_down")
    )
    assert repeat.type == "pan_down"
    still = kb.plan(MotionSpec(shot_type="wide", index=3, preferred="none", previous="pan_left"))
    assert still.type == "none"


def test_deterministic(settings: Settings) -> None:
    kb = KenBurnsMotion(settings)
    spec = MotionSpec(shot_type="wide", index=7, seed=3)
    assert kb.plan(spec) == kb.plan(spec)
