"""Condensing by the chat model, map → reduce, against the fake OpenAI-compatible server on
loopback: one request per part and one to join them, the names-and-facts list handed on from
part to part, the story's language kept, and the length held even when the model overshoots."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from storyreel.domain.condense import chars_for_seconds
from storyreel.providers.http import RetryPolicy
from storyreel.providers.llm.condense import LlmCondenser
from storyreel.providers.llm.openai_chat import OpenAIChatStoryboardWriter
from storyreel.settings import Settings
from tests.domain.test_condense import novel
from tests.providers import fakes
from tests.providers.fakes import FAKE_MODEL, FakeOpenAI, Recorded, Reply, chat_completion

fake_openai = fakes.fake_openai  # the fixture, used by name below


def condenser(tmp_path: Path, fake: FakeOpenAI, max_input_chars: int = 4_000) -> LlmCondenser:
    settings = Settings(
        data_dir=tmp_path / "data",
        llm={
            "base_url": fake.base_url,
            "api_key": "sk-test-123",
            "model": FAKE_MODEL,
            "timeout_s": 5.0,
            "max_input_chars": max_input_chars,
        },
    )
    policy = RetryPolicy(attempts=2, base_s=0.001, cap_s=0.01, max_wait_s=5)
    return LlmCondenser(OpenAIChatStoryboardWriter(settings, retry=policy, sleep=lambda _: None))


def user_prompt(request: dict[str, Any]) -> str:
    return str(request["messages"][1]["content"])


def summarising_model(reduce_chars: int | None = None) -> Any:
    """A fake model: each part's summary is its first sentence; its list adds "Part N"; the
    reduce answers the summaries joined (or ``reduce_chars`` of filler: an overshoot)."""

    def answer(recorded: Recorded) -> Reply:
        prompt = user_prompt(recorded.json)
        part = re.search(r"<part>\n(.*?)\n</part>", prompt, re.DOTALL)
        if part is None:  # the reduce
            summaries = re.search(r"<summaries>\n(.*?)\n</summaries>", prompt, re.DOTALL)
            assert summaries is not None
            text = summaries.group(1)
            if reduce_chars is not None:
                text = "\n\n".join([text] * (reduce_chars // max(1, len(text)) + 1))
            return chat_completion(f"<story>\n{text}\n</story>")
        number = re.search(r"part (\d+) of|第 (\d+) 部分", prompt)
        assert number is not None
        n = number.group(1) or number.group(2)
        facts = re.search(r"\n(- .*?)\n\nAnswer|\n(- .*?)\n\n严格", prompt, re.DOTALL)
        known = (facts.group(1) or facts.group(2)) if facts else ""
        first = re.split(r"(?<=[.。!！])\s*", part.group(1).strip(), maxsplit=1)[0]
        listing = "\n".join(x for x in (known, f"- Part {n}: seen") if x)
        return chat_completion(f"<summary>\n{first}\n</summary>\n<facts>\n{listing}\n</facts>")

    return answer


def test_a_long_story_is_summarised_part_by_part_then_joined(
    tmp_path: Path, fake_openai: FakeOpenAI
) -> None:
    fake_openai.route(FakeOpenAI.CHAT, summarising_model())
    story = novel("en", 20_000)
    c = condenser(tmp_path, fake_openai)
    done = c.condense(story, 1_200)
    requests = fake_openai.chat_requests()
    maps = [r for r in requests if "<part>" in user_prompt(r)]
    assert len(maps) >= 5 and len(requests) == len(maps) + 1  # one per part, one reduce
    assert done.method == "llm" and done.calls == len(requests)
    assert done.chars_sent >= len(story)  # every part was sent once
    parts = [re.findall(r"<part>\n(.*)\n</part>", user_prompt(r), re.DOTALL) for r in maps]
    assert all(len(found) == 1 and len(found[0]) <= c.part_chars for found in parts)
    # The names and facts so far go from part to part: part k sees parts 1..k-1.
    assert "Names and facts so far" in user_prompt(maps[0]) and "- Part" not in user_prompt(maps[0])
    for k, request in enumerate(maps[1:], start=2):
        prompt = user_prompt(request)
        assert all(f"- Part {j}: seen" in prompt for j in range(1, k))
        assert f"- Part {k}: seen" not in prompt
    reduce = user_prompt(requests[-1])
    assert f"- Part {len(maps)}: seen" in reduce and "about 200 words" in reduce
    assert done.text.startswith(story.split(". ")[0]) and "<story>" not in done.text
    assert 0 < done.after <= 1_200 * 1.25 and done.before == len(story)


def test_a_chinese_story_is_asked_for_in_chinese(tmp_path: Path, fake_openai: FakeOpenAI) -> None:
    fake_openai.route(FakeOpenAI.CHAT, summarising_model())
    story = novel("zh", 9_000)
    done = condenser(tmp_path, fake_openai).condense(story, chars_for_seconds(story, 90))
    requests = fake_openai.chat_requests()
    assert all("概括" in user_prompt(r) or "故事" in user_prompt(r) for r in requests)
    assert "个汉字" in user_prompt(requests[-1])
    assert done.text.startswith("林晓")


def test_one_part_is_one_request(tmp_path: Path, fake_openai: FakeOpenAI) -> None:
    fake_openai.route(FakeOpenAI.CHAT, summarising_model())
    done = condenser(tmp_path, fake_openai).condense(novel("en", 1_500), 300)
    assert done.calls == 1 and len(fake_openai.chat_requests()) == 1


def test_a_model_that_overshoots_is_cut_to_the_target(
    tmp_path: Path, fake_openai: FakeOpenAI
) -> None:
    fake_openai.route(FakeOpenAI.CHAT, summarising_model(reduce_chars=6_000))
    done = condenser(tmp_path, fake_openai).condense(novel("en", 20_000), 1_000)
    assert done.after <= 1_000 < 6_000
