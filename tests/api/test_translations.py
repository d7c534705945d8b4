"""POST /projects/{id}/translate against a fake OpenAI-compatible model on loopback, and the
plain refusal (with the settings to set) on a server without an LLM."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from storyreel.db.models import Project, Shot
from storyreel.db.repositories import projects as projects_repo
from storyreel.db.session import Database
from storyreel.settings import Settings
from tests.api.kit import Api, running_api
from tests.api.test_projects import P, storyboarded
from tests.providers import fakes
from tests.providers.fakes import FAKE_MODEL, FakeOpenAI, Recorded, Reply, chat_completion

fake_openai = fakes.fake_openai  # the fixture, used by name below


def to_chinese(request: Recorded) -> Reply:
    user = request.json["messages"][1]["content"]
    match = re.search(r"<shots>\n(.*)\n</shots>", user, re.DOTALL)
    assert match
    shots = json.loads(match.group(1))
    answer = {
        "title": "灯塔",
        "shots": [
            {"id": s["id"], "narration": f"第{k + 1}个镜头的旁白。"} for k, s in enumerate(shots)
        ],
    }
    return chat_completion(json.dumps(answer, ensure_ascii=False))


@pytest.fixture
def llm_api(settings: Settings, fake_openai: FakeOpenAI) -> Iterator[Api]:
    llm = {"base_url": fake_openai.base_url, "api_key": "sk-test", "model": FAKE_MODEL}
    with running_api(settings, llm=llm) as running:
        yield running


def rows(api: Api, project_id: str) -> tuple[Project, list[Shot]]:
    db = Database(api.settings.database)
    try:
        with db.session() as s:
            project = projects_repo.get(s, project_id)
            assert project is not None
            shots = projects_repo.shots(s, project_id)
            s.expunge_all()
            return project, shots
    finally:
        db.dispose()


def test_a_project_is_translated_into_a_new_project_with_the_same_shots(
    llm_api: Api, fake_openai: FakeOpenAI
) -> None:
    alice = llm_api.register("alice")
    original = storyboarded(llm_api, alice)
    count = len(original["shots"])
    # The model first merges two shots: the answer is sent back and repaired.
    fake_openai.script(
        FakeOpenAI.CHAT,
        chat_completion(json.dumps({"title": "灯塔", "shots": [{"id": "x", "narration": "一。"}]})),
    )
    fake_openai.route(FakeOpenAI.CHAT, to_chinese)
    r = llm_api.client.post(
        f"{P}/{original['id']}/translate",
        json={"to": "zh", "bilingual_subtitles": True},
        headers=alice.headers,
    )
    assert r.status_code == 201, r.text
    copy: dict[str, Any] = r.json()
    assert copy["id"] != original["id"] and copy["title"] == "灯塔"
    assert copy["detected_language"] == "zh" and copy["voice"] == "auto"
    assert [s["key"] for s in copy["shots"]] == [s["key"] for s in original["shots"]]
    assert [s["visual_prompt"] for s in copy["shots"]] == [
        s["visual_prompt"] for s in original["shots"]
    ]
    assert [s["narration"] for s in copy["shots"]] == [
        f"第{k + 1}个镜头的旁白。" for k in range(count)
    ]
    assert len(fake_openai.chat_requests()) == 2
    assert "has 1 shots but the storyboard has" in json.dumps(
        fake_openai.chat_requests()[1]["messages"][-1], ensure_ascii=False
    )
    # The copy keeps the original narration for the second subtitle line, and its pictures;
    # its voices are to be made again in Chinese.
    project, shots = rows(llm_api, copy["id"])
    assert project.bilingual_subtitles and project.language == "zh"
    assert [s.original_narration for s in shots] == [s["narration"] for s in original["shots"]]
    assert all(s.voice_asset_id is None for s in shots)
    # A copy of the translated project keeps both languages.
    dup = llm_api.client.post(f"{P}/{copy['id']}/duplicate", headers=alice.headers)
    assert dup.status_code == 201, dup.text
    _, dup_shots = rows(llm_api, dup.json()["id"])
    assert [s.original_narration for s in dup_shots] == [s.original_narration for s in shots]
    # The original is untouched.
    again = llm_api.client.get(f"{P}/{original['id']}", headers=alice.headers).json()
    assert [s["narration"] for s in again["shots"]] == [s["narration"] for s in original["shots"]]


def test_translating_into_the_projects_own_language_is_refused(llm_api: Api) -> None:
    alice = llm_api.register("alice")
    original = storyboarded(llm_api, alice)
    r = llm_api.client.post(
        f"{P}/{original['id']}/translate", json={"to": "en"}, headers=alice.headers
    )
    assert r.status_code == 422
    assert "already in English" in r.json()["message"]
    r = llm_api.client.post(
        f"{P}/{original['id']}/translate", json={"to": "fr"}, headers=alice.headers
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "to"


def test_the_capability_says_an_llm_is_configured(llm_api: Api) -> None:
    alice = llm_api.register("alice")
    body = llm_api.client.get("/api/v1/translation", headers=alice.headers).json()
    assert body["available"] is True and body["reason"] is None
    assert {lang["code"] for lang in body["languages"]} == {"zh", "en"}


def test_without_an_llm_translation_is_refused_naming_the_settings(api: Api) -> None:
    alice = api.register("alice")
    body = api.client.get("/api/v1/translation", headers=alice.headers).json()
    assert body["available"] is False
    assert "STORYREEL_LLM__BASE_URL" in body["reason"]
    original = storyboarded(api, alice)
    r = api.client.post(f"{P}/{original['id']}/translate", json={"to": "zh"}, headers=alice.headers)
    assert r.status_code == 409
    error = r.json()
    assert error["code"] == 409 and error["request_id"]
    assert error["message"].startswith("translation needs an LLM")
    assert "STORYREEL_LLM__BASE_URL" in error["message"]
    assert "STORYREEL_LLM__API_KEY" in error["message"]
    listed = api.client.get(P, headers=alice.headers).json()
    assert listed["total"] == 1  # no copy was made
