"""``Idempotency-Key`` on POSTs that create something: the first response is stored in the same
transaction as what it created, so a retry with the same key and body gets that response again
(and nothing is created twice); the same key with a different body is a 409."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Header
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storyreel.api import errors
from storyreel.api.deps import UnitOfWork
from storyreel.db.models import IdempotencyRecord, User
from storyreel.db.repositories import idempotency as repo

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=200,
        description="Retry-safe creation: the same key and body return the first response.",
    ),
]


def fingerprint(*parts: Any) -> str:
    """A stable hash of what makes two requests "the same"."""
    digest = hashlib.sha256()
    for part in parts:
        if isinstance(part, BaseModel):
            part = part.model_dump(mode="json")
        if isinstance(part, bytes):
            digest.update(part)
        else:
            digest.update(json.dumps(part, sort_keys=True, default=str).encode())
        digest.update(b"\0")
    return digest.hexdigest()


def _replay(record: IdempotencyRecord, request_hash: str) -> JSONResponse:
    if record.request_hash != request_hash:
        raise errors.Conflict(
            "this Idempotency-Key was used with a different request; use a new key for a "
            "new request"
        )
    return JSONResponse(
        record.response, status_code=record.status_code, headers={"Idempotent-Replayed": "true"}
    )


def run_once(
    db: UnitOfWork,
    user: User,
    key: str | None,
    request_hash: str,
    create: Callable[[Session], Any],
    status_code: int = 201,
    stored: Callable[[Any], Any] | None = None,
) -> JSONResponse:
    """Run ``create`` (which returns the response body) once per key, in one transaction with
    the record of its response. ``stored`` redacts what is kept for replays (secrets shown
    once are never stored)."""
    if key:
        with db.read() as s:
            earlier = repo.find(s, user.id, key)
        if earlier is not None:
            return _replay(earlier, request_hash)
    try:
        with db.write() as s:
            body = jsonable_encoder(create(s))
            if key:
                repo.record(
                    s,
                    user.id,
                    key,
                    request_hash=request_hash,
                    status_code=status_code,
                    response=stored(body) if stored is not None else body,
                )
    except IntegrityError:
        if not key:
            raise
        with db.read() as s:  # a concurrent request with the same key committed first
            winner = repo.find(s, user.id, key)
        if winner is None:
            raise
        return _replay(winner, request_hash)
    return JSONResponse(body, status_code=status_code)
