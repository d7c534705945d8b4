"""Short-lived signed asset URLs: the signature is the authorization, so a link works where no
header can be sent (``<video src>``, a download button) and stops working when it expires.

The key is derived from the JWT secret with its own label, so an asset signature can never be
replayed as anything else (and rotating the JWT secret invalidates both at once).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from urllib.parse import quote, urlencode

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
