"""One webhook delivery attempt: build the event, sign it, POST it, report what happened.

`send` never raises: every outcome, including refused URLs, timeouts and receiver errors, is a
`DeliveryResult` the delivery queue records. The queue retries failures after `backoff_s`
until `MAX_ATTEMPTS` attempts were made.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from storyreel.webhooks.signing import SIGNATURE_HEADER, sign
from storyreel.webhooks.ssrf import AddressPolicy, GuardedTransport, UnsafeURL, parse_url

log = logging.getLogger(__name__)

USER_AGENT = "storyreel-webhooks/1"
MAX_ATTEMPTS = 6
MAX_REDIRECTS = 3
EXCERPT_BYTES = 1024
# Delay before attempt n+1 after attempt n failed: 10 s, 30 s, 2 min, 10 min, then hourly.
_SCHEDULE_S = (10.0, 30.0, 120.0, 600.0, 3600.0)
_JITTER = 0.1
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True)
class DeliveryResult:
    """What one attempt achieved; `error` is None exactly when the receiver answered 2xx.

    `status_code` is the last HTTP status received (None when no response came back).
    """

    status_code: int | None
    error: str | None
    duration_ms: float
    response_excerpt: str

    @property
    def ok(self) -> bool:
        return self.error is None


def backoff_s(attempt: int) -> float:
    """Seconds to wait after failed attempt number `attempt` (1-based), with ±10 % jitter."""
    if attempt < 1:
        raise ValueError(f"attempt numbers start at 1, got {attempt}")
    base = _SCHEDULE_S[min(attempt, len(_SCHEDULE_S)) - 1]
    return base * random.uniform(1 - _JITTER, 1 + _JITTER)


def _timestamp(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def event_body(
    delivery_id: str, event_type: str, payload: Mapping[str, Any], created_at: float
) -> bytes:
    """The exact bytes sent: the compact JSON event envelope."""
    envelope = {
        "id": delivery_id,
        "type": event_type,
        "created_at": _timestamp(created_at),
        "data": dict(payload),
    }
    return json.dumps(envelope, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def _safe_for_log(url: httpx.URL) -> str:
    # Query strings often carry receivers' tokens; keep them out of the logs.
    return str(url.copy_with(query=None, fragment=None))


def send(
    url: str,
    event_type: str,
    payload: Mapping[str, Any],
    secret: str,
    policy: AddressPolicy,
    *,
    delivery_id: str,
    timeout_s: float = 10,
    now: float | None = None,
    created_at: float | None = None,
) -> DeliveryResult:
    """Deliver one event to `url` once; never raises.

    `payload` becomes the envelope's `data`. `now` (unix seconds) is the signing time,
    `created_at` the event's time (default: `now`); the queue passes the same `delivery_id`
    and `created_at` on every retry, so receivers can drop duplicates by id.
    """
    started = time.monotonic()
    signed_at = int(time.time() if now is None else now)
    try:
        body = event_body(
            delivery_id, event_type, payload, signed_at if created_at is None else created_at
        )
    except (TypeError, ValueError) as exc:
        return _finish(url, delivery_id, started, None, f"payload is not JSON: {exc}", "")
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        SIGNATURE_HEADER: sign(secret.encode(), body, signed_at),
        "Storyreel-Event": event_type,
        "Storyreel-Delivery": delivery_id,
    }
    status: int | None = None
    excerpt = ""
    try:
        target = parse_url(url)  # before the client, which would take a hostless URL as a path
        with httpx.Client(
            transport=GuardedTransport(policy), follow_redirects=False, trust_env=False
        ) as client:
            for hop in range(MAX_REDIRECTS + 1):
                remaining = timeout_s - (time.monotonic() - started)
                if remaining <= 0:
                    raise httpx.TimeoutException(f"no answer within {timeout_s:g} s")
                # A redirect gets the same signed request; the transport re-checks its address.
                request = client.build_request(
                    "POST", target, content=body, headers=headers, timeout=remaining
                )
                response = client.send(request, stream=True)
                try:
                    status = response.status_code
                    excerpt = _excerpt(response)
                finally:
                    response.close()
                location = response.headers.get("Location")
                if status not in _REDIRECTS or location is None:
                    break
                if hop == MAX_REDIRECTS:
                    return _finish(
                        url,
                        delivery_id,
                        started,
                        status,
                        f"more than {MAX_REDIRECTS} redirects; point the webhook at the final URL",
                        excerpt,
                    )
                target = target.join(location)
    except UnsafeURL as exc:
        return _finish(url, delivery_id, started, status, f"refused: {exc}", excerpt)
    except httpx.TimeoutException as exc:
        reason = str(exc) or type(exc).__name__
        return _finish(url, delivery_id, started, status, f"timed out: {reason}", excerpt)
    except (httpx.HTTPError, httpx.InvalidURL, OSError) as exc:
        reason = str(exc) or type(exc).__name__
        return _finish(url, delivery_id, started, status, f"request failed: {reason}", excerpt)
    ok = status is not None and 200 <= status < 300
    error = None if ok else f"receiver answered HTTP {status}"
    return _finish(url, delivery_id, started, status, error, excerpt)


def _excerpt(response: httpx.Response) -> str:
    """The start of the response body; the rest is never read."""
    data = b""
    for chunk in response.iter_bytes():
        data += chunk
        if len(data) >= EXCERPT_BYTES:
            break
    return data[:EXCERPT_BYTES].decode("utf-8", "replace")


def _finish(
    url: str,
    delivery_id: str,
    started: float,
    status: int | None,
    error: str | None,
    excerpt: str,
) -> DeliveryResult:
    result = DeliveryResult(
        status_code=status,
        error=error,
        duration_ms=(time.monotonic() - started) * 1000,
        response_excerpt=excerpt,
    )
    try:
        shown = _safe_for_log(httpx.URL(url))
    except httpx.InvalidURL:
        shown = "<invalid URL>"
    if error is None:
        log.info(
            "webhook delivery %s to %s: HTTP %s in %.0f ms",
            delivery_id,
            shown,
            status,
            result.duration_ms,
        )
    else:
        log.warning(
            "webhook delivery %s to %s failed after %.0f ms: %s",
            delivery_id,
            shown,
            result.duration_ms,
            error,
        )
    return result
