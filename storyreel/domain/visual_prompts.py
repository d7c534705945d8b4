"""A shot's image prompt for one model family, with a negative prompt and a quality score.

The prompt is built from what the storyboard knows about the shot — its intent (the visual
prompt, without the style's boilerplate and the writer's atmosphere sentence), the characters
in it with their fixed looks, the setting, time of day and mood, the shot type and camera move
— and the style's template, in the form and language the family reads
(``visual_words.FAMILIES``): SD/SDXL get comma-separated English tags within CLIP's 77 tokens
and a negative prompt; FLUX and DALL·E get English sentences; Qwen-Image gets sentences in
Chinese (for a Chinese storyboard whose shot has Chinese text) or English. "plain" is the
storyboard's own text with the characters' descriptions, as before families existed.

A prompt never mixes languages: Chinese text in an English prompt becomes its English gloss
("白鹤 (a white crane)" → "a white crane", or a lexicon word's gloss), and is otherwise left out;
what was left out lowers the score, which says why (``PromptIssue``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from storyreel.domain import lexicon
from storyreel.domain.storyboard import Character, Shot, Storyboard
from storyreel.domain.styles import STYLES
from storyreel.domain.text import CJK_CLASS
from storyreel.domain.visual_words import (
    ATMOSPHERE_PHRASES,
    FAMILIES,
    MOOD_WORDS,
    MOTION_WORDS,
    SEASON_WORDS,
    SHOT_WORDS,
    STYLE_SENTENCES,
    TIME_ALIASES,
    TIME_WORDS,
    FamilyRules,
    PromptLanguage,
)

# --- the result -----------------------------------------------------------------------------

#: Points each issue costs (the score starts at 100).
PENALTIES: dict[str, int] = {
    "missing_subject": 30,
    "missing_setting": 15,
    "missing_time_of_day": 10,
    "untranslated_text": 15,
    "mixed_languages": 25,
    "too_long": 20,
    "trimmed": 5,
    "undescribed_character": 10,
}
_MAX_UNDESCRIBED_PENALTY = 20


@dataclass(frozen=True)
class PromptIssue:
    """Why a prompt lost points: a stable code, a sentence for people, and how many."""

    code: str
    message: str
    points: int = 0


def _issue(code: str, message: str, times: int = 1) -> PromptIssue:
    points = PENALTIES[code] * times
    if code == "undescribed_character":
        points = min(points, _MAX_UNDESCRIBED_PENALTY)
    return PromptIssue(code, message, points)


@dataclass(frozen=True)
class VisualPrompt:
    """What an image model is asked for one shot, and how good the asking is (0-100)."""

    text: str
    negative: str
    family: str
    language: str
    score: int
    issues: tuple[PromptIssue, ...] = ()

    def report(self) -> dict[str, Any]:
        """The prompt as a task result shows it (API, studio)."""
        return {
            "prompt": self.text,
            "negative_prompt": self.negative,
            "prompt_family": self.family,
            "prompt_language": self.language,
            "prompt_score": self.score,
            "prompt_reasons": [
                {"code": i.code, "message": i.message, "points": i.points} for i in self.issues
            ],
        }


# --- text helpers ---------------------------------------------------------------------------

_CJK = f"[{CJK_CLASS}]"
_CJK_RE = re.compile(_CJK)
# A run of Chinese (with its own punctuation and inner spaces) that carries no gloss.
_CJK_RUN_RE = re.compile(
    f"{_CJK}(?:[{CJK_CLASS}，。、；：！？“”‘’《》…—·\\s]*{_CJK})?[，。、；：！？]?"
)
# "白鹤 (a white crane)": Chinese followed by an English gloss in brackets.
_GLOSSED_RE = re.compile(f"({_CJK}[{CJK_CLASS}·]*)\\s*[(（]([^()（）]*[A-Za-z][^()（）]*)[)）]")
_LATIN_RE = re.compile(r"[A-Za-z][A-Za-z'’\-]*(?:\s+[A-Za-z][A-Za-z'’\-]*)*")
_SENTENCE_END_RE = re.compile(r"(?<=[.!?])\s+|(?<=[。！？；])\s*")
_SHOT_PHRASE_RE = re.compile(
    r"^\s*(?:a\s+)?(?:wide\s+establishing\s+shot|establishing\s+shot|extreme\s+wide\s+shot|"
    r"wide\s+shot|medium\s+shot|mid\s+shot|close[\s-]?up(?:\s+shot)?)(?:\s+of)?[\s:,]*",
    re.IGNORECASE,
)
_ARTICLE_RE = re.compile(r"^(?:a|an|the)\s+", re.IGNORECASE)
_DANGLING_RE = re.compile(r"(?:\s*[,;:]?\s+\b(?:with|and|of|at|in|on|to|by|the|a|an)\b)+\s*$", re.I)
_STOPWORDS = frozenset(
    (
        *("a", "an", "the", "and", "with", "of", "at", "in", "on", "to", "by", "from", "for"),
        *("is", "are", "was", "were", "it", "its", "his", "her", "their"),
    )
)
_TOKEN_RE = re.compile(f"[A-Za-z]+|\\d|{_CJK}|[^\\sA-Za-z\\d]")


def has_cjk(text: str) -> bool:
    return _CJK_RE.search(text) is not None


def has_latin(text: str) -> bool:
    return re.search(r"[A-Za-z]{2,}", text) is not None


def estimate_tokens(text: str) -> int:
    """Roughly how many tokens a BPE text encoder (CLIP, T5) makes of ``text``: a short word is
    one, a long one one per 8 letters, a digit or a mark one, a Chinese character about two."""
    total = 0
    for token in _TOKEN_RE.findall(text):
        if token[0].isascii() and token[0].isalpha():
            total += math.ceil(len(token) / 8)
        elif _CJK_RE.match(token):
            total += 2
        else:
            total += 1
    return total


def _tidy(text: str) -> str:
    """Spaces and punctuation left right after words were taken out."""
    text = re.sub(r"\(\s*\)|（\s*）", "", text)
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"\s+([,.;:!?，。；：！？、])", r"\1", text)
    text = re.sub(r"([,;:，；：、])(?:\s*[,;:，；：、])+", r"\1", text)
    text = re.sub(r"^[\s,.;:，。；：、]+", "", text)
    text = re.sub(r"[\s,;:，；：、]+$", "", text)
    return text.strip()


def _plain_end(text: str) -> str:
    return text.strip().rstrip(" .;。；,，")


def _sentence(text: str) -> str:
    text = _plain_end(text)
    if not text:
        return ""
    return text[0].upper() + text[1:] + "."


def _zh_sentence(text: str) -> str:
    text = _plain_end(text)
    return f"{text}。" if text else ""


def _and_list(items: list[str]) -> str:
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _key(text: str) -> str:
    """Text compared for repeats: lower case, no article, no end marks."""
    return _ARTICLE_RE.sub("", _plain_end(text).lower()).strip()


# --- languages ------------------------------------------------------------------------------


def _script_counts(text: str) -> tuple[int, int]:
    """Chinese characters and Latin letters in ``text``, glossed pairs not counted."""
    bare = _GLOSSED_RE.sub(" ", text)
    return len(_CJK_RE.findall(bare)), len(re.findall(r"[A-Za-z]", bare))


#: A Chinese character carries about as much as this many English letters.
_LETTERS_PER_HANZI = 3


@dataclass
class _Translator:
    """Puts storyboard text into one language, remembering what it had to leave out.

    English: a Chinese sentence gives way to the lexicon glosses of the things it names
    (``extras``); Chinese inside English text becomes its gloss, or is left out. Chinese: an
    English sentence is left out (the writers' English framing says what the shot's fields say),
    and English inside Chinese text is taken out.
    """

    language: PromptLanguage
    #: Chinese → English glosses seen anywhere in the storyboard ("湖边" → "lakeshore").
    glosses: dict[str, str]
    names: dict[str, str]  # character names in the other script → their label
    dropped: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # whole sentences in the other language
    extras: list[str] = field(default_factory=list)

    def __call__(self, text: str) -> str:
        return self.english(text) if self.language == "en" else self.chinese(text)

    def _glosses_of(self, text: str) -> None:
        for gloss in lexicon_glosses(text, {**self.glosses, **self.names}):
            gloss = _ARTICLE_RE.sub("", gloss)
            if gloss not in self.extras:
                self.extras.append(gloss)

    def english(self, text: str) -> str:
        hanzi, letters = _script_counts(text)
        if hanzi and hanzi * _LETTERS_PER_HANZI >= letters:
            self._glosses_of(text)
            self.dropped.append(text.strip())
            return ""
        for name, label in sorted(self.names.items(), key=lambda kv: -len(kv[0])):
            text = re.sub(
                f"{re.escape(name)}\\s*[(（][^()（）]*[)）]|{re.escape(name)}",
                label.replace("\\", "\\\\"),
                text,
            )
        text = _GLOSSED_RE.sub(lambda m: _english_gloss(m.group(1), m.group(2)), text)

        def run(match: re.Match[str]) -> str:
            self._glosses_of(match.group(0))
            self.dropped.append(match.group(0).strip())
            return " "

        return _tidy(_CJK_RUN_RE.sub(run, text))

    def chinese(self, text: str) -> str:
        hanzi, letters = _script_counts(text)
        framing = _GLOSSED_RE.search(text) is not None and letters > 0  # "Medium shot of 山 (…)"
        if letters > hanzi or framing:
            self.skipped.append(text.strip())
            return ""
        text = _GLOSSED_RE.sub(lambda m: m.group(1), text)
        for match in _LATIN_RE.findall(text):
            if len(match) > 1:
                self.dropped.append(match)
        text = _LATIN_RE.sub(" ", text)
        text = re.sub(f"(?<={_CJK}) (?={_CJK})", "", text)
        return _tidy(text)


def _english_gloss(chinese: str, gloss: str) -> str:
    """A gloss in running text: a place gets "the" ("at 山 (mountain)" → "at the mountain")."""
    gloss = gloss.strip()
    if chinese in lexicon.ZH_PLACES and not _ARTICLE_RE.match(gloss):
        return f"the {gloss}"
    return gloss


def lexicon_glosses(text: str, known: dict[str, str] | None = None) -> list[str]:
    """English glosses of the words in Chinese ``text`` that the storyboard or the writer's
    lexicon knows (beings, places, seasons), in order; longest words first."""
    table: dict[str, str] = {w: b.gloss for w, b in lexicon.ZH_BEINGS.items() if len(w) > 1}
    table.update({w: p.gloss for w, p in lexicon.ZH_PLACES.items() if len(w) > 1})
    table.update(lexicon.ZH_SEASONS)
    table.update(known or {})
    longest = max(map(len, table), default=1)
    found: list[str] = []
    i = 0
    while i < len(text):
        for size in range(min(longest, len(text) - i), 0, -1):
            gloss = table.get(text[i : i + size])
            if gloss is not None:
                if gloss not in found:
                    found.append(gloss)
                i += size
                break
        else:
            single = lexicon.ZH_BEINGS.get(text[i])
            if single is not None and i > 0 and text[i - 1] in lexicon.ZH_SINGLE_BEING_BEFORE:
                found.append(single.gloss)
            i += 1
    return found


def board_glosses(board: Storyboard) -> dict[str, str]:
    """Every "中文 (gloss)" pair the storyboard's writer left in prompts and descriptions."""
    found: dict[str, str] = {}
    texts = [s.visual_prompt for s in board.shots] + [c.description for c in board.characters]
    for text in texts:
        for chinese, gloss in _GLOSSED_RE.findall(text):
            found.setdefault(chinese, _ARTICLE_RE.sub("", gloss.strip()))
    return found


def choose_language(board: Storyboard, shot: Shot, rules: FamilyRules) -> PromptLanguage:
    """The family's language, or for a bilingual family the storyboard's when the shot says
    something in it (an LLM's storyboard of a Chinese story has English visuals)."""
    if len(rules.languages) == 1:
        return rules.languages[0]
    if board.language != "zh":
        return "en"
    text = " ".join(_intent(board, shot).pieces)
    for character in board.characters:
        text = text.replace(character.name, " ")
    hanzi, letters = _script_counts(text)
    return "zh" if hanzi * _LETTERS_PER_HANZI >= letters and hanzi else "en"


# --- the shot's parts -----------------------------------------------------------------------


@dataclass
class _Cast:
    """A character as the prompt draws it."""

    name: str
    look: str  # in the prompt's language; "" when unknown
    described: bool
    who: str  # the storyboard's name, for messages


def _look_sentence(description: str) -> str:
    """A character's fixed look: the first sentence of its description (the writers put what
    the character looks like first, then notes such as where it enters the story)."""
    description = description.strip()
    if not description:
        return ""
    first = _SENTENCE_END_RE.split(description, maxsplit=1)[0]
    return _plain_end(first)


def _cast(character: Character, language: PromptLanguage, glosses: dict[str, str]) -> _Cast:
    look = _look_sentence(character.description)
    glossed = _GLOSSED_RE.fullmatch(look)
    if language == "en":
        if glossed:
            english = glossed.group(2).strip()
        elif look and not has_cjk(look):
            english = look
        else:
            english = glosses.get(character.name, "")
            if not english and character.name in lexicon.ZH_BEINGS:
                english = "a " + lexicon.ZH_BEINGS[character.name].gloss
        name = character.name if not has_cjk(character.name) else ""
        return _Cast(name, english, bool(look) and bool(english), character.name)
    if glossed:
        chinese = glossed.group(1)
    elif look and has_cjk(look):
        chinese = _tidy(_LATIN_RE.sub(" ", look))
    else:
        chinese = ""
    name = character.name if has_cjk(character.name) else ""
    return _Cast(name, chinese, bool(look) and bool(chinese or name), character.name)


def _label(cast: _Cast) -> str:
    """A short way to refer to a character in the other language's text."""
    if cast.name:
        return cast.name
    head = re.split(r"[,;，；]| (?:in|with|wearing|carrying|holding|who) ", cast.look, maxsplit=1)[
        0
    ]
    return " ".join(head.split()[:5]) or "someone"


@dataclass
class _Intent:
    pieces: list[str]  # sentences of the visual prompt, style and atmosphere taken out
    season: str = ""


def _intent(board: Storyboard, shot: Shot) -> _Intent:
    text = shot.visual_prompt.strip()
    style = STYLES.get(board.style)
    if style is not None and text.lower().startswith(style.prompt_prefix.lower()):
        text = text[len(style.prompt_prefix) :].lstrip(" ,.;:")
    pieces: list[str] = []
    season = ""
    for sentence in _SENTENCE_END_RE.split(text):
        sentence = _plain_end(sentence)
        if not sentence:
            continue
        items = [i.strip().lower() for i in sentence.split(",") if i.strip()]
        if items and all(i in ATMOSPHERE_PHRASES or i.endswith(" atmosphere") for i in items):
            season = next((i for i in items if i in SEASON_WORDS), season)
            continue
        pieces.append(sentence)
    if pieces:
        pieces[0] = _SHOT_PHRASE_RE.sub("", pieces[0], count=1) or pieces[0]
    return _Intent(pieces, season)


def _time(value: str) -> str:
    """The shot's time of day as dawn, day, dusk or night ('' when not one of them)."""
    value = value.strip().lower()
    if value in TIME_ALIASES:
        return TIME_ALIASES[value]
    for word, time in TIME_ALIASES.items():
        if (has_cjk(word) and word in value) or re.search(rf"\b{re.escape(word)}\b", value):
            return time
    return ""


# --- building -------------------------------------------------------------------------------


@dataclass
class _Part:
    """A tag or sentence of the prompt; the highest ``drop`` goes first when it is too long."""

    text: str
    drop: int = 0


def build_visual_prompt(
    board: Storyboard, shot: Shot, family: str, language: PromptLanguage | None = None
) -> VisualPrompt:
    """The prompt, negative prompt and score of ``shot`` for an image model of ``family``
    (an unknown family is treated as "plain")."""
    rules = FAMILIES.get(family) or FAMILIES["plain"]
    family = family if family in FAMILIES else "plain"
    if rules.form == "plain":
        return _plain(board, shot, family)
    language = language if language in rules.languages else choose_language(board, shot, rules)
    glosses = board_glosses(board)
    cast = [_cast(board.character(c), language, glosses) for c in dict.fromkeys(shot.characters)]
    other_script = has_latin if language == "zh" else has_cjk
    names = {
        c.name: _label(k)
        for c, k in zip(
            (board.character(c) for c in dict.fromkeys(shot.characters)), cast, strict=True
        )
        if other_script(c.name)
    }
    translate = _Translator(language, glosses, names if language == "en" else {})
    intent = _intent(board, shot)
    pieces = [p for p in (translate(p) for p in intent.pieces) if p]
    if language == "en":
        pieces = [_DANGLING_RE.sub("", p) for p in pieces]
    setting = _setting(shot.setting, language, glosses, translate)
    if not pieces and translate.skipped:
        translate.dropped += translate.skipped  # the shot's intent is in the other language only
    time = _time(shot.time_of_day)
    issues: list[PromptIssue] = []
    extras = translate.extras
    scene = _Scene(board, shot, cast, pieces, setting, time, intent.season, extras)
    if rules.form == "tags":
        parts = _tags(scene, rules)
        separator = ", "
    elif language == "zh":
        parts = _zh_sentences(scene)
        separator = ""
    else:
        parts = _en_sentences(scene)
        separator = " "
    negative = _negative(board, shot) if rules.negative else ""
    if rules.avoid_in_prose and language == "en":
        avoid = [i for i in _negative(board, shot).split(", ") if i]
        if avoid:
            parts.append(_Part(f"Avoid {_and_list(avoid)}.", drop=6))
    text, left_out = _fit(parts, separator, rules.token_budget)
    _score_parts(issues, rules, scene, translate.dropped, language)
    if left_out:
        issues.append(
            _issue(
                "trimmed",
                f"left out to stay within {rules.encoder}: {'; '.join(left_out)[:160]}",
            )
        )
    if rules.token_budget is not None and estimate_tokens(text) > rules.token_budget:
        issues.append(
            _issue(
                "too_long",
                f"about {estimate_tokens(text)} tokens, more than {rules.encoder}: the model "
                "will not read the end",
            )
        )
    foreign = has_latin if language == "zh" else has_cjk
    if foreign(text) or foreign(negative):
        issues.append(_issue("mixed_languages", f"the prompt mixes in text not in {language}"))
    return VisualPrompt(text, negative, family, language, _score(issues), tuple(issues))


def _setting(
    setting: str, language: PromptLanguage, glosses: dict[str, str], translate: _Translator
) -> str:
    setting = setting.strip()
    if not setting:
        return ""
    if language == "en":
        if not has_cjk(setting):
            return setting
        gloss = glosses.get(setting)
        if gloss is None and setting in lexicon.ZH_PLACES:
            gloss = lexicon.ZH_PLACES[setting].gloss
        if gloss:
            return _english_gloss(setting, gloss) if setting in lexicon.ZH_PLACES else gloss
        return translate.english(setting) or (translate.extras.pop(0) if translate.extras else "")
    if has_cjk(setting):
        return translate(setting)
    reverse = {v.lower(): k for k, v in glosses.items()}
    found = reverse.get(_key(setting))
    if found is None:
        translate.dropped.append(setting)
        return ""
    return found


def _style_tags(board: Storyboard) -> list[str]:
    style = STYLES.get(board.style)
    if style is None:
        return []
    return [t.strip() for t in style.prompt_prefix.split(",") if t.strip()]


@dataclass(frozen=True)
class _Scene:
    """What one shot's prompt is built from, in the prompt's language: the shot, its cast, what
    happens (``pieces``), where and when, and words the translation could only add at the end."""

    board: Storyboard
    shot: Shot
    cast: list[_Cast]
    pieces: list[str]
    setting: str
    time: str
    season: str
    extras: list[str]


def _tags(scene: _Scene, rules: FamilyRules) -> list[_Part]:
    board, shot, cast, pieces = scene.board, scene.shot, scene.cast, scene.pieces
    setting, time, season, extras = scene.setting, scene.time, scene.season, scene.extras
    parts = [_Part(t) for t in rules.quality_tags]
    seen: set[str] = set()
    said: set[str] = set()

    def add(text: str, drop: int) -> None:
        text = _plain_end(text).lower().strip()
        text = _ARTICLE_RE.sub("", re.sub(r"^(?:with|and)\s+", "", text))
        words = set(re.findall(r"[a-z]+", text)) - _STOPWORDS
        if text and _key(text) not in seen and (drop <= 1 or words - said):
            seen.add(_key(text))
            said.update(words)
            parts.append(_Part(text, drop))

    for member in cast:
        add(member.look or member.name, 1)
    setting_key = _key(setting)
    for n, piece in enumerate(pieces):
        for item in re.split(r"[,;]", piece):
            if _key(item) and _key(item) != setting_key:
                add(item, 2 if n == 0 else 4)
    add(setting, 1)
    for extra in extras:
        add(extra, 3)
    if time:
        add(TIME_WORDS[time].tag, 1)
    if season:
        add(SEASON_WORDS[season].tag, 3)
    add(SHOT_WORDS[shot.shot_type].tag, 1)
    for n, tag in enumerate(_style_tags(board)):
        add(tag, 1 if n == 0 else 3)
    if shot.mood in MOOD_WORDS:
        add(MOOD_WORDS[shot.mood].tag, 5)
    if shot.camera_motion in MOTION_WORDS:
        add(MOTION_WORDS[shot.camera_motion].tag, 6)
    return parts


def _en_sentences(scene: _Scene) -> list[_Part]:
    board, shot, cast, pieces = scene.board, scene.shot, scene.cast, scene.pieces
    setting, time, season, extras = scene.setting, scene.time, scene.season, scene.extras
    who = _and_list([c.look or c.name for c in cast if c.look or c.name])
    subject = pieces[0] if pieces else who or setting or "the scene"
    parts = [_Part(_sentence(f"{SHOT_WORDS[shot.shot_type].en} of {subject}"))]
    parts += [_Part(_sentence(p), 4) for p in pieces[1:]]
    said = " ".join(p.text.lower() for p in parts)
    described = [
        f"{c.name}, {c.look}" if c.name and c.look and _key(c.name) not in _key(c.look) else c.look
        for c in cast
        if c.look and _key(c.look) not in said
    ]
    if described:
        parts.append(_Part(_sentence(f"In the picture: {'; '.join(described)}"), 2))
    said = " ".join([p.text.lower() for p in parts] + [setting.lower()])
    new = [e for e in extras if e.lower() not in said]
    if new:
        parts.append(_Part(_sentence(f"Also in view: {_and_list(new)}"), 3))
    when = ", ".join(
        w
        for w in (TIME_WORDS[time].en if time else "", SEASON_WORDS[season].en if season else "")
        if w
    )
    if setting:
        parts.append(_Part(_sentence(f"Setting: {setting}" + (f", {when}" if when else ""))))
    elif when:
        parts.append(_Part(_sentence(f"The scene takes place {when}")))
    sentence = STYLE_SENTENCES.get(board.style, ("", ""))[0]
    if not sentence and _style_tags(board):
        sentence = _sentence(", ".join(_style_tags(board)))
    if sentence:
        parts.append(_Part(sentence, 1))
    if shot.mood in MOOD_WORDS:
        parts.append(_Part(MOOD_WORDS[shot.mood].en, 5))
    if shot.camera_motion in MOTION_WORDS:
        parts.append(_Part(MOTION_WORDS[shot.camera_motion].en, 6))
    return parts


def _zh_sentences(scene: _Scene) -> list[_Part]:
    board, shot, cast, pieces = scene.board, scene.shot, scene.cast, scene.pieces
    setting, time, season = scene.setting, scene.time, scene.season
    parts: list[_Part] = []
    sentence = STYLE_SENTENCES.get(board.style, ("", ""))[1]
    if sentence:
        parts.append(_Part(sentence, 1))
    who = "、".join(
        dict.fromkeys(
            c.look
            if not c.name or c.name in c.look
            else f"{c.name}（{c.look}）"
            if c.look
            else c.name
            for c in cast
            if c.look or c.name
        )
    )
    where = "，".join(
        w
        for w in (
            f"场景在{setting}" if setting else "",
            SEASON_WORDS[season].zh if season else "",
            TIME_WORDS[time].zh if time else "",
        )
        if w
    )
    head = f"{SHOT_WORDS[shot.shot_type].zh}画面"
    head += f"：画面中有{who}" if who else ""
    parts.append(_Part(_zh_sentence(head)))
    if where:
        parts.append(_Part(_zh_sentence(where)))
    parts += [_Part(_zh_sentence(p), 2 if n == 0 else 4) for n, p in enumerate(pieces)]
    if shot.mood in MOOD_WORDS:
        parts.append(_Part(MOOD_WORDS[shot.mood].zh, 5))
    if shot.camera_motion in MOTION_WORDS:
        parts.append(_Part(MOTION_WORDS[shot.camera_motion].zh, 6))
    return parts


def _negative(board: Storyboard, shot: Shot) -> str:
    """The shot's negative prompt and its style's, in English tags, each once."""
    style = STYLES.get(board.style)
    items: list[str] = []
    for source in (shot.negative_prompt, style.negative_prompt if style else ""):
        for item in re.split(r"[,，;；\n]", source):
            item = item.strip()
            if item and not has_cjk(item) and item.lower() not in {i.lower() for i in items}:
                items.append(item)
    return ", ".join(items)


def _fit(parts: list[_Part], separator: str, budget: int | None) -> tuple[str, list[str]]:
    """The parts joined, leaving out the most expendable ones while over ``budget``."""
    kept = [p for p in parts if p.text]
    left_out: list[str] = []

    def joined() -> str:
        return separator.join(p.text for p in kept)

    while budget is not None and estimate_tokens(joined()) > budget:
        expendable = [p for p in kept if p.drop >= 3]
        if not expendable:
            break
        worst = max(expendable, key=lambda p: (p.drop, kept.index(p)))
        kept.remove(worst)
        left_out.append(worst.text)
    return joined(), left_out


def _score_parts(
    issues: list[PromptIssue],
    rules: FamilyRules,
    scene: _Scene,
    dropped: list[str],
    language: PromptLanguage,
) -> None:
    cast, pieces, setting, time = scene.cast, scene.pieces, scene.setting, scene.time
    if not pieces and not any(c.look or c.name for c in cast):
        issues.append(_issue("missing_subject", "nothing says what the picture shows"))
    if not setting:
        issues.append(_issue("missing_setting", "the shot has no setting in this language"))
    if not time:
        issues.append(_issue("missing_time_of_day", "the shot has no time of day"))
    undescribed = [c.who for c in cast if not c.described]
    if undescribed:
        issues.append(
            _issue(
                "undescribed_character",
                f"no description to draw from for {', '.join(undescribed)}",
                len(undescribed),
            )
        )
    if dropped:
        other = "Chinese" if language == "en" else "English"
        sample = "; ".join(d for d in dropped if d)[:80]
        issues.append(
            _issue(
                "untranslated_text",
                f"left out {other} text with no {language} equivalent: “{sample}”",
            )
        )


def _score(issues: list[PromptIssue]) -> int:
    return max(0, min(100, 100 - sum(i.points for i in issues)))


# --- plain ----------------------------------------------------------------------------------


def plain_prompt(board: Storyboard, shot: Shot) -> str:
    """The storyboard's own prompt: its visual prompt, then who the characters it names are."""
    described = []
    for character_id in dict.fromkeys(shot.characters):
        character = board.character(character_id)
        description = character.description.strip().rstrip(" .;。；")
        if description:
            described.append(f"{character.name}: {description}")
    if not described:
        return shot.visual_prompt
    return f"{shot.visual_prompt.rstrip().rstrip('.。')}. {'; '.join(described)}"


def _plain(board: Storyboard, shot: Shot, family: str) -> VisualPrompt:
    issues: list[PromptIssue] = []
    undescribed = [
        board.character(c).name
        for c in dict.fromkeys(shot.characters)
        if not board.character(c).description.strip()
    ]
    if not shot.setting.strip():
        issues.append(_issue("missing_setting", "the shot has no setting"))
    if not _time(shot.time_of_day):
        issues.append(_issue("missing_time_of_day", "the shot has no time of day"))
    if undescribed:
        issues.append(
            _issue(
                "undescribed_character",
                f"no description to draw from for {', '.join(undescribed)}",
                len(undescribed),
            )
        )
    return VisualPrompt(
        plain_prompt(board, shot),
        shot.negative_prompt,
        family,
        board.language,
        _score(issues),
        tuple(issues),
    )
