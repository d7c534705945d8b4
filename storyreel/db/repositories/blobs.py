"""SQL for the orphan sweep: which blob keys some row still references."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from storyreel.db.models import Asset

_CHUNK = 500  # bounded IN lists


def referenced(session: Session, keys: Iterable[str]) -> set[str]:
    """Of ``keys``, those an ``assets`` row points at (every stored file is named by one)."""
    wanted = sorted(set(keys))
    found: set[str] = set()
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        found.update(session.scalars(select(Asset.blob_key).where(Asset.blob_key.in_(chunk))))
    return found
