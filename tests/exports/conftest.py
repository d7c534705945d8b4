"""One real finished render (offline providers, FFmpeg, preview quality, three short shots with
music), made once and exported by every test of this folder."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from storyreel.db import migrate
from storyreel.db.session import Database
from storyreel.domain.project import ProjectOptions
from storyreel.pipeline.engine import Platform
from storyreel.pipeline.project import create_project
from storyreel.settings import Settings

STORY = (
    "Mara kept the lighthouse on the cliff. Every night she climbed the stairs to light the "
    "lamp.\n\nOne stormy evening a small boat drifted toward the rocks. Mara swung the beam "
    "across the waves, and the boat turned safely into the harbour."
)


@dataclass(frozen=True)
class Rendered:
    platform: Platform
    project_id: str
    data_dir: Path


def render_project(data_dir: Path, story: str = STORY, **options: object) -> Rendered:
    """A project of ``story`` run through the whole pipeline to a finished preview render."""
    settings = Settings(data_dir=data_dir, render_jobs=2)
    migrate.upgrade(Database(settings.database))
    platform = Platform.create(settings)
    fields = {"max_shots": 3, "quality": "preview", "title": "The Lighthouse", **options}
    with platform.session() as s:
        project, _ = create_project(s, platform.kinds, story, ProjectOptions.model_validate(fields))
        project_id = project.id
    platform.start()
    counts = platform.wait_for_project(project_id, 300)
    assert set(counts) == {"succeeded"}, counts
    return Rendered(platform, project_id, data_dir)


@pytest.fixture(scope="package")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rendered]:
    done = render_project(tmp_path_factory.mktemp("exports") / "data")
    yield done
    done.platform.stop(2)
