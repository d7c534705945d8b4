"""Storyboards from any OpenAI-compatible chat API: OpenAI, DeepSeek, Qwen (DashScope), Moonshot,
SiliconFlow, OpenRouter, Ollama, vLLM, LM Studio — one implementation, chosen by base URL.

How a story becomes a storyboard:

1. The story is cut into parts of at most ``STORYREEL_LLM__MAX_INPUT_CHARS`` characters, each
   with its share of ``max_shots`` and of the target length (``chunks.plan_parts``).
2. Each part is one chat request (system and user prompts from ``prompts/{zh,en}/``, by the
   story's language), in order, carrying the characters met so far so ids and appearances stay
   the same across parts. The answer is a small JSON draft (``draft.DRAFT_SCHEMA``) asked for
   with structured output where the server has it: ``json_schema``, else ``json_object``, else
   the prompt alone (``STORYREEL_LLM__STRUCTURED``; ``auto`` steps down when a server refuses).
3. Every answer is checked (JSON, schema, character references, narration copied from the
   story, English visuals, shot count). An answer that fails goes back to the model with the
   list of problems (``repair.txt``), up to ``STORYREEL_LLM__REPAIR_ATTEMPTS`` times; then the
   write fails with a ``ProviderError`` naming the problems, not retryable.
4. The parts' shots are joined in order, scenes numbered across the story, cut to
   ``max_shots`` and the target length if the model wrote more, and completed like the
   ``rules`` writer's (style prefix, negative prompt, camera motion, durations).
"""

from __future__ import annotations

import ipaddress
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from string import Template
from typing import Any, ClassVar, Literal
from urllib.parse import urlsplit

from pydantic import ValidationError

from storyreel.domain.storyboard import Language, Storyboard
from storyreel.domain.text import (
    EN_WORDS_PER_SECOND,
    ZH_CHARS_PER_SECOND,
    detect_language,
    has_letters,
    shorten,
)
from storyreel.providers.base import (
    Brief,
    Health,
    ProviderError,
    ProviderNotConfigured,
    StoryboardWriter,
    Usage,
)
from storyreel.providers.http import HttpService, ProviderHttpError, RetryPolicy, bearer
from storyreel.providers.llm.chunks import Part, plan_parts, story_paragraphs
from storyreel.providers.llm.draft import (
    DRAFT_SCHEMA,
    Cast,
    DraftInvalid,
    PlannedShot,
    assemble,
    check_draft,
    fit_length,
)
from storyreel.providers.llm.rules import CONDENSE_TOLERANCE, MAX_SHOTS_ALLOWED, _fallback_title
from storyreel.providers.llm.settings import LLM, LlmSettings
from storyreel.providers.remote import service_health
from storyreel.settings import Settings

Mode = Literal["json_schema", "json_object", "none"]
#: What ``structured=auto`` steps down to when the server refuses a way of asking for JSON.
_FALLBACK: dict[Mode, Mode] = {"json_schema": "json_object", "json_object": "none"}
_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})
_PROMPTS = "prompts"


@cache
def template(language: Language, name: str) -> Template:
    """A prompt template shipped as package data (``prompts/{language}/{name}.txt``)."""
    path = resources.files("storyreel.providers.llm") / _PROMPTS / language / f"{name}.txt"
    return Template(path.read_text(encoding="utf-8"))


def is_loopback(url: str) -> bool:
    """True when ``url`` points at this machine (Ollama, LM Studio, a local vLLM)."""
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass
class _Meter:
    """Tokens and requests of one write, over every part and repair."""

    requests: int = 0
    input_tokens: int = 0
    output_tokens: int = 0

    def add(self, usage: Any) -> None:
        self.requests += 1
        if isinstance(usage, dict):
            self.input_tokens += _count(usage.get("prompt_tokens"))
            self.output_tokens += _count(usage.get("completion_tokens"))

    def units(self, llm: LlmSettings) -> dict[str, float]:
        units = {
            "requests": float(self.requests),
            "input_tokens": float(self.input_tokens),
            "output_tokens": float(self.output_tokens),
            "tokens": float(self.input_tokens + self.output_tokens),
        }
        if llm.price_input_per_1k is not None or llm.price_output_per_1k is not None:
            units["cost"] = round(llm.cost_of(self.input_tokens, self.output_tokens), 6)
        return units


def _count(value: Any) -> int:
    return value if isinstance(value, int) and value > 0 else 0


class OpenAIChatStoryboardWriter(StoryboardWriter):
    """Storyboards written by a chat model behind an OpenAI-compatible API."""

    name: ClassVar[str] = "openai"
    section = LLM
    quality: ClassVar[int] = 5
    speed: ClassVar[int] = 2
    # A model samples: asking twice may give a better storyboard, so results are not reused.
    deterministic: ClassVar[bool] = False

    def __init__(
        self,
        settings: Settings,
        *,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(settings)
        self.llm = settings.llm
        self._retry = retry or RetryPolicy()
        self._sleep = sleep
        self._service: HttpService | None = None
        self._lock = threading.Lock()
        self._mode: Mode = "json_schema" if self.llm.structured == "auto" else self.llm.structured

    @property
    def model(self) -> str:
        return self.llm.model or "unset"

    def health(self) -> Health:
        return service_health(lambda: self._http(), "models")

    def prices(self) -> dict[str, float]:
        return {
            "input_tokens": (self.llm.price_input_per_1k or 0.0) / 1000,
            "output_tokens": (self.llm.price_output_per_1k or 0.0) / 1000,
        }

    def check(self) -> None:
        if not self.llm.base_url:
            raise ProviderNotConfigured(
                self.name,
                LLM.env("base_url"),
                "no API base URL set (e.g. https://api.openai.com/v1, or "
                "http://127.0.0.1:11434/v1 for Ollama)",
            )
        if not self.llm.model:
            raise ProviderNotConfigured(
                self.name, LLM.env("model"), "no chat model set (e.g. gpt-4o-mini)"
            )
        key = self.llm.api_key.get_secret_value().strip() if self.llm.api_key else ""
        if not key and not is_loopback(self.llm.base_url):
            raise self.missing_key(
                f"no API key set for {self.llm.base_url} (only servers on this machine, such "
                "as Ollama, may go without one)"
            )

    # --- the storyboard -------------------------------------------------------------------

    def write(self, story: str, brief: Brief) -> tuple[Storyboard, Usage]:
        self.check()
        started = time.perf_counter()
        if not story.strip() or not has_letters(story):
            raise ProviderError("the story is empty: give it some words to tell", retryable=False)
        language: Language = brief.language if brief.language != "auto" else detect_language(story)
        heading, paragraphs = story_paragraphs(story)
        if not paragraphs:
            raise ProviderError("the story is empty: no sentence with words in it")
        target = brief.target_seconds if brief.target_seconds and brief.target_seconds > 0 else None
        max_shots = max(1, min(brief.max_shots, MAX_SHOTS_ALLOWED))
        parts = plan_parts(paragraphs, self.llm.max_input_chars, target, max_shots)

        meter = _Meter()
        cast = Cast()
        title = shorten(brief.title.strip(), 200) if brief.title and brief.title.strip() else ""
        title = title or heading or ""
        shots: list[PlannedShot] = []
        for part in parts:
            draft_title, planned = self._write_part(part, brief, language, title, cast, meter)
            title = title or draft_title
            shots.extend(planned)

        limit = target * (1 + CONDENSE_TOLERANCE) if target else None
        try:
            board = assemble(
                fit_length(shots, max_shots, limit),
                cast,
                brief=brief,
                language=language,
                title=title or _fallback_title(paragraphs[0][0]),
            )
        except ValidationError as err:  # checked drafts fit the schema; this guards the edges
            raise ProviderError(
                f"{self.name} storyboard: the merged storyboard is invalid: {err}",
                retryable=False,
            ) from err
        usage = Usage(
            provider=self.name,
            model=self.model,
            seconds=time.perf_counter() - started,
            units=meter.units(self.llm),
        )
        return board, usage

    def _write_part(
        self,
        part: Part,
        brief: Brief,
        language: Language,
        title: str,
        cast: Cast,
        meter: _Meter,
    ) -> tuple[str, list[PlannedShot]]:
        """One part's checked shots (and the title the model gave), repaired when needed."""
        rate = ZH_CHARS_PER_SECOND if language == "zh" else EN_WORDS_PER_SECOND
        style = brief.style
        system = template(language, "storyboard_system").substitute(
            schema=json.dumps(DRAFT_SCHEMA, ensure_ascii=False)
        )
        user = template(language, "storyboard_user").substitute(
            part_number=part.index + 1,
            part_count=part.count,
            style=f"{style.label_zh}（{style.description_zh}）"
            if language == "zh"
            else f"{style.label} ({style.description})",
            title=title,
            known_characters=cast.roster(),
            max_shots=part.max_shots,
            budget=max(1, round(part.budget_seconds * rate)),
            part_length=max(1, round(part.seconds * rate)),
            story=part.text,
        )
        messages: list[dict[str, str]] = [
            {"role": "system", "content": system},
            {"role": "user", "content": user},
        ]
        attempts = self.llm.repair_attempts + 1
        for attempt in range(1, attempts + 1):
            answer, finish = self._complete(messages, meter)
            try:
                draft, planned, mapping = check_draft(
                    answer,
                    source=part.text,
                    max_shots=part.max_shots,
                    cast=cast,
                    part=part.index,
                )
            except DraftInvalid as invalid:
                errors = list(invalid.errors)
                if finish == "length":
                    errors.insert(
                        0,
                        "the answer was cut off at the output limit: write shorter visuals "
                        "and appearances",
                    )
                if attempt == attempts:
                    where = f" (part {part.index + 1} of {part.count})" if part.count > 1 else ""
                    raise ProviderError(
                        f"{self.name} storyboard: {self.model} gave no valid storyboard{where} "
                        f"after {attempts - 1} repair(s): {'; '.join(errors)}",
                        retryable=False,
                    ) from invalid
                messages.append({"role": "assistant", "content": answer})
                messages.append(
                    {
                        "role": "user",
                        "content": template(language, "repair").substitute(
                            errors="\n".join(f"- {e}" for e in errors)
                        ),
                    }
                )
                continue
            cast.admit(draft.characters, mapping)
            return shorten(" ".join(draft.title.split()), 200), planned
        raise AssertionError("unreachable")  # pragma: no cover

    # --- the protocol ---------------------------------------------------------------------

    def _http(self) -> HttpService:
        with self._lock:
            if self._service is None:
                key = self.llm.api_key.get_secret_value().strip() if self.llm.api_key else None
                self._service = HttpService(
                    name=f"{self.name} chat at {self.llm.base_url}",
                    base_url=self.llm.base_url or "",
                    headers=bearer(key),
                    timeout_s=self.llm.timeout_s,
                    retry=replace(self._retry, budget_s=self.llm.retry_budget_s),
                    sleep=self._sleep,
                    auth_hint=self.key_advice(),
                )
            return self._service

    def _complete(self, messages: list[dict[str, str]], meter: _Meter) -> tuple[str, str]:
        """The model's answer text and finish reason; steps down the way JSON is asked for
        when the server refuses it (``structured=auto`` only)."""
        while True:
            mode = self._mode
            body: dict[str, Any] = {
                "model": self.llm.model,
                "messages": messages,
                "temperature": self.llm.temperature,
            }
            if self.llm.max_output_tokens:
                body["max_tokens"] = self.llm.max_output_tokens
            if mode == "json_schema":
                body["response_format"] = {
                    "type": "json_schema",
                    "json_schema": {"name": "storyboard", "schema": DRAFT_SCHEMA, "strict": True},
                }
            elif mode == "json_object":
                body["response_format"] = {"type": "json_object"}
            try:
                data = self._http().json("POST", "chat/completions", json=body)
            except ProviderHttpError as err:
                fallback = _FALLBACK.get(mode)
                if _too_long(err):
                    raise ProviderError(
                        f"{err} — lower {LLM.env('max_input_chars')} (now "
                        f"{self.llm.max_input_chars}) so each part of the story fits this model",
                        retryable=False,
                    ) from err
                if not _refuses_format(err) or mode == "none":
                    raise
                if self.llm.structured != "auto" or fallback is None:
                    raise ProviderError(
                        f"{err} — the server does not take response_format {mode!r}; set "
                        f"{LLM.env('structured')}=auto to fall back to plain JSON prompts",
                        retryable=False,
                    ) from err
                self._mode = fallback  # remembered: later parts and writes ask this way at once
                continue
            meter.add(data.get("usage") if isinstance(data, dict) else None)
            return _answer(data, self.name)

    def models(self) -> list[str]:
        """Model ids the server offers (``GET /models``), to help choose STORYREEL_LLM__MODEL."""
        self.check()
        data = self._http().json("GET", "models")
        items = data.get("data") if isinstance(data, dict) else None
        return sorted(
            str(item["id"]) for item in items or [] if isinstance(item, dict) and "id" in item
        )


def _refuses_format(err: ProviderHttpError) -> bool:
    """A 400/422 about ``response_format``: this server or model lacks that way of asking."""
    text = str(err).lower()
    return err.status in (400, 422) and any(
        word in text for word in ("response_format", "json_schema", "json_object", "structured")
    )


def _too_long(err: ProviderHttpError) -> bool:
    """A 400 saying the request is over the model's context window."""
    text = str(err).lower()
    return err.status == 400 and any(
        words in text for words in ("context length", "context window", "maximum context")
    )


def _answer(data: Any, provider: str) -> tuple[str, str]:
    choices = data.get("choices") if isinstance(data, dict) else None
    if not choices or not isinstance(choices[0], dict):
        raise ProviderError(
            f"{provider}: the chat answer has no choices: {shorten(json.dumps(data), 200)}",
            retryable=True,
        )
    choice = choices[0]
    message = choice.get("message") or {}
    refusal = message.get("refusal")
    if refusal:
        # The model's own policy: another writer of the route (the rules) may still serve.
        raise ProviderError(
            f"{provider}: the model refused: {refusal}", retryable=False, fall_over=True
        )
    content = message.get("content")
    return (content if isinstance(content, str) else ""), str(choice.get("finish_reason") or "")
