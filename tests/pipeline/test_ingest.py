"""Reading stories: every bad input gets a clear StoryError."""

from __future__ import annotations

from pathlib import Path

import pytest

from storyreel.pipeline.ingest import StoryError, check_story, read_story


def test_reads_utf8_and_normalises_line_endings(tmp_path: Path) -> None:
    story = tmp_path / "s.txt"
    story.write_bytes("\ufeff从前有座山。\r\nOnce upon a time.\r\n".encode())
    assert read_story(story, 1000) == "从前有座山。\nOnce upon a time."


def test_reads_gb18030_chinese(tmp_path: Path) -> None:
    story = tmp_path / "s.txt"
    story.write_bytes("山里有一座庙。".encode("gb18030"))
    assert read_story(story, 1000) == "山里有一座庙。"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"   \n\t  ", "empty"),
        (b"\x00\x01\x02binary\x00", "binary"),
        (b"!!! ... ???", "no words"),
    ],
)
def test_bad_content(tmp_path: Path, content: bytes, message: str) -> None:
    story = tmp_path / "s.txt"
    story.write_bytes(content)
    with pytest.raises(StoryError, match=message):
        read_story(story, 1000)


def test_missing_and_unsupported_files(tmp_path: Path) -> None:
    with pytest.raises(StoryError, match="not found"):
        read_story(tmp_path / "none.txt", 1000)
    (tmp_path / "story.pdf").write_bytes(b"%PDF")
    with pytest.raises(StoryError, match="unsupported story format"):
        read_story(tmp_path / "story.pdf", 1000)
    with pytest.raises(StoryError, match="not a file"):
        read_story(tmp_path, 1000)


def test_too_long_says_the_limit_and_how_to_raise_it() -> None:
    with pytest.raises(StoryError) as info:
        check_story("字" * 2001, 2000)
    assert "2,000" in str(info.value) and "STORYREEL_MAX_STORY_CHARS" in str(info.value)
