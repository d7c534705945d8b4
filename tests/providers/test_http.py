"""The shared HTTP layer of network providers: what is retried, how long it waits, and what a
failure says."""

from __future__ import annotations

import httpx
import pytest

from storyreel.providers.http import (
    HttpService,
    ProviderHttpError,
    RetryPolicy,
    retry_after_seconds,
)


def service(handler, attempts: int = 3, timeout_s: float = 5.0) -> tuple[HttpService, list[float]]:
    waits: list[float] = []
    svc = HttpService(
        name="fake",
        base_url="http://fake.test/v1",
        transport=httpx.MockTransport(handler),
        retry=RetryPolicy(attempts=attempts, base_s=0.5, cap_s=4.0, max_wait_s=30.0),
        timeout_s=timeout_s,
        sleep=waits.append,
    )
    return svc, waits


def test_a_429_waits_what_retry_after_says_then_succeeds() -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        if len(calls) == 1:
            return httpx.Response(
                429, headers={"Retry-After": "7"}, json={"error": {"message": "slow down"}}
            )
        return httpx.Response(200, json={"ok": True})

    svc, waits = service(handler)
    assert svc.json("POST", "/chat/completions", json={}) == {"ok": True}
    assert calls == ["/v1/chat/completions"] * 2
    assert waits == [7.0]


def test_5xx_backs_off_and_gives_up_retryable_with_the_servers_message() -> None:
    svc, waits = service(lambda r: httpx.Response(503, json={"detail": "overloaded"}))
    with pytest.raises(ProviderHttpError) as err:
        svc.request("GET", "models")
    assert err.value.retryable and err.value.status == 503
    assert "HTTP 503: overloaded" in str(err.value)
    assert len(waits) == 2 and 0.25 <= waits[0] <= 0.5 and 0.5 <= waits[1] <= 1.0


def test_client_errors_fail_at_once_and_name_the_key_on_401() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(401, json={"error": {"message": "Incorrect API key"}})

    svc, waits = service(handler)
    with pytest.raises(ProviderHttpError) as err:
        svc.request("POST", "images/generations")
    assert calls == 1 and waits == [] and not err.value.retryable
    assert "Incorrect API key" in str(err.value) and "API key setting" in str(err.value)


def test_timeouts_and_refused_connections_are_retryable() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    svc, waits = service(handler, attempts=2)
    with pytest.raises(ProviderHttpError) as err:
        svc.request("GET", "x")
    assert (
        err.value.retryable
        and err.value.status is None
        and "no answer within 5 s" in str(err.value)
    )
    assert len(waits) == 1


def test_a_retry_after_beyond_the_limit_is_not_waited_for() -> None:
    svc, waits = service(lambda r: httpx.Response(429, headers={"Retry-After": "3600"}))
    with pytest.raises(ProviderHttpError) as err:
        svc.request("GET", "x")
    assert waits == [] and err.value.retry_after_s == 3600.0 and err.value.retryable


def test_a_body_that_is_not_json_is_a_clear_error() -> None:
    svc, _ = service(lambda r: httpx.Response(200, text="<html>gateway</html>"))
    with pytest.raises(ProviderHttpError, match="not JSON"):
        svc.json("GET", "x")


def test_retry_after_accepts_seconds_and_http_dates() -> None:
    assert retry_after_seconds("12") == 12.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480.0) == 10.0
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None
