"""Trust for a team, each found by trying to break the running service: no credential in the
log, password guessing limited per account without locking the owner out, per-video limits
answered as what they are, the real client IP behind a trusted proxy (and only then), and a
readiness probe that does not run every check for every caller."""

from __future__ import annotations

import io
import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
import uvicorn
from websockets.sync.client import connect as ws_connect

from storyreel.api.app import create_app
from storyreel.api.logs import configure_logging
from storyreel.api.routes import system
from storyreel.auth import ratelimit
from storyreel.db import migrate
from storyreel.db.session import Database
from storyreel.settings import Settings
from tests.api.kit import PASSWORD, Api, api_settings, running_api

PROXY = ("10.0.0.5", 40000)


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    buffer = io.StringIO()
    configure_logging("json", stream=buffer)
    yield buffer
    root.handlers, root.level = saved


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_token_in_the_websocket_url_never_reaches_the_log(
    settings: Settings, log_lines: io.StringIO, tmp_path: Path
) -> None:
    """Through a real Uvicorn (it logs a WebSocket's URL with its query string itself)."""
    settings = api_settings(settings)
    db = Database(settings.database)
    migrate.upgrade(db)
    db.dispose()
    port = _free_port()
    config = uvicorn.Config(
        create_app(settings), host="127.0.0.1", port=port, log_config=None, proxy_headers=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while not server.started:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.05)
        email = "logged@example.com"
        httpx.post(f"{base}/api/v1/auth/register", json={"email": email, "password": PASSWORD})
        tokens = httpx.post(
            f"{base}/api/v1/auth/login", json={"email": email, "password": PASSWORD}
        ).json()
        access = tokens["access_token"]
        key = httpx.post(
            f"{base}/api/v1/auth/api-keys",
            json={"name": "ci"},
            headers={"Authorization": f"Bearer {access}"},
        ).json()["secret"]
        for token in (access, key):
            with ws_connect(f"ws://127.0.0.1:{port}/api/v1/ws?token={token}") as ws:
                assert json.loads(ws.recv(timeout=10))["type"] == "ready"
        # A refresh token (or any credential) offered where none belongs is not logged either.
        with ws_connect(
            f"ws://127.0.0.1:{port}/api/v1/ws?access_token={tokens['refresh_token']}"
        ) as ws:
            ws.send(json.dumps({"type": "auth", "token": access}))
            assert json.loads(ws.recv(timeout=10))["type"] == "ready"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
    logged = log_lines.getvalue()
    assert "WebSocket /api/v1/ws?token=[redacted]" in logged  # the line is there...
    for secret in (access, key, tokens["refresh_token"]):
        assert secret not in logged  # ...without the credential


def _login(api: Api, email: str, password: str, ip: str | None = None) -> httpx.Response:
    headers = {"X-Forwarded-For": ip} if ip else {}
    return api.client.post(
        "/api/v1/auth/login", json={"email": email, "password": password}, headers=headers
    )


def test_password_change_guesses_are_limited_per_account(api: Api) -> None:
    alice, bob = api.register("alice"), api.register("bob")
    tries = int(ratelimit.PASSWORD_TRIES.split("/")[0])

    def change(who: object, current: str) -> int:
        body = {"current_password": current, "new_password": "a new long password"}
        return int(
            api.client.post(
                "/api/v1/auth/password",
                json=body,
                headers=who.headers,  # type: ignore[attr-defined]
            ).status_code
        )

    assert [change(alice, f"guess {i}") for i in range(tries)] == [403] * tries
    refused = api.client.post(
        "/api/v1/auth/password",
        json={"current_password": PASSWORD, "new_password": "a new long password"},
        headers=alice.headers,
    )
    # Refused before the password is checked: even the right one, so a guess learns nothing.
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    assert refused.json()["details"]["scope"] == "password"
    assert change(bob, PASSWORD) == 204  # another account is counted on its own


def test_login_guesses_slow_down_per_account_and_the_owner_still_gets_in(
    settings: Settings,
) -> None:
    with running_api(settings, peer=PROXY, trusted_proxies=["10.0.0.0/8"]) as api:
        alice = api.register("alice")
        home = "203.0.113.7"
        assert _login(api, alice.email, PASSWORD, home).status_code == 200  # a known-good IP

        # One IP guessing: 5 a minute for the account, then 429 — even with the password.
        attacker = "198.51.100.1"
        wrong = [_login(api, alice.email, "wrong", attacker).status_code for _ in range(5)]
        assert wrong == [401] * 5
        locked = _login(api, alice.email, PASSWORD, attacker)
        assert locked.status_code == 429 and 1 <= int(locked.headers["retry-after"]) <= 60
        assert locked.json()["details"]["scope"] == "login"

        # Many IPs guessing: the account is closed to IPs it never logged in from...
        account_wide = int(ratelimit.LOGIN_PER_ACCOUNT.split("/")[0])
        codes = []
        for i in range(account_wide):
            codes.append(_login(api, alice.email, "wrong", f"198.51.100.{10 + i}").status_code)
            if codes[-1] == 429:
                break
        assert codes[-1] == 429 and set(codes[:-1]) == {401}
        fresh = _login(api, alice.email, PASSWORD, "192.0.2.99")
        assert fresh.status_code == 429 and fresh.json()["details"]["scope"] == "login-account"
        assert int(fresh.headers["retry-after"]) <= 300  # a few minutes at most
        # ...but the owner, from where they logged in before, gets in at once.
        assert _login(api, alice.email, PASSWORD, home).status_code == 200
        # Other accounts are not affected.
        bob = api.register("bob")
        assert _login(api, bob.email, PASSWORD, "192.0.2.99").status_code == 200


def test_behind_a_trusted_proxy_limits_count_the_client_not_the_proxy(
    settings: Settings,
) -> None:
    limits = {"per_user": "1000/minute", "per_ip": "1000/minute", "auth_per_ip": "2/minute"}
    with running_api(
        settings, peer=PROXY, trusted_proxies=["10.0.0.0/8"], rate_limits=limits
    ) as api:
        # Each client behind the proxy has its own count ("rightmost untrusted hop": what the
        # client itself wrote to the left is ignored).
        for client in ("203.0.113.1", "203.0.113.2"):
            spoof = f"1.2.3.4, {client}, 10.0.0.9"
            codes = [_login(api, "x@example.com", "guess", spoof).status_code for _ in range(3)]
            assert codes == [401, 401, 429]
    with running_api(settings, peer=PROXY, rate_limits=limits) as api:
        # Not trusted: X-Forwarded-For is ignored and everyone is the proxy.
        codes = [
            _login(api, "x@example.com", "guess", f"203.0.113.{i}").status_code for i in range(3)
        ]
        assert codes == [401, 401, 429]


def test_the_access_log_names_the_client_behind_the_proxy(
    settings: Settings, log_lines: io.StringIO
) -> None:
    with running_api(settings, peer=PROXY, trusted_proxies=["10.0.0.0/8"]) as api:
        r = api.client.get("/healthz", headers={"X-Forwarded-For": "203.0.113.50"})
        request_id = r.headers["x-request-id"]
    records = [json.loads(line) for line in log_lines.getvalue().splitlines() if line[:1] == "{"]
    access = [r for r in records if r.get("request_id") == request_id]
    assert access and access[-1]["client"] == "203.0.113.50"


def test_readyz_runs_its_checks_once_a_second_for_all_callers(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs: list[float] = []
    real = system._check_database

    def slow_counted(state: object) -> str:
        runs.append(time.monotonic())
        time.sleep(0.3)  # long enough that the callers below overlap it
        return real(state)  # type: ignore[arg-type]

    monkeypatch.setattr(system, "_check_database", slow_counted)
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda _: api.client.get("/readyz"), range(8)))
    assert [a.status_code for a in answers] == [200] * 8
    assert len(runs) == 1  # eight callers, one run of the checks
    assert len({json.dumps(a.json(), sort_keys=True) for a in answers}) == 1
    time.sleep(system.READY_CACHE_S + 0.1)
    assert api.client.get("/readyz").status_code == 200
    assert len(runs) == 2  # a second later the checks run again
