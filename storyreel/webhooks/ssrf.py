"""Keep webhook requests off the server's own networks (SSRF), including through DNS rebinding.

`check_url` says whether a URL may be called. `GuardedTransport` makes that check at the moment
of every request (the first one and each redirect) and then connects to the very address it
checked, so a host name cannot resolve to a public address for the check and to a private one
for the connection.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass, field
from typing import Any

import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

ALLOW_PRIVATE_SETTING = "STORYREEL_WEBHOOK_ALLOW_PRIVATE"
ALLOW_LOOPBACK_SETTING = "STORYREEL_WEBHOOK_ALLOW_LOOPBACK"

_THIS_NETWORK = ipaddress.IPv4Network("0.0.0.0/8")  # "this host": connects to the server itself


class UnsafeURL(ValueError):
    """A webhook URL that may not be called; the message says why and how to fix it."""


@dataclass(frozen=True)
class AddressPolicy:
    """Which non-public destinations the operator allows.

    `allowed_hosts` are host names (or literal addresses) the operator trusts: their addresses
    are not checked at all.
    """

    allow_private: bool = False
    allow_loopback: bool = False
    allowed_hosts: frozenset[str] = field(default_factory=frozenset)


def _category(ip: IPAddress) -> str | None:
    """The non-public category of `ip`, or None when it is an ordinary public address."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1 to the kernel
        else:
            # 6to4 (2002:7f00:1::) and Teredo addresses carry an IPv4 address a relay may
            # deliver to: judge them by it.
            embedded = ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
            if embedded is not None and _category(embedded) is not None:
                return _category(embedded)
    if ip.is_unspecified or ip in _THIS_NETWORK:
        return "unspecified"
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if ip.is_private:
        return "private"
    if ip.is_reserved:
        return "reserved"
    if not ip.is_global:
        return "private"  # shared (carrier-grade NAT) and other non-routable ranges
    return None


def _refusal(host: str, ip: IPAddress, category: str) -> str:
    where = f"webhook URL host {host!r} resolves to {ip}, a {category} address"
    if category == "loopback":
        return (
            f"{where}; webhooks may not call the server's own network. "
            f"Operators can allow it with {ALLOW_LOOPBACK_SETTING}=true"
        )
    if category == "private":
        return (
            f"{where}; webhooks may not call private networks. "
            f"Operators can allow it with {ALLOW_PRIVATE_SETTING}=true"
        )
    if category == "link-local":
        return (
            f"{where}; link-local addresses (such as cloud metadata services) are never "
            "webhook targets. Use a public host name"
        )
    return f"{where}, which is never a webhook target. Use a public host name"


def parse_url(url: str | httpx.URL) -> httpx.URL:
    """`url` parsed; raises `UnsafeURL` unless it is http(s) with a host and no credentials."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise UnsafeURL(f"webhook URL is not a valid URL ({exc}); use https://host/path") from exc
    if parsed.scheme not in ("http", "https"):
        shown = parsed.scheme or "none"
        raise UnsafeURL(
            f"webhook URL scheme is {shown!r}; only http and https URLs can receive webhooks"
        )
    if not parsed.host:
        raise UnsafeURL("webhook URL has no host; use a full URL such as https://example.com/hook")
    if parsed.userinfo:
        raise UnsafeURL(
            "webhook URL contains a user name or password; remove them — receivers "
            "authenticate deliveries by their Storyreel-Signature header"
        )
    return parsed


def _normal(host: str) -> str:
    return host.lower().rstrip(".").strip("[]")


def resolve(url: str | httpx.URL, policy: AddressPolicy) -> list[IPAddress]:
    """The addresses `url` may be reached at, all checked; raises `UnsafeURL` if any is refused."""
    parsed = parse_url(url)
    host = parsed.host
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise UnsafeURL(
            f"webhook URL host {host!r} could not be resolved ({exc}); check the host name"
        ) from exc
    addresses: list[IPAddress] = []
    for info in infos:
        # Strip an IPv6 zone ("fe80::1%eth0"); the address itself decides the category.
        ip = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if ip not in addresses:
            addresses.append(ip)
    if not addresses:
        raise UnsafeURL(f"webhook URL host {host!r} has no addresses; check the host name")
    if _normal(host) in {_normal(allowed) for allowed in policy.allowed_hosts}:
        return addresses
    # Every address must pass: the connection could be made to any of them.
    for ip in addresses:
        category = _category(ip)
        if category is None:
            continue
        if category == "loopback" and policy.allow_loopback:
            continue
        if category == "private" and policy.allow_private:
            continue
        raise UnsafeURL(_refusal(host, ip, category))
    return addresses


def check_url(url: str, policy: AddressPolicy) -> None:
    """Raise `UnsafeURL` unless `url` is an http(s) URL whose host resolves to allowed addresses."""
    resolve(url, policy)


class GuardedTransport(httpx.HTTPTransport):
    """An HTTP transport that checks each request's host and connects to the checked address.

    The URL's host is replaced by the address; the Host header and the TLS server name (SNI,
    and so certificate verification) keep the original host name. Connections are not kept
    alive, so one opened for one host name is never reused for another on the same address.
    """

    def __init__(self, policy: AddressPolicy, **kwargs: Any) -> None:
        kwargs.setdefault("limits", httpx.Limits(max_keepalive_connections=0))
        super().__init__(**kwargs)
        self._policy = policy

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        server_name = request.url.raw_host.decode("ascii")
        failure: httpx.ConnectError | None = None
        # Try the checked addresses in resolver order, as a plain connect would (dual stack).
        for ip in resolve(request.url, self._policy):
            if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
                ip = ip.ipv4_mapped
            pinned = httpx.Request(
                request.method,
                request.url.copy_with(host=ip.compressed),
                headers=request.headers,  # carries Host: the original name
                stream=request.stream,
                extensions={**request.extensions, "sni_hostname": server_name},
            )
            try:
                return super().handle_request(pinned)
            except httpx.ConnectError as exc:
                failure = exc
        assert failure is not None  # resolve() returns at least one address
        raise failure
