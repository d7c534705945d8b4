"""The HTTP layer every network provider shares: timeouts, retries that honour ``Retry-After``,
and failures turned into ``ProviderError`` with ``retryable`` set honestly.

A provider builds one ``HttpService`` per base URL and calls ``request``; it never sees an
``httpx`` exception. What is retried here: connection failures, timeouts, 408, 425, 429 and 5xx
(each with capped exponential backoff and jitter, or the server's ``Retry-After`` when it gives
one and it is within ``max_wait_s``). Anything else (400, 401, 403, 404, 422...) fails at once
with the server's own message, because asking again cannot help. When the retries are used up
the error stays ``retryable=True`` so a router may fall over to another provider.
"""

from __future__ import annotations

import email.utils
import json
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from storyreel.providers.base import Health, ProviderError

RETRYABLE_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})
_MESSAGE_CHARS = 500


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 3  # calls in all, the first included
    base_s: float = 0.5  # first backoff; doubles each time
    cap_s: float = 8.0  # longest backoff we choose ourselves
    max_wait_s: float = 60.0  # longest Retry-After we accept; beyond it, give up at once


class ProviderHttpError(ProviderError):
    """An HTTP call failed; ``status`` is None when no response came (timeout, refused)."""

    def __init__(
        self,
        message: str,
        *,
        retryable: bool,
        status: int | None = None,
        retry_after_s: float | None = None,
    ) -> None:
        super().__init__(message, retryable=retryable)
        self.status = status
        self.retry_after_s = retry_after_s


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """``Retry-After`` as seconds: either a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))


def error_message(response: httpx.Response) -> str:
    """The server's own words: OpenAI-style ``{"error": {"message"}}``, ``{"detail"}``,
    ``{"message"}``, or the start of the body."""
    text = response.text
    try:
        body = json.loads(text)
    except ValueError:
        return text.strip()[:_MESSAGE_CHARS] or response.reason_phrase
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            return str(error["message"])[:_MESSAGE_CHARS]
        for key in ("error", "detail", "message"):
            if isinstance(body.get(key), str):
                return str(body[key])[:_MESSAGE_CHARS]
    return text.strip()[:_MESSAGE_CHARS]


@dataclass
class HttpService:
    """One remote service (a base URL with its credentials) that a provider talks to."""

    name: str  # for messages: "openai chat at https://api.example.com/v1"
    base_url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    timeout_s: float = 60.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    transport: httpx.BaseTransport | None = None  # tests may inject one
    sleep: Callable[[float], None] = time.sleep

    def __post_init__(self) -> None:
        self._client = httpx.Client(
            base_url=self.base_url.rstrip("/") + "/",
            headers=dict(self.headers),
            timeout=httpx.Timeout(self.timeout_s, connect=min(10.0, self.timeout_s)),
            transport=self.transport,
            follow_redirects=False,
        )

    def close(self) -> None:
        self._client.close()

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Send, retrying what may succeed later; a 2xx response or ``ProviderHttpError``."""
        url = path.lstrip("/")
        last: ProviderHttpError | None = None
        for attempt in range(1, self.retry.attempts + 1):
            try:
                response = self._client.request(method, url, **kwargs)
            except httpx.TimeoutException as exc:
                last = ProviderHttpError(
                    f"{self.name}: no answer within {self.timeout_s:g} s ({type(exc).__name__})",
                    retryable=True,
                )
            except httpx.HTTPError as exc:
                last = ProviderHttpError(
                    f"{self.name}: cannot reach {self.base_url} ({type(exc).__name__}: {exc})",
                    retryable=True,
                )
            else:
                if response.is_success:
                    return response
                last = self._status_error(response)
                if not last.retryable:
                    raise last
            wait = self._backoff(attempt, last)
            if attempt == self.retry.attempts or wait is None:
                break
            self.sleep(wait)
        assert last is not None
        raise last

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        """``request`` and decode a JSON body (a body that is not JSON is the server's fault)."""
        response = self.request(method, path, **kwargs)
        try:
            return response.json()
        except ValueError as exc:
            raise ProviderHttpError(
                f"{self.name}: {method} {path} answered {response.status_code} with a body "
                f"that is not JSON: {response.text[:200]!r}",
                retryable=True,
                status=response.status_code,
            ) from exc

    def probe(self, path: str = "", *, timeout_s: float = 5.0) -> Health:
        """One quick GET, no retries: is the service there, and does it take our key? Any
        answer below 500 but 401/403 means reachable (a 404 on the root is still a server)."""
        started = time.perf_counter()
        try:
            response = self._client.get(path.lstrip("/"), timeout=timeout_s)
        except httpx.HTTPError as exc:
            return Health(
                False,
                f"{self.name}: cannot reach {self.base_url} ({type(exc).__name__})",
                time.perf_counter() - started,
            )
        seconds = time.perf_counter() - started
        if response.status_code in (401, 403):
            return Health(False, self._status_error(response).args[0], seconds)
        if response.status_code >= 500:
            return Health(False, f"{self.name}: HTTP {response.status_code}", seconds)
        return Health(True, f"{self.name}: answered in {seconds * 1000:.0f} ms", seconds)

    def _status_error(self, response: httpx.Response) -> ProviderHttpError:
        status = response.status_code
        message = error_message(response)
        retryable = status in RETRYABLE_STATUS
        hint = ""
        if status in (401, 403):
            hint = " (check the provider's API key setting)"
        return ProviderHttpError(
            f"{self.name}: HTTP {status}: {message}{hint}",
            retryable=retryable,
            status=status,
            retry_after_s=retry_after_seconds(response.headers.get("retry-after")),
        )

    def _backoff(self, attempt: int, error: ProviderHttpError) -> float | None:
        """Seconds to wait before the next attempt; None: waiting is pointless."""
        if error.retry_after_s is not None:
            return error.retry_after_s if error.retry_after_s <= self.retry.max_wait_s else None
        own = min(self.retry.cap_s, self.retry.base_s * 2.0 ** (attempt - 1))
        jitter: float = 0.5 + random.random() / 2  # many workers must not retry in step
        return own * jitter


def bearer(api_key: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key}"} if api_key else {}
