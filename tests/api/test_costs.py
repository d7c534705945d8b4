"""Costs, budgets, an account's own provider keys and routes, and provider health — through the
API, with the real 'openai' image provider talking to a fake images API on loopback that
charges 0.04 a picture."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from storyreel.db.models import ProviderKey, UsageRecord
from storyreel.db.session import Database
from storyreel.providers.keys import KeyCipher, KeyUnreadable, mask
from storyreel.settings import Settings
from tests.api.kit import Account, Api, running_api
from tests.api.test_projects import P, settled, storyboarded
from tests.api.test_tasks import wait_for_task
from tests.providers.fake_media_servers import FakeImageAPI

PRICE = 0.04
OPERATOR_KEY = "sk-operator-key"
ALICE_KEY = "sk-alice-own-key-1234"


@pytest.fixture
def images() -> Iterator[FakeImageAPI]:
    with FakeImageAPI(api_key=OPERATOR_KEY) as fake:
        yield fake


@pytest.fixture
def api(settings: Settings, images: FakeImageAPI) -> Iterator[Api]:
    with running_api(
        settings,
        providers={"image": "openai"},
        openai_image={
            "base_url": f"{images.url}/v1",
            "api_key": OPERATOR_KEY,
            "price_per_image": PRICE,
        },
    ) as running:
        yield running


def cost(api: Api, who: Account, project_id: str) -> dict[str, Any]:
    r = api.client.get(f"{P}/{project_id}/cost", headers=who.headers)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def remake_image(api: Api, who: Account, project: dict[str, Any], n: int = 0, seed: int = 7) -> Any:
    shot = project["shots"][n]
    return api.client.post(
        f"{P}/{project['id']}/shots/{shot['id']}/image", json={"seed": seed}, headers=who.headers
    )


def records(api: Api) -> list[UsageRecord]:
    db = Database(api.settings.database)
    try:
        with db.session() as s:
            return list(s.scalars(select(UsageRecord).where(UsageRecord.capability == "image")))
    finally:
        db.dispose()


# --- cost so far and estimates --------------------------------------------------------------


def test_a_project_shows_its_cost_so_far_and_an_estimate(api: Api, images: FakeImageAPI) -> None:
    alice = api.register("alice")
    project = storyboarded(api, alice, style="comic")
    n = len(project["shots"])
    before = cost(api, alice, project["id"])
    assert before["currency"] == "USD" and before["spent"] == 0
    line = next(x for x in before["estimate_lines"] if x["capability"] == "image")
    assert line == {
        "capability": "image",
        "provider": "openai",
        "count": n,
        "units": {"images": n},
        "cost": pytest.approx(n * PRICE),
    }
    assert before["estimate"] == pytest.approx(n * PRICE)  # espeak, kenburns, ambient are free

    assert remake_image(api, alice, project).status_code == 202
    done = settled(api, alice, project["id"])
    assert done["shots"][0]["tasks"]["image"]["status"] == "succeeded"
    after = cost(api, alice, project["id"])
    assert after["spent"] == pytest.approx(PRICE)
    assert after["spent_by_capability"] == {"image": pytest.approx(PRICE), "storyboard": 0}
    assert after["estimate"] == pytest.approx((n - 1) * PRICE)
    [record] = records(api)
    assert record.cost == pytest.approx(PRICE) and record.provider == "openai"
    assert record.units["images"] == 1


# --- budgets --------------------------------------------------------------------------------


def test_a_project_budget_refuses_a_render_that_would_pass_it(api: Api) -> None:
    alice = api.register("alice")
    project = storyboarded(api, alice, style="comic")
    assert len(project["shots"]) >= 2
    r = api.client.patch(f"{P}/{project['id']}", json={"budget": PRICE}, headers=alice.headers)
    assert r.status_code == 200 and r.json()["budget"] == PRICE
    refused = api.client.post(
        f"{P}/{project['id']}/render", json={"quality": "preview"}, headers=alice.headers
    )
    assert refused.status_code == 402, refused.text
    body = refused.json()
    assert body["code"] == 402 and "this project's budget" in body["message"]
    assert body["details"]["budget"] == "project_budget"
    assert body["details"]["limit"] == PRICE and body["details"]["currency"] == "USD"
    # One more picture fits exactly; the one after does not.
    assert remake_image(api, alice, project, 0).status_code == 202
    settled(api, alice, project["id"])
    again = remake_image(api, alice, project, 1)
    assert again.status_code == 402 and again.json()["details"]["spent"] == pytest.approx(PRICE)
    # Lifting the budget lets the work through.
    api.client.patch(f"{P}/{project['id']}", json={"budget": None}, headers=alice.headers)
    assert remake_image(api, alice, project, 1).status_code == 202


def test_a_daily_budget_is_per_account(api: Api) -> None:
    alice, bob = api.register("alice"), api.register("bob")
    api.set_user(alice.user_id, quotas={"cost_per_day": 0.05})

    def picture(who: Account) -> Any:
        return api.client.post(
            "/api/v1/images/generate", json={"prompt": "a lamp", "seed": 1}, headers=who.headers
        )

    first = picture(alice)
    assert first.status_code == 202
    assert wait_for_task(api, alice, first.json()["id"])["status"] == "succeeded"
    refused = picture(alice)
    assert refused.status_code == 402
    assert refused.json()["details"]["budget"] == "cost_per_day"
    assert (
        "cost_per_day" in refused.json()["message"] and "midnight UTC" in refused.json()["message"]
    )
    assert picture(bob).status_code == 202


# --- own keys -------------------------------------------------------------------------------


def test_own_provider_keys_are_sealed_masked_and_used_instead_of_the_operators(
    api: Api, images: FakeImageAPI
) -> None:
    alice, bob = api.register("alice"), api.register("bob")
    r = api.client.put(
        "/api/v1/me/provider-keys/openai_image",
        json={"api_key": ALICE_KEY},
        headers=alice.headers,
    )
    assert r.status_code == 200, r.text
    assert r.json()["hint"] == "sk-…1234" and ALICE_KEY not in r.text
    listed = api.client.get("/api/v1/me/provider-keys", headers=alice.headers)
    assert [k["slot"] for k in listed.json()] == ["openai_image"] and ALICE_KEY not in listed.text
    assert api.client.get("/api/v1/me/provider-keys", headers=bob.headers).json() == []

    db = Database(api.settings.database)
    try:
        with db.session() as s:
            [row] = s.scalars(select(ProviderKey))
            assert ALICE_KEY not in row.sealed and row.hint == mask(ALICE_KEY)
    finally:
        db.dispose()

    # The fake now takes only Alice's key: her picture is made, the operator's key is refused.
    images.api_key = ALICE_KEY
    mine = storyboarded(api, alice, style="comic")
    assert remake_image(api, alice, mine).status_code == 202
    assert settled(api, alice, mine["id"])["shots"][0]["tasks"]["image"]["status"] == "succeeded"
    theirs = storyboarded(api, bob, style="comic")
    # (Another seed: the same request would be served from the result cache, key or not.)
    assert remake_image(api, bob, theirs, seed=8).status_code == 202
    state = settled(api, bob, theirs["id"])["shots"][0]["tasks"]["image"]
    failed = api.client.get(f"/api/v1/tasks/{state['id']}", headers=bob.headers).json()
    assert failed["status"] == "failed", failed
    assert "HTTP 401" in failed["error"]["message"] and "API key" in failed["error"]["message"]

    gone = api.client.delete("/api/v1/me/provider-keys/openai_image", headers=alice.headers)
    assert gone.status_code == 204
    assert api.client.get("/api/v1/me/provider-keys", headers=alice.headers).json() == []


def test_bad_provider_keys_are_refused_clearly(api: Api) -> None:
    alice = api.register("alice")
    unknown = api.client.put(
        "/api/v1/me/provider-keys/nope", json={"api_key": "sk-12345678"}, headers=alice.headers
    )
    assert unknown.status_code == 404 and "openai_image" in unknown.json()["message"]
    spaced = api.client.put(
        "/api/v1/me/provider-keys/llm", json={"api_key": "sk-1234 5678"}, headers=alice.headers
    )
    assert spaced.status_code == 422 and "spaces" in spaced.json()["message"]
    short = api.client.put(
        "/api/v1/me/provider-keys/llm", json={"api_key": "sk"}, headers=alice.headers
    )
    assert short.status_code == 422
    missing = api.client.delete("/api/v1/me/provider-keys/llm", headers=alice.headers)
    assert missing.status_code == 404


def test_sealed_keys_need_the_servers_secret(tmp_path: Path) -> None:
    sealed = KeyCipher(["first secret"]).seal("sk-abc")
    assert KeyCipher(["first secret"]).open(sealed) == "sk-abc"
    assert KeyCipher(["new secret", "first secret"]).open(sealed) == "sk-abc"  # rotation
    with pytest.raises(KeyUnreadable, match="store it again"):
        KeyCipher(["another secret"]).open(sealed)


# --- routes ---------------------------------------------------------------------------------


def test_accounts_and_projects_choose_their_routes(api: Api) -> None:
    alice = api.register("alice")
    wrong = api.client.put(
        "/api/v1/me/routing", json={"image": {"providers": ["nope"]}}, headers=alice.headers
    )
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "routing.image.providers"
    r = api.client.put(
        "/api/v1/me/routing",
        json={"image": {"providers": ["sketch", "openai"], "strategy": "cost"}},
        headers=alice.headers,
    )
    assert r.status_code == 200, r.text
    assert r.json()["effective"]["image"] == {"providers": ["sketch", "openai"], "strategy": "cost"}
    assert r.json()["effective"]["voice"] == {"providers": ["espeak"], "strategy": "ordered"}

    # The account's route (sketch first, free) makes the picture: nothing is spent.
    project = storyboarded(api, alice, style="comic")
    assert cost(api, alice, project["id"])["estimate"] == 0
    assert remake_image(api, alice, project).status_code == 202
    settled(api, alice, project["id"])
    assert cost(api, alice, project["id"])["spent"] == 0
    # The project's own route wins over the account's.
    r = api.client.patch(
        f"{P}/{project['id']}",
        json={"routing": {"image": {"providers": ["openai"]}}},
        headers=alice.headers,
    )
    assert r.status_code == 200 and r.json()["routing"] == {"image": {"providers": ["openai"]}}
    assert cost(api, alice, project["id"])["estimate"] > 0


# --- health ---------------------------------------------------------------------------------


def test_admins_see_provider_health_and_readiness_can_include_it(
    api: Api, images: FakeImageAPI
) -> None:
    alice, admin = api.register("alice"), api.admin()
    assert api.client.get("/api/v1/admin/providers", headers=alice.headers).status_code == 403
    r = api.client.get("/api/v1/admin/providers?probe=true", headers=admin.headers)
    assert r.status_code == 200, r.text
    by_name = {(p["capability"], p["provider"]): p for p in r.json()}
    openai = by_name[("image", "openai")]
    assert openai["in_route"] and openai["configured"] and openai["health"]["ok"]
    assert openai["circuit"] == "closed"
    comfy = by_name[("image", "comfyui")]
    assert not comfy["configured"] and "STORYREEL_COMFYUI__URL" in comfy["problem"]
    assert not comfy["in_route"]

    ready = api.client.get("/readyz?providers=true")
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"]["providers.image"]["detail"].startswith("openai:")
    assert "providers.image" not in api.client.get("/readyz").json()["checks"]


def test_readiness_fails_when_a_capability_has_no_healthy_provider(settings: Settings) -> None:
    with running_api(
        settings,
        providers={"image": "openai"},
        openai_image={"base_url": "http://127.0.0.1:9/v1", "api_key": OPERATOR_KEY},
    ) as api:
        r = api.client.get("/readyz?providers=true")
        assert r.status_code == 503
        failed = {e["field"]: e["message"] for e in r.json()["errors"]}
        assert list(failed) == ["providers.image"] and "cannot reach" in failed["providers.image"]
