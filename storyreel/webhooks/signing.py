"""Webhook signatures: `Storyreel-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t." + body>`."""

from __future__ import annotations

import hashlib
import hmac
import time

SIGNATURE_HEADER = "Storyreel-Signature"
DEFAULT_TOLERANCE_S = 300
SECRET_PREFIX = "whsec_"
# Domain separation: the server key also signs other things (tokens, URLs); a webhook id must
# never produce a MAC that one of those uses could be tricked into revealing, or vice versa.
_SECRET_CONTEXT = b"storyreel.webhook-secret.v1:"


class SignatureError(ValueError):
    """A webhook signature header is malformed, does not match, or is too old or too new."""


def _digest(secret: bytes, body: bytes, timestamp: int) -> str:
    return hmac.new(secret, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def sign(secret: bytes, body: bytes, timestamp: int) -> str:
    """The `Storyreel-Signature` header value for `body` sent at `timestamp` (unix seconds)."""
    return f"t={timestamp},v1={_digest(secret, body, timestamp)}"


def verify(
    secret: bytes,
    body: bytes,
    header: str,
    *,
    tolerance_s: int = DEFAULT_TOLERANCE_S,
    now: float | None = None,
) -> None:
    """Raise `SignatureError` unless `header` signs `body` with `secret` within the tolerance.

    Any one of several `v1=` entries may match (receivers see two while a secret is rotated);
    entries of other schemes are ignored.
    """
    timestamp: int | None = None
    candidates: list[str] = []
    for item in header.split(","):
        key, sep, value = item.strip().partition("=")
        if not sep:
            raise SignatureError(f"malformed signature header: {item.strip()!r} is not key=value")
        if key == "t":
            if timestamp is not None:
                raise SignatureError("malformed signature header: more than one t= entry")
            if not value.isascii() or not value.isdigit():
                raise SignatureError(f"malformed signature header: t={value!r} is not unix time")
            timestamp = int(value)
        elif key == "v1":
            candidates.append(value)
    if timestamp is None:
        raise SignatureError("malformed signature header: no t= timestamp")
    if not candidates:
        raise SignatureError("malformed signature header: no v1= signature")

    expected = _digest(secret, body, timestamp).encode()
    # Check every candidate, so the time taken does not depend on which one matched.
    matched = False
    for candidate in candidates:
        matched |= hmac.compare_digest(expected, candidate.encode("utf-8", "replace"))
    if not matched:
        raise SignatureError("signature does not match the body and secret")

    current = time.time() if now is None else now
    if current - timestamp > tolerance_s:
        raise SignatureError(
            f"signature timestamp is {current - timestamp:.0f} s old, more than the "
            f"{tolerance_s} s allowed (a replay, or a clock that is wrong)"
        )
    if timestamp - current > tolerance_s:
        raise SignatureError(
            f"signature timestamp is {timestamp - current:.0f} s in the future, more than the "
            f"{tolerance_s} s allowed (check the clocks)"
        )


def webhook_secret(server_key: bytes, webhook_id: str) -> str:
    """The signing secret of one webhook, derived from the server key so it is never stored."""
    mac = hmac.new(server_key, _SECRET_CONTEXT + webhook_id.encode(), hashlib.sha256)
    return SECRET_PREFIX + mac.hexdigest()
