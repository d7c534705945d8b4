"""A storyreel timeline as an editor sees it: clips butted at cut points, with transitions that
straddle each cut and draw on spare frames (handles) either side of it.

In a storyreel timeline a clip *overlaps* the one before it by its entry transition. Editors
(OpenTimelineIO, FCP7 XML, EDL, JianYing) put clips end to end instead and centre the
transition on the cut between them: the outgoing clip plays on past the cut and the incoming
one starts before it, out of sight. Every export places its clips with ``cuts`` so they agree
to the frame.
"""

from __future__ import annotations

from dataclasses import dataclass

from storyreel.domain.timeline import Timeline


@dataclass(frozen=True)
class Cut:
    """One clip in whole frames of the timeline's rate.

    ``start``/``end``: where the whole clip plays in the storyreel video (transitions included);
    ``cut_in``/``cut_out``: the cuts an editor shows it between; ``head``/``tail``: the frames
    it plays before ``cut_in`` and after ``cut_out``, inside the transitions.
    """

    index: int
    start: int
    end: int
    cut_in: int
    cut_out: int
    transition: str
    #: Frames of the transition into this clip before its cut (OpenTimelineIO's ``in_offset``)
    #: and after it (``out_offset``); both 0 for a cut.
    before: int
    after: int

    @property
    def length(self) -> int:
        return self.end - self.start

    @property
    def visible(self) -> int:
        """Frames between the cuts: what the clip takes on an editor's track."""
        return self.cut_out - self.cut_in

    @property
    def head(self) -> int:
        return self.cut_in - self.start

    @property
    def tail(self) -> int:
        return self.end - self.cut_out


def frames(seconds: float, fps: float) -> int:
    return round(seconds * fps)


def cuts(timeline: Timeline) -> list[Cut]:
    """Each clip's cut points; the visible lengths add up to the video's length in frames."""
    fps = timeline.canvas.fps
    total = frames(timeline.duration, fps)
    starts = [frames(s, fps) for s in timeline.clip_starts()]
    clips = timeline.clips
    ends = [frames(s + c.duration, fps) for s, c in zip(timeline.clip_starts(), clips, strict=True)]
    ends[-1] = total
    out: list[Cut] = []
    for i, clip in enumerate(clips):
        overlap = 0 if i == 0 else max(0, ends[i - 1] - starts[i])
        before = overlap // 2
        out.append(
            Cut(
                index=i,
                start=starts[i],
                end=ends[i],
                cut_in=0 if i == 0 else starts[i] + before,
                cut_out=total,  # set from the next clip below
                transition=clip.transition.type if overlap else "cut",
                before=before,
                after=overlap - before,
            )
        )
    fixed = [
        Cut(**{**c.__dict__, "cut_out": out[i + 1].cut_in if i + 1 < len(out) else total})
        for i, c in enumerate(out)
    ]
    for c in fixed:
        if c.visible <= 0:
            raise ValueError(
                f"clip {c.index + 1} is hidden by its transitions; it cannot be exported as a cut"
            )
    return fixed
