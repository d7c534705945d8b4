"""Documents on the command line: `storyreel chapters`, `make --chapter`, and refusals as one
line with a non-zero exit and no traceback."""

from __future__ import annotations

from pathlib import Path

from tests.documents.makers import PdfPage, PdfSpec, make_epub, make_pdf, xhtml
from tests.test_cli import storyreel


def _novel(folder: Path) -> Path:
    documents = [
        (f"c{n}.xhtml", xhtml("Keeper", f"<h1>Chapter {n}</h1>" + f"<p>Night {n} fell.</p>" * 40))
        for n in (1, 2, 3)
    ]
    path = folder / "novel.epub"
    path.write_bytes(make_epub("The Keeper", documents))
    return path


def _error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


def test_chapters_lists_a_documents_chapters(tmp_path: Path) -> None:
    result = storyreel(
        "chapters", str(_novel(tmp_path)), data_dir=tmp_path / "d", env={"COLUMNS": "160"}
    )
    assert result.returncode == 0, result.stderr
    assert "The Keeper (epub)" in result.stdout
    for n in (1, 2, 3):
        assert f"Chapter {n}" in result.stdout and f"Night {n} fell." in result.stdout
    assert "598" in result.stdout  # each chapter's length: 40 × "Night N fell." + blank lines


def test_make_asks_for_a_chapter_when_the_document_is_longer_than_a_story(
    tmp_path: Path,
) -> None:
    novel = _novel(tmp_path)
    env = {"STORYREEL_MAX_STORY_CHARS": "1000", "COLUMNS": "400"}
    result = storyreel(
        "make", str(novel), "-o", str(tmp_path / "f.mp4"), data_dir=tmp_path / "d", env=env
    )
    assert result.returncode == 2
    line = _error_line(result.stderr)
    assert "choose a chapter" in line and "--chapter N" in line
    assert "1 'Chapter 1'" in line and "3 'Chapter 3'" in line
    missing = storyreel("make", str(novel), "--chapter", "4", data_dir=tmp_path / "d", env=env)
    assert missing.returncode == 2
    assert "no chapter 4: the document has 3 chapters" in _error_line(missing.stderr)


def test_project_create_takes_one_chapter_of_a_document(tmp_path: Path) -> None:
    novel = _novel(tmp_path)
    env = {"STORYREEL_MAX_STORY_CHARS": "1000"}
    assert storyreel("migrate", data_dir=tmp_path / "d").returncode == 0
    made = storyreel(
        "project", "create", str(novel), "--chapter", "2", data_dir=tmp_path / "d", env=env
    )
    assert made.returncode == 0, made.stderr
    shown = storyreel("project", "list", data_dir=tmp_path / "d", env={"COLUMNS": "200"})
    assert "Chapter 2" in shown.stdout  # the chapter's title is the project's


def test_a_scanned_pdf_is_refused_in_one_line(tmp_path: Path) -> None:
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(make_pdf(PdfSpec(pages=[PdfPage([], image_only=True)]), tmp_path))
    result = storyreel("make", str(scan), data_dir=tmp_path / "d", env={"COLUMNS": "300"})
    assert result.returncode == 2
    assert "has no text layer (a scan?); run OCR on it" in _error_line(result.stderr)
