"""Long stories in parts a chat model can read at once, each with its share of the storyboard.

A story is cut between paragraphs (a paragraph too long on its own between sentences, a sentence
too long between clauses or words) into parts of at most ``max_chars`` characters. Every part
gets a share of ``max_shots`` and of the narration time allowed (the target length, or the
part's own length when there is none) in proportion to its own narration time. A story with
more parts than shots allowed tells only parts spread evenly over it, first and last included.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from storyreel.domain.text import (
    estimate_speech_seconds,
    fit_sentence,
    join_sentences,
    normalize_line,
    split_paragraphs,
)
from storyreel.providers.llm.rules import _as_heading, _spread_order

_PARAGRAPH_BREAK = "\n\n"


@dataclass(frozen=True)
class Part:
    """One piece of the story sent to the model in one request."""

    index: int  # 0-based, in story order among the parts that are told
    count: int  # parts told in all
    text: str
    seconds: float  # narration time of all of ``text``
    max_shots: int
    budget_seconds: float  # narration time its shots should add up to


def story_paragraphs(story: str) -> tuple[str | None, list[list[str]]]:
    """The story's own title line when it has one (as the rules writer reads it), and its
    paragraphs of sentences without that line."""
    paragraphs = split_paragraphs(story)
    raw = next((line for line in story.splitlines() if line.strip()), "")
    heading = _as_heading(" ".join(normalize_line(word) for word in raw.split()))
    if heading and paragraphs and paragraphs[0][0] == normalize_line(raw):
        rest = [p for p in [paragraphs[0][1:], *paragraphs[1:]] if p]
        if rest:
            return heading, rest
    return None, paragraphs


def split_text(paragraphs: Sequence[Sequence[str]], max_chars: int) -> list[str]:
    """Texts of at most ``max_chars`` characters, whole paragraphs wherever they fit."""
    blocks: list[str] = []  # paragraphs, or pieces of paragraphs that are too long alone
    for sentences in paragraphs:
        text = join_sentences(sentences)
        if len(text) <= max_chars:
            blocks.append(text)
            continue
        pieces = [
            piece
            for sentence in sentences
            for piece in fit_sentence(sentence, float("inf"), max_chars)
        ]
        blocks.extend(_pack(pieces, max_chars, join=join_sentences))
    return _pack(blocks, max_chars, join=_PARAGRAPH_BREAK.join)


def _pack(pieces: Sequence[str], max_chars: int, join: Callable[[list[str]], str]) -> list[str]:
    out: list[str] = []
    current: list[str] = []
    for piece in pieces:
        piece = piece[:max_chars]  # fit_sentence keeps to max_chars; this guards the contract
        if current and len(join([*current, piece])) > max_chars:
            out.append(join(current))
            current = []
        current.append(piece)
    if current:
        out.append(join(current))
    return out


def plan_parts(
    paragraphs: Sequence[Sequence[str]],
    max_chars: int,
    target_seconds: float | None,
    max_shots: int,
) -> list[Part]:
    """The parts to write, each with its shots and narration time allowed."""
    texts = split_text(paragraphs, max_chars)
    seconds = [estimate_speech_seconds(t) for t in texts]
    shots = allocate_shots(max_shots, seconds)
    told = [i for i, n in enumerate(shots) if n > 0]
    told_seconds = sum(seconds[i] for i in told) or 1.0
    whole = sum(seconds)
    allowed = min(whole, target_seconds) if target_seconds else whole
    return [
        Part(
            index=k,
            count=len(told),
            text=texts[i],
            seconds=seconds[i],
            max_shots=shots[i],
            budget_seconds=allowed * seconds[i] / told_seconds,
        )
        for k, i in enumerate(told)
    ]


def allocate_shots(max_shots: int, seconds: Sequence[float]) -> list[int]:
    """Shots per part in proportion to their length (largest remainder), at least one each;
    when there are more parts than shots, one each for parts spread evenly over the story."""
    n = len(seconds)
    if n == 0:
        return []
    max_shots = max(1, max_shots)
    if n > max_shots:
        order = list(dict.fromkeys([0, n - 1, *_spread_order(n)]))
        chosen = set(order[:max_shots])
        return [1 if i in chosen else 0 for i in range(n)]
    total = sum(seconds) or 1.0
    exact = [max_shots * s / total for s in seconds]
    shares = [int(e) for e in exact]
    by_remainder = sorted(range(n), key=lambda i: exact[i] - shares[i], reverse=True)
    for i in by_remainder[: max_shots - sum(shares)]:
        shares[i] += 1
    for i in range(n):  # every part is told: a short one takes a shot from the longest
        if shares[i] == 0:
            shares[max(range(n), key=lambda j: shares[j])] -= 1
            shares[i] = 1
    return shares
