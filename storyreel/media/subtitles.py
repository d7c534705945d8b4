"""Subtitles: line wrapping (Latin words, CJK kinsoku), cue layout, ASS for burning, SRT sidecars.

Widths are estimated in *units* of one em of the subtitle font: CJK and fullwidth characters
are 1.0, Latin letters about 0.6 (measured on Noto Sans SC, rounded up), spaces 0.25. We wrap
ourselves (ASS ``WrapStyle: 2``) so the lines we lay out and test are the lines libass draws.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

# --- character classes -------------------------------------------------------------------------

# Kinsoku shori (JIS X 4051 / GB/T 15834 practice, plus UAX #14 classes CL, CP, EX, IS, NS, HY):
# these must not begin a line...
_NO_LINE_START = frozenset(
    ")]}）］｝〕〉》」』】〙〗〟｠｣»›’”"
    ",.;:!?，。、；：！？｡､…‥‼⁇⁈⁉"
    "%‰′″℃°¢-/‐–—〜～ー・·"
    "ゝゞヽヾ々〻ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ゛゜"
    "\"'\u2060\ufeff"
)
# ...and these must not end one. ASCII quotes and the middle dot are in both sets because we
# cannot tell an opening from a closing one; word joiners glue both of their neighbours.
_NO_LINE_END = frozenset("([{（［｛〔〈《「『【〘〖〝｟｢«‹‘“$£¥€￥＄￡#＃@＠·\"'\u2060\ufeff")
# Closing marks skipped when asking "did the previous piece end a clause?" (…。」 ends a sentence).
_CLOSERS = ")]}）］｝〕〉》」』】〙〗〟｠｣»›’”\"'"
_SENTENCE_END = frozenset(".!?。！？…‼⁇⁈⁉")
_CLAUSE_END = frozenset(",;:，；：、")

# Characters that end a line for Python's splitlines(); they end sentences too, and none may
# reach an ASS Dialogue line, which is one line of the file.
_LINE_BREAKS = frozenset("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")
_ZWSP = "\u200b"  # an invisible break opportunity (Thai, Khmer, hand-marked text)
_ZWJ = "\u200d"
_ZWNJ = "\u200c"
_WORD_JOINER = "\u2060"
# Spaces that look like spaces but must never become a line break.
_NON_BREAKING_SPACES = frozenset("\u00a0\u2007\u202f")

_SPACE_WIDTH = 0.25
_NARROW = frozenset("ijlIft.,;:'!|()[]{}\u00a0")
_WIDE = frozenset("mwMW@%&")

# Line-break preferences: a break after the end of a sentence or clause reads better, so the
# balancer may trade a little evenness (units squared) for it.
_SENTENCE_BONUS = 8.0
_CLAUSE_BONUS = 4.0
_EPS = 1e-9


@lru_cache(maxsize=8192)
def _char_width(ch: str) -> float:
    """Estimated advance of one character, in ems of the subtitle font."""
    cat = unicodedata.category(ch)
    if cat in ("Mn", "Me", "Cf", "Cc"):
        return 0.0
    eaw = unicodedata.east_asian_width(ch)
    if eaw in ("W", "F"):
        return 1.0
    if cat == "Zs":
        return _SPACE_WIDTH
    # A CJK font draws ambiguous-width punctuation (“ ” … — ·) full width.
    if eaw == "A" and cat[0] not in "LN":
        return 1.0
    if ch in _NARROW:
        return 0.35
    if ch in _WIDE:
        return 0.95
    if cat == "Lu":
        return 0.68
    # Slightly above Noto Sans' lowercase average (0.53): overflow is worse than early wraps.
    return 0.58


def _text_width(text: str) -> float:
    """Estimated width of ``text`` in ems (units)."""
    total = 0.0
    joined = False
    for ch in text:
        # An emoji ZWJ sequence (👩‍👧) is drawn as one glyph: only its first part takes room.
        if not joined:
            total += _char_width(ch)
        joined = ch == _ZWJ
    return total


def _is_hangul(cp: int) -> bool:
    return (
        0x1100 <= cp <= 0x11FF
        or 0x3130 <= cp <= 0x318F
        or 0xA960 <= cp <= 0xA97F
        or 0xAC00 <= cp <= 0xD7FF
        or 0xFFA0 <= cp <= 0xFFDC
    )


@lru_cache(maxsize=8192)
def _breaks_anywhere(ch: str) -> bool:
    """Scripts written without spaces that may break between any two characters (CJK, kana).

    Korean is excluded: it uses spaces between words, so it wraps like Latin text.
    """
    cp = ord(ch)
    if _is_hangul(cp):
        return False
    eaw = unicodedata.east_asian_width(ch)
    return eaw in ("W", "F") or (eaw == "H" and 0xFF61 <= cp <= 0xFF9F)


def _is_breaking_space(ch: str) -> bool:
    return ch.isspace() and ch not in _NON_BREAKING_SPACES


# --- grapheme clusters -------------------------------------------------------------------------


def _is_regional_indicator(ch: str) -> bool:
    return 0x1F1E6 <= ord(ch) <= 0x1F1FF


def _extends(cluster: str, ch: str) -> bool:
    """Whether ``ch`` belongs to the grapheme cluster before it (a close approximation of UAX #29).

    Breaking inside a cluster would split an accent from its letter, an emoji ZWJ sequence or a
    flag, so even last-resort breaks stay between clusters.
    """
    cp = ord(ch)
    if cluster[-1] == _ZWJ or ch in (_ZWJ, _ZWNJ):
        return True
    if 0x1F3FB <= cp <= 0x1F3FF or 0xE0020 <= cp <= 0xE007F:  # skin tones, emoji tag sequences
        return True
    if unicodedata.category(ch) in ("Mn", "Me", "Mc"):  # also covers variation selectors
        return True
    if 0x1160 <= cp <= 0x11FF or 0xD7B0 <= cp <= 0xD7FF:  # Hangul jamo vowels and finals
        return True
    return _is_regional_indicator(ch) and len(cluster) == 1 and _is_regional_indicator(cluster)


def _clusters(text: str) -> list[str]:
    out: list[str] = []
    for ch in text:
        if out and _extends(out[-1], ch):
            out[-1] += ch
        else:
            out.append(ch)
    return out


def _may_break(before: str, after: str) -> bool:
    """Whether a line may break between two adjacent clusters with no space between them."""
    if after[0] in _NO_LINE_START or before[0] in _NO_LINE_END:
        return False
    if before[0] == _ZWSP:
        return True
    return _breaks_anywhere(before[0]) or _breaks_anywhere(after[0])


def _last_base(text: str) -> str:
    """The base character of the last cluster of ``text`` ('' if none)."""
    clusters = _clusters(text)
    return clusters[-1][0] if clusters else ""


# --- breaking into items -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Item:
    """An unbreakable piece of a paragraph and how the line may break just before it."""

    text: str
    width: float
    glue: str  # joins it to the previous item when both are on one line (" " or "")
    penalty: float  # added to the layout's cost when a line starts here
    forced: bool = False  # a break here cuts a word: last resort only
    violation: bool = False  # a break here breaks a kinsoku rule: worse still

    @property
    def glue_width(self) -> float:
        return _SPACE_WIDTH if self.glue else 0.0


def _words(paragraph: str) -> Iterator[tuple[bool, str]]:
    """Runs of non-breaking characters, each with whether breaking whitespace came before it."""
    spaced = False
    word: list[str] = []
    for ch in paragraph:
        if _is_breaking_space(ch):
            if word:
                yield spaced, "".join(word)
                word = []
            spaced = True
        else:
            word.append(ch)
    if word:
        yield spaced, "".join(word)


def _segments(word: str) -> list[str]:
    """Split a space-free word where CJK rules allow a break (never inside Latin words)."""
    clusters = _clusters(word)
    segments = [clusters[0]]
    for before, after in pairwise(clusters):
        if _may_break(before, after):
            segments.append(after)
        else:
            segments[-1] += after
    return segments


def _break_penalty(previous: str) -> float:
    """Cost of a break after ``previous``: negative (a bonus) after a sentence or clause ends."""
    tail = previous.rstrip(_CLOSERS)[-1:]
    if tail in _SENTENCE_END:
        return -_SENTENCE_BONUS
    if tail in _CLAUSE_END:
        return -_CLAUSE_BONUS
    return 0.0


def _items(paragraph: str) -> list[_Item]:
    """The paragraph as unbreakable items; kinsoku across a space glues the neighbours together."""
    items: list[_Item] = []
    for spaced, word in _words(paragraph):
        for k, segment in enumerate(_segments(word)):
            glue = " " if spaced and k == 0 else ""
            if not items:
                items.append(_Item(segment, _text_width(segment), "", 0.0))
                continue
            previous = items[-1]
            if glue and (segment[0] in _NO_LINE_START or _last_base(previous.text) in _NO_LINE_END):
                text = previous.text + glue + segment
                items[-1] = _Item(text, _text_width(text), previous.glue, previous.penalty)
                continue
            items.append(_Item(segment, _text_width(segment), glue, _break_penalty(previous.text)))
    return items


def _explode(item: _Item) -> list[_Item]:
    """Last resort for an item wider than a line: allow breaks between its grapheme clusters."""
    clusters = _clusters(item.text)
    out = [_Item(clusters[0], _text_width(clusters[0]), item.glue, item.penalty)]
    for k in range(1, len(clusters)):
        # Kinsoku is judged on the visible neighbours: spaces at a line's edge are stripped.
        left = next((c for c in reversed(clusters[:k]) if not c.isspace()), " ")
        right = next((c for c in clusters[k:] if not c.isspace()), " ")
        violation = right[0] in _NO_LINE_START or left[0] in _NO_LINE_END
        out.append(
            _Item(clusters[k], _text_width(clusters[k]), "", 0.0, forced=True, violation=violation)
        )
    return out


# --- balanced line breaking --------------------------------------------------------------------

# (kinsoku violations, lines, forced word breaks, raggedness): compared in that order.
_Cost = tuple[int, int, int, float]


def _best_breaks(items: Sequence[_Item], max_units: float) -> list[int]:
    """Indices where lines start (excluding 0), by dynamic programming over break points.

    Kinsoku violations and lines are minimised first, then forced word breaks, then the sum of
    squared slack, which makes lines even (two half lines beat a full line and a lone word).
    """
    n = len(items)
    glue = [item.glue_width if k else 0.0 for k, item in enumerate(items)]
    # cum[k]: width of items[:k] laid out on one line.
    cum = [0.0] * (n + 1)
    for k, item in enumerate(items):
        cum[k + 1] = cum[k] + glue[k] + item.width
    if cum[n] <= max_units + _EPS:
        return []
    limit = max_units + _EPS
    best: list[_Cost] = [(0, 0, 0, 0.0)] * (n + 1)
    start_of = [0] * (n + 1)
    for j in range(1, n + 1):
        # What breaking before items[j] costs (nothing after the last line).
        end = items[j] if j < n else _Item("", 0.0, "", 0.0)
        violation, forced = int(end.violation), int(end.forced)
        chosen: _Cost | None = None
        for i in range(j - 1, -1, -1):
            width = cum[j] - cum[i] - glue[i]
            if width > limit and i < j - 1:
                break  # widths only grow as i moves left
            slack = max_units - width if width < max_units else 0.0
            prev = best[i]
            cost = (
                prev[0] + violation,
                prev[1] + 1,
                prev[2] + forced,
                prev[3] + slack * slack + end.penalty,
            )
            if chosen is None or cost < chosen:
                chosen, start_of[j] = cost, i
        assert chosen is not None  # i = j - 1 is always allowed
        best[j] = chosen
    starts: list[int] = []
    j = n
    while j > 0:
        j = start_of[j]
        if j:
            starts.append(j)
    return starts[::-1]


def _wrap_paragraph(paragraph: str, max_units: float) -> list[str]:
    items: list[_Item] = []
    for item in _items(paragraph):
        items.extend(_explode(item) if item.width > max_units + _EPS else [item])
    if not items:
        return []
    bounds = [0, *_best_breaks(items, max_units), len(items)]
    lines = []
    for start, stop in pairwise(bounds):
        text = items[start].text + "".join(it.glue + it.text for it in items[start + 1 : stop])
        lines.append(text.strip())
    return [line for line in lines if line]


def wrap_lines(text: str, max_units: float) -> list[str]:
    """Break ``text`` into lines at most ``max_units`` ems wide, balanced, honouring kinsoku.

    Latin words are never split unless one alone is wider than a line; CJK breaks between
    characters except before closing or after opening punctuation. Newlines in ``text`` are kept
    as breaks; runs of spaces collapse to one; empty lines are dropped.
    """
    if not max_units > 0 or math.isinf(max_units):
        raise ValueError(f"max_units must be a positive finite number, got {max_units!r}")
    lines: list[str] = []
    for paragraph in text.splitlines():
        lines.extend(_wrap_paragraph(paragraph, max_units))
    return lines


# --- cues and layout ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Cue:
    """One subtitle: text shown from ``start`` to ``end`` seconds, and (bilingual subtitles)
    ``second``, a line in another language drawn smaller under it."""

    start: float
    end: float
    text: str
    second: str = ""

    def __post_init__(self) -> None:
        if not (math.isfinite(self.start) and math.isfinite(self.end)):
            raise ValueError(f"cue times must be finite, got {self.start!r}..{self.end!r}")
        if self.end < self.start:
            raise ValueError(f"cue ends ({self.end}) before it starts ({self.start})")


_FONT_SCALE = 0.068  # of the short side (~49 px at 720p); Noto Sans SC draws about 0.7 em tall
_MIN_FONT_SIZE = 12
_MARGIN_FRACTION = 0.06  # title-safe area on every side
_MAX_LINES_PER_CUE = 2
# A bilingual cue's second language is drawn this much smaller, at most two lines under the
# (at most two) lines of the narration's: four lines stay well inside the title-safe area.
_SECOND_SCALE = 0.75
# libass (like VSFilter) scales a font so its OS/2 win ascent + descent equal the ASS font size,
# so one em is smaller than the size: 0.69 for the bundled Noto Sans SC, ~0.86 for DejaVu Sans.
# 0.8 fills most of the line with the bundled font, while a configured font with tighter
# metrics at worst spills into the side margins, never off the canvas.
_EM_PER_FONT_SIZE = 0.8


def font_size(height: int, width: int | None = None) -> int:
    """Subtitle font size in pixels for a canvas; portrait canvases size by their width."""
    short_side = height if width is None else min(width, height)
    return max(_MIN_FONT_SIZE, round(short_side * _FONT_SCALE))


def second_font_size(height: int, width: int | None = None) -> int:
    """Font size of a bilingual cue's second language, smaller than the narration's."""
    return max(_MIN_FONT_SIZE, round(font_size(height, width) * _SECOND_SCALE))


def _outline(size: int) -> float:
    return round(size / 14, 1)


def _shadow(size: int) -> float:
    return round(size / 28, 1)


def _margin(extent: int) -> int:
    return round(extent * _MARGIN_FRACTION)


def _line_units(width: int, height: int, size: int | None = None) -> float:
    """How many ems of a ``size`` font (default: the narration's) fit between the side
    margins, leaving room for the outline."""
    size = size or font_size(height, width)
    usable = width - 2 * _margin(width) - 2 * _outline(size)
    return max(usable / (size * _EM_PER_FONT_SIZE), 1.0)


def _check_canvas(width: int, height: int) -> None:
    if width <= 0 or height <= 0:
        raise ValueError(f"canvas must be positive, got {width}x{height}")


def _visible_length(lines: Sequence[str]) -> int:
    return sum(not ch.isspace() for line in lines for ch in line)


def _sentences(text: str) -> list[str]:
    """``text`` cut after each sentence end and line break; the pieces join back to ``text``."""
    pieces: list[str] = []
    start, i, n = 0, 0, len(text)
    while i < n:
        ch = text[i]
        i += 1
        if ch in _SENTENCE_END:
            while i < n and (text[i] in _SENTENCE_END or text[i] in _CLOSERS):
                i += 1
            after = text[i] if i < n else " "
            # "3.14" and "e.g.x" go on; "end. Next", "。下" and "end.下" are sentence ends.
            if not (after.isspace() or _char_width(ch) == 1.0 or _breaks_anywhere(after)):
                continue
            while i < n and text[i].isspace() and text[i] not in _LINE_BREAKS:
                i += 1
        elif ch not in _LINE_BREAKS:
            continue
        pieces.append(text[start:i])
        start = i
    if start < n:
        pieces.append(text[start:])
    return pieces


def _pairs(lines: list[str]) -> list[list[str]]:
    return [lines[k : k + _MAX_LINES_PER_CUE] for k in range(0, len(lines), _MAX_LINES_PER_CUE)]


def _parts(text: str, units: float) -> list[list[str]]:
    """The text as groups of at most two lines, one group per cue.

    Whole sentences are packed into each group while they fit, so a cue change falls between
    sentences; only a sentence too long for two lines is itself cut, two lines at a time.
    """
    groups: list[list[str]] = []
    current = ""
    for sentence in _sentences(text):
        candidate = current + sentence
        if current.strip() and len(wrap_lines(candidate, units)) > _MAX_LINES_PER_CUE:
            groups.extend(_pairs(wrap_lines(current, units)))
            current = sentence
        else:
            current = candidate
    groups.extend(_pairs(wrap_lines(current, units)))
    return [group for group in groups if group]


def _timed(cue: Cue, groups: list[list[str]]) -> list[tuple[Cue, list[str]]]:
    """Share the cue's time among its groups in proportion to their visible characters."""
    if len(groups) == 1:
        return [(cue, groups[0])]
    weights = [max(_visible_length(group), 1) for group in groups]
    total = sum(weights)
    out: list[tuple[Cue, list[str]]] = []
    start, done = cue.start, 0
    for k, (group, weight) in enumerate(zip(groups, weights, strict=True)):
        done += weight
        # The last part ends exactly at the cue's end, so float error never loses a frame.
        end = cue.end if k == len(groups) - 1 else cue.start + (cue.end - cue.start) * done / total
        out.append((Cue(start, end, "\n".join(group)), group))
        start = end
    return out


def _spread(lines: list[str], n: int) -> list[list[str]]:
    """``lines`` in ``n`` consecutive groups as even as can be (some empty when n > lines)."""
    return [lines[len(lines) * k // n : len(lines) * (k + 1) // n] for k in range(n)]


def _bilingual(cue: Cue, units: float, second_units: float) -> list[tuple[Cue, list[str]]]:
    """A cue and its second language, each fitted in at most two lines per part: when either
    needs more, the cue is split into parts that divide its time, both texts spread over them."""
    groups = _parts(cue.text, units)
    second = wrap_lines(cue.second, second_units)
    count = max(len(groups), math.ceil(len(second) / _MAX_LINES_PER_CUE), 1)
    if count > len(groups):
        groups = _spread([line for group in groups for line in group], count)
    seconds = _spread(second, count)
    pairs = list(zip(groups, seconds, strict=True))
    weights = [max(_visible_length(g) or _visible_length(s), 1) for g, s in pairs]
    total = sum(weights)
    out: list[tuple[Cue, list[str]]] = []
    start, done = cue.start, 0
    for k, (group, lines) in enumerate(pairs):
        done += weights[k]
        end = cue.end if k == count - 1 else cue.start + (cue.end - cue.start) * done / total
        if group or lines:
            out.append((Cue(start, end, "\n".join(group), "\n".join(lines)), group))
        start = end
    return out


def layout_cues(cues: Sequence[Cue], *, width: int, height: int) -> list[tuple[Cue, list[str]]]:
    """Wrap each cue for a ``width`` x ``height`` canvas; split cues needing more than two lines.

    Split parts divide the cue's time in proportion to their visible characters. Cues with no
    visible text are dropped. The result is sorted by start time. A bilingual cue (``second``)
    keeps at most two lines of each language per part; its ``second`` comes back wrapped for
    the smaller font (``second_font_size``), the listed lines are the narration's.
    """
    _check_canvas(width, height)
    units = _line_units(width, height)
    second_units = _line_units(width, height, second_font_size(height, width))
    out: list[tuple[Cue, list[str]]] = []
    for cue in cues:
        if cue.second.strip():
            out.extend(_bilingual(cue, units, second_units))
            continue
        groups = _parts(cue.text, units)
        if groups:
            out.extend(_timed(cue, groups))
    out.sort(key=lambda pair: pair[0].start)  # stable: split parts keep their order
    return out


# --- ASS ---------------------------------------------------------------------------------------


def escape_ass_text(text: str) -> str:
    """Make ``text`` literal inside an ASS Dialogue line (libass).

    Braces become ``\\{`` / ``\\}`` (libass draws them literally, so no override block can
    start); every user backslash is followed by U+2060 WORD JOINER, an invisible character, so
    it can never form ``\\N``, ``\\n``, ``\\h`` or an escaped brace. Line breaks and tabs become
    spaces, other control characters are dropped and lone surrogates become U+FFFD.
    """
    out: list[str] = []
    for ch in text:
        if ch == "\\":
            out.append("\\" + _WORD_JOINER)
        elif ch in "{}":
            out.append("\\" + ch)
        elif ch in _LINE_BREAKS or ch == "\t":
            out.append(" ")
        else:
            cat = unicodedata.category(ch)
            if cat == "Cc":
                continue  # NUL and friends would cut or corrupt the file
            out.append("\ufffd" if cat == "Cs" else ch)
    return "".join(out)


def _ticks(seconds: float, per_second: int) -> int:
    """Whole ticks, rounded up so a cue never shows before its time.

    Rounding to 6 places first absorbs float noise (1.23 * 100 == 123.00000000000001).
    """
    return max(0, math.ceil(round(seconds * per_second, 6)))


def _ass_time(centiseconds: int) -> str:
    hours, rest = divmod(centiseconds, 360_000)
    minutes, rest = divmod(rest, 6_000)
    seconds, cs = divmod(rest, 100)
    return f"{hours}:{minutes:02d}:{seconds:02d}.{cs:02d}"


def _ass_header(width: int, height: int, font_family: str) -> str:
    size = font_size(height, width)
    style = ",".join(
        [
            "Default",
            font_family,
            str(size),
            "&H00FFFFFF",  # primary: opaque white
            "&H000000FF",  # secondary (karaoke only)
            "&H00000000",  # outline: opaque black
            "&H80000000",  # shadow: half-transparent black, a soft drop shadow
            "0",  # bold off
            "0",  # italic
            "0",  # underline
            "0",  # strike-out
            "100",  # scale x
            "100",  # scale y
            "0",  # spacing
            "0",  # angle
            "1",  # border style: outline + drop shadow
            f"{_outline(size):g}",
            f"{_shadow(size):g}",
            "2",  # alignment: bottom centre
            str(_margin(width)),
            str(_margin(width)),
            str(_margin(height)),
            "1",  # encoding: default
        ]
    )
    return (
        "[Script Info]\n"
        "; Generated by storyreel\n"
        "ScriptType: v4.00+\n"
        f"PlayResX: {width}\n"
        f"PlayResY: {height}\n"
        "ScaledBorderAndShadow: yes\n"
        "WrapStyle: 2\n"
        "YCbCr Matrix: TV.709\n"
        "\n"
        "[V4+ Styles]\n"
        "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, "
        "BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, "
        "BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding\n"
        f"Style: {style}\n"
        "\n"
        "[Events]\n"
        "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n"
    )


def _check_family(font_family: str) -> None:
    # A comma would shift every later Style field; a line break would end the Style line.
    if not font_family.strip() or "," in font_family or any(c in _LINE_BREAKS for c in font_family):
        raise ValueError(f"font family {font_family!r} cannot be named in an ASS style")


def _second_ass(second: str, width: int, height: int) -> str:
    """The second language's lines for a Dialogue text: our own override block (a smaller
    font, outline and shadow to match) before the escaped user text, which cannot open one."""
    lines = [e for e in (escape_ass_text(line).strip() for line in second.splitlines()) if e]
    if not lines:
        return ""
    size = second_font_size(height, width)
    style = f"{{\\fs{size}\\bord{_outline(size):g}\\shad{_shadow(size):g}}}"
    return style + "\\N".join(lines)


def build_ass(
    cues: Sequence[Cue], *, width: int, height: int, font_family: str, offset: float = 0.0
) -> str:
    """A complete ASS script for burning ``cues`` onto a ``width`` x ``height`` canvas.

    ``offset`` (the rendered segment's start) is subtracted from every time; cues are clipped at
    zero, and those that end by then, or last less than a centisecond, are left out.
    """
    _check_family(font_family)
    events: list[str] = []
    for cue, lines in layout_cues(cues, width=width, height=height):
        start = _ticks(max(cue.start - offset, 0.0), 100)
        end = _ticks(cue.end - offset, 100)
        text = "\\N".join(e for e in (escape_ass_text(line).strip() for line in lines) if e)
        second = _second_ass(cue.second, width, height)
        text = "\\N".join(part for part in (text, second) if part)
        if end <= start or not text:
            continue
        events.append(f"Dialogue: 0,{_ass_time(start)},{_ass_time(end)},Default,,0,0,0,,{text}\n")
    return _ass_header(width, height, font_family) + "".join(events)


# --- SRT ---------------------------------------------------------------------------------------


def _srt_time(milliseconds: int) -> str:
    hours, rest = divmod(milliseconds, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, ms = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d},{ms:03d}"


def _srt_text(text: str) -> str:
    # A blank line ends an SRT cue, so blank lines inside the text are dropped.
    lines = (line.strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def build_srt(cues: Sequence[Cue]) -> str:
    """An SRT sidecar: numbered cues sorted by start, raw text with its own line breaks."""
    blocks: list[str] = []
    for cue in sorted(cues, key=lambda c: c.start):
        text = _srt_text(f"{cue.text}\n{cue.second}")
        if not text:
            continue
        start = _srt_time(_ticks(cue.start, 1000))
        end = _srt_time(_ticks(cue.end, 1000))
        blocks.append(f"{len(blocks) + 1}\n{start} --> {end}\n{text}\n")
    return "\n".join(blocks)
