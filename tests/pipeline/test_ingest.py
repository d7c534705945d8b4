"""Reading stories: every bad input gets a clear StoryError."""

from __future__ import annotations

from pathlib import Path

import pytest

from storyreel.pipeline.ingest import ChapterNeeded, StoryError, check_story, read_story


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
    # The content decides, not the name: a picture called .docx is refused as a picture.
    (tmp_path / "story.docx").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    with pytest.raises(StoryError, match=r"PNG image, not a document; send .*\.txt"):
        read_story(tmp_path / "story.docx", 1000)
    with pytest.raises(StoryError, match="not a file"):
        read_story(tmp_path, 1000)


def test_too_long_says_the_limit_and_how_to_raise_it() -> None:
    with pytest.raises(StoryError) as info:
        check_story("字" * 2001, 2000)
    assert "2,000" in str(info.value) and "STORYREEL_MAX_STORY_CHARS" in str(info.value)


def _novel(tmp_path: Path) -> Path:
    chapters = [f"第{n}章 标题{n}\n" + f"第{n}章的故事。" * 30 for n in ("一", "二", "三")]
    path = tmp_path / "novel.txt"
    path.write_text("\n".join(chapters), encoding="gb18030")
    return path


def test_a_chapter_or_a_range_of_chapters_becomes_the_story(tmp_path: Path) -> None:
    novel = _novel(tmp_path)
    two = read_story(novel, 1000, chapter="2")
    assert two.startswith("第二章 标题二\n\n第二章的故事。") and "第三章" not in two
    two_three = read_story(novel, 1000, chapter="2-3")
    assert two_three.startswith("第二章 标题二") and "第三章 标题三" in two_three
    assert "第一章" not in two_three


def test_a_document_longer_than_a_story_asks_for_a_chapter_listing_them(tmp_path: Path) -> None:
    with pytest.raises(ChapterNeeded) as info:
        read_story(_novel(tmp_path), 300)
    message = str(info.value)
    assert "\n" not in message and "--chapter N" in message
    assert "1 '第一章 标题一' 210 chars; 2 '第二章 标题二' 210 chars; 3 '第三章 标题三'" in message
    # The whole document is used when it fits.
    assert read_story(_novel(tmp_path), 1000).count("章 标题") == 3


@pytest.mark.parametrize(("choice", "message"), [("9", "no chapter 9"), ("x", "not a number")])
def test_a_chapter_that_is_not_there_is_refused(tmp_path: Path, choice: str, message: str) -> None:
    with pytest.raises(StoryError, match=message):
        read_story(_novel(tmp_path), 1000, chapter=choice)
