"""Upload with ``condense=true``: a document past the story limit becomes a condensed project
instead of a refusal, and the response says what was done."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from storyreel.domain.text import split_sentences
from storyreel.settings import Settings
from tests.api.kit import Api, running_api
from tests.api.test_projects import P
from tests.domain.test_condense import novel


@pytest.fixture
def small(settings: Settings) -> Iterator[Api]:
    with running_api(settings, max_story_chars=1000) as api:
        yield api


def test_a_document_past_the_limit_is_condensed_when_asked(small: Api) -> None:
    alice = small.register("alice")
    book = "\n\n".join(f"Chapter {n}\n\n" + novel("en", 3_000) for n in (1, 2))
    files = {"file": ("book.txt", book.encode(), "text/plain")}
    refused = small.client.post(f"{P}/upload", files=files, headers=alice.headers)
    assert refused.status_code == 422, refused.text
    r = small.client.post(
        f"{P}/upload",
        files=files,
        data={"condense": "true", "target_seconds": "30", "auto": "false"},
        headers=alice.headers,
    )
    assert r.status_code == 201, r.text
    assert r.headers["Storyreel-Condensed"].startswith("condensed 6,")
    assert "offline" in r.headers["Storyreel-Condensed"]
    story = r.json()["story"]
    assert len(story) <= 1000
    assert set(split_sentences(story)) <= set(split_sentences(book))
