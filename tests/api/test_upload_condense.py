"""``condense=true``, on upload or with typed text: a story past the limit becomes a condensed
project instead of a refusal, and the response says what was done."""

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


def test_a_typed_story_past_the_limit_is_condensed_the_same_way(small: Api) -> None:
    alice = small.register("alice")
    story = novel("en", 5_000)
    refused = small.client.post(P, json={"story": story, "auto": False}, headers=alice.headers)
    assert refused.status_code == 413, refused.text
    assert "Storyreel-Condensed" not in refused.headers
    r = small.client.post(
        P,
        json={"story": story, "condense": True, "target_seconds": 30, "auto": False},
        headers={**alice.headers, "Idempotency-Key": "typed-1"},
    )
    assert r.status_code == 201, r.text
    said = r.headers["Storyreel-Condensed"]
    assert said.startswith(f"condensed {len(story.strip()):,} -> ") and "offline" in said
    made = r.json()["story"]
    assert len(made) <= 1000
    assert set(split_sentences(made)) <= set(split_sentences(story))
    # The same key and request again: the same project, not a second one.
    again = small.client.post(
        P,
        json={"story": story, "condense": True, "target_seconds": 30, "auto": False},
        headers={**alice.headers, "Idempotency-Key": "typed-1"},
    )
    assert again.status_code == 201 and again.json()["id"] == r.json()["id"]


def test_a_story_that_already_fits_is_left_alone_and_says_so(small: Api) -> None:
    alice = small.register("alice")
    story = "Mara lit the lamp. The boat turned into the harbour."
    r = small.client.post(
        P, json={"story": story, "condense": True, "auto": False}, headers=alice.headers
    )
    assert r.status_code == 201, r.text
    assert r.headers["Storyreel-Condensed"] == f"not condensed: {len(story)} characters already fit"
    assert r.json()["story"] == story
    plain = small.client.post(P, json={"story": story, "auto": False}, headers=alice.headers)
    assert plain.status_code == 201 and "Storyreel-Condensed" not in plain.headers


def test_the_condensed_header_is_documented_on_both_create_routes(small: Api) -> None:
    spec = small.client.get("/openapi.json").json()
    for path in ("/api/v1/projects", "/api/v1/projects/upload"):
        created = spec["paths"][path]["post"]["responses"]["201"]
        assert "Storyreel-Condensed" in created["headers"], path
        assert created["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/ProjectOut"
        }
    assert spec["components"]["schemas"]["ProjectIn"]["properties"]["condense"]["default"] is False
