"""``make --condense`` and upload ``condense``: a story or chapter too long for the film is
condensed through the storyboard route — by the chat model when it is the route's writer, else
(no model configured, or one that refuses) offline — and a document past the story limit is
condensed instead of refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from storyreel.domain.text import estimate_speech_seconds, split_sentences
from storyreel.pipeline.condense import condense_story
from storyreel.pipeline.context import PipelineContext
from storyreel.pipeline.ingest import ChapterNeeded, read_story
from storyreel.settings import Settings
from tests.domain.test_condense import novel
from tests.providers import fakes
from tests.providers.fakes import FAKE_MODEL, FakeOpenAI, chat_completion, openai_error

fake_openai = fakes.fake_openai  # the fixture, used by name below


def context(tmp_path: Path, **values: Any) -> PipelineContext:
    return PipelineContext.create(Settings(data_dir=tmp_path / "data", **values))


def llm_context(tmp_path: Path, fake: FakeOpenAI, **llm: Any) -> PipelineContext:
    values = {"base_url": fake.base_url, "api_key": "sk-test", "model": FAKE_MODEL, **llm}
    return context(tmp_path, providers={"storyboard": "openai"}, llm=values)


def test_without_a_model_a_long_chapter_is_condensed_offline_to_the_film(tmp_path: Path) -> None:
    story = novel("en", 32_000)
    done = condense_story(context(tmp_path), story, target_seconds=90, max_chars=100_000)
    assert done.method == "offline" and done.calls == 0 and done.before == len(story)
    assert 75 <= estimate_speech_seconds(done.text) <= 92
    assert "condensed 32," in done.describe() and "offline" in done.describe()


def test_a_story_that_fits_the_film_is_left_alone(tmp_path: Path) -> None:
    story = novel("zh", 400)
    done = condense_story(context(tmp_path), story, target_seconds=90, max_chars=100_000)
    assert done.method == "none" and done.text == story.strip()


def test_without_a_target_the_story_limit_and_the_shots_bound_it(tmp_path: Path) -> None:
    story = novel("en", 30_000)
    done = condense_story(context(tmp_path), story, target_seconds=None, max_chars=2_000)
    assert done.method == "offline" and 1_600 <= done.after <= 2_000


def test_the_chat_model_of_the_route_condenses_map_then_reduce(
    tmp_path: Path, fake_openai: FakeOpenAI
) -> None:
    fake_openai.route(
        FakeOpenAI.CHAT,
        lambda r: chat_completion(
            "<summary>\nMara kept the light burning.\n</summary>\n<facts>\n- Mara\n</facts>"
        ),
    )
    ctx = llm_context(tmp_path, fake_openai, max_input_chars=4_000)
    done = condense_story(ctx, novel("en", 12_000), target_seconds=60, max_chars=100_000)
    assert done.method == "llm" and done.calls == len(fake_openai.chat_requests()) >= 3
    assert "Mara kept the light burning." in done.text
    assert "LLM, " in done.describe()


def test_a_model_that_is_not_configured_falls_back_to_offline(tmp_path: Path) -> None:
    ctx = context(tmp_path, providers={"storyboard": "openai"})  # no STORYREEL_LLM__BASE_URL
    done = condense_story(ctx, novel("en", 20_000), target_seconds=60, max_chars=100_000)
    assert done.method == "offline" and "STORYREEL_LLM__BASE_URL" in done.note


def test_a_model_that_refuses_falls_back_to_offline(
    tmp_path: Path, fake_openai: FakeOpenAI
) -> None:
    fake_openai.route(FakeOpenAI.CHAT, lambda r: openai_error(401, "invalid api key"))
    ctx = llm_context(tmp_path, fake_openai)
    story = novel("zh", 20_000)
    done = condense_story(ctx, story, target_seconds=60, max_chars=100_000)
    assert done.method == "offline" and "did not serve" in done.note
    assert len(fake_openai.chat_requests()) == 1
    kept, original = split_sentences(done.text), split_sentences(story)
    assert set(kept) <= set(original)


def _book(tmp_path: Path) -> Path:
    chapters = [f"Chapter {n}\n\n" + novel("en", 6_000) for n in (1, 2, 3)]
    path = tmp_path / "book.txt"
    path.write_text("\n\n".join(chapters), encoding="utf-8")
    return path


def test_a_document_past_the_story_limit_is_condensed_instead_of_refused(tmp_path: Path) -> None:
    book = _book(tmp_path)
    with pytest.raises(ChapterNeeded):
        read_story(book, 5_000)
    ctx = context(tmp_path)
    said: list[str] = []

    def shrink(text: str) -> str:
        done = condense_story(ctx, text, target_seconds=60, max_chars=5_000)
        said.append(done.describe())
        return done.text

    whole = read_story(book, 5_000, condense=shrink)
    assert len(whole) <= 5_000 and said and said[0].startswith("condensed 18,")
    chapter = read_story(book, 5_000, chapter="2", condense=shrink)
    assert len(chapter) < 6_000 and len(said) == 2
