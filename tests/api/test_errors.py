"""One error body everywhere, with the request id; bad input is never a 500."""

from __future__ import annotations

from collections.abc import Iterator

from storyreel.settings import Settings
from tests.api.kit import Api, running_api


def _is_error(body: dict[str, object], status: int) -> None:
    assert body["code"] == status and body["message"] and body["request_id"]
    assert isinstance(body["errors"], list)


def test_unknown_route_wrong_method_and_bad_json(api: Api) -> None:
    alice = api.register("alice")
    missing = api.client.get("/api/v1/nothing-here", headers=alice.headers)
    assert missing.status_code == 404
    _is_error(missing.json(), 404)
    wrong = api.client.put("/api/v1/auth/me", headers=alice.headers)
    assert wrong.status_code == 405
    _is_error(wrong.json(), 405)
    broken = api.client.post(
        "/api/v1/projects",
        content=b'{"story": "unterminated',
        headers={**alice.headers, "Content-Type": "application/json"},
    )
    assert broken.status_code == 422
    _is_error(broken.json(), 422)


def test_the_request_id_is_returned_and_a_clients_own_is_kept(api: Api) -> None:
    r = api.client.get("/api/v1/auth/me", headers={"X-Request-ID": "client-chosen-42"})
    assert r.headers["x-request-id"] == "client-chosen-42"
    assert r.json()["request_id"] == "client-chosen-42"
    # Something that is not a plain token is replaced, never echoed (log injection).
    odd = api.client.get("/api/v1/auth/me", headers={"X-Request-ID": "a b\tc"})
    assert odd.headers["x-request-id"] != "a b\tc" and len(odd.headers["x-request-id"]) == 32


def test_nul_bytes_are_a_400_on_postgresql(settings: Settings, postgres_url: str) -> None:
    with running_api(settings, database_url=postgres_url) as api:
        alice = api.register("alice")
        in_path = api.client.get("/api/v1/projects/ab%00cd", headers=alice.headers)
        assert in_path.status_code == 400
        _is_error(in_path.json(), 400)
        in_body = api.client.post(
            "/api/v1/projects",
            json={"story": "A story\u0000 with a NUL.", "style": "cinematic", "auto": False},
            headers=alice.headers,
        )
        assert in_body.status_code in (400, 422)
        _is_error(in_body.json(), in_body.status_code)


def test_bodies_over_the_limit_are_refused_before_anything_reads_them(settings: Settings) -> None:
    with running_api(settings, upload_max_bytes=1024) as api:
        limit = 1024 + 256 * 1024
        big = b'{"email": "' + b"a" * (limit + 10) + b'"}'
        declared = api.client.post(
            "/api/v1/auth/login", content=big, headers={"Content-Type": "application/json"}
        )
        assert declared.status_code == 413
        _is_error(declared.json(), 413)

        def chunks() -> Iterator[bytes]:  # no Content-Length: cut off while it arrives
            yield b'{"email": "'
            for _ in range(40):
                yield b"a" * 8192
            yield b'"}'

        streamed = api.client.post(
            "/api/v1/auth/login", content=chunks(), headers={"Content-Type": "application/json"}
        )
        assert streamed.status_code == 413
        _is_error(streamed.json(), 413)


def test_odd_values_are_client_errors(api: Api) -> None:
    alice = api.register("alice")
    surrogate = api.client.post(
        "/api/v1/projects",
        content=b'{"story": "A fox ran. \\ud800 It ran far away.", "auto": false}',
        headers={**alice.headers, "Content-Type": "application/json"},
    )
    assert surrogate.status_code in (400, 422)
    _is_error(surrogate.json(), surrogate.status_code)
    for path in ("/api/v1/webhooks", "/api/v1/projects"):
        huge = api.client.get(path, params={"page": 10**20}, headers=alice.headers)
        assert huge.status_code == 422
        _is_error(huge.json(), 422)
