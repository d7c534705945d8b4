"""A storyboard's narration translated by the OpenAI-compatible chat model (``STORYREEL_LLM__*``).

Only the words spoken (and the title) are translated: visual prompts are written for the image
model and stay as they are. The shot structure is kept: the model gets the shots' ids and
narrations and must answer with the same ids, in the same order, one narration each, in the
target language. An answer that does not (another number of shots, ids changed, a narration
empty or in the wrong language, not JSON) goes back to the model with the list of problems,
up to ``STORYREEL_LLM__REPAIR_ATTEMPTS`` times; then the translation fails with a
``ProviderError`` naming them. Long storyboards are sent in parts of at most
``STORYREEL_LLM__MAX_INPUT_CHARS`` characters of narration.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from storyreel.domain.storyboard import Language
from storyreel.domain.text import detect_language, has_letters, shorten
from storyreel.providers.base import ProviderError, ProviderNotConfigured, Usage
from storyreel.providers.http import ProviderHttpError, RetryPolicy
from storyreel.providers.llm.draft import NotJson, extract_json
from storyreel.providers.llm.openai_chat import (
    OpenAIChatStoryboardWriter,
    _answer,
    _Meter,
    _refuses_format,
    template,
)
from storyreel.providers.llm.settings import LLM
from storyreel.settings import Settings

#: The languages a storyboard can be translated into, by the names the prompt uses.
LANGUAGE_NAMES: dict[Language, str] = {"zh": "Simplified Chinese", "en": "English"}
MAX_NARRATION = 2000  # the storyboard's limit on one shot's narration
Mode = Literal["json_schema", "json_object", "none"]
_FALLBACK: dict[Mode, Mode] = {"json_schema": "json_object", "json_object": "none"}

TRANSLATION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["title", "shots"],
    "properties": {
        "title": {"type": "string"},
        "shots": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["id", "narration"],
                "properties": {"id": {"type": "string"}, "narration": {"type": "string"}},
            },
        },
    },
}


def unavailable_reason(settings: Settings, what: str = "translation") -> str | None:
    """Why ``what`` (a step only an LLM does) cannot run on this server, naming the settings
    to set; None when it can."""
    try:
        OpenAIChatStoryboardWriter(settings).check()
    except ProviderNotConfigured as exc:
        return (
            f"{what} needs an LLM: set {LLM.env('base_url')} (an OpenAI-compatible API, "
            f"e.g. https://api.openai.com/v1), {LLM.env('api_key')} and {LLM.env('model')} "
            f"({exc})"
        )
    return None


@dataclass(frozen=True)
class Translation:
    """The translated title and one narration per shot, in the shots' order."""

    title: str
    narrations: list[str]
    usage: Usage


class TranslationInvalid(ValueError):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def check_translation(answer: str, ids: Sequence[str], language: Language) -> tuple[str, list[str]]:
    """The title and narrations of a model's answer, or ``TranslationInvalid`` listing what is
    wrong with it (the shot count first: nothing else can be matched without it)."""
    try:
        data = extract_json(answer)
    except NotJson as exc:
        raise TranslationInvalid([str(exc)]) from exc
    shots = data.get("shots")
    if not isinstance(shots, list):
        raise TranslationInvalid(['"shots" must be a list of {"id", "narration"} objects'])
    if len(shots) != len(ids):
        raise TranslationInvalid(
            [
                f"the answer has {len(shots)} shots but the storyboard has {len(ids)}: keep "
                "every shot, one narration per shot, none merged, split, added or left out"
            ]
        )
    errors: list[str] = []
    narrations: list[str] = []
    for i, (shot, expected) in enumerate(zip(shots, ids, strict=True)):
        if not isinstance(shot, dict):
            errors.append(f"shots[{i}] must be an object with id and narration")
            narrations.append("")
            continue
        if shot.get("id") != expected:
            errors.append(f"shots[{i}].id is {shot.get('id')!r}; it must be {expected!r}")
        text = shot.get("narration")
        text = " ".join(text.split()) if isinstance(text, str) else ""
        if not text or not has_letters(text):
            errors.append(f"shots[{i}].narration is empty: translate the shot's narration")
        elif len(text) > MAX_NARRATION:
            errors.append(f"shots[{i}].narration is over {MAX_NARRATION} characters")
        elif detect_language(text, min_share=0.5) != language:
            errors.append(f"shots[{i}].narration is not in {LANGUAGE_NAMES[language]}")
        narrations.append(text)
    if errors:
        raise TranslationInvalid(errors)
    title = data.get("title")
    return (shorten(" ".join(title.split()), 200) if isinstance(title, str) else ""), narrations


def _parts(narrations: Sequence[str], max_chars: int) -> list[range]:
    """Consecutive shots whose narrations together stay under ``max_chars`` (at least one)."""
    parts: list[range] = []
    start, size = 0, 0
    for i, text in enumerate(narrations):
        if i > start and size + len(text) > max_chars:
            parts.append(range(start, i))
            start, size = i, 0
        size += len(text)
    parts.append(range(start, len(narrations)))
    return parts


class OpenAIChatTranslator:
    """Narrations translated by the chat model the ``openai`` storyboard writer uses."""

    name = "openai"

    def __init__(
        self,
        settings: Settings,
        *,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.llm = settings.llm
        # The same model, URL, key, retries and error advice as the storyboard writer.
        self._chat = OpenAIChatStoryboardWriter(settings, retry=retry, sleep=sleep)
        self._mode: Mode = "json_schema" if self.llm.structured == "auto" else self.llm.structured

    @property
    def model(self) -> str:
        return self._chat.model

    def translate(
        self, title: str, shots: Sequence[tuple[str, str]], to: Language, source: Language
    ) -> Translation:
        """``shots`` are (id, narration) pairs; the answer keeps their number and order."""
        self._chat.check()
        if not shots:
            raise ProviderError("there are no shots to translate", retryable=False)
        started = time.perf_counter()
        meter = _Meter()
        narrations = [n for _, n in shots]
        parts = _parts(narrations, self.llm.max_input_chars)
        out: list[str] = []
        new_title = ""
        for k, part in enumerate(parts):
            chunk = [shots[i] for i in part]
            got_title, got = self._translate_part(title, chunk, to, source, (k, len(parts)), meter)
            new_title = new_title or got_title
            out.extend(got)
        usage = Usage(
            provider=self.name,
            model=self.model,
            seconds=time.perf_counter() - started,
            units=meter.units(self.llm),
        )
        return Translation(title=new_title, narrations=out, usage=usage)

    def _translate_part(
        self,
        title: str,
        shots: list[tuple[str, str]],
        to: Language,
        source: Language,
        where: tuple[int, int],
        meter: _Meter,
    ) -> tuple[str, list[str]]:
        ids = [shot_id for shot_id, _ in shots]
        listed = ", ".join(ids)
        language = LANGUAGE_NAMES[to]
        system = template("en", "translate_system").substitute(
            language=language, schema=json.dumps(TRANSLATION_SCHEMA)
        )
        user = template("en", "translate_user").substitute(
            language=language,
            code=to,
            source_language=LANGUAGE_NAMES[source],
            part_number=where[0] + 1,
            part_count=where[1],
            count=len(shots),
            title=title,
            shots=json.dumps(
                [{"id": i, "narration": n} for i, n in shots], ensure_ascii=False, indent=1
            ),
            ids=listed,
        )
        messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
        attempts = self.llm.repair_attempts + 1
        for attempt in range(1, attempts + 1):
            answer = self._complete(messages, meter)
            try:
                return check_translation(answer, ids, to)
            except TranslationInvalid as invalid:
                if attempt == attempts:
                    raise ProviderError(
                        f"{self.name} translation: {self.model} gave no valid translation "
                        f"after {attempts - 1} repair(s): {invalid}",
                        retryable=False,
                    ) from invalid
                messages.append({"role": "assistant", "content": answer})
                repair = template("en", "translate_repair").substitute(
                    errors="\n".join(f"- {e}" for e in invalid.errors),
                    count=len(shots),
                    ids=listed,
                    language=language,
                )
                messages.append({"role": "user", "content": repair})
        raise AssertionError("unreachable")  # pragma: no cover

    def _complete(self, messages: list[dict[str, str]], meter: _Meter) -> str:
        """The model's answer; steps down the way JSON is asked for when the server refuses it
        (``structured=auto`` only), as the storyboard writer does."""
        while True:
            mode = self._mode
            body: dict[str, Any] = {
                "model": self.llm.model,
                "messages": messages,
                "temperature": min(self.llm.temperature, 0.3),
            }
            if self.llm.max_output_tokens:
                body["max_tokens"] = self.llm.max_output_tokens
            if mode == "json_schema":
                body["response_format"] = {
                    "type": "json_schema",
                    "json_schema": {
                        "name": "translation",
                        "schema": TRANSLATION_SCHEMA,
                        "strict": True,
                    },
                }
            elif mode == "json_object":
                body["response_format"] = {"type": "json_object"}
            try:
                data = self._chat._http().json("POST", "chat/completions", json=body)
            except ProviderHttpError as err:
                fallback = _FALLBACK.get(mode)
                if not _refuses_format(err) or fallback is None or self.llm.structured != "auto":
                    raise
                self._mode = fallback
                continue
            meter.add(data.get("usage") if isinstance(data, dict) else None)
            return _answer(data, self.name)[0]
