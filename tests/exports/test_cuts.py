"""Pure rules of the exports: overlapping clips as cut points, and the Ken Burns move as
JianYing keyframe values."""

from __future__ import annotations

import itertools

import pytest

from storyreel.domain.timeline import Motion, Timeline
from storyreel.exports.cuts import cuts
from storyreel.exports.jianying import cover_scale, motion_frame


def _timeline() -> Timeline:
    return Timeline.model_validate(
        {
            "canvas": {"width": 1280, "height": 720, "fps": 30},
            "clips": [
                {"source": "a.png", "duration": 3.0},
                {
                    "source": "b.png",
                    "duration": 3.5,
                    "transition": {"type": "crossfade", "duration": 0.5},
                },
                {
                    "source": "c.png",
                    "duration": 3.0,
                    "transition": {"type": "fade", "duration": 0.8},
                },
                {"source": "d.png", "duration": 2.0},
            ],
        }
    )


def test_cut_points_centre_each_transition_and_add_up_to_the_video() -> None:
    tl = _timeline()
    found = cuts(tl)
    assert [c.visible for c in found] == [82, 86, 78, 60]
    assert sum(c.visible for c in found) == round(tl.duration * 30) == 306
    # Each transition straddles its cut: half before it, half after it.
    assert [(c.before, c.after) for c in found] == [(0, 0), (7, 8), (12, 12), (0, 0)]
    assert [c.transition for c in found] == ["cut", "crossfade", "fade", "cut"]
    for prev, nxt in itertools.pairwise(found):
        assert prev.cut_out == nxt.cut_in
        # The outgoing clip plays on past the cut by the transition's second half; the incoming
        # one starts before it by the first half: the handles the editor's dissolve uses.
        assert prev.tail == nxt.after and nxt.head == nxt.before


def test_a_pan_left_travels_the_free_margin_from_one_side_to_the_other() -> None:
    move = Motion(type="pan_left", strength=0.2)
    start, end = motion_frame(move, 0.0, 1.0), motion_frame(move, 1.0, 1.0)
    assert start.scale == end.scale == pytest.approx(1.2)
    # The picture starts shifted left (its right side shows) and ends shifted right.
    assert start.x == pytest.approx(-0.2) and end.x == pytest.approx(0.2)
    assert start.y == end.y == 0.0
    up = motion_frame(Motion(type="pan_up", strength=0.2), 0.0, 1.0)
    assert up.x == 0.0 and up.y == pytest.approx(0.2)  # JianYing's y points up


def test_zooms_scale_from_the_cover_fit_and_eased_moves_are_slow_at_the_ends() -> None:
    cover = cover_scale(1024, 1024, 1280, 720)  # a square picture on a 16:9 canvas
    assert cover == pytest.approx(1280 / 720)
    zoom_in = Motion(type="zoom_in", strength=0.1)
    assert motion_frame(zoom_in, 0.0, cover).scale == pytest.approx(cover)
    assert motion_frame(zoom_in, 1.0, cover).scale == pytest.approx(cover * 1.1)
    zoom_out = Motion(type="zoom_out", strength=0.1)
    assert motion_frame(zoom_out, 1.0, 1.0).scale == pytest.approx(1.0)
    eased = Motion(type="zoom_in", strength=0.1, easing="ease_in_out")
    assert motion_frame(eased, 0.1, 1.0).scale < motion_frame(zoom_in, 0.1, 1.0).scale
    assert motion_frame(eased, 0.5, 1.0).scale == pytest.approx(1.05)
    still = motion_frame(Motion(), 0.7, cover)
    assert (still.scale, still.x, still.y) == (pytest.approx(cover), 0.0, 0.0)
