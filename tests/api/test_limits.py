"""Rate limits per user and per IP answer 429 with Retry-After and the standard error body."""

from __future__ import annotations

from storyreel.settings import Settings
from tests.api.kit import running_api


def test_per_user_limit_answers_429_with_retry_after(settings: Settings) -> None:
    limits = {"per_user": "5/minute", "per_ip": "1000/minute", "auth_per_ip": "1000/minute"}
    with running_api(settings, rate_limits=limits) as api:
        alice, bob = api.register("alice"), api.register("bob")
        answers = [api.client.get("/api/v1/auth/me", headers=alice.headers) for _ in range(6)]
        assert [r.status_code for r in answers] == [200] * 5 + [429]
        refused = answers[-1]
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        body = refused.json()
        assert body["code"] == 429 and "too many requests" in body["message"]
        assert body["details"]["scope"] == "user"
        # Another user is counted separately.
        assert api.client.get("/api/v1/auth/me", headers=bob.headers).status_code == 200


def test_per_ip_limit_covers_logins(settings: Settings) -> None:
    limits = {"per_user": "1000/minute", "per_ip": "1000/minute", "auth_per_ip": "3/minute"}
    with running_api(settings, rate_limits=limits) as api:
        tries = [
            api.client.post(
                "/api/v1/auth/login", json={"email": "who@example.com", "password": "guess"}
            )
            for _ in range(4)
        ]
        assert [r.status_code for r in tries] == [401, 401, 401, 429]
        assert tries[-1].headers["retry-after"]


def test_counters_in_redis_are_shared_by_api_processes(settings: Settings, redis_url: str) -> None:
    """The cluster shape: two API apps (as two processes would) count one user together."""
    limits = {"per_user": "4/minute", "per_ip": "1000/minute", "auth_per_ip": "1000/minute"}
    with (
        running_api(settings, rate_limits=limits, rate_limit_url=redis_url) as one,
        running_api(settings, rate_limits=limits, rate_limit_url=redis_url) as two,
    ):
        alice = one.register("alice")
        first = [one.client.get("/api/v1/auth/me", headers=alice.headers) for _ in range(2)]
        second = [two.client.get("/api/v1/auth/me", headers=alice.headers) for _ in range(3)]
        statuses = [r.status_code for r in first + second]
        assert statuses == [200, 200, 200, 200, 429]
        assert int(second[-1].headers["retry-after"]) >= 1
