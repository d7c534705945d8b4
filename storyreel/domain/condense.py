"""Condensing a long text to a target length by keeping its most telling sentences (offline).

Extractive and deterministic: the text is split into sentences (``text.split_paragraphs``),
each sentence is scored, and the best are kept **in story order**, word for word, until the
target number of characters is reached. Nothing is rewritten, so every kept sentence appears in
the original, in the same relative order.

What is kept first:

1. the **introduction** of every recurring being (``entities.extract``: named characters and
   unnamed ones such as "the fox" or "老人") — the first sentence that mentions it — so nobody
   appears later without having been met; the most mentioned first, within half the budget;
2. then, section by section (the story is cut into stretches that each get their share of the
   budget, so the ending is told as well as the beginning), the sentences with the best score:
   - **centrality**: how much of the story's vocabulary the sentence carries (TF-IDF weights of
     its words — CJK character pairs for Chinese — summed against the whole text's centroid);
   - **position**: the opening, the ending, and the first sentence of a paragraph;
   - **cues**: dialogue, a being doing something, a scene change, mentions of the cast;
3. finally any sentence that still fits the room left, best first.

The target is a number of characters; ``chars_for_seconds`` turns a film length into one with
the text's own speaking rate (``text.estimate_speech_seconds``).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from storyreel.domain import cues
from storyreel.domain.entities import StoryEntities, extract
from storyreel.domain.text import (
    CJK_CLASS,
    estimate_speech_seconds,
    join_sentences,
    split_paragraphs,
    word_set,
)

#: Sections the story is cut into so that every stretch of it keeps its share.
SECTIONS = 12
#: The most of the budget the characters' introductions may take together.
INTRODUCTIONS_SHARE = 0.5
#: Score weights (centrality is normalised to 0..1 first).
W_CENTRALITY = 0.55
W_POSITION = 0.15
W_DIALOGUE = 0.1
W_ACTION = 0.1
W_CAST = 0.1
_PARAGRAPH_BREAK = "\n\n"
_EN_TERM_RE = re.compile(r"[^\W\d_]{3,}")
_CJK_RUN_RE = re.compile(f"[{CJK_CLASS}]+")
# Words too common to say what a story is about (English; CJK pairs are weighted by IDF alone).
_EN_STOP = word_set(
    "the and for was were are that this with his her she him they them their there then than "
    "had has have not but you your from into out all one would could what when which who will "
    "said says its it's been being very just like over only some more any our about back"
)
_TITLE_MAX_CHARS = 60


@dataclass(frozen=True)
class Condensed:
    """A condensed story and what was done: lengths before and after, how, at what cost."""

    text: str
    before: int  # characters in
    after: int  # characters out
    method: str  # "offline" (extractive), "llm" (map → reduce), "none" (it already fitted)
    calls: int = 0  # LLM requests
    chars_sent: int = 0  # characters of prompts sent to the LLM
    note: str = ""  # why the method was chosen (e.g. the LLM's failure that fell back)

    def describe(self) -> str:
        """One line for people: "condensed 31,204 → 1,950 characters (offline, extractive)"."""
        if self.method == "none":
            return f"not condensed: {self.before:,} characters already fit"
        how = "offline, extractive" if self.method == "offline" else f"LLM, {self.calls} calls"
        line = f"condensed {self.before:,} → {self.after:,} characters ({how})"
        return f"{line}; {self.note}" if self.note else line


def chars_for_seconds(text: str, seconds: float) -> int:
    """How many characters of ``text`` a narrator says in ``seconds``, at its own rate."""
    stripped = text.strip()
    spoken = estimate_speech_seconds(stripped)
    if not stripped or spoken <= 0:
        return 0
    return max(1, int(len(stripped) * seconds / spoken))


def condense(text: str, target_chars: int) -> str:
    """``text`` cut to at most ``target_chars`` characters by keeping whole sentences in story
    order (see the module docstring); unchanged when it already fits."""
    stripped = text.strip()
    if len(stripped) <= target_chars:
        return stripped
    paragraphs = split_paragraphs(stripped)
    sentences = [s for p in paragraphs for s in p]
    if not sentences:
        return ""
    where = [(pi, si) for pi, p in enumerate(paragraphs) for si in range(len(p))]
    title = _title_index(paragraphs)
    budget = target_chars - (len(sentences[title]) + len(_PARAGRAPH_BREAK) if title == 0 else 0)
    kept = select(sentences, where, max(0, budget), skip={title} if title is not None else set())
    if title is not None:
        kept.add(title)
    return _join(paragraphs, where, kept)


def select(
    sentences: Sequence[str],
    where: Sequence[tuple[int, int]],
    budget: int,
    *,
    skip: set[int] | None = None,
) -> set[int]:
    """Indexes of the sentences to keep: at most ``budget`` characters, separators counted.

    ``where`` gives each sentence's (paragraph, place in paragraph).
    """
    skip = skip or set()
    n = len(sentences)
    cost = [len(s) + 2 for s in sentences]  # with a separator: a space or a paragraph break
    facts = extract(sentences)
    scores = _scores(sentences, where, facts)
    # "Captain Ellis shouted." says nothing without the quote before it: they go together.
    attribution = [
        i > 0 and where[i][0] == where[i - 1][0] and cues.is_attribution(s)
        for i, s in enumerate(sentences)
    ]
    kept: set[int] = set()
    used = 0

    def take(i: int, limit: int) -> bool:
        nonlocal used
        if attribution[i]:
            i -= 1  # the quote is taken, and its attribution with it
        group = [i]
        while group[-1] + 1 < n and attribution[group[-1] + 1]:
            group.append(group[-1] + 1)
        group = [k for k in group if k not in kept and k not in skip]
        extra = sum(cost[k] for k in group)
        if i in kept or i in skip or not group or used + extra > limit:
            return False
        kept.update(group)
        used += extra
        return True

    # 1. Everyone recurring is introduced, the most mentioned first.
    for being in sorted(facts.cast, key=lambda b: (-b.mentions, b.first)):
        take(being.first[0], int(budget * INTRODUCTIONS_SHARE))
    # 2. Every stretch of the story gets its share of the budget, best sentences first.
    total = sum(cost) or 1
    bounds = _sections(cost, min(SECTIONS, n))
    for start, end in bounds:
        share = budget * sum(cost[start:end]) / total
        room = used + max(0.0, share - sum(cost[i] for i in kept if start <= i < end))
        for i in sorted(range(start, end), key=lambda k: (-scores[k], k)):
            if used + cost[i] > room:
                continue
            take(i, budget)
    # 3. Whatever still fits, best first.
    for i in sorted(range(n), key=lambda k: (-scores[k], k)):
        if budget - used < min(cost):
            break
        take(i, budget)
    return kept


def _scores(
    sentences: Sequence[str], where: Sequence[tuple[int, int]], facts: StoryEntities
) -> list[float]:
    n = len(sentences)
    terms = [_terms(s) for s in sentences]
    df: Counter[str] = Counter()
    tf: Counter[str] = Counter()
    for bag in terms:
        df.update(set(bag))
        tf.update(bag)
    idf = {t: math.log((1 + n) / (1 + d)) + 1.0 for t, d in df.items()}
    # The centroid: how much each term says about the whole story (frequent, not everywhere).
    centroid = {t: math.log1p(tf[t]) * idf[t] for t in tf}
    central = [
        sum(centroid[t] for t in set(bag)) / math.sqrt(len(bag)) if bag else 0.0 for bag in terms
    ]
    top = max(central) or 1.0
    last_paragraph = where[-1][0] if where else 0
    scores: list[float] = []
    for i, sentence in enumerate(sentences):
        paragraph, place = where[i]
        position = 1.0 if i == 0 or i == n - 1 else 0.0
        if place == 0 or paragraph in (0, last_paragraph):
            position = max(position, 0.6)
        fact = facts.sentences[i] if i < len(facts.sentences) else None
        action = 1.0 if fact is not None and fact.subject is not None and fact.action else 0.0
        if cues.is_scene_transition(sentence):
            action = max(action, 0.8)
        cast = min(1.0, len(fact.beings) / 2) if fact is not None else 0.0
        scores.append(
            W_CENTRALITY * central[i] / top
            + W_POSITION * position
            + W_DIALOGUE * (1.0 if cues.has_dialogue(sentence) else 0.0)
            + W_ACTION * action
            + W_CAST * cast
        )
    return scores


def _terms(sentence: str) -> list[str]:
    """Words of a sentence that carry meaning: Latin words, CJK character pairs."""
    lowered = sentence.lower()
    words = [w for w in _EN_TERM_RE.findall(_CJK_RUN_RE.sub(" ", lowered)) if w not in _EN_STOP]
    for run in _CJK_RUN_RE.findall(lowered):
        words.extend(run[k : k + 2] for k in range(max(1, len(run) - 1)))
    return words


def _sections(cost: Sequence[int], count: int) -> list[tuple[int, int]]:
    """``count`` consecutive ranges of sentence indexes of about equal length in characters."""
    total = sum(cost)
    bounds: list[tuple[int, int]] = []
    start, acc = 0, 0
    for i, c in enumerate(cost):
        acc += c
        if acc >= total * (len(bounds) + 1) / count and i + 1 > start:
            bounds.append((start, i + 1))
            start = i + 1
    if start < len(cost):
        bounds.append((start, len(cost)))
    return bounds


def _title_index(paragraphs: Sequence[Sequence[str]]) -> int | None:
    """0 when the text opens with a title line (short, alone, no end punctuation), else None."""
    if len(paragraphs) < 2 or len(paragraphs[0]) != 1:
        return None
    line = paragraphs[0][0]
    if len(line) > _TITLE_MAX_CHARS or line[-1] in '.!?。！？…"”」':
        return None
    return 0


def _join(
    paragraphs: Sequence[Sequence[str]], where: Sequence[tuple[int, int]], kept: set[int]
) -> str:
    """The kept sentences in story order, paragraphs as the story had them."""
    by_paragraph: dict[int, list[str]] = {}
    for i in sorted(kept):
        paragraph, place = where[i]
        by_paragraph.setdefault(paragraph, []).append(paragraphs[paragraph][place])
    return _PARAGRAPH_BREAK.join(join_sentences(s) for s in by_paragraph.values())
