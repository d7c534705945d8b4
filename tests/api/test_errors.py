"""One error body everywhere, with the request id; bad input is never a 500."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from pydantic import ValidationError
from starlette.testclient import TestClient

from storyreel.domain.storyboard import Shot, Storyboard
from storyreel.domain.styles import get_style
from storyreel.pipeline.errors import Conflict, InvalidInput, NotFound
from storyreel.pipeline.timeline import build_timeline
from storyreel.settings import Settings
from tests.api.kit import Api, running_api
from tests.api.test_projects import P, storyboarded


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


# --- the pipeline's refusals, mapped once --------------------------------------------------


def _route(api: Api, path: str, endpoint: Callable[[], Any]) -> TestClient:
    """``endpoint`` served at ``path`` by the real app (before the studio's catch-all), and a
    client that answers a 500 rather than raising the server's exception."""
    app = api.client.app
    app.router.routes.insert(0, APIRoute(path, endpoint, methods=["GET"]))  # type: ignore[attr-defined]
    return TestClient(app, raise_server_exceptions=False)


def _raises(exc: Exception) -> Callable[[], None]:
    def endpoint() -> None:
        raise exc

    return endpoint


def _board() -> Storyboard:
    return Storyboard(
        title="t",
        language="en",
        style="cinematic",
        shots=[Shot(id="s1", narration="A fox ran.", visual_prompt="a fox")],
    )


def test_a_bug_in_the_pipeline_is_a_logged_500_not_the_clients_fault(
    api: Api, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    def misuse() -> None:  # a ValueError the pipeline raises on a caller's bug
        build_timeline(_board(), [], base_dir=tmp_path, music=None)

    client = _route(api, "/test/bug", misuse)
    with caplog.at_level(logging.ERROR, logger="storyreel.api.errors"):
        r = client.get("/test/bug")
    assert r.status_code == 500
    body = r.json()
    _is_error(body, 500)
    assert "one ShotMedia" not in body["message"]  # internals stay in the log
    assert any(
        rec.exc_info and "one ShotMedia per shot" in str(rec.exc_info[1]) for rec in caplog.records
    )


@pytest.mark.parametrize(
    ("exc", "status", "fields"),
    [
        (NotFound("no shot 'x'"), 404, []),
        (Conflict("the project has no storyboard yet"), 409, []),
        (InvalidInput("unknown shot step 'x'"), 422, []),
        (InvalidInput("at must be between 1 and 9", field="at"), 422, ["at"]),
    ],
)
def test_each_pipeline_refusal_has_its_status_and_the_standard_body(
    api: Api, exc: Exception, status: int, fields: list[str]
) -> None:
    r = _route(api, "/test/refusal", _raises(exc)).get("/test/refusal")
    assert r.status_code == status
    body = r.json()
    _is_error(body, status)
    assert body["message"] == str(exc)
    assert [e["field"] for e in body["errors"]] == fields
    assert all(e["message"] == str(exc) for e in body["errors"])


def test_an_invalid_input_from_a_validation_error_names_every_field_at_fault(api: Api) -> None:
    def edit() -> None:
        try:
            Shot(id="s1", narration="", visual_prompt="", duration_hint=0)
        except ValidationError as exc:
            raise InvalidInput("the change is not valid") from exc

    r = _route(api, "/test/edit", edit).get("/test/edit")
    assert r.status_code == 422
    _is_error(r.json(), 422)
    fields = {e["field"] for e in r.json()["errors"]}
    assert fields == {"narration", "visual_prompt", "duration_hint"}


def test_an_unknown_style_is_a_422_on_style_wherever_it_is_raised(api: Api) -> None:
    def look_up() -> None:
        get_style("vaporwave")

    r = _route(api, "/test/style", look_up).get("/test/style")
    assert r.status_code == 422
    _is_error(r.json(), 422)
    assert [e["field"] for e in r.json()["errors"]] == ["style"]
    assert "cinematic" in r.json()["errors"][0]["message"]  # it lists the known ones


def test_pipeline_refusals_through_the_real_routes(api: Api) -> None:
    alice = api.register("alice")
    project = storyboarded(api, alice)
    pid, shots = project["id"], project["shots"]

    style = api.client.patch(f"{P}/{pid}", json={"style": "vaporwave"}, headers=alice.headers)
    assert style.status_code == 422, style.text
    assert [e["field"] for e in style.json()["errors"]] == ["style"]

    order = api.client.post(
        f"{P}/{pid}/shots/reorder", json={"shot_ids": [shots[0]["id"]]}, headers=alice.headers
    )
    assert order.status_code == 422, order.text
    assert [e["field"] for e in order.json()["errors"]] == ["shot_ids"]

    for shot in shots[1:]:
        gone = api.client.delete(f"{P}/{pid}/shots/{shot['id']}", headers=alice.headers)
        assert gone.status_code == 204, gone.text
    last = api.client.delete(f"{P}/{pid}/shots/{shots[0]['id']}", headers=alice.headers)
    assert last.status_code == 409, last.text
    _is_error(last.json(), 409)
    assert "at least one shot" in last.json()["message"]
