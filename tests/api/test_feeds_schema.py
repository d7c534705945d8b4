"""The OpenAPI document carries the one "which field feeds which step" table: the studio reads
it from there (``web/src/api/schema-constants.gen.ts``), so it must be the domain's table."""

from __future__ import annotations

from typing import Any

import pytest

from storyreel.api.openapi import build_spec
from storyreel.domain.feeds import CHARACTER_FEEDS, PROJECT_FEEDS, SHOT_FEEDS


@pytest.fixture(scope="module")
def schemas() -> dict[str, Any]:
    return build_spec()["components"]["schemas"]


def _feeds(schema: dict[str, Any]) -> dict[str, Any]:
    # `false`: the field feeds no step (the document leaves nulls out).
    return {
        name: prop["x-feeds"] or None
        for name, prop in schema["properties"].items()
        if "x-feeds" in prop
    }


@pytest.mark.parametrize(
    ("model", "table"),
    [
        ("ShotPatch", SHOT_FEEDS),
        ("ProjectPatch", PROJECT_FEEDS),
        ("CharacterPatch", CHARACTER_FEEDS),
    ],
)
def test_each_editable_fields_step_in_the_document_is_the_domain_tables(
    schemas: dict[str, Any], model: str, table: dict[str, str | None]
) -> None:
    assert _feeds(schemas[model]) == table


def test_editing_narration_is_documented_to_make_the_voice_again_and_position_nothing(
    schemas: dict[str, Any],
) -> None:
    shot = schemas["ShotPatch"]["properties"]
    assert shot["narration"]["x-feeds"] == "voice"
    assert shot["visual_prompt"]["x-feeds"] == "image"
    # A hint with no step is documented as false, not left out: the table names it.
    assert shot["duration_hint"]["x-feeds"] is False
    assert "x-feeds" not in shot["position"]  # a move, not an edit the table covers
