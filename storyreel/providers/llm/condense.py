"""Condensing a long story with the chat model, in parts: map → reduce.

1. **map**: the story is cut into parts that fit one request (``chunks.split_text``, under
   ``STORYREEL_LLM__MAX_INPUT_CHARS`` less room for the prompt), and each part is summarised, in
   order, to its share of the target length. Each request carries the **names and facts so far**
   — a list the model keeps up to date and hands back with its summary — so a character met in
   part 1 keeps its name and story in part 7.
2. **reduce**: the summaries, in order, with the final list, become one story of the target
   length in the story's language. A story of one part needs no reduce; summaries together
   longer than a request can hold are the story themselves.

The answer is then held to the target: a model that overshoots by more than a quarter is cut
with the offline extractive method (``storyreel.domain.condense``), so the length is kept
whatever the model does. The requests use the ``openai`` storyboard writer's client and
settings (``STORYREEL_LLM__*``); prompts live in ``prompts/{en,zh}/condense_*.txt``.
"""

from __future__ import annotations

import re
from typing import Any

from storyreel.domain.condense import Condensed, condense
from storyreel.domain.storyboard import Language
from storyreel.domain.text import detect_language, has_letters, split_paragraphs
from storyreel.providers.base import Provider, ProviderError
from storyreel.providers.llm.chunks import split_text
from storyreel.providers.llm.openai_chat import (
    OpenAIChatStoryboardWriter,
    _answer,
    _Meter,
    template,
)

#: The most characters of the names-and-facts list carried from part to part.
FACTS_MAX_CHARS = 2_000
#: Room left in every request for the prompt's own words (besides the list).
PROMPT_CHARS = 1_000
#: The model's story may run this much past the target before it is cut (extractively).
OVERSHOOT = 0.25
#: English prompts ask for words; a word is about this many characters with its space.
EN_CHARS_PER_WORD = 6.0
_SUMMARY_RE = re.compile(r"<summary>\s*(.*?)\s*(?:</summary>|$)", re.DOTALL | re.IGNORECASE)
_FACTS_RE = re.compile(r"<facts>\s*(.*?)\s*(?:</facts>|$)", re.DOTALL | re.IGNORECASE)
_TAG_RE = re.compile(r"</?(?:story|summary|summaries|facts|part)>", re.IGNORECASE)


class LlmCondenser:
    """Map → reduce condensing with the chat model of an ``openai`` storyboard writer."""

    def __init__(self, writer: OpenAIChatStoryboardWriter) -> None:
        self.writer = writer
        self.llm = writer.llm

    @classmethod
    def of(cls, provider: Provider) -> LlmCondenser | None:
        """A condenser using ``provider``'s chat model, or None when it has none (rules)."""
        return cls(provider) if isinstance(provider, OpenAIChatStoryboardWriter) else None

    @property
    def part_chars(self) -> int:
        """The most story characters one map request carries."""
        room = self.llm.max_input_chars - FACTS_MAX_CHARS - PROMPT_CHARS
        return max(self.llm.max_input_chars // 2, room, 200)

    def condense(self, text: str, target_chars: int) -> Condensed:
        """``text`` told again in about ``target_chars`` characters (see the module)."""
        self.writer.check()
        story = text.strip()
        if not has_letters(story):
            raise ProviderError("the story is empty: give it some words to tell", retryable=False)
        language: Language = detect_language(story)
        parts = split_text(split_paragraphs(story), self.part_chars)
        meter, sent = _Meter(), [0]
        total = sum(len(p) for p in parts) or 1
        facts = ""
        summaries: list[str] = []
        for k, part in enumerate(parts):
            share = max(1, round(target_chars * len(part) / total))
            if len(parts) == 1:
                share = target_chars
            user = template(language, "condense_map").substitute(
                part_number=k + 1,
                part_count=len(parts),
                share=_units(share, language),
                facts=facts or "-",
                text=part,
            )
            answer = self._ask(language, user, meter, sent)
            summary, new_facts = _parse_map(answer)
            summaries.append(summary)
            facts = _clip_facts(new_facts) or facts
        joined = "\n\n".join(s for s in summaries if s)
        fits = len(joined) + len(facts) + PROMPT_CHARS <= self.llm.max_input_chars
        if len(summaries) > 1 and fits:
            user = template(language, "condense_reduce").substitute(
                part_count=len(summaries),
                target=_units(target_chars, language),
                facts=facts or "-",
                summaries=joined,
            )
            joined = _TAG_RE.sub("", self._ask(language, user, meter, sent)).strip()
        if not has_letters(joined):
            raise ProviderError(
                f"{self.writer.name} condense: {self.writer.model} gave an empty story",
                retryable=True,
            )
        if len(joined) > target_chars * (1 + OVERSHOOT):
            joined = condense(joined, target_chars)
        return Condensed(
            text=joined,
            before=len(story),
            after=len(joined),
            method="llm",
            calls=meter.requests,
            chars_sent=sent[0],
        )

    def _ask(self, language: Language, user: str, meter: _Meter, sent: list[int]) -> str:
        """One chat request with the condensing system prompt; the answer's text."""
        messages = [
            {"role": "system", "content": template(language, "condense_system").substitute()},
            {"role": "user", "content": user},
        ]
        body: dict[str, Any] = {
            "model": self.llm.model,
            "messages": messages,
            "temperature": self.llm.temperature,
        }
        if self.llm.max_output_tokens:
            body["max_tokens"] = self.llm.max_output_tokens
        sent[0] += sum(len(m["content"]) for m in messages)
        data = self.writer._http().json("POST", "chat/completions", json=body)
        meter.add(data.get("usage") if isinstance(data, dict) else None)
        content, _finish = _answer(data, self.writer.name)
        return content


def _units(chars: int, language: Language) -> int:
    """What the prompt asks for: Chinese characters, or English words."""
    return chars if language == "zh" else max(1, round(chars / EN_CHARS_PER_WORD))


def _parse_map(answer: str) -> tuple[str, str]:
    """The summary and the names-and-facts list of a map answer (tags optional)."""
    summary = _SUMMARY_RE.search(answer)
    facts = _FACTS_RE.search(answer)
    # Without tags, everything but the list is the summary.
    text = summary.group(1) if summary is not None else _FACTS_RE.sub("", answer)
    return _TAG_RE.sub("", text).strip(), (facts.group(1).strip() if facts else "")


def _clip_facts(facts: str) -> str:
    """The list, whole lines only, within ``FACTS_MAX_CHARS``."""
    kept: list[str] = []
    size = 0
    for line in (ln.strip() for ln in facts.splitlines()):
        if not line:
            continue
        if size + len(line) + 1 > FACTS_MAX_CHARS:
            break
        kept.append(line)
        size += len(line) + 1
    return "\n".join(kept)
