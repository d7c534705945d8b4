"""The timeline contract: field rules, cross-field rules, error paths, schema."""

from __future__ import annotations

import json
from typing import Any

import pytest

from storyreel.domain.timeline import (
    MOTION_TYPES,
    TRANSITION_TYPES,
    XFADE_STYLES,
    TimelineError,
    parse_timeline,
    parse_timeline_json,
    timeline_json_schema,
)


def clip(source: str = "a.png", duration: float = 3.0, **extra: Any) -> dict[str, Any]:
    return {"source": source, "duration": duration, **extra}


def problems(data: Any) -> dict[str, str]:
    with pytest.raises(TimelineError) as info:
        parse_timeline(data)
    return {p.path: p.message for p in info.value.problems}


def test_duration_is_clip_sum_minus_transitions() -> None:
    tl = parse_timeline(
        {
            "clips": [
                clip(duration=4.0),
                clip(duration=3.0, transition={"type": "crossfade", "duration": 0.5}),
                clip(duration=2.0, transition={"type": "wipe_left", "duration": 1.0}),
            ]
        }
    )
    assert tl.duration == pytest.approx(9.0 - 1.5)
    assert tl.clip_starts() == pytest.approx([0.0, 3.5, 5.5])


def test_documented_example_parses() -> None:
    tl = parse_timeline(
        {
            "version": 1,
            "canvas": {"width": 1280, "height": 720, "fps": 30, "background": "#000000"},
            "clips": [
                {
                    "source": "shot_00.png",
                    "duration": 4.2,
                    "motion": {"type": "zoom_in", "strength": 0.1},
                }
            ],
            "narration": [{"source": "voice_00.wav", "start": 0.0, "volume": 1.0}],
            "subtitles": [{"start": 0.0, "end": 4.2, "text": "…"}],
            "music": {"source": "bgm.wav", "volume": 0.25, "duck": True, "loop": True},
            "output": {"quality": "final", "loudness": -16},
        }
    )
    assert tl.music is not None and tl.music.duck
    assert tl.duration == pytest.approx(4.2)


@pytest.mark.parametrize(
    ("data", "path", "needle"),
    [
        ({"clips": [clip(duration=0)]}, "clips[0].duration", "greater than 0"),
        ({"clips": [clip(duration=-1)]}, "clips[0].duration", "greater than 0"),
        ({"clips": [clip(duration=3601)]}, "clips[0].duration", "3600"),
        ({"clips": [clip(motion={"type": "spin"})]}, "clips[0].motion.type", "'spin'"),
        (
            {"clips": [clip(), clip(transition={"type": "swirl", "duration": 1})]},
            "clips[1].transition.type",
            "'swirl'",
        ),
        ({"canvas": {"width": 1281}, "clips": [clip()]}, "canvas.width", "even"),
        ({"canvas": {"height": 32}, "clips": [clip()]}, "canvas.height", "64"),
        ({"canvas": {"width": 8192}, "clips": [clip()]}, "canvas.width", "4096"),
        ({"canvas": {"fps": 0}, "clips": [clip()]}, "canvas.fps", "1"),
        ({"canvas": {"fps": 240}, "clips": [clip()]}, "canvas.fps", "120"),
        ({"clips": []}, "clips", "at least 1"),
        ({"clips": [clip()], "extra": 1}, "extra", "not permitted"),
        ({"version": 2, "clips": [clip()]}, "version", "1"),
    ],
)
def test_field_problems_are_reported_by_path(data: Any, path: str, needle: str) -> None:
    found = problems(data)
    assert path in found, found
    assert needle in found[path]


def test_transition_longer_than_clip() -> None:
    found = problems(
        {
            "clips": [
                clip(duration=2),
                clip(duration=1, transition={"type": "fade", "duration": 1.5}),
            ]
        }
    )
    assert "longer than the clip" in found["clips[1].transition.duration"]


def test_transitions_may_not_overlap_inside_a_clip() -> None:
    found = problems(
        {
            "clips": [
                clip(duration=3),
                clip(duration=2, transition={"type": "crossfade", "duration": 1.5}),
                clip(duration=3, transition={"type": "crossfade", "duration": 1.0}),
            ]
        }
    )
    assert "clips[2].transition.duration" in found


def test_first_clip_cannot_transition() -> None:
    found = problems({"clips": [clip(transition={"type": "fade", "duration": 1})]})
    assert "clips[0].transition" in found


def test_cut_with_duration_and_transition_without() -> None:
    found = problems(
        {
            "clips": [
                clip(),
                clip(transition={"type": "cut", "duration": 1}),
                clip(transition={"type": "fade", "duration": 0}),
            ]
        }
    )
    assert "clips[1].transition" in found
    assert "clips[2].transition" in found


def test_subtitles_outside_the_video() -> None:
    found = problems(
        {
            "clips": [clip(duration=2)],
            "subtitles": [
                {"start": 1, "end": 5, "text": "late"},
                {"start": 1.5, "end": 1.0, "text": "backwards"},
            ],
        }
    )
    assert "after the end of the video" in found["subtitles[0].end"]
    assert "subtitles[1]" in found


def test_narration_after_the_end() -> None:
    found = problems({"clips": [clip(duration=2)], "narration": [{"source": "v.wav", "start": 3}]})
    assert "narration[0].start" in found


def test_every_field_problem_is_listed_at_once() -> None:
    found = problems(
        {
            "canvas": {"width": 1281, "fps": 500},
            "clips": [clip(duration=0, motion={"type": "spin"})],
        }
    )
    assert {"canvas.width", "canvas.fps", "clips[0].duration", "clips[0].motion.type"} <= set(found)


def test_invalid_json_reports_line_and_column() -> None:
    with pytest.raises(TimelineError) as info:
        parse_timeline_json('{\n  "clips": [,]\n}')
    assert "line 2" in str(info.value)


def test_not_an_object() -> None:
    with pytest.raises(TimelineError):
        parse_timeline([1, 2, 3])


def test_schema_lists_every_motion_and_transition() -> None:
    schema = timeline_json_schema()
    text = json.dumps(schema)
    assert schema["$schema"].startswith("https://json-schema.org/")
    for name in (*MOTION_TYPES, *TRANSITION_TYPES):
        assert f'"{name}"' in text
    # More than cut, fade and crossfade: at least four other xfade styles.
    assert len(set(XFADE_STYLES) - {"fade", "crossfade"}) >= 4
