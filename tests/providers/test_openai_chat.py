"""The OpenAI-compatible storyboard writer against a fake server speaking the real protocol on
loopback: structured output and its fallbacks, repairs, retries, timeouts, long stories."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from storyreel.domain.storyboard import Storyboard
from storyreel.domain.styles import get_style
from storyreel.domain.text import split_paragraphs, split_sentences
from storyreel.providers.base import Brief, ProviderError, ProviderNotConfigured
from storyreel.providers.http import RetryPolicy
from storyreel.providers.llm.chunks import allocate_shots, split_text
from storyreel.providers.llm.draft import DRAFT_SCHEMA, Draft, DraftShot, extract_json
from storyreel.providers.llm.openai_chat import OpenAIChatStoryboardWriter
from storyreel.providers.registry import ProviderRegistry
from storyreel.settings import Settings
from tests.providers import fakes
from tests.providers.fakes import (
    FAKE_MODEL,
    FakeOpenAI,
    Recorded,
    Reply,
    chat_completion,
    openai_error,
)

fake_openai = fakes.fake_openai  # the fixture, used by name below

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
STORY_EN = (FIXTURES / "story_en.txt").read_text(encoding="utf-8")
STORY_ZH = (FIXTURES / "story_zh.txt").read_text(encoding="utf-8")
CHAT = FakeOpenAI.CHAT

# Who the fake model knows, by the names stories write: (id, appearance).
PEOPLE = {
    "Mara": ("mara", "a young woman of twenty, wind-tangled dark hair, grey wool coat"),
    "Captain Ellis": ("captain-ellis", "a weathered man of sixty, white beard, navy pea coat"),
    "林晓": ("lin-xiao", "a girl of twelve with a black ponytail and a red scarf"),
}


def make_settings(tmp_path: Path, fake: FakeOpenAI, **llm: Any) -> Settings:
    values = {
        "base_url": fake.base_url,
        "api_key": "sk-test-123",
        "model": FAKE_MODEL,
        "timeout_s": 5.0,
        **llm,
    }
    return Settings(data_dir=tmp_path / "data", llm=values)


def make_writer(settings: Settings, attempts: int = 3) -> tuple[OpenAIChatStoryboardWriter, list]:
    waits: list[float] = []
    policy = RetryPolicy(attempts=attempts, base_s=0.001, cap_s=0.01, max_wait_s=30)
    return OpenAIChatStoryboardWriter(settings, retry=policy, sleep=waits.append), waits


def brief(**kw: Any) -> Brief:
    return Brief(style=kw.pop("style", get_style("cinematic")), **kw)


# --- a fake model that writes a plausible storyboard for what it is asked --------------------


def story_of(request: dict[str, Any]) -> str:
    user = request["messages"][1]["content"]
    match = re.search(r"<story>\n(.*)\n</story>", user, re.DOTALL)
    assert match, "the user prompt carries the story between <story> tags"
    return match.group(1)


def draft_for(text: str, max_shots: int, words: int | None = None) -> dict[str, Any]:
    """Shots of consecutive sentences (at most ``max_shots``; the first sentences that fit in
    about ``words`` words when given), and the people named in them."""
    sentences = split_sentences(text)
    if words is not None:
        kept = sentences[:1]
        for sentence in sentences[1:]:
            if len(" ".join([*kept, sentence]).split()) > words:
                break
            kept.append(sentence)
        sentences = kept
    per_shot = max(2, -(-len(sentences) // max_shots))
    shots, named = [], {}
    for n, start in enumerate(range(0, len(sentences), per_shot)):
        narration = " ".join(sentences[start : start + per_shot])
        here = [name for name in PEOPLE if name in narration]
        named.update({name: PEOPLE[name] for name in here})
        shots.append(
            {
                "scene": 1 + n // 3,
                "narration": narration,
                "visual": f"Shot {n + 1}: " + (", ".join(here) or "the harbour") + " in the rain",
                "shot_type": ["wide", "medium", "close_up"][n % 3],
                "characters": [PEOPLE[name][0] for name in here],
                "setting": "stormy harbour",
                "mood": "tense",
                "time_of_day": "night",
            }
        )
    characters = [
        {"id": cid, "name": name, "appearance": looks} for name, (cid, looks) in named.items()
    ]
    return {"title": "The Keeper", "characters": characters, "shots": shots}


def storyboarding(request: Recorded) -> Reply:
    body = request.json
    prompt = body["messages"][1]["content"]
    limit = re.search(r"(?:at most|最多) (\d+)", prompt)
    budget = re.search(r"about (\d+) words", prompt)
    assert limit, "the user prompt says how many shots are allowed"
    words = int(budget.group(1)) if budget else None
    return chat_completion(json.dumps(draft_for(story_of(body), int(limit.group(1)), words)))


def valid_answer(text: str = STORY_EN, max_shots: int = 60) -> Reply:
    return chat_completion(json.dumps(draft_for(text, max_shots)))


# --- success ---------------------------------------------------------------------------------


def test_an_english_story_becomes_a_storyboard_through_the_registry(
    tmp_path: Path, fake_openai: FakeOpenAI
) -> None:
    fake_openai.route(CHAT, storyboarding)
    settings = make_settings(tmp_path, fake_openai, price_input_per_1k=0.5)
    writer = ProviderRegistry(settings).storyboard("openai")
    board, usage = writer.write(STORY_EN, brief(style=get_style("watercolor")))

    Storyboard.model_validate(board.model_dump())  # round-trips through the schema
    assert board.language == "en" and board.style == "watercolor"
    assert board.title == "The Lighthouse Keeper's Daughter"  # the story's own title line
    assert [s.id[:3] for s in board.shots] == [f"s{i:02d}" for i in range(1, len(board.shots) + 1)]
    assert all(s.narration in " ".join(split_sentences(STORY_EN)) for s in board.shots)
    assert all(s.visual_prompt.startswith("watercolor painting") for s in board.shots)
    assert all(
        "Night, moonlight, tense, dramatic atmosphere." in s.visual_prompt for s in board.shots
    )
    assert all(s.negative_prompt == get_style("watercolor").negative_prompt for s in board.shots)
    assert [c.id for c in board.characters] == ["mara", "captain-ellis"]
    assert board.character("mara").description == PEOPLE["Mara"][1]
    assert len({c.color for c in board.characters}) == 2
    assert {s.shot_type for s in board.shots} == {"wide", "medium", "close_up"}
    assert all(
        a.camera_motion != b.camera_motion
        for a, b in zip(board.shots, board.shots[1:], strict=False)
    )

    (request,) = fake_openai.calls(CHAT)
    assert request.headers["authorization"] == "Bearer sk-test-123"
    body = request.json
    assert body["model"] == FAKE_MODEL
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["strict"] is True
    assert body["response_format"]["json_schema"]["schema"] == DRAFT_SCHEMA
    assert "storyboard artist" in body["messages"][0]["content"]

    assert usage.provider == "openai" and usage.model == FAKE_MODEL and usage.seconds > 0
    assert usage.units["input_tokens"] == 100 and usage.units["output_tokens"] == 50
    assert usage.units["cost"] == pytest.approx(0.05)  # 100 prompt tokens at 0.5 per 1,000


def test_a_chinese_story_gets_the_chinese_prompts_and_english_visuals(
    tmp_path: Path, fake_openai: FakeOpenAI
) -> None:
    fake_openai.route(CHAT, storyboarding)
    writer, _ = make_writer(make_settings(tmp_path, fake_openai))
    board, _ = writer.write(STORY_ZH, brief(style=get_style("ink_wash")))

    assert board.language == "zh"
    assert all(s.visual_prompt.startswith("Chinese ink wash painting") for s in board.shots)
    assert "lin-xiao" in {c.id for c in board.characters}
    system, user = fake_openai.chat_requests()[0]["messages"]
    assert "分镜师" in system["content"] and "JSON Schema" in system["content"]
    assert "水墨" in user["content"] and "<story>" in user["content"]


def test_a_chinese_id_from_the_model_becomes_a_stable_ascii_id(
    tmp_path: Path, fake_openai: FakeOpenAI
) -> None:
    draft = draft_for(STORY_ZH.split("\n", 1)[1], 60)  # the story without its title line
    for person in draft["characters"]:
        person["id"] = person["name"]  # "林晓": not a valid id
    for shot in draft["shots"]:
        shot["characters"] = ["林晓"] if shot["characters"] else []
    fake_openai.script(CHAT, chat_completion(json.dumps(draft, ensure_ascii=False)))
    writer, _ = make_writer(make_settings(tmp_path, fake_openai))
    board, _ = writer.write(STORY_ZH, brief())
    (lin,) = board.characters
    assert re.fullmatch(r"char-[0-9a-f]{8}", lin.id) and lin.name == "林晓"
    assert all(s.characters in ([], [lin.id]) for s in board.shots)


# --- repairs ---------------------------------------------------------------------------------


def test_invalid_json_is_sent_back_and_repaired_on_the_second_try(
    tmp_path: Path, fake_openai: FakeOpenAI
) -> None:
    fake_openai.script(CHAT, chat_completion('Here you go: {"title": "x", "shots": [ {oops'))
    fake_openai.script(CHAT, valid_answer())
    writer, _ = make_writer(make_settings(tmp_path, fake_openai))
    board, usage = writer.write(STORY_EN, brief())

    assert len(board.shots) > 3
    first, second = fake_openai.chat_requests()
    assert [m["role"] for m in second["messages"]] == ["system", "user", "assistant", "user"]
    assert second["messages"][:2] == first["messages"]
    assert second["messages"][2]["content"].startswith("Here you go")
    repair = second["messages"][3]["content"]
    assert "not a JSON object" in repair and "cannot be used" in repair
    assert usage.units["requests"] == 2 and usage.units["input_tokens"] == 200


def test_schema_and_story_problems_are_listed_back_by_field(
    tmp_path: Path, fake_openai: FakeOpenAI
) -> None:
    bad = draft_for(STORY_EN, 60)
    bad["shots"][0]["shot_type"] = "establishing"
    bad["shots"][1]["characters"] = ["bob"]
    bad["shots"][2]["narration"] = "A dragon flew over the mountains and breathed fire."
    bad["shots"][3]["visual"] = "灯塔在暴风雨中闪烁的画面，远处有船只"
    fake_openai.script(CHAT, chat_completion(json.dumps(bad)))
    fake_openai.script(CHAT, valid_answer())
    writer, _ = make_writer(make_settings(tmp_path, fake_openai))
    writer.write(STORY_EN, brief())

    repair = fake_openai.chat_requests()[1]["messages"][3]["content"]
    assert "shots[0].shot_type" in repair and "'establishing'" in repair
    # Schema errors come first; once the shape is right, the content is checked.
    bad["shots"][0]["shot_type"] = "wide"
    fake_openai.script(CHAT, chat_completion(json.dumps(bad)), valid_answer())
    writer.write(STORY_EN, brief())
    repair = fake_openai.chat_requests()[3]["messages"][3]["content"]
    assert "shots[1].characters names 'bob'" in repair
    assert "shots[2].narration is not taken from the story" in repair
    assert "shots[3].visual must be written in English" in repair


def test_when_repairs_are_used_up_the_error_says_what_was_wrong(
    tmp_path: Path, fake_openai: FakeOpenAI
) -> None:
    fake_openai.route(CHAT, lambda r: chat_completion('{"title": "T", "shots": []}'))
    writer, _ = make_writer(make_settings(tmp_path, fake_openai, repair_attempts=1))
    with pytest.raises(ProviderError) as err:
        writer.write(STORY_EN, brief())
    assert not err.value.retryable
    assert "gave no valid storyboard after 1 repair(s)" in str(err.value)
    assert "shots: List should have at least 1 item" in str(err.value)
    assert len(fake_openai.calls(CHAT)) == 2


def test_too_many_shots_is_a_problem_the_model_must_fix(
    tmp_path: Path, fake_openai: FakeOpenAI
) -> None:
    fake_openai.script(CHAT, valid_answer(max_shots=60), valid_answer(max_shots=3))
    writer, _ = make_writer(make_settings(tmp_path, fake_openai))
    board, _ = writer.write(STORY_EN, brief(max_shots=3))
    assert len(board.shots) <= 3
    repair = fake_openai.chat_requests()[1]["messages"][3]["content"]
    assert "at most 3 are allowed" in repair


# --- the protocol ----------------------------------------------------------------------------


def test_a_429_waits_what_retry_after_says_then_succeeds(
    tmp_path: Path, fake_openai: FakeOpenAI
) -> None:
    fake_openai.script(
        CHAT,
        openai_error(429, "Rate limit reached", type_="requests", headers={"Retry-After": "2"}),
        valid_answer(),
    )
    writer, waits = make_writer(make_settings(tmp_path, fake_openai))
    _, usage = writer.write(STORY_EN, brief())
    assert waits == [2.0] and len(fake_openai.calls(CHAT)) == 2
    assert usage.units["requests"] == 1  # only answered requests are metered


def test_a_5xx_is_retried_after_a_backoff(tmp_path: Path, fake_openai: FakeOpenAI) -> None:
    fake_openai.script(CHAT, openai_error(503, "The engine is overloaded", type_="server"))
    fake_openai.script(CHAT, valid_answer())
    writer, waits = make_writer(make_settings(tmp_path, fake_openai))
    board, _ = writer.write(STORY_EN, brief())
    assert len(waits) == 1 and 0 < waits[0] <= 0.01 and board.shots


def test_a_server_slower_than_the_timeout_is_a_retryable_error(
    tmp_path: Path, fake_openai: FakeOpenAI
) -> None:
    fake_openai.route(CHAT, lambda r: chat_completion("{}", delay_s=0.6))
    writer, _ = make_writer(make_settings(tmp_path, fake_openai, timeout_s=0.15), attempts=2)
    with pytest.raises(ProviderError) as err:
        writer.write(STORY_EN, brief())
    assert err.value.retryable and "no answer within 0.15 s" in str(err.value)
    assert len(fake_openai.calls(CHAT)) == 2


def test_a_refused_json_schema_falls_back_to_json_object_and_remembers(
    tmp_path: Path, fake_openai: FakeOpenAI
) -> None:
    def server(request: Recorded) -> Reply:
        if request.json.get("response_format", {}).get("type") == "json_schema":
            return openai_error(
                400,
                "Invalid parameter: 'response_format' of type 'json_schema' is not supported "
                "with this model.",
                param="response_format",
            )
        return storyboarding(request)

    fake_openai.route(CHAT, server)
    writer, _ = make_writer(make_settings(tmp_path, fake_openai))
    board, _ = writer.write(STORY_EN, brief())
    writer.write(STORY_EN, brief())
    formats = [b["response_format"]["type"] for b in fake_openai.chat_requests()]
    assert formats == ["json_schema", "json_object", "json_object"]
    assert "JSON" in fake_openai.chat_requests()[1]["messages"][0]["content"]
    assert board.shots


def test_a_server_without_json_modes_gets_plain_prompts_and_fenced_answers_are_read(
    tmp_path: Path, fake_openai: FakeOpenAI
) -> None:
    def server(request: Recorded) -> Reply:
        if "response_format" in request.json:
            return openai_error(400, "response_format is not supported", param="response_format")
        text = json.dumps(draft_for(story_of(request.json), 60), indent=2)
        return chat_completion(f"<think>Let me plan.</think>\nSure!\n```json\n{text}\n```\nDone.")

    fake_openai.route(CHAT, server)
    writer, _ = make_writer(make_settings(tmp_path, fake_openai))
    board, _ = writer.write(STORY_EN, brief())
    assert board.shots
    assert [b.get("response_format", {}).get("type") for b in fake_openai.chat_requests()] == [
        "json_schema",
        "json_object",
        None,
    ]


def test_an_explicit_json_schema_that_is_refused_says_which_setting_to_change(
    tmp_path: Path, fake_openai: FakeOpenAI
) -> None:
    fake_openai.script(CHAT, openai_error(400, "json_schema is not supported"))
    writer, _ = make_writer(make_settings(tmp_path, fake_openai, structured="json_schema"))
    with pytest.raises(ProviderError) as err:
        writer.write(STORY_EN, brief())
    assert "STORYREEL_LLM__STRUCTURED=auto" in str(err.value) and not err.value.retryable
    assert len(fake_openai.calls(CHAT)) == 1


def test_a_bad_key_fails_at_once_naming_the_key(tmp_path: Path, fake_openai: FakeOpenAI) -> None:
    fake_openai.script(CHAT, openai_error(401, "Incorrect API key provided: sk-test-***"))
    writer, waits = make_writer(make_settings(tmp_path, fake_openai))
    with pytest.raises(ProviderError) as err:
        writer.write(STORY_EN, brief())
    assert not err.value.retryable and "Incorrect API key" in str(err.value) and waits == []


def test_the_model_list_comes_from_the_server(tmp_path: Path, fake_openai: FakeOpenAI) -> None:
    writer, _ = make_writer(make_settings(tmp_path, fake_openai))
    assert writer.models() == [FAKE_MODEL]


# --- long stories ----------------------------------------------------------------------------


def test_a_long_story_is_written_in_parts_and_merged_in_order(
    tmp_path: Path, fake_openai: FakeOpenAI
) -> None:
    fake_openai.route(CHAT, storyboarding)
    writer, _ = make_writer(make_settings(tmp_path, fake_openai, max_input_chars=400))
    board, usage = writer.write(STORY_EN, brief())

    requests = fake_openai.chat_requests()
    assert len(requests) >= 3 and usage.units["requests"] == len(requests)
    parts = [story_of(r) for r in requests]
    assert all(len(p) <= 400 for p in parts)
    assert "part 1 of" in requests[0]["messages"][1]["content"]
    assert f"part {len(parts)} of {len(parts)}" in requests[-1]["messages"][1]["content"]
    # Characters met in one part are handed to the next ones with their ids.
    assert '"id": "mara"' in requests[-1]["messages"][1]["content"]
    assert [s.id[:3] for s in board.shots] == [f"s{i:02d}" for i in range(1, len(board.shots) + 1)]
    scenes = [s.scene for s in board.shots]
    assert scenes[0] == 1 and scenes == sorted(scenes) and max(scenes) >= len(parts)
    sentences = split_sentences(STORY_EN)
    told = [sentences.index(split_sentences(s.narration)[0]) for s in board.shots]
    assert told == sorted(told)  # story order across parts
    assert [c.id for c in board.characters] == ["mara", "captain-ellis"]


def test_a_long_story_is_condensed_to_the_target_and_max_shots(
    tmp_path: Path, fake_openai: FakeOpenAI
) -> None:
    fake_openai.route(CHAT, storyboarding)
    writer, _ = make_writer(make_settings(tmp_path, fake_openai, max_input_chars=400))
    board, _ = writer.write(STORY_EN, brief(target_seconds=30, max_shots=5))

    assert len(board.shots) <= 5
    assert sum(s.duration_hint for s in board.shots) <= 30 * 1.25
    allowed = [
        int(re.search(r"at most (\d+) shots", r["messages"][1]["content"]).group(1))
        for r in fake_openai.chat_requests()
    ]
    assert sum(allowed) <= 5
    assert board.shots[0].narration.startswith("Mara lived")  # the opening is kept...
    last_part = " ".join(story_of(fake_openai.chat_requests()[-1]).split())
    assert board.shots[-1].narration in last_part  # ...and so is the end


def test_parts_keep_paragraphs_whole_and_share_shots_by_length() -> None:
    paragraphs = split_paragraphs(STORY_EN)
    parts = split_text(paragraphs, 400)
    assert all(len(p) <= 400 for p in parts)
    assert "\n\n".join(parts).replace("\n\n", " ") == " ".join(" ".join(p) for p in paragraphs)
    assert allocate_shots(10, [10, 30, 10]) == [2, 6, 2]
    assert allocate_shots(3, [5, 5, 5, 5, 5]) == [1, 0, 1, 0, 1]  # first, middle, last
    one_sentence = "word " * 300
    assert all(len(p) <= 200 for p in split_text([[one_sentence.strip()]], 200))


# --- configuration ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("llm", "setting"),
    [
        ({}, "STORYREEL_LLM__BASE_URL"),
        ({"base_url": "https://api.deepseek.com/v1"}, "STORYREEL_LLM__MODEL"),
        (
            {"base_url": "https://api.deepseek.com/v1", "model": "deepseek-chat"},
            "STORYREEL_LLM__API_KEY",
        ),
    ],
)
def test_missing_settings_are_named(tmp_path: Path, llm: dict[str, str], setting: str) -> None:
    registry = ProviderRegistry(Settings(data_dir=tmp_path, llm=llm))
    with pytest.raises(ProviderNotConfigured) as err:
        registry.storyboard("openai")
    assert err.value.setting == setting and setting in str(err.value)


def test_a_server_on_loopback_needs_no_key(tmp_path: Path, fake_openai: FakeOpenAI) -> None:
    fake_openai.route(CHAT, storyboarding)
    for url in ("http://localhost:11434/v1", "http://[::1]:8000/v1"):
        OpenAIChatStoryboardWriter(
            Settings(data_dir=tmp_path, llm={"base_url": url, "model": "qwen2.5"})
        ).check()
    settings = make_settings(tmp_path, fake_openai, api_key=None)
    board, _ = ProviderRegistry(settings).storyboard("openai").write(STORY_EN, brief())
    assert board.shots and "authorization" not in fake_openai.calls(CHAT)[0].headers


def test_settings_come_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(
        "STORYREEL_LLM__BASE_URL", "https://dashscope.aliyuncs.com/compatible-mode/v1/"
    )
    monkeypatch.setenv("STORYREEL_LLM__API_KEY", "sk-dash")
    monkeypatch.setenv("STORYREEL_LLM__MODEL", "qwen-plus")
    monkeypatch.setenv("STORYREEL_LLM__STRUCTURED", "json_object")
    monkeypatch.setenv("STORYREEL_LLM__MAX_INPUT_CHARS", "8000")
    monkeypatch.setenv("STORYREEL_LLM__PRICE_OUTPUT_PER_1K", "0.002")
    llm = Settings(data_dir=tmp_path).llm
    assert llm.base_url == "https://dashscope.aliyuncs.com/compatible-mode/v1"
    assert llm.api_key is not None and llm.api_key.get_secret_value() == "sk-dash"
    assert (llm.model, llm.structured, llm.max_input_chars) == ("qwen-plus", "json_object", 8000)
    assert llm.price_output_per_1k == 0.002
    monkeypatch.setenv("STORYREEL_LLM__STRUCTURED", "xml")
    with pytest.raises(ValueError, match="structured"):
        Settings(data_dir=tmp_path)


# --- reading answers -------------------------------------------------------------------------


def test_the_first_json_object_is_found_in_chatty_answers() -> None:
    assert extract_json('{"a": 1}') == {"a": 1}
    assert extract_json('Sure.\n```json\n{"a": {"b": [1, 2]}}\n```') == {"a": {"b": [1, 2]}}
    assert extract_json('<think>{"draft": 0}</think> Here: {"a": 2} and {"c": 3}') == {"a": 2}
    with pytest.raises(ValueError, match="not a JSON object"):
        extract_json("I cannot do that.")


def test_the_schema_sent_matches_the_draft_that_is_checked() -> None:
    assert set(DRAFT_SCHEMA["properties"]) == set(Draft.model_fields)
    shot = DRAFT_SCHEMA["properties"]["shots"]["items"]
    assert set(shot["properties"]) == set(DraftShot.model_fields) == set(shot["required"])
    assert (
        DraftShot.model_validate(
            {"narration": "x", "visual": "y", "shot_type": "Close-up", "time_of_day": None}
        ).shot_type
        == "close_up"
    )
