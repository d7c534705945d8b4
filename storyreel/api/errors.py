"""One error body everywhere — ``{"code", "message", "request_id", "errors": [...]}`` — raised
as typed exceptions and rendered by one set of handlers (CONVENTIONS.md, rule 7).

The pipeline's typed refusals (``storyreel.pipeline.errors``) are mapped to their statuses here,
once; any other exception is a bug, answered with a logged 500 — never blamed on the client."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import DataError, StatementError
from starlette.exceptions import HTTPException as StarletteHTTPException

from storyreel.domain.styles import UnknownStyle
from storyreel.pipeline import errors as pipeline

log = logging.getLogger(__name__)


class FieldError(BaseModel):
    field: str
    message: str


class ErrorBody(BaseModel):
    code: int
    message: str
    request_id: str
    errors: list[FieldError] = []
    details: dict[str, Any] | None = None


class ApiError(Exception):
    status = 400

    def __init__(
        self,
        message: str,
        *,
        errors: list[FieldError] | None = None,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or []
        self.details = details
        self.headers = headers


class BadRequest(ApiError):
    status = 400


class Unauthorized(ApiError):
    status = 401

    def __init__(self, message: str = "log in first: send `Authorization: Bearer <token>`") -> None:
        super().__init__(message, headers={"WWW-Authenticate": "Bearer"})


class Forbidden(ApiError):
    status = 403


class NotFound(ApiError):
    status = 404


class Conflict(ApiError):
    status = 409


class PayloadTooLarge(ApiError):
    status = 413


class UnsupportedMediaType(ApiError):
    status = 415


class Unprocessable(ApiError):
    status = 422


class PaymentRequired(ApiError):
    """A budget would be exceeded (the message names it)."""

    status = 402


class TooManyRequests(ApiError):
    status = 429


class Unavailable(ApiError):
    status = 503


def field_error(field: str, message: str) -> Unprocessable:
    """A 422 that names the one input at fault."""
    return Unprocessable(message, errors=[FieldError(field=field, message=message)])


# The pipeline's refusals by kind; the most specific class wins (a subclass of one of these
# answers its parent's status). A refusal of no known kind is still the client's: 400.
PIPELINE_STATUS: tuple[tuple[type[pipeline.PipelineError], int], ...] = (
    (pipeline.NotFound, 404),
    (pipeline.Conflict, 409),
    (pipeline.InvalidInput, 422),
)


def _pipeline_status(exc: pipeline.PipelineError) -> int:
    return next((status for kind, status in PIPELINE_STATUS if isinstance(exc, kind)), 400)


def _validation_errors(exc: ValidationError, default: str) -> list[FieldError]:
    return [
        FieldError(
            field=".".join(str(p) for p in e.get("loc", ())) or default,
            message=str(e.get("msg", "invalid")),
        )
        for e in exc.errors()
    ]


def _pipeline_field_errors(exc: pipeline.PipelineError) -> list[FieldError]:
    # An invalid input raised from a pydantic ValidationError (an edited shot validated like a
    # storyboard's) names each field at fault; otherwise the one ``field`` the error names.
    if isinstance(exc.__cause__, ValidationError):
        return _validation_errors(exc.__cause__, exc.field or "body")
    if exc.field:
        return [FieldError(field=exc.field, message=exc.message)]
    return []


def request_id_of(request: Request) -> str:
    return str(getattr(request.state, "request_id", ""))


def error_response(
    request: Request,
    status: int,
    message: str,
    errors: list[FieldError] | None = None,
    details: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = ErrorBody(
        code=status,
        message=message,
        request_id=request_id_of(request),
        errors=errors or [],
        details=details,
    )
    return JSONResponse(body.model_dump(exclude_none=True), status_code=status, headers=headers)


def _field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    # ("body", "shots", 0, "narration") -> "shots[0].narration"; the part of the request is
    # kept for query and path parameters so a client can tell where to look.
    parts = list(loc)
    where = parts.pop(0) if parts and parts[0] in ("body", "query", "path", "header") else None
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    if where in ("query", "path", "header"):
        return f"{where}.{out}" if out else str(where)
    return out or "body"


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return error_response(
            request, exc.status, exc.message, exc.errors, exc.details, exc.headers
        )

    @app.exception_handler(pipeline.PipelineError)
    async def _pipeline(request: Request, exc: pipeline.PipelineError) -> JSONResponse:
        return error_response(
            request, _pipeline_status(exc), exc.message, _pipeline_field_errors(exc)
        )

    @app.exception_handler(UnknownStyle)
    async def _style(request: Request, exc: UnknownStyle) -> JSONResponse:
        return error_response(
            request, 422, str(exc), [FieldError(field=exc.field, message=str(exc))]
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            FieldError(field=_field_path(e.get("loc", ())), message=str(e.get("msg", "invalid")))
            for e in exc.errors()
        ]
        fields = ", ".join(e.field for e in errors[:5])
        return error_response(request, 422, f"the request is not valid: check {fields}", errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = exc.detail if isinstance(exc.detail, str) else "request failed"
        if exc.status_code == 404 and message == "Not Found":
            message = f"no such endpoint: {request.method} {request.url.path}"
        elif exc.status_code == 405:
            message = f"{request.method} is not allowed on {request.url.path}"
        return error_response(
            request, exc.status_code, message, headers=dict(exc.headers or {}) or None
        )

    @app.exception_handler(DataError)
    async def _data(request: Request, exc: DataError) -> JSONResponse:
        # Values the database cannot store (NUL bytes in text on PostgreSQL, numbers out of
        # its range) are the client's mistake; the transaction was rolled back.
        if "NUL" in str(exc.orig):
            message = "text and ids may not contain NUL (\\u0000) characters"
        else:
            message = f"a value cannot be stored: {str(exc.orig).splitlines()[0]}"
        return error_response(request, 400, message)

    @app.exception_handler(StatementError)
    async def _statement(request: Request, exc: StatementError) -> JSONResponse:
        # A value the driver cannot even send (a lone UTF-16 surrogate, an integer beyond 64
        # bits) is the client's mistake; anything else is ours.
        if isinstance(exc.orig, UnicodeError):
            return error_response(request, 400, "text must be valid Unicode (no lone surrogates)")
        if isinstance(exc.orig, OverflowError):
            return error_response(request, 400, "a number is too large")
        return await _unexpected(request, exc)

    @app.exception_handler(UnicodeEncodeError)
    async def _unencodable(request: Request, exc: UnicodeEncodeError) -> JSONResponse:
        # SQLite's driver raises this unwrapped for a lone UTF-16 surrogate, which only a
        # client's JSON (``"\\ud800"``) can bring in; any other encoding failure is ours.
        if "surrogate" in exc.reason:
            return error_response(request, 400, "text must be valid Unicode (no lone surrogates)")
        return await _unexpected(request, exc)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return error_response(
            request, 500, "internal error; quote the request id when you report it"
        )


# Declared on every route so the OpenAPI schema (and the generated web client) knows the body.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": description}
    for status, description in (
        (400, "Bad request"),
        (401, "Not authenticated"),
        (403, "Not allowed"),
        (404, "Not found"),
        (409, "Conflict"),
        (413, "Too large"),
        (415, "Unsupported media type"),
        (422, "Validation error"),
        (429, "Rate limit or quota exceeded"),
    )
}
