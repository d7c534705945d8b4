"""The API's OpenAPI document, built without a running service (``storyreel openapi``).

The web studio's typed client is generated from this file (``make client``); CI regenerates it
and fails when the committed copy is stale."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from storyreel.pipeline.engine import Platform
from storyreel.settings import Settings


def build_spec() -> dict[str, Any]:
    """The spec of an app on a throwaway, freshly migrated database (the routes don't depend on
    the data, and nothing here touches the user's data directory)."""
    from storyreel.api.app import create_app

    with tempfile.TemporaryDirectory(prefix="storyreel-openapi-") as tmp:
        settings = Settings(data_dir=Path(tmp), studio_dir=None)
        platform = Platform.create(settings, check_schema=False)
        try:
            return create_app(settings, platform=platform, run_workers=False).openapi()
        finally:
            platform.db.dispose()


def render_spec(spec: dict[str, Any]) -> str:
    # Sorted and indented so the committed file diffs cleanly.
    return json.dumps(spec, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
