"""Daily quotas: a refusal is a 429 naming the quota and when it resets; layers apply in order
(system < plan < user < project); deleting a project does not give its usage back."""

from __future__ import annotations

from tests.api.kit import Account, Api
from tests.api.test_projects import storyboarded

STORY = "The keeper lit the lamp at dusk.\n\nA small boat found the harbour by its light."


def _image(api: Api, who: Account) -> int:
    r = api.client.post(
        "/api/v1/images/generate",
        json={"prompt": "a lamp in the dark", "width": 128, "height": 128},
        headers=who.headers,
    )
    return r.status_code


def test_images_quota_counts_deleted_projects_and_says_when_it_resets(api: Api) -> None:
    alice = api.register("alice")
    api.set_user(alice.user_id, quotas={"images_per_day": 2})
    project = storyboarded(api, alice, story=STORY, style="comic")
    shot = project["shots"][0]  # type: ignore[index]
    remade = api.client.post(
        f"/api/v1/projects/{project['id']}/shots/{shot['id']}/image", json={}, headers=alice.headers
    )
    assert remade.status_code == 202, remade.text
    gone = api.client.delete(f"/api/v1/projects/{project['id']}", headers=alice.headers)
    assert gone.status_code == 204
    assert _image(api, alice) == 202  # the second image of the day
    refused = api.client.post(
        "/api/v1/images/generate", json={"prompt": "one more"}, headers=alice.headers
    )
    assert refused.status_code == 429
    body = refused.json()
    assert body["details"]["quota"] == "images_per_day" and body["details"]["limit"] == 2
    assert body["details"]["resets_at"].endswith("T00:00:00+00:00")
    assert 0 < int(refused.headers["retry-after"]) <= 86_400
    # Another user's day is their own.
    assert _image(api, api.register("bob")) == 202


def test_layers_plan_then_user_then_project(api: Api) -> None:
    alice, admin = api.register("alice"), api.admin()
    long_story = {"story": STORY, "style": "comic", "auto": False, "target_seconds": 600}
    # System default max_duration_s (1200) allows 600 s; the guest plan (60 s) does not.
    assert (
        api.client.post("/api/v1/projects", json=long_story, headers=alice.headers).status_code
        == 201
    )
    api.set_user(alice.user_id, plan="pro", role="guest")
    refused = api.client.post("/api/v1/projects", json=long_story, headers=alice.headers)
    assert refused.status_code == 422 and refused.json()["details"]["quota"] == "max_duration_s"
    assert "60 s per video" in refused.json()["message"]
    # A user-level override beats the plan.
    api.set_user(alice.user_id, role="user", plan="free", quotas={"max_duration_s": 30})
    refused = api.client.post("/api/v1/projects", json=long_story, headers=alice.headers)
    assert refused.status_code == 422 and refused.json()["details"]["limit"] == 30
    # Admins have no quotas.
    ok = api.client.post("/api/v1/projects", json=long_story, headers=admin.headers)
    assert ok.status_code == 201


def test_redraws_count_and_one_over_the_limit_is_rolled_back(api: Api) -> None:
    alice = api.register("alice")
    api.set_user(alice.user_id, quotas={"images_per_day": 1})
    project = storyboarded(api, alice, story=STORY, style="comic")
    pid, shot = project["id"], project["shots"][0]  # type: ignore[index]
    first = api.client.post(
        f"/api/v1/projects/{pid}/shots/{shot['id']}/image", json={}, headers=alice.headers
    )
    assert first.status_code == 202  # the day's one picture
    # Redrawing it again (a new prompt re-runs the same task) would be a second picture.
    edit = api.client.patch(
        f"/api/v1/projects/{pid}/shots/{shot['id']}",
        json={"visual_prompt": "a different harbour at dawn"},
        headers=alice.headers,
    )
    assert edit.status_code == 429 and edit.json()["details"]["quota"] == "images_per_day"
    kept = api.client.get(f"/api/v1/projects/{pid}", headers=alice.headers).json()
    assert kept["shots"][0]["visual_prompt"] == shot["visual_prompt"]  # nothing changed
    usage = api.client.get("/api/v1/usage", headers=alice.headers)
    assert usage.status_code == 200
