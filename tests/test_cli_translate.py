"""``storyreel translate PROJECT --to LANG [--bilingual]``: a translated copy made with a fake
OpenAI-compatible model on loopback, and a one-line refusal when no LLM is configured."""

from __future__ import annotations

from pathlib import Path

import pytest

from storyreel.db.repositories import projects as projects_repo
from storyreel.domain.project import ProjectOptions
from storyreel.domain.storyboard import Storyboard
from storyreel.pipeline.engine import Platform
from storyreel.pipeline.project import create_project, store_storyboard
from storyreel.settings import Settings
from tests.api.test_translations import to_chinese
from tests.providers import fakes
from tests.providers.fakes import FAKE_MODEL, FakeOpenAI
from tests.test_cli import storyreel

fake_openai = fakes.fake_openai  # the fixture, used by name below

NARRATIONS = ["The keeper climbed the stairs.", "A storm rolled in.", "He lit the lamp."]


def storyboarded_project(data_dir: Path) -> str:
    """A project with a three-shot storyboard and no tasks, in the data dir's database."""
    settings = Settings(data_dir=data_dir)
    platform = Platform.create(settings).connect()
    board = Storyboard.model_validate(
        {
            "title": "The Lighthouse",
            "language": "en",
            "style": "cinematic",
            "shots": [
                {"id": f"s{k}", "narration": n, "visual_prompt": f"lighthouse, shot {k}"}
                for k, n in enumerate(NARRATIONS)
            ],
        }
    )
    try:
        with platform.session() as s:
            project, _ = create_project(
                s, platform.kinds, "The keeper.", ProjectOptions(auto=False, language="en")
            )
            store_storyboard(s, platform.kinds, project, board, None)
            return project.id
    finally:
        platform.stop(0)


@pytest.fixture
def project_id(tmp_path: Path) -> str:
    assert storyreel("migrate", data_dir=tmp_path).returncode == 0
    return storyboarded_project(tmp_path)


def test_translate_makes_a_translated_copy(
    tmp_path: Path, project_id: str, fake_openai: FakeOpenAI
) -> None:
    fake_openai.route(FakeOpenAI.CHAT, to_chinese)
    env = {
        "STORYREEL_LLM__BASE_URL": fake_openai.base_url,
        "STORYREEL_LLM__API_KEY": "sk-test",
        "STORYREEL_LLM__MODEL": FAKE_MODEL,
    }
    result = storyreel(
        "translate", project_id, "--to", "zh", "--bilingual", data_dir=tmp_path, env=env
    )
    assert result.returncode == 0, result.stderr
    copy_id = result.stdout.strip()
    assert copy_id != project_id
    platform = Platform.create(Settings(data_dir=tmp_path)).connect()
    try:
        with platform.session() as s:
            copy = projects_repo.get(s, copy_id)
            assert copy is not None and copy.bilingual_subtitles and copy.language == "zh"
            shots = projects_repo.shots(s, copy_id)
            assert [x.key for x in shots] == ["s0", "s1", "s2"]
            assert [x.narration for x in shots] == [f"第{k}个镜头的旁白。" for k in (1, 2, 3)]
            assert [x.original_narration for x in shots] == NARRATIONS
    finally:
        platform.stop(0)
    again = storyreel("translate", project_id, "--to", "en", data_dir=tmp_path, env=env)
    assert again.returncode == 2 and "already in English" in again.stderr


def test_without_an_llm_translate_says_which_setting_to_set(
    tmp_path: Path, project_id: str
) -> None:
    result = storyreel("translate", project_id, "--to", "zh", data_dir=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "translation needs an LLM" in lines[0]
    assert "STORYREEL_LLM__BASE_URL" in lines[0] and "STORYREEL_LLM__API_KEY" in lines[0]
    assert "Traceback" not in result.stderr
