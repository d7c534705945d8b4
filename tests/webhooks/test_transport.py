"""Webhook transport against real HTTP(S) servers on loopback: signing, SSRF rules, redirects."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from storyreel.webhooks import (
    MAX_ATTEMPTS,
    AddressPolicy,
    GuardedTransport,
    SignatureError,
    UnsafeURL,
    backoff_s,
    check_url,
    send,
    sign,
    verify,
    webhook_secret,
)

DOCS = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"
SECRET = webhook_secret(b"test-server-key", "wh_1")
LOOPBACK_OK = AddressPolicy(allow_loopback=True)


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


Reply = tuple[int, dict[str, str], bytes]


@dataclass
class Receiver:
    """A real HTTP server on 127.0.0.1 that records requests and answers with `reply`."""

    url: str = ""
    requests: list[Received] = field(default_factory=list)
    reply: Callable[[Received], Reply] = lambda _: (200, {}, b"thanks")
    server_name: list[str | None] = field(default_factory=list)  # TLS SNI seen, when TLS


def _start(receiver: Receiver, tls: ssl.SSLContext | None = None) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            got = Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            receiver.requests.append(got)
            status, headers, content = receiver.reply(got)
            try:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up first, as the timeout test wants

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    scheme = "http"
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
        scheme = "https"
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    receiver.url = f"{scheme}://127.0.0.1:{server.server_address[1]}"
    return server


@pytest.fixture
def receivers() -> Iterator[Callable[[], Receiver]]:
    servers: list[ThreadingHTTPServer] = []

    def make() -> Receiver:
        receiver = Receiver()
        servers.append(_start(receiver))
        return receiver

    yield make
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def receiver(receivers: Callable[[], Receiver]) -> Receiver:
    return receivers()


def deliver(url: str, policy: AddressPolicy = LOOPBACK_OK, **kwargs: Any) -> Any:
    kwargs.setdefault("delivery_id", "dlv_1")
    return send(
        url, "render.finished", {"render_id": "r1", "title": "雪"}, SECRET, policy, **kwargs
    )


# --- signatures -------------------------------------------------------------------------------


def test_delivery_is_signed_as_documented(receiver: Receiver) -> None:
    result = deliver(receiver.url + "/hook", created_at=1_700_000_000)

    assert result.ok and result.status_code == 200 and result.error is None
    assert result.response_excerpt == "thanks"
    [got] = receiver.requests
    assert got.path == "/hook"
    assert got.headers["content-type"] == "application/json"
    assert got.headers["user-agent"] == "storyreel-webhooks/1"
    assert got.headers["storyreel-event"] == "render.finished"
    assert got.headers["storyreel-delivery"] == "dlv_1"
    assert json.loads(got.body) == {
        "id": "dlv_1",
        "type": "render.finished",
        "created_at": "2023-11-14T22:13:20Z",
        "data": {"render_id": "r1", "title": "雪"},
    }

    # A receiver's recipe written from docs/webhooks.md, with nothing but hmac and hashlib.
    header = got.headers["storyreel-signature"]
    parts = dict(part.split("=", 1) for part in header.split(","))
    expected = hmac.new(
        SECRET.encode(), parts["t"].encode() + b"." + got.body, hashlib.sha256
    ).hexdigest()
    assert hmac.compare_digest(expected, parts["v1"])
    assert abs(time.time() - int(parts["t"])) <= 300

    verify(SECRET.encode(), got.body, header)


def _documented_verifier() -> Callable[[str, bytes, str], bool]:
    blocks = re.findall(r"```python\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.DOTALL)
    [code] = [block for block in blocks if "def verify_signature" in block]
    namespace: dict[str, Any] = {}
    exec(code, namespace)
    verifier: Callable[[str, bytes, str], bool] = namespace["verify_signature"]
    return verifier


def test_the_recipe_printed_in_the_docs_works(receiver: Receiver) -> None:
    verify_signature = _documented_verifier()
    deliver(receiver.url)
    [got] = receiver.requests
    header = got.headers["storyreel-signature"]

    assert verify_signature(SECRET, got.body, header)
    assert not verify_signature(SECRET, got.body + b" ", header)
    assert not verify_signature("whsec_other", got.body, header)
    stale = sign(SECRET.encode(), got.body, int(time.time()) - 301)
    assert not verify_signature(SECRET, got.body, stale)
    assert not verify_signature(SECRET, got.body, "v1=abc")


def test_verify_rejects_tampering_wrong_secret_and_replays() -> None:
    body = b'{"id":"dlv_1"}'
    header = sign(SECRET.encode(), body, 1_000_000)

    verify(SECRET.encode(), body, header, now=1_000_000 + 299)
    with pytest.raises(SignatureError, match="does not match"):
        verify(SECRET.encode(), body.replace(b"1", b"2"), header, now=1_000_000)
    with pytest.raises(SignatureError, match="does not match"):
        verify(webhook_secret(b"test-server-key", "wh_2").encode(), body, header, now=1_000_000)
    with pytest.raises(SignatureError, match="301 s old"):
        verify(SECRET.encode(), body, header, now=1_000_000 + 301)
    with pytest.raises(SignatureError, match="in the future"):
        verify(SECRET.encode(), body, header, now=1_000_000 - 301)
    # A valid signature cannot be moved to another timestamp.
    moved = header.replace("t=1000000", "t=1000100")
    with pytest.raises(SignatureError, match="does not match"):
        verify(SECRET.encode(), body, moved, now=1_000_100)


def test_verify_accepts_any_of_several_signatures_during_rotation() -> None:
    body = b"{}"
    old = sign(b"whsec_old", body, 1_000_000).split(",")[1]
    new = sign(SECRET.encode(), body, 1_000_000)
    verify(SECRET.encode(), body, f"{new},{old}", now=1_000_000)
    verify(SECRET.encode(), body, f"t=1000000,{old},v0=ignored,{new.split(',')[1]}", now=1_000_000)


@pytest.mark.parametrize(
    "header",
    ["", "garbage", "t=1000000", "v1=00ff", "t=soon,v1=00ff", "t=1,t=2,v1=00ff", "t=²,v1=00"],
)
def test_verify_rejects_malformed_headers(header: str) -> None:
    with pytest.raises(SignatureError, match="malformed"):
        verify(SECRET.encode(), b"{}", header, now=1_000_000)


def test_webhook_secrets_are_derived_per_webhook_and_server_key() -> None:
    assert re.fullmatch(r"whsec_[0-9a-f]{64}", SECRET)
    assert webhook_secret(b"test-server-key", "wh_1") == SECRET
    assert webhook_secret(b"test-server-key", "wh_2") != SECRET
    assert webhook_secret(b"another-server-key", "wh_1") != SECRET


# --- which addresses may be called ------------------------------------------------------------


def test_loopback_is_refused_by_default_and_allowed_by_the_operator(receiver: Receiver) -> None:
    refused = deliver(receiver.url, AddressPolicy())

    assert not refused.ok and refused.status_code is None
    assert "127.0.0.1, a loopback address" in (refused.error or "")
    assert "STORYREEL_WEBHOOK_ALLOW_LOOPBACK=true" in (refused.error or "")
    assert receiver.requests == []

    assert deliver(receiver.url, LOOPBACK_OK).ok
    assert len(receiver.requests) == 1


@pytest.mark.parametrize(
    ("host", "category"),
    [
        ("10.0.0.1", "private"),
        ("192.168.1.1", "private"),
        ("100.64.0.1", "private"),
        ("169.254.169.254", "link-local"),
        ("[fe80::1]", "link-local"),
        ("[::1]", "loopback"),
        ("[::ffff:127.0.0.1]", "loopback"),
        ("[::ffff:169.254.169.254]", "link-local"),
        ("2130706433", "loopback"),  # 127.0.0.1 as one number: resolved, then caught
        ("0.0.0.0", "unspecified"),
        ("[::]", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("240.0.0.1", "private"),
        ("[2002:7f00:1::]", "loopback"),  # 6to4 wrapping 127.0.0.1
        ("[2002:a9fe:a9fe::]", "link-local"),  # 6to4 wrapping 169.254.169.254
    ],
)
def test_non_public_addresses_are_refused(host: str, category: str) -> None:
    with pytest.raises(UnsafeURL, match=f"a {category} address"):
        check_url(f"http://{host}/hook", AddressPolicy())


def test_each_setting_allows_only_its_own_category() -> None:
    check_url("http://10.0.0.1/", AddressPolicy(allow_private=True))
    check_url("http://[::ffff:127.0.0.1]/", AddressPolicy(allow_loopback=True))
    with pytest.raises(UnsafeURL, match="STORYREEL_WEBHOOK_ALLOW_PRIVATE=true"):
        check_url("http://10.0.0.1/", AddressPolicy(allow_loopback=True))
    everything = AddressPolicy(allow_private=True, allow_loopback=True)
    for never in ("169.254.169.254", "0.0.0.0", "224.0.0.1"):
        with pytest.raises(UnsafeURL, match="never"):
            check_url(f"http://{never}/", everything)
    check_url(
        "http://169.254.169.254/", AddressPolicy(allowed_hosts=frozenset({"169.254.169.254"}))
    )


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://example.com/hook", "scheme is 'ftp'"),
        ("file:///etc/passwd", "scheme is 'file'"),
        ("gopher://127.0.0.1:6379/_INFO", "scheme is 'gopher'"),
        ("/relative/hook", "scheme is 'none'"),
        ("http:///hook", "no host"),
        ("https://user:pw@example.com/hook", "user name or password"),
    ],
)
def test_urls_that_are_not_plain_http_are_refused(url: str, reason: str) -> None:
    with pytest.raises(UnsafeURL, match=re.escape(reason)):
        check_url(url, AddressPolicy())
    result = deliver(url, AddressPolicy(allow_loopback=True, allow_private=True))
    assert not result.ok and result.status_code is None
    assert reason in (result.error or "")


def test_connects_to_the_checked_address_and_keeps_the_host_name(receiver: Receiver) -> None:
    port = receiver.url.rsplit(":", 1)[1]
    result = deliver(f"http://localhost:{port}/hook")

    assert result.ok
    assert receiver.requests[0].headers["host"] == f"localhost:{port}"


# --- redirects --------------------------------------------------------------------------------


def _redirect_to(location: str) -> Callable[[Received], Reply]:
    return lambda _: (302, {"Location": location}, b"moved")


def test_redirect_to_metadata_address_is_refused_without_connecting(receiver: Receiver) -> None:
    receiver.reply = _redirect_to("http://169.254.169.254/latest/meta-data/")
    started = time.monotonic()
    result = deliver(receiver.url, timeout_s=5)

    assert not result.ok and result.status_code == 302
    assert "169.254.169.254, a link-local address" in (result.error or "")
    assert time.monotonic() - started < 2  # refused before any connect, which would hang here


def test_redirect_to_loopback_is_refused_when_only_the_first_host_is_allowed(
    receivers: Callable[[], Receiver],
) -> None:
    first, internal = receivers(), receivers()
    internal_port = internal.url.rsplit(":", 1)[1]
    first.reply = _redirect_to(f"http://localhost:{internal_port}/admin")

    result = deliver(first.url, AddressPolicy(allowed_hosts=frozenset({"127.0.0.1"})))

    assert not result.ok and result.status_code == 302
    assert "a loopback address" in (result.error or "")
    assert len(first.requests) == 1 and internal.requests == []


def test_allowed_redirects_resend_the_same_signed_request(
    receivers: Callable[[], Receiver],
) -> None:
    first, final = receivers(), receivers()
    first.reply = _redirect_to(final.url + "/moved")

    result = deliver(first.url)

    assert result.ok and result.response_excerpt == "thanks"
    [before], [after] = first.requests, final.requests
    assert after.path == "/moved" and after.body == before.body
    assert after.headers["storyreel-signature"] == before.headers["storyreel-signature"]


def test_redirect_loops_stop_after_three_redirects(receiver: Receiver) -> None:
    receiver.reply = _redirect_to("/again")

    result = deliver(receiver.url)

    assert not result.ok and result.status_code == 302
    assert "more than 3 redirects" in (result.error or "")
    assert len(receiver.requests) == 4


# --- failures are results, never exceptions ---------------------------------------------------


def test_receiver_error_is_a_failed_result_and_is_logged(
    receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    receiver.reply = lambda _: (500, {}, b"boom" * 1000)

    with caplog.at_level(logging.INFO, logger="storyreel.webhooks.sender"):
        result = deliver(receiver.url + "/hook?token=s3cret", delivery_id="dlv_500")

    assert not result.ok and result.status_code == 500
    assert result.error == "receiver answered HTTP 500"
    assert result.response_excerpt == ("boom" * 1000)[:1024]
    assert result.duration_ms > 0
    [record] = caplog.records
    assert record.levelno == logging.WARNING
    assert "dlv_500" in record.getMessage() and "HTTP 500" in record.getMessage()
    assert "s3cret" not in record.getMessage() and SECRET not in record.getMessage()


def test_timeout_is_a_failed_result(receiver: Receiver) -> None:
    def slow(_: Received) -> Reply:
        time.sleep(1.5)
        return 200, {}, b"late"

    receiver.reply = slow
    result = deliver(receiver.url, timeout_s=0.3)

    assert not result.ok and result.status_code is None
    assert (result.error or "").startswith("timed out")
    assert result.duration_ms < 1400


def test_connection_refused_is_a_failed_result() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = deliver(f"http://127.0.0.1:{port}/")

    assert not result.ok and result.status_code is None
    assert (result.error or "").startswith("request failed")


def test_payload_that_is_not_json_is_a_failed_result(receiver: Receiver) -> None:
    result = send(receiver.url, "x", {"when": object()}, SECRET, LOOPBACK_OK, delivery_id="d")
    assert not result.ok and "not JSON" in (result.error or "")
    assert receiver.requests == []


# --- retry schedule ---------------------------------------------------------------------------


def test_backoff_grows_to_an_hour_with_small_jitter() -> None:
    assert MAX_ATTEMPTS == 6
    for attempt, base in [(1, 10), (2, 30), (3, 120), (4, 600), (5, 3600), (6, 3600), (40, 3600)]:
        delays = {backoff_s(attempt) for _ in range(20)}
        assert all(base * 0.9 <= delay <= base * 1.1 for delay in delays)
        assert len(delays) > 1  # jittered, so retries of many deliveries spread out
    with pytest.raises(ValueError):
        backoff_s(0)


# --- TLS: connecting to the checked address still verifies the host name ----------------------


@pytest.fixture
def tls_receiver(tmp_path: Path) -> Iterator[tuple[Receiver, Path]]:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("needs the openssl command to make a test certificate")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        [
            *(openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost"),
            *("-addext", "subjectAltName=DNS:localhost"),
        ],
        check=True,
        capture_output=True,
    )
    receiver = Receiver()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    context.sni_callback = lambda _sock, name, _ctx: receiver.server_name.append(name)
    server = _start(receiver, context)
    yield receiver, cert
    server.shutdown()
    server.server_close()


def test_tls_uses_the_host_name_for_sni_and_certificate(
    tls_receiver: tuple[Receiver, Path],
) -> None:
    receiver, cert = tls_receiver
    port = receiver.url.rsplit(":", 1)[1]
    trust = ssl.create_default_context(cafile=str(cert))
    transport = GuardedTransport(LOOPBACK_OK, verify=trust)

    with httpx.Client(transport=transport) as client:
        response = client.post(f"https://localhost:{port}/hook", content=b"{}")
        assert response.status_code == 200
        assert receiver.server_name == ["localhost"]
        assert receiver.requests[0].headers["host"] == f"localhost:{port}"
        # The certificate names localhost only: verification really is against the host name.
        with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            client.post(f"https://127.0.0.1:{port}/hook", content=b"{}")
