"""The HTTP layer every network provider shares: timeouts, retries that honour ``Retry-After``,
and failures turned into ``ProviderError`` with ``retryable`` set honestly.

A provider builds one ``HttpService`` per base URL and calls ``request``; it never sees an
``httpx`` exception. What is retried here: connection failures, timeouts, 408, 425, 429 and 5xx,
with exponential backoff and jitter (or the server's ``Retry-After``), until the call's backoff
budget (``RetryPolicy.budget_s``, tens of seconds) is spent: a restarting server or a burst of
429s passes in that time, while a task worker is not held for minutes. Anything else (400, 401,
403, 404, 422...) fails at once with the server's own message, because asking again cannot
help. When the budget is used up the error stays ``retryable=True`` so a router may fall over
to another provider; a refused key (401/403) or a refusal under the provider's content policy
is not retryable but falls over too (``ProviderError.fall_over``).
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
from storyreel.providers.refusals import is_policy_refusal, without_foreign_links

RETRYABLE_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})
_MESSAGE_CHARS = 500


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 8  # calls in all, the first included
    base_s: float = 1.0  # first backoff; doubles each time
    cap_s: float = 15.0  # longest backoff we choose ourselves
    max_wait_s: float = 60.0  # longest Retry-After we accept; beyond it, give up at once
    budget_s: float = 30.0  # all the waiting one call may do; a wait past it is not begun


class ProviderHttpError(ProviderError):
    """An HTTP call failed; ``status`` is None when no response came (timeout, refused)."""

    def __init__(
        self,
        message: str,
        *,
        retryable: bool,
        status: int | None = None,
        retry_after_s: float | None = None,
        fall_over: bool | None = None,
        policy_refusal: bool = False,
    ) -> None:
        super().__init__(message, retryable=retryable, fall_over=fall_over)
        self.status = status
        self.retry_after_s = retry_after_s
        #: The provider refused the request under its own content policy.
        self.policy_refusal = policy_refusal

    def again(self, message: str) -> ProviderHttpError:
        """The same failure, said differently."""
        return ProviderHttpError(
            message,
            retryable=self.retryable,
            status=self.status,
            retry_after_s=self.retry_after_s,
            fall_over=self.fall_over,
            policy_refusal=self.policy_refusal,
        )


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
    #: What a 401/403 tells the user to do, e.g. "set STORYREEL_LLM__API_KEY"
    #: (``Provider.key_advice``); empty: a general word.
    auth_hint: str = ""

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
        waited = 0.0
        attempt = 0
        while True:
            attempt += 1
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
            wait = self._backoff(attempt, last, self.retry.budget_s - waited)
            if attempt >= self.retry.attempts or wait is None:
                break
            self.sleep(wait)
            waited += wait
        if attempt == 1:
            raise last
        raise last.again(f"{last} (gave up after {attempt} tries over {waited:.1f} s)")

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
        if status in (401, 403):
            # The key is this provider's problem: another provider of the route may serve.
            said = without_foreign_links(message, self.base_url) or response.reason_phrase
            return ProviderHttpError(
                f"{self.name}: HTTP {status}: {said} — "
                f"{self.auth_hint or 'check the provider API key setting'}",
                retryable=False,
                fall_over=True,
                status=status,
            )
        if is_policy_refusal(status, response.text):
            # The provider's policy, not the user's input: another provider may draw it.
            return ProviderHttpError(
                f"{self.name} refused the request under its content policy: {message}",
                retryable=False,
                fall_over=True,
                status=status,
                policy_refusal=True,
            )
        return ProviderHttpError(
            f"{self.name}: HTTP {status}: {message}",
            retryable=status in RETRYABLE_STATUS,
            status=status,
            retry_after_s=retry_after_seconds(response.headers.get("retry-after")),
        )

    def _backoff(self, attempt: int, error: ProviderHttpError, budget_s: float) -> float | None:
        """Seconds to wait before the next attempt; None: waiting is pointless, or would take
        the call past its budget."""
        if error.retry_after_s is not None:
            wanted = error.retry_after_s
            return wanted if wanted <= min(self.retry.max_wait_s, budget_s) else None
        if budget_s <= 0:
            return None
        own = min(self.retry.cap_s, self.retry.base_s * 2.0 ** (attempt - 1))
        jitter: float = 0.5 + random.random() / 2  # many workers must not retry in step
        return min(own * jitter, budget_s)


def bearer(api_key: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key}"} if api_key else {}
