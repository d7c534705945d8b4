"""``storyreel export PROJECT --format F -o PATH``: files and folders of a real render in the
data dir's database, and one-line refusals (no finished render, unknown format, a path that
cannot be written)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import opentimelineio as otio
import pytest

from storyreel.domain.project import ProjectOptions
from storyreel.pipeline.engine import Platform
from storyreel.pipeline.project import create_project
from storyreel.settings import Settings
from tests.exports.conftest import render_project
from tests.test_cli import storyreel

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A data dir holding one finished render (the platform that made it is stopped)."""
    data_dir = tmp_path_factory.mktemp("cli-export") / "data"
    done = render_project(data_dir, max_shots=2)
    done.platform.stop(2)
    return data_dir, done.project_id


def _error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: ")
    return lines[0]


def test_export_writes_files_and_folders(rendered: tuple[Path, str], tmp_path: Path) -> None:
    data_dir, pid = rendered
    bundle = tmp_path / "film.zip"
    result = storyreel("export", pid, "--format", "bundle", "-o", str(bundle), data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(bundle)
    with zipfile.ZipFile(bundle) as zf:
        assert any(n.endswith("/video.mp4") for n in zf.namelist())

    folder = tmp_path / "fcp"
    result = storyreel("export", pid, "--format", "fcp7", "-o", str(folder), data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    (xml,) = folder.glob("*.xml")
    read = otio.adapters.read_from_file(str(xml), adapter_name="fcp_xml")
    clips = read.video_tracks()[0].find_clips()
    assert len(clips) == 2
    assert all((folder / c.media_reference.target_url).is_file() for c in clips)

    draft = tmp_path / "drafts" / "My film"
    result = storyreel("export", pid, "-f", "jianying", "-o", str(draft), data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    assert (draft / "draft_content.json").is_file() and (draft / "Resources").is_dir()

    # The same folder again: refused rather than mixed with what is there.
    again = storyreel("export", pid, "-f", "jianying", "-o", str(draft), data_dir=data_dir)
    assert again.returncode != 0 and "already exists" in _error_line(again.stderr)


def test_export_refuses_in_one_line(rendered: tuple[Path, str], tmp_path: Path) -> None:
    data_dir, pid = rendered
    unknown = storyreel("export", pid, "--format", "fcpxml", "-o", "x.xml", data_dir=data_dir)
    assert unknown.returncode == 2
    assert "unknown format 'fcpxml'" in _error_line(unknown.stderr)

    platform = Platform.create(Settings(data_dir=data_dir))
    try:
        with platform.session() as s:
            project, _ = create_project(s, platform.kinds, "A story.", ProjectOptions(auto=False))
            fresh = project.id
    finally:
        platform.stop(0)
    unrendered = storyreel(
        "export", fresh, "--format", "otio", "-o", str(tmp_path / "o"), data_dir=data_dir
    )
    assert unrendered.returncode != 0
    assert "no finished render" in _error_line(unrendered.stderr)
    assert not (tmp_path / "o").exists()

    missing = storyreel("export", "nope", "-f", "edl", "-o", str(tmp_path / "e"), data_dir=data_dir)
    assert missing.returncode != 0 and "no project nope" in _error_line(missing.stderr)

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    unwritable = storyreel(
        "export", pid, "-f", "bundle", "-o", str(blocker / "film.zip"), data_dir=data_dir
    )
    assert unwritable.returncode != 0
    assert "cannot write" in _error_line(unwritable.stderr)
