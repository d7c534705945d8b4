"""The operator commands, run as a user runs them: migrate, project, tasks, worker."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from storyreel.db import migrate as migrations
from storyreel.db.session import Database
from tests.test_cli import ROOT, storyreel

STORY = ROOT / "examples" / "stories" / "lighthouse.en.txt"

Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def cli(tmp_path: Path, database_url: str) -> Run:
    """``storyreel`` with its own data dir, on each database backend."""

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return storyreel(
            *args, data_dir=tmp_path, cwd=tmp_path, env={"STORYREEL_DATABASE_URL": database_url}
        )

    return run


def _id(output: str) -> str:
    match = re.search(r"^[0-9a-f]{32}$", output, re.MULTILINE)
    assert match, output
    return match.group(0)


def test_project_commands_need_a_migrated_database(cli: Run, tmp_path: Path) -> None:
    result = cli("project", "create", str(STORY))
    assert result.returncode == 2
    assert "Run `storyreel migrate` first" in result.stderr and "Traceback" not in result.stderr
    first = cli("migrate")
    head = migrations.head_revision(Database(f"sqlite:///{tmp_path / 'head.db'}"))
    assert first.returncode == 0 and f"empty → {head}" in first.stdout
    again = cli("migrate")
    assert "up to date" in again.stdout


def test_create_records_the_project_and_its_first_task_without_running_it(cli: Run) -> None:
    cli("migrate")
    created = cli("project", "create", str(STORY), "--style", "水墨")
    assert created.returncode == 0, created.stderr
    pid = _id(created.stdout)
    shown = cli("project", "show", pid)
    assert shown.returncode == 0 and "style=ink_wash" in shown.stdout
    assert "storyboard" in shown.stdout and "queued" in shown.stdout
    queued = cli("tasks", "list", "--status", "queued")
    task_id = re.search(r"([0-9a-f]{32})\s.*storyboard", queued.stdout)
    assert task_id, queued.stdout
    cancelled = cli("tasks", "cancel", task_id.group(1))
    assert cancelled.returncode == 0 and "cancelled 1 task(s)" in cancelled.stdout
    retried = cli("tasks", "retry", task_id.group(1))
    assert retried.returncode == 0 and "queued" in retried.stdout
    listed = cli("project", "list")
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
def test_bad_input_gets_a_one_line_error(cli: Run, args: list[str], message: str) -> None:
    cli("migrate")
    result = cli(*args)
    assert result.returncode == 2, result.stdout
    assert message in result.stderr and "Traceback" not in result.stderr


def test_retrying_a_task_that_is_not_failed_is_refused(cli: Run) -> None:
    cli("migrate")
    pid = _id(cli("project", "create", str(STORY)).stdout)
    shown = cli("project", "show", pid)
    task_id = re.search(r"([0-9a-f]{32})\s+│?\s*storyboard", shown.stdout)
    assert task_id, shown.stdout
    result = cli("tasks", "retry", task_id.group(1))
    assert result.returncode == 2 and "only failed or cancelled tasks retry" in result.stderr


@pytest.mark.slow
def test_create_with_wait_makes_the_video(cli: Run) -> None:
    cli("migrate")
    result = cli("project", "create", str(STORY), "--length", "12", "--preview", "--wait")
    assert result.returncode == 0, result.stderr
    video = re.search(r"^video: (.+\.mp4)$", result.stdout, re.MULTILINE)
    assert video and Path(video.group(1)).stat().st_size > 10_000
    assert "succeeded" in result.stdout and "failed" not in result.stdout
