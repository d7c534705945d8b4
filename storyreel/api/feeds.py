"""Request models document which step each of their fields feeds (``x-feeds`` in the OpenAPI
document), from the domain's one table; the studio's generated constants are read from there."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from storyreel.domain.feeds import Step


def documents_feeds(table: Mapping[str, Step | None]) -> Callable[[dict[str, Any]], None]:
    """A ``json_schema_extra`` that marks each field of ``table`` with its step: the step's name,
    or ``false`` for a field that feeds none (the OpenAPI document leaves nulls out)."""

    def mark(schema: dict[str, Any]) -> None:
        properties = schema.get("properties", {})
        missing = sorted(set(table) - set(properties))
        if missing:
            raise TypeError(f"the feeds table names fields the model lacks: {missing}")
        for name, step in table.items():
            properties[name]["x-feeds"] = step if step is not None else False

    return mark
