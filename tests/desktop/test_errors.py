"""Every error the server can answer becomes the right exception, and plain words."""

from __future__ import annotations

import json

import pytest

from storyreel.desktop.errors import (
    ApiError,
    QuotaReached,
    RateLimited,
    ServerStartFailed,
    ServerUnreachable,
    SessionExpired,
    error_from_response,
)
from storyreel.desktop.i18n import Translator
from storyreel.desktop.ui.common import describe


def body(message: str, code: int, **extra: object) -> str:
    return json.dumps({"code": code, "message": message, "request_id": "r1", **extra})


def test_a_401_means_the_session_expired() -> None:
    error = error_from_response(401, body("the token has expired", 401))
    assert isinstance(error, SessionExpired) and error.message == "the token has expired"


def test_a_402_budget_and_a_429_naming_a_quota_are_quota_reached() -> None:
    budget = error_from_response(402, body("this would pass the daily budget", 402))
    quota = error_from_response(
        429,
        body(
            "daily quota of videos reached (50)",
            429,
            details={"quota": "videos_per_day", "limit": 50, "used": 50, "resets_at": "…"},
        ),
    )
    assert isinstance(budget, QuotaReached) and isinstance(quota, QuotaReached)


def test_a_429_without_a_quota_is_a_rate_limit_with_its_wait() -> None:
    error = error_from_response(
        429,
        body("too many requests", 429, details={"scope": "user", "retry_after": 7}),
    )
    assert isinstance(error, RateLimited) and not isinstance(error, QuotaReached)
    assert error.retry_after_s == 7


def test_field_errors_and_the_request_id_are_kept() -> None:
    error = error_from_response(
        422,
        body("the story is empty", 422, errors=[{"field": "story", "message": "required"}]),
    )
    assert type(error) is ApiError and error.status == 422
    assert [(p.field, p.message) for p in error.field_errors] == [("story", "required")]
    assert error.request_id == "r1"


def test_an_answer_that_is_not_our_error_body_still_says_what_happened() -> None:
    error = error_from_response(502, "<html>Bad Gateway</html>", "Bad Gateway")
    assert type(error) is ApiError and error.message == "the server answered 502 Bad Gateway"


@pytest.mark.parametrize(
    ("error", "english", "chinese"),
    [
        (ServerUnreachable("http://x:8000"), "does not answer", "没有应答"),
        (SessionExpired(401, "expired"), "Sign in again", "重新登录"),
        (QuotaReached(429, "daily quota of videos reached"), "Quota reached: daily", "配额"),
        (RateLimited(429, "slow down", details={"retry_after": 3}), "in 3 s", "3 秒"),
        (ApiError(422, "bad", field_errors=()), "The server refused: bad", "拒绝"),
        (ServerStartFailed("it stopped", "/tmp/server.log"), "/tmp/server.log", "日志"),
        (RuntimeError("boom"), "Something went wrong: boom", "出了点问题"),
    ],
)
def test_errors_are_told_in_plain_words_in_both_languages(
    error: BaseException, english: str, chinese: str
) -> None:
    t = Translator("en")
    assert english in describe(error, t) and "Traceback" not in describe(error, t)
    t.set_language("zh")
    assert chinese in describe(error, t)
