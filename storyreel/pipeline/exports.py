"""Exports of a project's finished render: the one place that reads the render's rows and blobs
and hands ``storyreel.exports`` plain files (the CLI's ``storyreel export`` and the API's
``GET /projects/{id}/export`` both call ``export_project``).

A render stores its video, not its timeline; the timeline is built again from the project's
shots exactly as the render task built it (``handlers.render.project_timeline``). So an export
is refused (``Conflict``) unless the newest render is the project's current one: a project
edited since, or being rendered again, has no finished render that matches its shots.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from storyreel.db.models import Project
from storyreel.db.repositories import projects as projects_repo
from storyreel.domain.timeline import IMAGE_SUFFIXES, Timeline
from storyreel.exports import EXPORT_FORMATS, FOLDER_FORMATS, ExportFormat
from storyreel.exports.bundle import write_bundle
from storyreel.exports.edl import write_edl
from storyreel.exports.fcp7 import write_fcp7
from storyreel.exports.jianying import write_jianying
from storyreel.exports.otio import UrlFor, media_root_url, write_otio, write_otioz
from storyreel.exports.package import RenderFiles, ShotNote, zip_folder
from storyreel.media.fonts import subtitle_font
from storyreel.media.probe import ProbeError, probe
from storyreel.media.subtitles import Cue, build_ass, build_srt
from storyreel.pipeline import project as projects
from storyreel.pipeline.engine import Platform
from storyreel.pipeline.errors import Conflict, InvalidInput, NotFound
from storyreel.pipeline.handlers.render import files_root, project_media, project_timeline
from storyreel.storage.base import BlobNotFound, StorageError
from storyreel.storage.disposition import clean_filename
from storyreel.tasks.model import PermanentError

__all__ = [
    "EXPORT_FORMATS",
    "FOLDER_FORMATS",
    "ExportFile",
    "ExportFormat",
    "download_name",
    "export_project",
    "render_files",
]

# What each format's download is called after the project's title, and its media type.
_DOWNLOADS: dict[str, tuple[str, str]] = {
    "bundle": ("{name}.zip", "application/zip"),
    "otio": ("{name} - otio.zip", "application/zip"),
    "otioz": ("{name}.otioz", "application/zip"),
    "fcp7": ("{name} - fcp7.zip", "application/zip"),
    "edl": ("{name} - edl.zip", "application/zip"),
    "jianying": ("{name} - jianying.zip", "application/zip"),
}


@dataclass(frozen=True)
class ExportFile:
    """A written export: where it is, the name to offer it under, and its media type."""

    path: Path
    filename: str
    media_type: str


def folder_name(title: str) -> str:
    """The export's folder (and JianYing draft) name: the title, safe on any disk."""
    return clean_filename(title) or "storyreel"


def download_name(title: str, fmt: str) -> tuple[str, str]:
    pattern, media_type = _DOWNLOADS[fmt]
    return pattern.format(name=folder_name(title)), media_type


def _check_format(fmt: str) -> ExportFormat:
    if fmt not in EXPORT_FORMATS:
        raise InvalidInput(
            f"unknown export format {fmt!r}; choose one of: {', '.join(EXPORT_FORMATS)}",
            field="format",
        )
    return fmt  # type: ignore[return-value]


def _finished_render_of(s: Session, project: Project) -> str:
    """The quality of the project's newest render, if it is the project's current render."""
    render = projects_repo.latest_render(s, project.id)
    if render is None:
        raise Conflict(f"project {project.id} has no finished render; render it first")
    current = projects_repo.current_tasks(s, project.id).get((None, "render"))
    if current is None or current.id != render.task_id or current.status != "succeeded":
        raise Conflict(
            f"project {project.id} changed since its last render (or is being rendered again); "
            "export it when its render has finished"
        )
    return render.quality


def _seconds(base: Path, timeline: Timeline) -> dict[str, float]:
    """How long each narration, music and moving-picture file is (stills have no length)."""
    paths = [n.source for n in timeline.narration] + [
        c.source for c in timeline.clips if c.source_start or not _is_still(c.source)
    ]
    if timeline.music is not None:
        paths.append(timeline.music.source)
    out: dict[str, float] = {}
    for rel in dict.fromkeys(paths):
        try:
            info = probe(base / rel)
        except ProbeError:
            continue
        if info.duration:
            out[rel] = info.duration
    return out


def _is_still(source: str) -> bool:
    return Path(source).suffix.lower() in IMAGE_SUFFIXES


def render_files(platform: Platform, project_id: str) -> RenderFiles:
    """The project's finished render as files on this disk; ``NotFound`` or ``Conflict``
    when there is none to export."""
    store = platform.store

    def local(key: str, name: str) -> Path:
        try:
            return store.local_file(key)
        except (BlobNotFound, StorageError):
            raise Conflict(
                f"the {name} file of this project's render is no longer stored; render it again"
            ) from None

    with platform.session() as s:
        project = projects_repo.get(s, project_id)
        if project is None:
            raise NotFound(f"no project {project_id}")
        quality = _finished_render_of(s, project)
        render = projects_repo.latest_render(s, project_id)
        assert render is not None
        video = projects_repo.asset(s, render.video_asset_id)
        shots = projects_repo.shots(s, project_id)
        board = projects.board_of(project, shots, projects_repo.characters(s, project_id))
        try:
            media = project_media(s, project, shots, local)
        except PermanentError as exc:
            raise Conflict(f"the project's render cannot be exported: {exc}") from None
        notes = tuple(ShotNote(shot.position + 1, shot.key, shot.narration) for shot in shots)
        title = project.title
    if video is None:
        raise Conflict("the project's render has no video; render it again")
    base = files_root(media)
    timeline = project_timeline(board, media, quality, base)
    cues = [Cue(c.start, c.end, c.text, c.second) for c in timeline.subtitles]
    font = subtitle_font(platform.settings.subtitle_font_file)
    return RenderFiles(
        title=title,
        timeline=timeline,
        base=base,
        shots=notes,
        video=local(video.blob_key, "video"),
        storyboard_json=board.model_dump_json(indent=2),
        srt=build_srt(cues),
        ass=build_ass(
            cues,
            width=timeline.canvas.width,
            height=timeline.canvas.height,
            font_family=font.family,
        ),
        seconds=_seconds(base, timeline),
    )


@contextmanager
def _work_dir(platform: Platform) -> Iterator[Path]:
    root = platform.settings.data_dir / "work"
    root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="export-", dir=root))
    try:
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)


def export_project(
    platform: Platform,
    project_id: str,
    fmt: str,
    dest: Path,
    *,
    zipped: bool = True,
    media_root: str | None = None,
) -> ExportFile:
    """Write ``fmt`` of the project's finished render to ``dest``.

    ``bundle`` and ``otioz`` are single files. The other formats are folders (a timeline file
    beside its media, or a JianYing draft): written as the folder ``dest``, or with ``zipped``
    as a zip of it at ``dest``. ``media_root``: where the folder will be on the editing machine,
    to name the media by absolute paths in OTIO, FCP7 XML and EDL (relative by default).
    """
    chosen = _check_format(fmt)
    files = render_files(platform, project_id)
    name = folder_name(files.title)
    filename, media_type = download_name(files.title, chosen)
    url_for: UrlFor | None = media_root_url(media_root) if media_root else None
    with _work_dir(platform) as work:
        if chosen == "bundle":
            write_bundle(files, dest, work, name)
        elif chosen == "otioz":
            write_otioz(files, dest, work / "media")
        elif zipped:
            _write_folder(chosen, files, work / name, name, url_for)
            zip_folder(work / name, dest, prefix=name)
        else:
            if dest.exists() and any(dest.iterdir()):
                raise FileExistsError(f"{dest} exists and is not empty")
            made = not dest.exists()
            try:
                _write_folder(chosen, files, dest, name, url_for)
            except BaseException:
                if made:
                    shutil.rmtree(dest, ignore_errors=True)
                raise
            filename = dest.name
    return ExportFile(dest, filename, media_type)


def _write_folder(
    fmt: str, files: RenderFiles, folder: Path, name: str, url_for: UrlFor | None
) -> None:
    if fmt == "otio":
        write_otio(files, folder, name, url_for)
    elif fmt == "fcp7":
        write_fcp7(files, folder, name, url_for)
    elif fmt == "edl":
        write_edl(files, folder, name, url_for)
    else:
        write_jianying(files, folder)
