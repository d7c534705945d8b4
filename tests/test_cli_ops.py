"""The operator commands, run as a user runs them: migrate, project, tasks, worker."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.test_cli import ROOT, storyreel

STORY = ROOT / "examples" / "stories" / "lighthouse.en.txt"


def _id(output: str) -> str:
    match = re.search(r"^[0-9a-f]{32}$", output, re.MULTILINE)
    assert match, output
    return match.group(0)


def test_project_commands_need_a_migrated_database(tmp_path: Path) -> None:
    result = storyreel("project", "create", str(STORY), data_dir=tmp_path)
    assert result.returncode == 2
    assert "Run `storyreel migrate` first" in result.stderr and "Traceback" not in result.stderr
    first = storyreel("migrate", data_dir=tmp_path)
    assert first.returncode == 0 and "empty → 0001" in first.stdout
    again = storyreel("migrate", data_dir=tmp_path)
    assert "up to date" in again.stdout


def test_create_records_the_project_and_its_first_task_without_running_it(
    tmp_path: Path,
) -> None:
    storyreel("migrate", data_dir=tmp_path)
    created = storyreel("project", "create", str(STORY), "--style", "水墨", data_dir=tmp_path)
    assert created.returncode == 0, created.stderr
    pid = _id(created.stdout)
    shown = storyreel("project", "show", pid, data_dir=tmp_path)
    assert shown.returncode == 0 and "style=ink_wash" in shown.stdout
    assert "storyboard" in shown.stdout and "queued" in shown.stdout
    queued = storyreel("tasks", "list", "--status", "queued", data_dir=tmp_path)
    task_id = re.search(r"([0-9a-f]{32})\s.*storyboard", queued.stdout)
    assert task_id, queued.stdout
    cancelled = storyreel("tasks", "cancel", task_id.group(1), data_dir=tmp_path)
    assert cancelled.returncode == 0 and "cancelled 1 task(s)" in cancelled.stdout
    retried = storyreel("tasks", "retry", task_id.group(1), data_dir=tmp_path)
    assert retried.returncode == 0 and "queued" in retried.stdout
    listed = storyreel("project", "list", data_dir=tmp_path)
    assert pid in listed.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["project", "create", "missing.txt"], "missing.txt"),
        (["project", "create", str(STORY), "--style", "vaporwave"], "unknown style 'vaporwave'"),
        (["project", "create", str(STORY), "--aspect", "4:3"], "--aspect must be"),
        (["project", "show", "nope"], "no project 'nope'"),
        (["tasks", "list", "--status", "done"], "unknown status 'done'"),
        (["tasks", "retry", "nope"], "no task 'nope'"),
        (["worker", "-Q", "tpu"], "unknown queue 'tpu'"),
    ],
)
def test_bad_input_gets_a_one_line_error(tmp_path: Path, args: list[str], message: str) -> None:
    storyreel("migrate", data_dir=tmp_path)
    result = storyreel(*args, data_dir=tmp_path, cwd=tmp_path)
    assert result.returncode == 2, result.stdout
    assert message in result.stderr and "Traceback" not in result.stderr


def test_retrying_a_task_that_is_not_failed_is_refused(tmp_path: Path) -> None:
    storyreel("migrate", data_dir=tmp_path)
    pid = _id(storyreel("project", "create", str(STORY), data_dir=tmp_path).stdout)
    shown = storyreel("project", "show", pid, data_dir=tmp_path)
    task_id = re.search(r"([0-9a-f]{32})\s+│?\s*storyboard", shown.stdout)
    assert task_id, shown.stdout
    result = storyreel("tasks", "retry", task_id.group(1), data_dir=tmp_path)
    assert result.returncode == 2 and "only failed or cancelled tasks retry" in result.stderr


@pytest.mark.slow
def test_create_with_wait_makes_the_video(tmp_path: Path) -> None:
    storyreel("migrate", data_dir=tmp_path)
    result = storyreel(
        "project", "create", str(STORY), "--length", "12", "--wait", data_dir=tmp_path
    )
    assert result.returncode == 0, result.stderr
    video = re.search(r"^video: (.+\.mp4)$", result.stdout, re.MULTILINE)
    assert video and Path(video.group(1)).stat().st_size > 10_000
    assert "succeeded" in result.stdout and "failed" not in result.stdout
