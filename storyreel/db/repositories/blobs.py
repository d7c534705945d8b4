"""SQL for the orphan sweep: which blob keys some row still references."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from storyreel.db.models import Asset, Project
from storyreel.domain.blob_keys import project_cache_owner

_CHUNK = 500  # bounded IN lists


def referenced(session: Session, keys: Iterable[str]) -> set[str]:
    """Of ``keys``, those an ``assets`` row points at (every stored file is named by one), and
    the cache entries of projects that still exist (``project_cache_prefix``)."""
    wanted = sorted(set(keys))
    found: set[str] = set()
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        found.update(session.scalars(select(Asset.blob_key).where(Asset.blob_key.in_(chunk))))
    owners: dict[str, list[str]] = {}
    for key in wanted:
        if (owner := project_cache_owner(key)) is not None:
            owners.setdefault(owner, []).append(key)
    ids = sorted(owners)
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        for project_id in session.scalars(select(Project.id).where(Project.id.in_(chunk))):
            found.update(owners[project_id])
    return found
