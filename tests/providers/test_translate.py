"""The translator against a fake OpenAI-compatible server on loopback: the shots kept, a wrong
shot count sent back and repaired, and a plain refusal when no LLM is configured."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from storyreel.providers.base import ProviderError
from storyreel.providers.http import RetryPolicy
from storyreel.providers.llm.translate import OpenAIChatTranslator, unavailable_reason
from storyreel.settings import Settings
from tests.providers import fakes
from tests.providers.fakes import FAKE_MODEL, FakeOpenAI, Recorded, Reply, chat_completion

fake_openai = fakes.fake_openai  # the fixture, used by name below
CHAT = FakeOpenAI.CHAT

SHOTS = [
    ("s1", "The keeper climbed the stairs."),
    ("s2", "A storm rolled in from the sea."),
    ("s3", "He lit the lamp and waited."),
]
ZH = {"s1": "守塔人爬上了楼梯。", "s2": "一场风暴从海上袭来。", "s3": "他点亮灯，静静等待。"}


def shots_of(request: dict[str, Any]) -> list[dict[str, str]]:
    user = request["messages"][1]["content"]
    match = re.search(r"<shots>\n(.*)\n</shots>", user, re.DOTALL)
    assert match, "the user prompt carries the shots between <shots> tags"
    shots: list[dict[str, str]] = json.loads(match.group(1))
    return shots


def translating(request: Recorded) -> Reply:
    """A model that translates every shot it is given, keeping the ids."""
    shots = shots_of(request.json)
    answer = {"title": "灯塔", "shots": [{"id": s["id"], "narration": ZH[s["id"]]} for s in shots]}
    return chat_completion(json.dumps(answer, ensure_ascii=False))


def make(tmp_path: Path, fake: FakeOpenAI, **llm: Any) -> OpenAIChatTranslator:
    settings = Settings(
        data_dir=tmp_path / "data",
        llm={"base_url": fake.base_url, "api_key": "sk-test", "model": FAKE_MODEL, **llm},
    )
    policy = RetryPolicy(attempts=2, base_s=0.001, cap_s=0.01, max_wait_s=1)
    return OpenAIChatTranslator(settings, retry=policy, sleep=lambda _: None)


def test_every_shot_is_translated_in_order_with_its_id(
    tmp_path: Path, fake_openai: FakeOpenAI
) -> None:
    fake_openai.route(CHAT, translating)
    result = make(tmp_path, fake_openai).translate("The Lighthouse", SHOTS, "zh", "en")
    assert result.narrations == [ZH["s1"], ZH["s2"], ZH["s3"]]
    assert result.title == "灯塔"
    (request,) = fake_openai.chat_requests()
    assert [s["id"] for s in shots_of(request)] == ["s1", "s2", "s3"]
    assert "Simplified Chinese" in request["messages"][0]["content"]
    assert request["response_format"]["type"] == "json_schema"
    assert result.usage.units["requests"] == 1


def test_a_wrong_shot_count_is_sent_back_and_repaired(
    tmp_path: Path, fake_openai: FakeOpenAI
) -> None:
    merged = {
        "title": "灯塔",
        "shots": [
            {"id": "s1", "narration": ZH["s1"] + ZH["s2"]},
            {"id": "s3", "narration": ZH["s3"]},
        ],
    }
    fake_openai.script(CHAT, chat_completion(json.dumps(merged, ensure_ascii=False)))
    fake_openai.route(CHAT, translating)
    result = make(tmp_path, fake_openai).translate("The Lighthouse", SHOTS, "zh", "en")
    assert result.narrations == [ZH["s1"], ZH["s2"], ZH["s3"]]
    _first, repair = fake_openai.chat_requests()
    problem = repair["messages"][-1]["content"]
    assert "has 2 shots but the storyboard has 3" in problem
    assert "s1, s2, s3" in problem
    assert result.usage.units["requests"] == 2


def test_an_answer_in_the_wrong_language_is_repaired(
    tmp_path: Path, fake_openai: FakeOpenAI
) -> None:
    untranslated = {"title": "x", "shots": [{"id": i, "narration": n} for i, n in SHOTS]}
    fake_openai.script(CHAT, chat_completion(json.dumps(untranslated)))
    fake_openai.route(CHAT, translating)
    result = make(tmp_path, fake_openai).translate("The Lighthouse", SHOTS, "zh", "en")
    assert result.narrations[0] == ZH["s1"]
    assert (
        "is not in Simplified Chinese" in fake_openai.chat_requests()[1]["messages"][-1]["content"]
    )


def test_it_gives_up_after_the_repairs_naming_the_problem(
    tmp_path: Path, fake_openai: FakeOpenAI
) -> None:
    short = {"title": "灯塔", "shots": [{"id": "s1", "narration": ZH["s1"]}]}
    fake_openai.route(CHAT, lambda _: chat_completion(json.dumps(short, ensure_ascii=False)))
    translator = make(tmp_path, fake_openai, repair_attempts=1)
    with pytest.raises(ProviderError, match="has 1 shots but the storyboard has 3"):
        translator.translate("The Lighthouse", SHOTS, "zh", "en")
    assert len(fake_openai.chat_requests()) == 2


def test_a_long_storyboard_is_sent_in_parts(tmp_path: Path, fake_openai: FakeOpenAI) -> None:
    fake_openai.route(CHAT, translating)
    translator = make(tmp_path, fake_openai, max_input_chars=200)
    long_shots = [(i, n + " And the sea roared on." * 4) for i, n in SHOTS]
    result = translator.translate("The Lighthouse", long_shots, "zh", "en")
    assert len(result.narrations) == 3
    assert len(fake_openai.chat_requests()) > 1


def test_without_an_llm_the_reason_names_the_settings(tmp_path: Path) -> None:
    reason = unavailable_reason(Settings(data_dir=tmp_path / "data"))
    assert reason is not None
    assert reason.startswith("translation needs an LLM")
    assert "STORYREEL_LLM__BASE_URL" in reason and "STORYREEL_LLM__API_KEY" in reason
    configured = Settings(
        data_dir=tmp_path / "data",
        llm={"base_url": "http://127.0.0.1:9/v1", "model": "m"},
    )
    assert unavailable_reason(configured) is None  # loopback needs no key
