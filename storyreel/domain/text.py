"""Plain-text rules for stories: language, paragraphs, sentences, clauses and speaking time.

Everything here is pure and works on Chinese, English and mixed text. Sentence splitting is
rule-based: CJK terminators always end a sentence; a Latin ``.``, ``!`` or ``?`` ends one only
when what follows looks like a new sentence (so abbreviations, decimals, initials and dialogue
attributions such as ``"Stop!" she said.`` stay whole). Line breaks end sentences too.
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Literal


def word_set(text: str) -> frozenset[str]:
    """The whitespace-separated words of ``text``: keeps long keyword tables readable."""
    return frozenset(text.split())


# --- speaking rate ---------------------------------------------------------------------------

#: Mandarin narration speed (characters per second) used to estimate how long text takes to say.
ZH_CHARS_PER_SECOND = 4.5
#: English narration speed (words per second).
EN_WORDS_PER_SECOND = 2.6
#: Letters in one "word" of an unspaced or very long token, so run-on text is not under-timed.
_LETTERS_PER_EXTRA_WORD = 12

# --- character classes -----------------------------------------------------------------------

# Han ideographs (unified, extension A-F, compatibility) — what "Chinese" means for language.
_IDEOGRAPHS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef\U00030000-\U0003134f"
# Scripts written without spaces between words: ideographs plus kana; timed per character.
CJK_CLASS = _IDEOGRAPHS + "\u3040-\u30ff\u31f0-\u31ff"
_IDEOGRAPH_RE = re.compile(f"[{_IDEOGRAPHS}]")
_CJK_RE = re.compile(f"[{CJK_CLASS}]")
_LATIN_LETTER_RE = re.compile(r"[A-Za-z\u00c0-\u024f]")
# A word of any spaced script: letters/digits with inner apostrophes, never underscores.
_WORD_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_LONG_TOKEN_RE = re.compile(f"[^\\W\\d_]{{{_LETTERS_PER_EXTRA_WORD},}}")
_LONG_NUMBER_RE = re.compile(r"\d{3,}")

#: A Chinese character is about one syllable; an English syllable is about this many letters.
_LATIN_LETTERS_PER_SYLLABLE = 3.0
#: Text is Chinese when ideographs are at least this share of its syllables.
ZH_MIN_SHARE = 0.3

# Terminators that end a sentence wherever they appear (full-width forms are never decimals).
_STRONG_TERMINATORS = frozenset("。！？；．｡‼⁇⁈⁉")
_TERMINATOR_RUN_RE = re.compile(r"[.!?…。！？；．｡‼⁇⁈⁉]+")
# Closing quotes and brackets stay with the sentence they end.
_CLOSERS = frozenset("”’\"'」』）)]】》〉»›〕｝}")
_QUOTE_CLOSERS = frozenset("”’\"'」』»›")
_CJK_OPENERS = frozenset("“‘「『（《【〈〔")
# Where a sentence far too long may be cut: clause marks, and terminators inside a quotation.
_CLAUSE_PUNCT = frozenset("，、,;；:：—。！？!?…")
_QUOTE_OPEN = frozenset("“「『")
_QUOTE_CLOSE = frozenset("”」』")
_QUOTE_MARK_RE = re.compile('[“「『”」』"]')
#: A terminator inside a quotation ends a sentence only once the sentence is this long.
QUOTE_SPLIT_CHARS = 80

# Abbreviations after which a period never ends a sentence (titles, "e.g." and the like).
_NEVER_END = word_set(
    "mr mrs ms mx dr st prof capt col gen lt sgt rev hon mt ft vs cf e.g i.e u.s u.k u.n "
    "viz approx fig"
)
# Abbreviations that end a sentence only when a capitalised word follows ("at 7 a.m. Then").
_MAY_END = word_set("etc a.m p.m jr sr inc ltd co corp al")
_ABBREV_RE = re.compile(r"([A-Za-z][A-Za-z.]*)$")

# Characters removed outright: they carry no meaning, and control characters or lone surrogates
# would break hashing (shot ids), subtitles and rendering further down.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u2060\ufeff\u00ad"), None)  # zero-width
# Control characters (category Cc, tabs aside) and lone surrogates (Cs).
_UNSPEAKABLE_RE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\ud800-\udfff]")
_SPACE_RE = re.compile(r"\s+")
_CJK_TEXT = f"{CJK_CLASS}，。！？；：、“”‘’「」『』（）《》…—"
_SPACE_BETWEEN_CJK_RE = re.compile(f"(?<=[{_CJK_TEXT}]) (?=[{_CJK_TEXT}])")
_SEPARATOR_LINE_RE = re.compile(r"^[\W_]*$")


def is_cjk(ch: str) -> bool:
    """True for a Han ideograph or kana (scripts timed and joined per character)."""
    return bool(_CJK_RE.match(ch))


def has_letters(text: str) -> bool:
    return any(ch.isalpha() for ch in text)


def detect_language(text: str, min_share: float = ZH_MIN_SHARE) -> Literal["zh", "en"]:
    """'zh' when Han ideographs are at least ``min_share`` of the text's syllables, else 'en'.

    A whole story uses the default (a Chinese story full of English names is still Chinese);
    a single line to be spoken asks for a majority (0.5) to pick its voice.
    """
    ideographs = len(_IDEOGRAPH_RE.findall(text))
    if ideographs == 0:
        return "en"
    latin_syllables = len(_LATIN_LETTER_RE.findall(text)) / _LATIN_LETTERS_PER_SYLLABLE
    return "zh" if ideographs / (ideographs + latin_syllables) >= min_share else "en"


def normalize_line(line: str) -> str:
    """One line with whitespace collapsed, invisible characters dropped, CJK spacing removed."""
    cleaned = _UNSPEAKABLE_RE.sub("", line.translate(_INVISIBLE))
    cleaned = _SPACE_RE.sub(" ", cleaned).strip()
    return _SPACE_BETWEEN_CJK_RE.sub("", cleaned)


def estimate_speech_seconds(text: str) -> float:
    """Seconds a narrator needs for ``text``: CJK per character, other scripts per word."""
    rest, cjk = _CJK_RE.subn(" ", text)
    words = len(_WORD_RE.findall(rest))
    # Run-on tokens (scripts without spaces, garbage) count by length; numbers are read in
    # groups of about two digits ("1999" is "nineteen ninety-nine").
    words += sum(len(t) // _LETTERS_PER_EXTRA_WORD for t in _LONG_TOKEN_RE.findall(rest))
    words += sum((len(d) - 1) // 2 for d in _LONG_NUMBER_RE.findall(rest))
    return cjk / ZH_CHARS_PER_SECOND + words / EN_WORDS_PER_SECOND


# --- paragraphs and sentences ----------------------------------------------------------------


def split_paragraphs(text: str) -> list[list[str]]:
    """Paragraphs (each a list of sentences); blank or symbol-only lines separate paragraphs.

    Text with no blank lines at all (web-novel style) gets one paragraph per line. Hard-wrapped
    prose (a line without end punctuation followed by one starting in lower case) is re-joined.
    """
    lines = _unwrap([normalize_line(raw) for raw in text.splitlines()])
    has_blank_separators = _separates_with_blank_lines(lines)
    paragraphs: list[list[str]] = []
    current: list[str] = []
    for line in lines:
        if not _has_content(line):
            if current:
                paragraphs.append(current)
            current = []
            continue
        current.extend(split_line(line))
        if not has_blank_separators and current:
            paragraphs.append(current)
            current = []
    if current:
        paragraphs.append(current)
    return [p for p in paragraphs if p]


def has_blank_lines(text: str) -> bool:
    """True when blank (or symbol-only) lines set paragraphs apart somewhere in ``text``."""
    return _separates_with_blank_lines([normalize_line(raw) for raw in text.splitlines()])


def _separates_with_blank_lines(lines: Sequence[str]) -> bool:
    seen_content = gap = False
    for line in lines:
        if not _has_content(line):
            gap = seen_content
        elif gap:
            return True
        else:
            seen_content = True
    return False


def split_sentences(text: str) -> list[str]:
    """All sentences of ``text`` in order; never empty, whitespace normalised."""
    return [s for paragraph in split_paragraphs(text) for s in paragraph]


def _has_content(line: str) -> bool:
    # "***", "---", "……" alone on a line separate parts of a story rather than say anything.
    return not _SEPARATOR_LINE_RE.match(line)


def _unwrap(lines: list[str]) -> list[str]:
    """Join hard-wrapped Latin prose: the next line continues a sentence in lower case."""
    out: list[str] = []
    for line in lines:
        if (
            out
            and line
            and out[-1]
            and line[0].islower()
            and out[-1][-1] not in _CLOSERS
            and not _TERMINATOR_RUN_RE.match(out[-1][-1])
        ):
            out[-1] = f"{out[-1]} {line}"
        else:
            out.append(line)
    return out


def split_line(line: str) -> list[str]:
    """Sentences of one normalised line (no line breaks inside)."""
    pieces: list[str] = []
    start = 0
    quoted = _Quotes(line)
    for match in _TERMINATOR_RUN_RE.finditer(line):
        end = match.end()
        while end < len(line) and line[end] in _CLOSERS:
            if line[end] == '"' and end - 1 not in quoted:
                break  # this " opens the next sentence's quotation
            end += 1
        # “我也要去！我们一起去！” is one sentence: what is quoted stays together unless long.
        if end < len(line) and end - 1 in quoted and end - start < QUOTE_SPLIT_CHARS:
            continue
        if _ends_sentence(line, match.start(), match.end(), end, start):
            pieces.append(line[start:end])
            start = end
    pieces.append(line[start:])
    return _attach_fragments(pieces)


class _Quotes:
    """Answers "is this position inside a quotation?" for one line (“…”, 「…」, 『…』, "...")."""

    def __init__(self, line: str) -> None:
        self.positions: list[int] = []
        self.inside: list[bool] = []  # the state just after each quote mark
        depth, ascii_open = 0, False
        for match in _QUOTE_MARK_RE.finditer(line):
            ch = match.group(0)
            if ch in _QUOTE_OPEN:
                depth += 1
            elif ch in _QUOTE_CLOSE:
                depth = max(0, depth - 1)
            else:
                ascii_open = not ascii_open
            self.positions.append(match.start())
            self.inside.append(depth > 0 or ascii_open)

    def __contains__(self, position: int) -> bool:
        k = bisect.bisect_right(self.positions, position) - 1
        return k >= 0 and self.inside[k]


def _attach_fragments(pieces: Iterable[str]) -> list[str]:
    """Strip pieces and glue punctuation-only ones to a neighbour (a sentence needs words)."""
    sentences: list[str] = []
    pending = ""
    for raw in pieces:
        piece = raw.strip()
        if not piece:
            continue
        if not any(ch.isalnum() for ch in piece):
            if sentences:
                sentences[-1] += piece
            else:
                pending += piece
            continue
        sentences.append(pending + piece)
        pending = ""
    return sentences


def _ends_sentence(line: str, run_start: int, run_end: int, end: int, piece_start: int) -> bool:
    """Whether the terminator run ``line[run_start:run_end]`` (closers up to ``end``) ends one."""
    run = line[run_start:run_end]
    if end >= len(line) or any(ch in _STRONG_TERMINATORS for ch in run):
        return True
    nxt = line[end]
    if is_cjk(nxt) or nxt in _CJK_OPENERS:
        return True
    before = line[run_start - 1] if run_start > 0 else ""
    if before and is_cjk(before) and nxt.isspace():
        return True
    if not nxt.isspace():
        return False  # 3.14, e.g., U.S.A, "...and": the period sits inside a token
    following = line[end:].lstrip()[:1]
    closed_quote = any(ch in _QUOTE_CLOSERS for ch in line[run_end:end])
    if "!" in run or "?" in run:
        # "Stop!" she said. — a quote followed by a lower-case attribution is one sentence.
        return not (closed_quote and following.islower())
    if run != ".":
        return not following.islower()  # an ellipsis mid-thought continues in lower case
    return _period_ends_sentence(line, run_start, following, piece_start)


def _period_ends_sentence(line: str, dot: int, following: str, piece_start: int) -> bool:
    head = line[piece_start:dot].strip()
    if head.isdigit():
        return False  # "1. The beginning": a list number, not a sentence
    match = _ABBREV_RE.search(line[max(0, dot - 24) : dot])
    token = match.group(1) if match else ""
    lowered = token.lower()
    if lowered in _NEVER_END or (len(token) == 1 and token.isupper()):
        return False  # titles, "e.g.", initials such as "J. R. Tolkien"
    if lowered in _MAY_END or re.fullmatch(r"(?:[a-z]\.)+[a-z]", lowered):
        return following.isupper()
    return not following.islower()


# --- clauses and long sentences --------------------------------------------------------------


def split_clauses(sentence: str) -> list[str]:
    """Clauses of a sentence, cut after ，、,;；:：— (keeping the mark); never inside 1,000."""
    pieces: list[str] = []
    start = 0
    i = 0
    n = len(sentence)
    while i < n:
        ch = sentence[i]
        if ch in _CLAUSE_PUNCT and not _is_thousands_comma(sentence, i):
            j = i + 1
            while j < n and (sentence[j] in _CLAUSE_PUNCT or sentence[j] in _CLOSERS):
                j += 1
            pieces.append(sentence[start:j])
            start = i = j
            continue
        i += 1
    pieces.append(sentence[start:])
    return _attach_fragments(pieces)


def _is_thousands_comma(text: str, i: int) -> bool:
    return (
        text[i] == "," and 0 < i < len(text) - 1 and text[i - 1].isdigit() and text[i + 1].isdigit()
    )


def fit_sentence(sentence: str, max_seconds: float, max_chars: int) -> list[str]:
    """``sentence`` as pieces of at most ``max_seconds`` speech and ``max_chars`` characters.

    Cuts at clause punctuation first and only then between words (or CJK characters), with
    the pieces balanced so that no tiny remainder is left dangling at the end.
    """
    if estimate_speech_seconds(sentence) <= max_seconds and len(sentence) <= max_chars:
        return [sentence]
    parts: list[str] = []
    for clause in split_clauses(sentence):
        if estimate_speech_seconds(clause) <= max_seconds and len(clause) <= max_chars:
            parts.append(clause)
        else:
            parts.extend(_pack(_atoms(clause, max_chars), max_seconds, max_chars))
    return _pack(parts, max_seconds, max_chars)


_ATOM_RE = re.compile(f"[{CJK_CLASS}][^\\s{CJK_CLASS}\\w]*|[^\\s{CJK_CLASS}]+\\s*|\\s+")


def _atoms(text: str, max_chars: int) -> list[str]:
    """The smallest speakable units: one CJK character or one spaced word (with its space)."""
    atoms: list[str] = []
    for atom in _ATOM_RE.findall(text):
        # A token longer than a whole piece (garbage, a URL) is cut by length.
        atoms.extend(atom[i : i + max_chars] for i in range(0, len(atom), max_chars))
    return atoms


def _pack(parts: Sequence[str], max_seconds: float, max_chars: int) -> list[str]:
    """Join consecutive parts into balanced pieces within both limits.

    Tries the fewest pieces first, each aiming at an equal share; when the limits force more
    pieces than that, tries one more, so no tiny remainder is left dangling at the end.
    """
    costs = [_cost(p) for p in parts]
    total = sum(costs)
    count = max(1, math.ceil(total / max_seconds), math.ceil(sum(map(len, parts)) / max_chars))
    while True:
        pieces = _pack_greedy(parts, costs, total / count, max_seconds, max_chars)
        if len(pieces) <= count or count >= len(parts):
            return [p.strip() for p in pieces if p.strip()]
        count = max(count + 1, len(pieces) - 1)  # converge in a few passes on huge inputs


@lru_cache(maxsize=4096)
def _cost(part: str) -> float:
    # Atoms repeat a lot (one CJK character, common words), so their cost is remembered.
    return estimate_speech_seconds(part)


def _pack_greedy(
    parts: Sequence[str], costs: Sequence[float], target: float, max_seconds: float, max_chars: int
) -> list[str]:
    pieces: list[str] = []
    current = ""
    seconds = 0.0
    for part, cost in zip(parts, costs, strict=True):
        too_long = seconds + cost > max_seconds or len(current) + len(part) > max_chars
        if current.strip() and (too_long or seconds >= target):
            pieces.append(current)
            current, seconds = "", 0.0
        current += part
        seconds += cost
    if current.strip():
        pieces.append(current)
    return pieces


def join_sentences(parts: Iterable[str]) -> str:
    """Sentences joined as prose: no space around CJK text, one space between Latin ones."""
    out = ""
    for part in parts:
        if not part:
            continue
        if out and not (is_cjk(out[-1]) or is_cjk(part[0]) or _is_cjk_punct(out[-1])):
            out += " "
        out += part
    return out


def _is_cjk_punct(ch: str) -> bool:
    return ch in _STRONG_TERMINATORS or ch in "，、：”’」』）》…—"


def shorten(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, at a word boundary when there is one."""
    if len(text) <= limit:
        return text
    cut = text[: max(1, limit - 1)]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:，、；：") + "…"


# --- chapter headings ("第三章 …", "Chapter 3", "Prologue"): a document's reader splits there,
# and the storyboard writer starts a scene there instead of narrating the heading.

_HEADING_CN_NUMBER = r"[0-9０-９一二三四五六七八九十百千万零〇两壹贰叁肆伍陆柒捌玖拾佰]+"
_HEADING_ZH = re.compile(
    rf"^(?:第{_HEADING_CN_NUMBER}[章回节卷部篇集幕]|序章|序言|楔子|引子|尾声|后记|番外{_HEADING_CN_NUMBER}?)"
    r"(?:[\s:：·、.．—-]+\S.*)?$"
)
_HEADING_EN_NUMBER = (
    r"(?:\d+|[IVXLCDM]+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty)"
)
_HEADING_EN = re.compile(
    rf"^(?:(?:chapter|part|book)\s+{_HEADING_EN_NUMBER}\b|prologue\b|epilogue\b)"
    r"(?:\s*[.:—-]?\s*(?P<rest>.*))?$",
    re.IGNORECASE,
)
_HEADING_MAX_CHARS = 60
_HEADING_SENTENCE_END = tuple(".。!！?？…,，;；")


def is_chapter_heading(line: str) -> bool:
    """True for a line that starts a chapter; a sentence that merely begins with "Chapter"
    is not one (too long, or ending like a sentence)."""
    text = " ".join(line.split())
    if not text or len(text) > _HEADING_MAX_CHARS:
        return False
    if _HEADING_ZH.match(text):
        return not text.endswith(_HEADING_SENTENCE_END)
    match = _HEADING_EN.match(text)
    if match is None:
        return False
    rest = match.group("rest") or ""
    # "Chapter 3." is a heading; "Chapter 3 was where it all went wrong." is prose.
    return not rest.endswith(_HEADING_SENTENCE_END) or len(rest) <= 1
