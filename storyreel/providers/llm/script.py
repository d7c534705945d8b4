"""A script written from the assistant's brief by the OpenAI-compatible chat model
(``STORYREEL_LLM__*``, the ``openai`` storyboard writer's model, key and retries).

The brief arrives as the lines ``storyreel.domain.assistant.conversation.brief_text`` makes
(idea, characters, setting, mood, the template's beats and guidance); the model answers with
``<title>`` and ``<story>``. An answer that cannot be used — no story, another language, far
from the asked length, a name of the brief missing — goes back with the problems, up to
``STORYREEL_LLM__REPAIR_ATTEMPTS`` times; then the writing fails with a ``ProviderError`` that
names them. Prompts: ``prompts/{en,zh}/assist_*.txt``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from storyreel.domain.storyboard import Language
from storyreel.domain.text import detect_language, has_letters, shorten
from storyreel.providers.base import ProviderError, Usage
from storyreel.providers.http import RetryPolicy
from storyreel.providers.llm.openai_chat import (
    OpenAIChatStoryboardWriter,
    _answer,
    _Meter,
    template,
)
from storyreel.providers.llm.translate import unavailable_reason as llm_unavailable
from storyreel.settings import Settings

__all__ = ["OpenAIChatScriptWriter", "Script", "check_script", "unavailable_reason"]

#: How far from the asked length a script may land (a model rarely counts well).
LENGTH_SLACK = (0.4, 2.0)
MAX_TITLE = 200
_TITLE_RE = re.compile(r"<title>\s*(.*?)\s*(?:</title>|$)", re.DOTALL | re.IGNORECASE)
_STORY_RE = re.compile(r"<story>\s*(.*?)\s*(?:</story>|$)", re.DOTALL | re.IGNORECASE)
_WORD_RE = re.compile(r"[A-Za-z0-9'’-]+")


def unavailable_reason(settings: Settings) -> str | None:
    """Why scripts cannot be written here (no LLM configured; the settings named), or None."""
    return llm_unavailable(settings, "writing a script from an idea")


@dataclass(frozen=True)
class Script:
    title: str
    text: str
    usage: Usage


def size_of(text: str, language: Language) -> int:
    """A script's length in the unit asked for: Chinese characters, or English words."""
    if language == "zh":
        return sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    return len(_WORD_RE.findall(text))


def check_script(
    answer: str, language: Language, size: int, names: Sequence[str]
) -> tuple[str, str, list[str]]:
    """(title, story, problems) of a model's answer; no problems means it can be used."""
    story_match = _STORY_RE.search(answer)
    # Without <story> tags, the story is what is not the title.
    story = (story_match.group(1) if story_match else _TITLE_RE.sub("", answer, count=1)).strip()
    story = re.sub(r"</?(?:story|title)>", "", story, flags=re.IGNORECASE).strip()
    title_match = _TITLE_RE.search(answer)
    title = " ".join(title_match.group(1).split()) if title_match else ""
    problems: list[str] = []
    if not has_letters(story):
        return title, story, ["there is no story between <story> and </story>"]
    if detect_language(story, min_share=0.5) != language:
        problems.append("the story is not in " + ("Chinese" if language == "zh" else "English"))
    got = size_of(story, language)
    low, high = LENGTH_SLACK
    if got < size * low or got > size * high:
        unit = "characters" if language == "zh" else "words"
        problems.append(f"the story has {got} {unit}; about {size} were asked for")
    missing = [n for n in names if n and n.lower() not in story.lower()]
    if missing:
        problems.append("the story leaves out " + ", ".join(missing))
    return shorten(title, MAX_TITLE), story, problems


class OpenAIChatScriptWriter:
    """Scripts written by the chat model the ``openai`` storyboard writer uses."""

    name = "openai"

    def __init__(
        self,
        settings: Settings,
        *,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.llm = settings.llm
        self._chat = OpenAIChatStoryboardWriter(settings, retry=retry, sleep=sleep)

    @property
    def model(self) -> str:
        return self._chat.model

    def write(self, brief: str, language: Language, size: int, names: Sequence[str]) -> Script:
        """A script of about ``size`` words (characters in Chinese) from ``brief``, keeping
        every one of ``names``."""
        self._chat.check()
        started = time.perf_counter()
        meter = _Meter()
        messages = [
            {"role": "system", "content": template(language, "assist_script_system").substitute()},
            {
                "role": "user",
                "content": template(language, "assist_script").substitute(brief=brief, size=size),
            },
        ]
        attempts = self.llm.repair_attempts + 1
        for attempt in range(1, attempts + 1):
            answer = self._complete(messages, meter)
            title, story, problems = check_script(answer, language, size, names)
            if not problems:
                usage = Usage(
                    provider=self.name,
                    model=self.model,
                    seconds=time.perf_counter() - started,
                    units=meter.units(self.llm),
                )
                return Script(title=title, text=story, usage=usage)
            if attempt == attempts:
                raise ProviderError(
                    f"{self.name} script: {self.model} gave no usable script after "
                    f"{attempts - 1} repair(s): {'; '.join(problems)}",
                    retryable=False,
                )
            messages.append({"role": "assistant", "content": answer})
            repair = template(language, "assist_repair").substitute(
                problems="; ".join(problems), size=size
            )
            messages.append({"role": "user", "content": repair})
        raise AssertionError("unreachable")  # pragma: no cover

    def _complete(self, messages: list[dict[str, str]], meter: _Meter) -> str:
        body: dict[str, Any] = {
            "model": self.llm.model,
            "messages": messages,
            "temperature": self.llm.temperature,
        }
        if self.llm.max_output_tokens:
            body["max_tokens"] = self.llm.max_output_tokens
        data = self._chat._http().json("POST", "chat/completions", json=body)
        meter.add(data.get("usage") if isinstance(data, dict) else None)
        content, _finish = _answer(data, self.name)
        return content
