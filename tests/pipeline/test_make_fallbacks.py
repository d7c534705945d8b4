"""``make``'s summary of fallbacks: one line per capability, how much of its work fell back,
from which provider to which, and the reason that names what to fix."""

from __future__ import annotations

from typing import Any

from storyreel.db.models import Task
from storyreel.pipeline.make import fallback_lines

REFUSED = (
    "openai images at http://127.0.0.1:9/v1: HTTP 401: Incorrect API key provided. — "
    "set STORYREEL_OPENAI_IMAGE__API_KEY"
)


def task(kind: str, shot: str | None, result: dict[str, Any] | None) -> Task:
    return Task(kind=kind, shot_id=shot, status="succeeded", result=result)


def fell(reason: str, served_by: str = "sketch") -> dict[str, Any]:
    return {"failovers": [{"provider": "openai", "reason": reason}], "served_by": served_by}


def test_one_line_per_capability_counts_the_shots_and_gives_the_commonest_reason() -> None:
    tasks = [
        task("image", "s1", fell(REFUSED)),
        task("image", "s2", fell(REFUSED)),
        task("image", "s3", fell("openai images: HTTP 503: overloaded")),
        task("image", "s4", {"cached": False}),
        task("voice", "s1", {"seconds": 2.0}),
        task("storyboard", None, fell("openai chat: the model refused: no", served_by="rules")),
    ]
    assert fallback_lines(tasks) == [
        "storyboard: fell back from openai to rules — openai chat: the model refused: no",
        f"pictures: fell back from openai to sketch for 3 of 4 shots — {REFUSED}",
    ]


def test_nothing_fell_back_nothing_is_said() -> None:
    assert fallback_lines([task("image", "s1", {"cached": True}), task("render", None, None)]) == []
