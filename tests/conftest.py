"""Shared fixtures: isolated settings per test and small real media made with FFmpeg."""

from __future__ import annotations

from pathlib import Path

import pytest

from storyreel.settings import Settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings whose data dir (and so every cache) is private to the test."""
    return Settings(data_dir=tmp_path / "data", render_jobs=2)
