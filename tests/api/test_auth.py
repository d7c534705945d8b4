"""Accounts through the API: register, log in, tokens, refresh rotation and reuse, API keys."""

from __future__ import annotations

import time

import jwt

from tests.api.kit import PASSWORD, Api


def test_register_login_me_and_wrong_password(api: Api) -> None:
    alice = api.register("alice")
    me = api.client.get("/api/v1/auth/me", headers=alice.headers)
    assert me.status_code == 200
    assert me.json()["email"] == alice.email and me.json()["role"] == "user"
    assert me.headers["x-request-id"]

    wrong = api.client.post(
        "/api/v1/auth/login", json={"email": alice.email, "password": "not the password"}
    )
    assert wrong.status_code == 401
    body = wrong.json()
    assert body["code"] == 401 and body["request_id"] == wrong.headers["x-request-id"]
    again = api.client.post(
        "/api/v1/auth/register", json={"email": alice.email.upper(), "password": PASSWORD}
    )
    assert again.status_code == 409


def test_validation_errors_name_the_fields(api: Api) -> None:
    r = api.client.post("/api/v1/auth/register", json={"email": "nope", "password": "x"})
    assert r.status_code == 422
    fields = {e["field"] for e in r.json()["errors"]}
    assert fields == {"email", "password"}


def test_refresh_rotates_and_reuse_revokes_the_family(api: Api) -> None:
    alice = api.register("alice")
    first = api.client.post("/api/v1/auth/refresh", json={"refresh_token": alice.refresh_token})
    assert first.status_code == 200
    second_refresh = first.json()["refresh_token"]
    # The old refresh token was rotated away: presenting it again is theft...
    reuse = api.client.post("/api/v1/auth/refresh", json={"refresh_token": alice.refresh_token})
    assert reuse.status_code == 401
    # ...so the newer one of the same family stops working too.
    after = api.client.post("/api/v1/auth/refresh", json={"refresh_token": second_refresh})
    assert after.status_code == 401


def test_logout_revokes_the_refresh_token(api: Api) -> None:
    alice = api.register("alice")
    out = api.client.post(
        "/api/v1/auth/logout", json={"refresh_token": alice.refresh_token}, headers=alice.headers
    )
    assert out.status_code == 204
    r = api.client.post("/api/v1/auth/refresh", json={"refresh_token": alice.refresh_token})
    assert r.status_code == 401


def _forge(claims: dict[str, object], key: str | bytes, alg: str = "HS256") -> str:
    return jwt.encode(claims, key, algorithm=alg)


def test_tampered_tokens_are_rejected(api: Api) -> None:
    alice = api.register("alice")
    claims = jwt.decode(alice.token, options={"verify_signature": False})
    now = int(time.time())
    key = api.client.app.state.storyreel.secrets.jwt  # type: ignore[attr-defined]

    unsigned = jwt.encode(claims, None, algorithm="none")
    other_key = _forge(claims, "not-the-server-key-but-long-enough-123")
    expired = _forge({**claims, "iat": now - 7200, "exp": now - 3600}, key)
    no_exp = _forge({k: v for k, v in claims.items() if k != "exp"}, key)
    refresh_as_access = alice.refresh_token
    body = alice.token.split(".")
    flipped = ".".join(
        [body[0], body[1][:-2] + ("A" if body[1][-2] != "A" else "B") + body[1][-1], body[2]]
    )

    for token in (unsigned, other_key, expired, no_exp, refresh_as_access, flipped, "garbage"):
        r = api.client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 401, token
        assert r.json()["code"] == 401
    # The genuine token still works and a correctly re-signed one too (the key is the check).
    assert api.client.get("/api/v1/auth/me", headers=alice.headers).status_code == 200
    assert (
        api.client.get(
            "/api/v1/auth/me", headers={"Authorization": f"Bearer {_forge(claims, key)}"}
        ).status_code
        == 200
    )


def test_api_keys_show_the_secret_once_and_can_be_revoked(api: Api) -> None:
    alice, bob = api.register("alice"), api.register("bob")
    made = api.client.post("/api/v1/auth/api-keys", json={"name": "ci"}, headers=alice.headers)
    assert made.status_code == 201
    secret = made.json()["secret"]
    as_key = {"Authorization": f"Bearer {secret}"}
    assert api.client.get("/api/v1/auth/me", headers=as_key).json()["id"] == alice.user_id
    assert api.client.get("/api/v1/auth/me", headers={"X-API-Key": secret}).status_code == 200
    listed = api.client.get("/api/v1/auth/api-keys", headers=alice.headers).json()
    assert [k["name"] for k in listed] == ["ci"] and "secret" not in listed[0]
    # Using a key stamps it, so its owner can tell a live key from a forgotten one.
    assert listed[0]["last_used_at"] is not None
    assert made.json()["last_used_at"] is None

    key_id = made.json()["id"]
    stolen = api.client.delete(f"/api/v1/auth/api-keys/{key_id}", headers=bob.headers)
    assert stolen.status_code == 404
    gone = api.client.delete(f"/api/v1/auth/api-keys/{key_id}", headers=alice.headers)
    assert gone.status_code == 204
    assert api.client.get("/api/v1/auth/me", headers=as_key).status_code == 401


def test_idempotency_key_replays_and_conflicts(api: Api) -> None:
    alice = api.register("alice")
    headers = {**alice.headers, "Idempotency-Key": "key-1"}
    first = api.client.post("/api/v1/auth/api-keys", json={"name": "ci"}, headers=headers)
    again = api.client.post("/api/v1/auth/api-keys", json={"name": "ci"}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    # The same key, but its secret is never stored: the replay cannot show it again.
    assert again.json() == {**first.json(), "secret": None} and first.json()["secret"]
    assert len(api.client.get("/api/v1/auth/api-keys", headers=alice.headers).json()) == 1
    other = api.client.post("/api/v1/auth/api-keys", json={"name": "cd"}, headers=headers)
    assert other.status_code == 409


def test_first_start_made_the_admin(api: Api) -> None:
    admin = api.admin()
    me = api.client.get("/api/v1/auth/me", headers=admin.headers).json()
    assert me["role"] == "admin"


def test_a_user_renames_themselves_and_only_themselves(api: Api) -> None:
    alice, bob = api.register("alice"), api.register("bob")
    renamed = api.client.patch(
        "/api/v1/auth/me", json={"display_name": "  林晓 Lin  "}, headers=alice.headers
    )
    assert renamed.status_code == 200 and renamed.json()["display_name"] == "林晓 Lin"
    # Seen at once (the account cache is dropped), and bob is untouched.
    assert api.client.get("/api/v1/auth/me", headers=alice.headers).json()["display_name"] == (
        "林晓 Lin"
    )
    bobs = api.client.get("/api/v1/auth/me", headers=bob.headers).json()
    assert bobs["display_name"] != "林晓 Lin"
    for body, field in (
        ({"display_name": "   "}, "display_name"),
        ({"display_name": "x" * 101}, "display_name"),
        ({"display_name": "Ada", "role": "admin"}, "role"),
    ):
        refused = api.client.patch("/api/v1/auth/me", json=body, headers=alice.headers)
        assert refused.status_code == 422, body
        assert refused.json()["errors"][0]["field"] == field
    assert api.client.get("/api/v1/auth/me", headers=alice.headers).json()["role"] == "user"
    assert api.client.patch("/api/v1/auth/me", json={"display_name": "x"}).status_code == 401


def test_changing_the_password_retires_old_logins(api: Api) -> None:
    alice = api.register("alice")
    wrong = api.client.post(
        "/api/v1/auth/password",
        json={"current_password": "not it", "new_password": "a new long password"},
        headers=alice.headers,
    )
    assert wrong.status_code == 403
    changed = api.client.post(
        "/api/v1/auth/password",
        json={"current_password": PASSWORD, "new_password": "a new long password"},
        headers=alice.headers,
    )
    assert changed.status_code == 204
    old = api.client.post("/api/v1/auth/refresh", json={"refresh_token": alice.refresh_token})
    assert old.status_code == 401
    assert api.login(alice.email, "a new long password").user_id == alice.user_id
    refused = api.client.post(
        "/api/v1/auth/login", json={"email": alice.email, "password": PASSWORD}
    )
    assert refused.status_code == 401
