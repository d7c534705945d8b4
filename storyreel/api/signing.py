"""Short-lived signed asset URLs: the signature is the authorization, so a link works where no
header can be sent (``<video src>``, a download button) and stops working when it expires.

The key is derived from the JWT secret with its own label, so an asset signature can never be
replayed as anything else (and rotating the JWT secret invalidates both at once).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from datetime import UTC, datetime
from urllib.parse import quote, urlencode

from storyreel.api import errors
from storyreel.api.deps import AppState

CONTENT_PATH = "/api/v1/assets/{asset_id}/content"
_LABEL = b"asset-urls"


def _key(state: AppState) -> bytes:
    return hmac.new(state.secrets.jwt, _LABEL, hashlib.sha256).digest()


def _message(asset_id: str, expires: int, filename: str | None) -> bytes:
    # The filename (when the link carries one) is signed too: nobody can rename a shared link.
    text = f"{asset_id}:{expires}" if filename is None else f"{asset_id}:{expires}:{filename}"
    return text.encode()


def sign(state: AppState, asset_id: str, expires: int, filename: str | None = None) -> str:
    return hmac.new(_key(state), _message(asset_id, expires, filename), hashlib.sha256).hexdigest()


def asset_url(
    state: AppState,
    asset_id: str,
    filename: str | None = None,
    expires_s: int | None = None,
) -> str:
    """A relative URL that downloads the asset without an ``Authorization`` header until it
    expires (``settings.signed_url_ttl_s`` by default). ``filename`` overrides the download name."""
    lifetime = state.settings.signed_url_ttl_s if expires_s is None else expires_s
    expires = int(time.time()) + max(1, int(lifetime))
    query: dict[str, str | int] = {"expires": expires}
    if filename is not None:
        query["name"] = filename
    query["sig"] = sign(state, asset_id, expires, filename)
    path = CONTENT_PATH.format(asset_id=quote(asset_id, safe=""))
    return f"{path}?{urlencode(query)}"


def check_link(
    state: AppState,
    subject: str,
    expires: int,
    sig: str,
    *,
    kind: str,
    renew: str,
    filename: str | None = None,
) -> float:
    """Refuse an expired or forged link (403 saying which, and ``renew``: where a fresh one
    comes from); ``kind`` names the link ("download", "live"). Returns the time checked at."""
    now = time.time()
    if expires < now:
        when = datetime.fromtimestamp(max(0, expires), UTC).isoformat()
        raise errors.Forbidden(f"this {kind} link expired at {when}; get a fresh one from {renew}")
    if not verify(state, subject, expires, sig, filename, now):
        raise errors.Forbidden(f"this {kind} link is not valid: its signature does not match")
    return now


def verify(
    state: AppState,
    asset_id: str,
    expires: int,
    sig: str,
    filename: str | None = None,
    now: float | None = None,
) -> bool:
    """True when ``sig`` signs this asset (and name) and ``expires`` has not passed."""
    if expires < (time.time() if now is None else now):
        return False
    expected = sign(state, asset_id, expires, filename)
    # Bytes, not str: compare_digest refuses non-ASCII text, and a tampered sig may hold some.
    return hmac.compare_digest(expected.encode(), sig.strip().lower().encode())
