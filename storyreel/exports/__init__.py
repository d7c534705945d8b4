"""Files derived from a finished render, for people who go on editing elsewhere.

- ``package``: what an export is made from (``RenderFiles``) and the folder every export shares:
  the render's pictures, voices and music copied in under stable names (``gather``);
- ``cuts``: the timeline's overlapping clips as the cut points and transitions of an editor;
- ``bundle``: one zip of the whole film (video, subtitles, storyboard, timeline, media);
- ``otio``: OpenTimelineIO ``.otio`` (beside the media) and ``.otioz`` (media inside);
- ``fcp7``: Final Cut Pro 7 XML through the ``otio-fcp-adapter`` (Premiere, Resolve);
- ``edl``: a CMX3600 edit decision list through the ``otio-cmx3600-adapter``;
- ``jianying``: a JianYing / CapCut draft folder written with ``pyJianYingDraft``.

The pipeline (``storyreel.pipeline.exports``) reads the database and the blob store and hands
these modules plain files; nothing here touches either.
"""

from __future__ import annotations

from typing import Literal

ExportFormat = Literal["bundle", "otio", "otioz", "fcp7", "edl", "jianying"]
EXPORT_FORMATS: tuple[str, ...] = ExportFormat.__args__  # type: ignore[attr-defined]

#: Formats whose natural shape is a folder (a timeline file beside its media, or a draft):
#: the API sends them zipped; the CLI writes the folder, or a zip when the path ends in .zip.
FOLDER_FORMATS = frozenset({"otio", "fcp7", "edl", "jianying"})
