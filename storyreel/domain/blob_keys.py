"""Blob key layouts that more than one layer must agree on."""

from __future__ import annotations

import re

_PROJECT_CACHE = re.compile(r"^projects/([^/]+)/cache/")


def project_cache_prefix(project_id: str) -> str:
    """Where a project's caches live in the blob store: provider results (``{capability}/…``)
    and the render files its workers share (``render/…``). Under the project, so deleting the
    project deletes every trace of it; no asset row names them, so the orphan sweep counts them
    as the project's while it exists (``project_cache_owner``)."""
    return f"projects/{project_id}/cache"


def render_cache_prefix(project_id: str) -> str:
    """The render segments and soundtracks a project's workers share."""
    return f"{project_cache_prefix(project_id)}/render"


def live_prefix(project_id: str, task_id: str) -> str:
    """Where a running render publishes its live HLS playlist and segments (``task_id`` empty:
    the folder of every render's). In the project's cache: deleted with the project, and
    counted as the project's by the orphan sweep."""
    return f"{project_cache_prefix(project_id)}/live/{task_id}".rstrip("/")


def project_cache_owner(key: str) -> str | None:
    """The project whose cache ``key`` is in, or None for any other key."""
    found = _PROJECT_CACHE.match(key)
    return found[1] if found else None
