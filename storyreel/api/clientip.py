"""The client's IP behind reverse proxies (``STORYREEL_TRUSTED_PROXIES``).

Only a peer that is a trusted proxy may speak for the client: its ``X-Forwarded-For`` is read
from the right (each proxy appends the address it saw) and the first hop that is not a trusted
proxy is the client. Anything to the left of that hop was written by the client itself and is
never believed. With no trusted proxies the header is ignored: the peer is the client.

The middleware rewrites ``scope["client"]`` once, so every reader — rate limits, login limits,
the WebSocket endpoint, the access log — sees the same address.
"""

from __future__ import annotations

from collections.abc import Sequence
from ipaddress import IPv4Network, IPv6Network, ip_address

from starlette.types import ASGIApp, Receive, Scope, Send

Network = IPv4Network | IPv6Network

MAX_HOPS = 32  # a longer chain is not real: stop reading (and trust nothing beyond it)


def _trusted(address: str, proxies: Sequence[Network]) -> bool:
    try:
        ip = ip_address(address.strip().strip("[]"))
    except ValueError:
        return False
    return any(ip in net for net in proxies)


def resolve(peer: str, forwarded_for: list[str], proxies: Sequence[Network]) -> str:
    """The client's address given the TCP peer and the ``X-Forwarded-For`` header values."""
    if not proxies or not _trusted(peer, proxies):
        return peer
    hops = [h.strip() for value in forwarded_for for h in value.split(",") if h.strip()]
    client = peer
    for hop in reversed(hops[-MAX_HOPS:]):
        client = hop[:64]
        if not _trusted(hop, proxies):
            break
    return client


class TrustedProxies:
    """Pure ASGI middleware: ``scope["client"]`` becomes the real client behind trusted proxies."""

    def __init__(self, app: ASGIApp, proxies: Sequence[Network]) -> None:
        self.app, self.proxies = app, tuple(proxies)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.proxies and scope["type"] in ("http", "websocket") and scope.get("client"):
            peer, port = scope["client"]
            forwarded = [
                value.decode("latin-1")
                for key, value in scope.get("headers", [])
                if key == b"x-forwarded-for"
            ]
            client = resolve(peer, forwarded, self.proxies)
            if client != peer:
                scope = {**scope, "client": (client, port)}
        await self.app(scope, receive, send)
