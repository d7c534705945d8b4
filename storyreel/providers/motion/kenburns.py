"""Ken Burns motion: a varied, gentle camera move per shot, drawn later by the renderer."""

from __future__ import annotations

import time
from typing import ClassVar

from storyreel.domain.motion import choose_move
from storyreel.domain.timeline import Motion
from storyreel.providers.base import MotionGenerator, MotionResult, MotionSpec, Usage

_STRENGTH = {"wide": 0.12, "medium": 0.09, "close_up": 0.05}


class KenBurnsMotion(MotionGenerator):
    name: ClassVar[str] = "kenburns"
    quality: ClassVar[int] = 2
    speed: ClassVar[int] = 5
    offline: ClassVar[bool] = True

    @property
    def model(self) -> str:
        return "kenburns-2"

    def plan(self, spec: MotionSpec) -> Motion:
        """The move for one shot: the one asked for (a still for "none"); chosen (never the
        previous shot's) only when none is asked."""
        strength = _STRENGTH.get(spec.shot_type, 0.09)
        chosen = choose_move(spec.shot_type, spec.index, spec.seed, spec.preferred, spec.previous)
        if chosen in ("zoom_in", "zoom_out") and spec.shot_type == "close_up":
            strength = min(strength, 0.06)
        # Very short shots get less travel, so the move never looks hurried.
        strength = round(strength * min(1.0, max(0.4, spec.seconds / 5.0)), 3)
        return Motion.model_validate({"type": chosen, "strength": strength, "easing": "linear"})

    def animate(self, image: bytes, spec: MotionSpec) -> MotionResult:
        started = time.perf_counter()
        plan = self.plan(spec)
        usage = Usage(self.name, self.model, time.perf_counter() - started, {"shots": 1})
        return MotionResult(usage=usage, plan=plan)
