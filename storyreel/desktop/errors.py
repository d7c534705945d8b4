"""What can go wrong talking to the server, as exceptions the windows turn into plain words.

Every failure of the API client is one of these; ``error_from_response`` is the one place an
HTTP answer becomes an exception, so the mapping (401 → sign in again, 402 and quota 429 →
quota reached) is tested once and holds everywhere.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


class DesktopError(Exception):
    """Base of every error the windows show; ``message`` is already in plain words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ServerUnreachable(DesktopError):
    """Nothing answered at the server's address (down, wrong URL, no network)."""

    def __init__(self, url: str, detail: str = "") -> None:
        super().__init__(f"cannot reach the server at {url}")
        self.url = url
        self.detail = detail


class ServerStartFailed(DesktopError):
    """The local server this app started did not come up; ``log`` is where its output went."""

    def __init__(self, message: str, log: str) -> None:
        super().__init__(message)
        self.log = log


@dataclass(frozen=True)
class FieldProblem:
    field: str
    message: str


class ApiError(DesktopError):
    """The server answered with an error (its standard body: code, message, field errors)."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        field_errors: tuple[FieldProblem, ...] = (),
        details: dict[str, Any] | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.field_errors = field_errors
        self.details = details or {}
        self.request_id = request_id


class SessionExpired(ApiError):
    """401: the token expired or was revoked; the user signs in again."""


class QuotaReached(ApiError):
    """402 (a budget) or 429 naming a daily quota: no more of this until the quota resets."""


class RateLimited(ApiError):
    """429 for too many requests in a short time; ``retry_after_s`` says when to try again."""

    @property
    def retry_after_s(self) -> int | None:
        value = self.details.get("retry_after")
        return int(value) if isinstance(value, int | float) else None


@dataclass(frozen=True)
class _Body:
    message: str
    field_errors: tuple[FieldProblem, ...] = field(default=())
    details: dict[str, Any] = field(default_factory=dict)
    request_id: str | None = None


def _parse_body(text: str) -> _Body | None:
    try:
        body = json.loads(text)
    except ValueError:
        return None
    if not isinstance(body, dict) or not isinstance(body.get("message"), str):
        return None
    problems = tuple(
        FieldProblem(str(e.get("field", "")), str(e.get("message", "")))
        for e in body.get("errors") or []
        if isinstance(e, dict)
    )
    details = body.get("details")
    request_id = body.get("request_id")
    return _Body(
        message=body["message"],
        field_errors=problems,
        details=details if isinstance(details, dict) else {},
        request_id=request_id if isinstance(request_id, str) else None,
    )


def error_from_response(status: int, text: str, reason: str = "") -> ApiError:
    """The exception for an error answer: its class by status, its message from the body."""
    body = _parse_body(text) or _Body(message=f"the server answered {status} {reason}".strip())
    kind: type[ApiError] = ApiError
    if status == 401:
        kind = SessionExpired
    elif status == 402 or (status == 429 and "quota" in body.details):
        kind = QuotaReached
    elif status == 429:
        kind = RateLimited
    return kind(
        status,
        body.message,
        field_errors=body.field_errors,
        details=body.details,
        request_id=body.request_id,
    )
