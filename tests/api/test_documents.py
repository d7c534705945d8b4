"""Documents over the API: inspect a document's chapters, make a project from one of them, and
every refusal in the standard error body with its status (415, 413, 422)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from storyreel.settings import Settings
from tests.api.kit import Account, Api, running_api
from tests.api.test_projects import P
from tests.documents.makers import PdfPage, PdfSpec, make_docx, make_epub, make_pdf, xhtml

INSPECT = "/api/v1/documents/inspect"
LIMIT = 256 * 1024


@pytest.fixture
def small(settings: Settings) -> Iterator[Api]:
    with running_api(settings, upload_max_bytes=LIMIT, max_story_chars=1000) as api:
        yield api


def _novel() -> bytes:
    return make_docx(
        [
            ("Title", "The Keeper"),
            *(
                item
                for n in (1, 2, 3)
                for item in (
                    ("Heading 1", f"Chapter {n}"),
                    *(
                        ("", f"Night {n} fell on the lighthouse and Mara lit the lamp.")
                        for _ in range(8)
                    ),
                )
            ),
        ]
    )


def _post(api: Api, who: Account, url: str, name: str, data: bytes, **form: Any) -> Any:
    return api.client.post(
        url,
        files={"file": (name, data, "application/octet-stream")},
        data=form,
        headers=who.headers,
    )


def _error(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    body: dict[str, Any] = r.json()
    assert body["code"] == status and body["message"] and body["request_id"]
    return body


def test_inspect_lists_the_chapters_for_a_picker(small: Api) -> None:
    alice = small.register("alice")
    r = _post(small, alice, INSPECT, "novel.docx", _novel())
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["kind"] == "docx" and body["title"] == "The Keeper"
    assert body["max_story_chars"] == 1000 and body["fits_whole"] is False
    assert [c["number"] for c in body["chapters"]] == [1, 2, 3]
    assert [c["title"] for c in body["chapters"]] == ["Chapter 1", "Chapter 2", "Chapter 3"]
    first = body["chapters"][0]
    assert first["preview"].startswith("Night 1 fell") and len(first["preview"]) == 200
    sentence = "Night 1 fell on the lighthouse and Mara lit the lamp."
    assert first["characters"] == 8 * len(sentence) + 7 * len("\n\n")


def test_a_chapter_of_an_uploaded_document_becomes_a_project(small: Api) -> None:
    alice = small.register("alice")
    r = _post(small, alice, f"{P}/upload", "novel.docx", _novel(), chapter="2", auto="false")
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["title"] == "Chapter 2" and "Night 2 fell" in made["story"]
    assert "Night 1" not in made["story"] and "Night 3" not in made["story"]


def test_a_document_longer_than_a_story_needs_a_chapter(small: Api) -> None:
    alice = small.register("alice")
    body = _error(_post(small, alice, f"{P}/upload", "novel.docx", _novel()), 422)
    assert "choose a chapter" in body["message"] and "1 'Chapter 1'" in body["message"]
    assert body["errors"][0]["field"] == "chapter"
    past = _error(_post(small, alice, f"{P}/upload", "novel.docx", _novel(), chapter="4"), 422)
    assert "no chapter 4" in past["message"]
    bad = _post(small, alice, f"{P}/upload", "novel.docx", _novel(), chapter="two")
    _error(bad, 422)
    assert small.client.get(P, headers=alice.headers).json()["total"] == 0


def test_a_chinese_epub_uploads_whole_with_its_title(small: Api) -> None:
    alice = small.register("alice")
    epub = make_epub("灯塔", [("a.xhtml", xhtml("灯塔", "<h1>第一章 雾</h1><p>林晓推开窗。</p>"))])
    r = _post(small, alice, f"{P}/upload", "book.epub", epub, auto="false")
    assert r.status_code == 201, r.text
    assert r.json()["story"] == "灯塔\n\n第一章 雾\n\n林晓推开窗。"


@pytest.mark.parametrize(
    ("name", "status", "message"),
    [
        ("scan.pdf", 422, "has no text layer (a scan?); run OCR on it"),
        ("picture.docx", 415, "PNG image, not a document"),
        ("evil.epub", 422, "declares XML entities"),
    ],
)
def test_refusals_come_in_the_standard_error_body(
    small: Api, tmp_path: Path, name: str, status: int, message: str
) -> None:
    from tests.documents.test_refusals import _png

    data = {
        "scan.pdf": lambda: make_pdf(PdfSpec(pages=[PdfPage([], image_only=True)]), tmp_path),
        "picture.docx": _png,
        "evil.epub": lambda: make_epub(
            "x",
            [
                (
                    "a.xhtml",
                    xhtml(
                        "a", "<p>&x;</p>", '<!DOCTYPE h [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                    ),
                )
            ],
        ),
    }[name]()
    alice = small.register("alice")
    for url in (INSPECT, f"{P}/upload"):
        body = _error(_post(small, alice, url, name, data), status)
        assert message in body["message"]
        if status == 415:
            assert ".epub" in body["message"] and ".docx" in body["details"]["accepted"]


def test_a_document_over_the_upload_limit_is_413(small: Api) -> None:
    alice = small.register("alice")
    body = _error(_post(small, alice, INSPECT, "big.txt", b"word " * (LIMIT // 5 + 10)), 413)
    assert "limit" in body["message"]


def test_inspect_needs_an_account(small: Api) -> None:
    r = small.client.post(INSPECT, files={"file": ("a.txt", b"Once upon a time.", "text/plain")})
    _error(r, 401)
