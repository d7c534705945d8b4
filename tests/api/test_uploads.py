"""Uploads: story documents and character reference pictures, checked by content and size."""

from __future__ import annotations

import io
import zlib
from collections.abc import Iterator
from typing import Any

import pytest
from PIL import Image

from storyreel.settings import Settings
from tests.api.kit import Account, Api, running_api
from tests.api.test_projects import STORY, P, settled, storyboarded

LIMIT = 256 * 1024  # a small upload limit, so "too large" stays cheap to send


@pytest.fixture
def small(settings: Settings) -> Iterator[Api]:
    with running_api(settings, upload_max_bytes=LIMIT, upload_max_pixels=1_000_000) as api:
        yield api


def _png(width: int = 64, height: int = 48, mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height), "white" if mode != "1" else 1).save(out, "PNG")
    return out.getvalue()


def _upload(api: Api, who: Account, name: str, data: bytes, **form: Any) -> Any:
    return api.client.post(
        f"{P}/upload", files={"file": (name, data, "text/plain")}, data=form, headers=who.headers
    )


# --- documents ------------------------------------------------------------------------------


def test_a_markdown_document_becomes_a_project(small: Api) -> None:
    api = small
    alice = api.register("alice")
    document = f"# The keeper\n\n{STORY}\n".encode()
    r = _upload(api, alice, "../../etc/passwd.md", document, auto="false", style="anime")
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["style"] == "anime" and made["auto"] is False
    assert STORY in made["story"] and made["title"] == "The keeper"
    project = settled(api, alice, made["id"])
    assert project["status"] == "draft" and project["shots"]
    # The name is not a path: nothing was written outside the data directory.
    assert not (api.settings.data_dir.parent / "etc").exists()

    chinese = _upload(api, alice, "故事.txt", "林晓推开窗。海面上起了雾。".encode("gb18030"))
    assert chinese.status_code == 201
    assert chinese.json()["story"] == "林晓推开窗。海面上起了雾。"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("story.txt", _png()),  # a picture called .txt
        ("story.md", b"Once upon a time\x00\x01\x02 there was"),
        ("story.txt", bytes(range(256)) * 8),
        ("story.docx", b"PK\x03\x04" + zlib.compress(b"word/document.xml" * 50)),
    ],
)
def test_binary_documents_are_refused_whatever_their_name(
    small: Api, name: str, data: bytes
) -> None:
    alice = small.register("alice")
    r = _upload(small, alice, name, data)
    assert r.status_code == 415, r.text
    assert ".txt" in r.json()["message"] and ".md" in r.json()["message"]


def test_document_size_and_fields_are_checked(small: Api) -> None:
    api = small
    alice = api.register("alice")
    oversize = _upload(api, alice, "long.txt", b"word " * (LIMIT // 5 + 10))
    assert oversize.status_code == 413 and "limit" in oversize.json()["message"]
    # Far past the limit: refused from Content-Length, before the body is read.
    huge = _upload(api, alice, "huge.txt", b"a" * (LIMIT + 512 * 1024))
    assert huge.status_code == 413
    assert _upload(api, alice, "empty.txt", b"  \n").status_code == 422
    for form in ({"owner_id": alice.user_id}, {"style": "vaporwave"}, {"max_shots": "lots"}):
        r = _upload(api, alice, "story.txt", STORY.encode(), **form)
        assert r.status_code == 422, (form, r.text)
    missing = api.client.post(f"{P}/upload", data={"title": "x"}, headers=alice.headers)
    assert missing.status_code == 422
    assert api.client.get(P, headers=alice.headers).json()["total"] == 0


def test_json_bodies_are_bounded_too(small: Api) -> None:
    alice = small.register("alice")
    body = b'{"story": "' + b"a" * (LIMIT + 512 * 1024) + b'"}'
    r = small.client.post(
        P, content=body, headers={**alice.headers, "content-type": "application/json"}
    )
    assert r.status_code == 413 and r.json()["code"] == 413


# --- character reference pictures -----------------------------------------------------------


def _reference(api: Api, who: Account, url: str, name: str, data: bytes) -> Any:
    return api.client.put(url, files={"file": (name, data, "image/png")}, headers=who.headers)


def test_a_reference_picture_is_stored_and_replaced(small: Api) -> None:
    api = small
    alice = api.register("alice")
    project = storyboarded(api, alice)
    mara = project["characters"][0]
    url = f"{P}/{project['id']}/characters/{mara['id']}/reference"
    first = _reference(api, alice, url, "mara.png", _png())
    assert first.status_code == 200, first.text
    reference = first.json()["reference"]
    assert reference["mime"] == "image/png" and reference["kind"] == "reference"
    assert reference["url"].startswith(f"/api/v1/assets/{reference['id']}/content?")
    stored = api.settings.data_dir / "blobs" / "projects" / project["id"] / "characters"
    assert len([p for p in stored.rglob("*") if p.is_file()]) == 1

    jpeg = io.BytesIO()
    Image.new("RGB", (40, 40), "red").save(jpeg, "JPEG")
    second = _reference(api, alice, url, "photo.png", jpeg.getvalue())  # a JPEG, misnamed
    assert second.status_code == 200
    assert second.json()["reference"]["mime"] == "image/jpeg"
    # The replaced picture's file is gone; the new one is the only one left.
    assert len([p for p in stored.rglob("*") if p.is_file()]) == 1


def test_reference_uploads_are_checked_by_content_size_and_pixels(small: Api) -> None:
    api = small
    alice, bob = api.register("alice"), api.register("bob")
    project = storyboarded(api, alice)
    mara = project["characters"][0]
    url = f"{P}/{project['id']}/characters/{mara['id']}/reference"

    text = _reference(api, alice, url, "face.png", b"just some text pretending to be a PNG")
    assert text.status_code == 415 and "PNG" in text.json()["message"]
    gif = io.BytesIO()
    Image.new("RGB", (8, 8)).save(gif, "GIF")
    assert _reference(api, alice, url, "face.png", gif.getvalue()).status_code == 415
    truncated = _png(200, 200, "RGB")[:200]
    assert _reference(api, alice, url, "face.png", truncated).status_code == 422

    noise = Image.frombytes("RGB", (512, 512), bytes(range(256)) * 3072)
    big = io.BytesIO()
    noise.save(big, "PNG", compress_level=0)
    assert len(big.getvalue()) > LIMIT
    assert _reference(api, alice, url, "big.png", big.getvalue()).status_code == 413

    # More pixels than allowed, though the file is tiny: refused from the header.
    wide = _png(2000, 1000, "1")
    assert len(wide) < LIMIT
    over = _reference(api, alice, url, "wide.png", wide)
    assert over.status_code == 413 and "2000×1000" in over.json()["message"]
    # A decompression bomb: 20000×20000 pixels in a few kilobytes.
    bomb = _png(20000, 20000, "1")
    assert len(bomb) < LIMIT
    assert _reference(api, alice, url, "bomb.png", bomb).status_code == 413

    assert _reference(api, bob, url, "face.png", _png()).status_code == 404
    missing = f"{P}/{project['id']}/characters/nobody/reference"
    assert _reference(api, alice, missing, "face.png", _png()).status_code == 404
    listed = api.client.get(f"{P}/{project['id']}/characters", headers=alice.headers).json()
    assert listed[0]["reference"] is None  # nothing was stored by any refused upload


def test_a_shared_reader_cannot_upload_a_reference(small: Api) -> None:
    api = small
    alice, bob = api.register("alice"), api.register("bob")
    project = storyboarded(api, alice)
    shared = api.client.post(
        f"{P}/{project['id']}/members", json={"email": bob.email}, headers=alice.headers
    )
    assert shared.status_code == 201
    url = f"{P}/{project['id']}/characters/{project['characters'][0]['id']}/reference"
    assert _reference(api, bob, url, "face.png", _png()).status_code == 403
