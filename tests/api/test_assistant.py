"""The assistant over the API: a conversation kept per person, refined over turns, a script
by the fake LLM on loopback (refused offline, naming the settings), a person's own script, a
project made from it, and the admins' templates."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from storyreel.settings import Settings
from tests.api.kit import Api, running_api
from tests.providers import fakes
from tests.providers.fakes import FAKE_MODEL, FakeOpenAI, Recorded, Reply, chat_completion

fake_openai = fakes.fake_openai  # the fixture, used by name below

A = "/api/v1/assistant"
C = f"{A}/conversations"
IDEA = "a 60-second sci-fi short about a lighthouse keeper's robot named Bolt, warm, for children"


@pytest.fixture
def llm_api(settings: Settings, fake_openai: FakeOpenAI) -> Iterator[Api]:
    llm = {"base_url": fake_openai.base_url, "api_key": "sk-test", "model": FAKE_MODEL}
    with running_api(settings, llm=llm) as running:
        yield running


def script_answer(request: Recorded) -> Reply:
    """A script of about the asked length that keeps the brief's names."""
    user = request.json["messages"][-1]["content"]
    assert "Bolt" in request.json["messages"][1]["content"]
    assert "Beats:" in request.json["messages"][1]["content"]
    del user
    sentence = "Bolt the robot climbs the lighthouse stairs at dusk and lights the great lamp. "
    return chat_completion(f"<title>Bolt and the Storm</title>\n<story>{sentence * 10}</story>")


def start(api: Api, headers: dict[str, str], message: str = IDEA) -> dict[str, Any]:
    r = api.client.post(C, json={"message": message}, headers=headers)
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def test_a_conversation_builds_and_refines_the_brief(api: Api) -> None:
    alice = api.register("alice")
    c = start(api, alice.headers)
    assert c["brief"]["genre"] == "scifi" and c["brief"]["length_s"] == 60
    assert c["plan"]["template"]["id"] == "scifi" and c["plan"]["style"] == "childrens_book"
    assert c["questions"] == ["What does the lead want, and what stands in the way?"]
    assert [t["speaker"] for t in c["turns"]] == ["user", "assistant"]
    r = api.client.post(
        f"{C}/{c['id']}/messages", json={"message": "make it darker"}, headers=alice.headers
    )
    assert r.status_code == 200, r.text
    c = r.json()
    assert c["brief"]["moods"] == ["dark"]
    assert c["turns"][-2]["changes"] == ["mood: dark instead of warm"]
    assert c["issues"][0]["kind"] == "contradiction"
    # Kept per person: listed for alice, not found for bob.
    listed = api.client.get(C, headers=alice.headers).json()
    assert [i["id"] for i in listed["items"]] == [c["id"]]
    bob = api.register("bob")
    assert api.client.get(f"{C}/{c['id']}", headers=bob.headers).status_code == 404
    r = api.client.post(f"{C}/{c['id']}/messages", json={"message": "hi"}, headers=bob.headers)
    assert r.status_code == 404
    assert api.client.get(C, headers=bob.headers).json()["total"] == 0


def test_bad_messages_are_refused_with_the_field(api: Api) -> None:
    alice = api.register("alice")
    r = api.client.post(C, json={"message": ""}, headers=alice.headers)
    assert r.status_code == 422
    r = api.client.post(C, json={"message": "   "}, headers=alice.headers)
    assert r.status_code == 422
    assert "empty" in r.json()["message"]
    r = api.client.post(C, json={"message": "x" * 2001}, headers=alice.headers)
    assert r.status_code == 422


def test_offline_the_script_is_refused_naming_the_settings_and_your_own_is_taken(api: Api) -> None:
    alice = api.register("alice")
    capability = api.client.get(A, headers=alice.headers).json()
    assert capability["script_writing"]["available"] is False
    assert "STORYREEL_LLM__API_KEY" in capability["script_writing"]["reason"]
    c = start(api, alice.headers)
    assert c["script_writing"]["available"] is False
    r = api.client.post(f"{C}/{c['id']}/script", headers=alice.headers)
    assert r.status_code == 409
    assert "STORYREEL_LLM__BASE_URL" in r.json()["message"]
    # A project needs a script first.
    r = api.client.post(f"{C}/{c['id']}/project", json={}, headers=alice.headers)
    assert r.status_code == 409 and "no script" in r.json()["message"]
    story = "Bolt the robot keeps the lighthouse lamp lit. A storm comes. Bolt climbs the stairs."
    r = api.client.put(
        f"{C}/{c['id']}/script", json={"title": "Bolt", "text": story}, headers=alice.headers
    )
    assert r.status_code == 200, r.text
    assert r.json()["script"] == {"title": "Bolt", "text": story}
    r = api.client.post(f"{C}/{c['id']}/project", json={"auto": False}, headers=alice.headers)
    assert r.status_code == 201, r.text
    project = r.json()
    assert project["title"] == "Bolt" and project["style"] == "childrens_book"
    assert project["aspect"] == "16:9" and project["target_seconds"] == 60
    again = api.client.get(f"{C}/{c['id']}", headers=alice.headers).json()
    assert again["project_id"] == project["id"]


def test_with_an_llm_the_script_is_written_from_the_brief(
    llm_api: Api, fake_openai: FakeOpenAI
) -> None:
    alice = llm_api.register("alice")
    c = start(llm_api, alice.headers)
    assert c["script_writing"] == {"available": True, "reason": None}
    # The first answer has no story: it goes back with the problem, then a good one is taken.
    fake_openai.script(FakeOpenAI.CHAT, chat_completion("<title>x</title>"))
    fake_openai.route(FakeOpenAI.CHAT, script_answer)
    r = llm_api.client.post(f"{C}/{c['id']}/script", headers=alice.headers)
    assert r.status_code == 200, r.text
    script = r.json()["script"]
    assert script["title"] == "Bolt and the Storm" and "Bolt the robot" in script["text"]
    chats = fake_openai.calls(FakeOpenAI.CHAT)
    assert len(chats) == 2
    assert "there is no story" in chats[1].json["messages"][-1]["content"]


def test_admins_add_templates_that_the_library_uses(api: Api) -> None:
    admin = api.admin()
    alice = api.register("alice")
    body = {
        "version": 1,
        "tasks": ["video", "script"],
        "genre": "mystery",
        "title": "Cosy mystery",
        "title_zh": "温馨推理",
        "default_length_s": 45,
        "default_style": "watercolor",
        "beats": ["A small village", "A missing cake", "The culprit is the cat"],
        "beats_zh": ["一个小村庄", "蛋糕不见了", "原来是猫"],
    }
    r = api.client.put(
        "/api/v1/admin/assistant/templates/cosy-mystery",
        json=body,
        headers=alice.headers,
    )
    assert r.status_code == 403
    r = api.client.put(
        "/api/v1/admin/assistant/templates/cosy-mystery", json=body, headers=admin.headers
    )
    assert r.status_code == 200, r.text
    assert r.json()["source"] == "custom"
    # Same version again: refused; a bad style: 422 naming it.
    r = api.client.put(
        "/api/v1/admin/assistant/templates/cosy-mystery", json=body, headers=admin.headers
    )
    assert r.status_code == 409
    r = api.client.put(
        "/api/v1/admin/assistant/templates/cosy-2",
        json={**body, "default_style": "oil"},
        headers=admin.headers,
    )
    assert r.status_code == 422 and "oil" in r.json()["message"]
    ids = [t["id"] for t in api.client.get(f"{A}/templates", headers=alice.headers).json()]
    assert "cosy-mystery" in ids and "mystery" in ids
    c = start(api, alice.headers, "a mystery in a village bakery")
    assert c["plan"]["template"]["id"] == "cosy-mystery"
    assert c["plan"]["length_s"] == 45 and c["plan"]["style"] == "watercolor"
    assert (
        api.client.delete(
            "/api/v1/admin/assistant/templates/cosy-mystery", headers=admin.headers
        ).status_code
        == 204
    )
    r = api.client.post(f"{C}/{c['id']}/messages", json={"message": "ok"}, headers=alice.headers)
    assert r.json()["plan"]["template"]["id"] == "mystery"


def test_deleting_a_conversation(api: Api) -> None:
    alice = api.register("alice")
    c = start(api, alice.headers)
    assert api.client.delete(f"{C}/{c['id']}", headers=alice.headers).status_code == 204
    assert api.client.get(f"{C}/{c['id']}", headers=alice.headers).status_code == 404


@pytest.fixture
def priced_llm_api(settings: Settings, fake_openai: FakeOpenAI) -> Iterator[Api]:
    llm = {
        "base_url": fake_openai.base_url,
        "api_key": "sk-test",
        "model": FAKE_MODEL,
        "price_input_per_1k": 1.0,
        "price_output_per_1k": 2.0,
    }
    with running_api(settings, llm=llm) as running:
        yield running


def test_a_script_costs_the_account_and_a_spent_budget_refuses_the_next(
    priced_llm_api: Api, fake_openai: FakeOpenAI
) -> None:
    api = priced_llm_api
    alice = api.register("alice")
    story = "Bolt the robot climbs the lighthouse stairs at dusk and lights the lamp. " * 10
    fake_openai.route(
        FakeOpenAI.CHAT,
        lambda _: chat_completion(
            f"<title>Bolt</title><story>{story}</story>", prompt_tokens=1000, completion_tokens=500
        ),
    )
    c = start(api, alice.headers)
    assert api.client.post(f"{C}/{c['id']}/script", headers=alice.headers).status_code == 200
    # 1,000 tokens in at 1.0 and 500 out at 2.0 per 1,000: 2.0, on today's bill.
    usage = api.client.get("/api/v1/usage", headers=alice.headers)
    assert usage.status_code == 200, usage.text
    assert sum(d["provider_cost"] for d in usage.json()["days"]) == pytest.approx(2.0)
    api.set_user(alice.user_id, quotas={"cost_per_day": 2.0})
    refused = api.client.post(f"{C}/{c['id']}/script", headers=alice.headers)
    assert refused.status_code == 402
    assert refused.json()["details"]["budget"] == "cost_per_day"
