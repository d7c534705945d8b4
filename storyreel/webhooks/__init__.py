"""Outgoing webhooks: signed, SSRF-guarded HTTP deliveries (docs/webhooks.md)."""

from storyreel.webhooks.sender import MAX_ATTEMPTS, DeliveryResult, backoff_s, send
from storyreel.webhooks.signing import SignatureError, sign, verify, webhook_secret
from storyreel.webhooks.ssrf import AddressPolicy, GuardedTransport, UnsafeURL, check_url

__all__ = [
    "MAX_ATTEMPTS",
    "AddressPolicy",
    "DeliveryResult",
    "GuardedTransport",
    "SignatureError",
    "UnsafeURL",
    "backoff_s",
    "check_url",
    "send",
    "sign",
    "verify",
    "webhook_secret",
]
