"""Keyword cues a storyboard is cut by: scene transitions, places, time of day, mood, dialogue.

These are deliberately small, readable tables (English and Chinese side by side) rather than a
model: the offline storyboard writer must be fast, deterministic and explainable.
"""

from __future__ import annotations

import re
from typing import Literal

from storyreel.domain.text import word_set

Mood = Literal["calm", "tense", "joyful", "sad", "epic", "mysterious"]
MOODS: tuple[Mood, ...] = ("calm", "tense", "joyful", "sad", "epic", "mysterious")
TimeOfDay = Literal["dawn", "day", "dusk", "night"]

# --- scene transitions -----------------------------------------------------------------------

# English transitions, matched at the start of a sentence (after quotes and "And"/"But").
_EN_OPENING = r"^[\W_]*(?:(?:and|but|so)\s+)?"
_EN_TIME_TRANSITION_RE = re.compile(
    _EN_OPENING + r"(?:"
    r"the\s+(?:next|following)\s+(?:day|morning|afternoon|evening|night|week|month|year)"
    r"|next\s+(?:day|morning|evening|week)"
    r"|(?:later|meanwhile|afterwards?|eventually|soon after)\b"
    r"|(?:that|this|one|the same)\s+(?:night|evening|morning|afternoon|day|winter|summer)"
    r"|(?:in|by)\s+the\s+(?:morning|evening|afternoon)"
    r"|(?:years|months|weeks|days|hours|moments|minutes)\s+later"
    r"|(?:a|an|one|two|three|many|several|a few)\s+\w+\s+later"
    r"|at\s+(?:dawn|dusk|noon|midnight|sunrise|sunset|last)\b"
    r"|by\s+the\s+time\b"
    r")",
    re.IGNORECASE,
)
_EN_PLACE_TRANSITION_RE = re.compile(
    _EN_OPENING + r"(?:"
    r"at\s+the\b"
    r"|when\s+(?:they|he|she|we|i|the\s+\w+|[A-Z]\w+)\s+(?:reached|arrived|got\s+to|returned)"
    r"|back\s+(?:at|in|home)\b"
    r"|on\s+the\s+(?:other\s+side|way|road)\b"
    r")",
    re.IGNORECASE,
)
# Chinese time transitions near the start of a sentence, and arrivals ("林晓回到家").
_ZH_TIME_TRANSITION_RE = re.compile(
    r"第二天|次日|翌日|隔天|后来|与此同时|此时此刻|那天晚上|当天晚上|当晚|当天|那天|这天|一天|"
    r"清晨|黄昏|傍晚|深夜|半夜|午夜|入夜|天亮|黎明|"
    r"几年后|几年以后|多年以后|多年后|数年后|几天后|几天以后|数日后|三天后|一周后|一个月后|不久|不久后|"
    r"从那以后|从此|此后"
)
_ZH_ARRIVAL_RE = re.compile(r"来到|回到|走进|赶到|抵达")
_ZH_TIME_WINDOW = 6  # the cue must begin within this many characters of the sentence start
_ZH_ARRIVAL_WINDOW = 8
_LEADING_QUOTES = "“”\"'「」『』（( "


def is_scene_transition(sentence: str) -> bool:
    """True when the sentence opens with a time or place change ("The next day", "第二天")."""
    return is_time_transition(sentence) or is_place_transition(sentence)


def is_time_transition(sentence: str) -> bool:
    """True when the sentence opens by moving on in time ("Years later", "第二天清晨")."""
    if _EN_TIME_TRANSITION_RE.match(sentence):
        return True
    return _near_start(_ZH_TIME_TRANSITION_RE, sentence, _ZH_TIME_WINDOW)


def is_place_transition(sentence: str) -> bool:
    """True when the sentence opens somewhere new ("At the gate", "林晓回到家")."""
    if _EN_PLACE_TRANSITION_RE.match(sentence):
        return True
    return _near_start(_ZH_ARRIVAL_RE, sentence, _ZH_ARRIVAL_WINDOW)


def _near_start(pattern: re.Pattern[str], sentence: str, window: int) -> bool:
    head = sentence.lstrip(_LEADING_QUOTES)[: window + 4]
    match = pattern.search(head)
    return bool(match and match.start() < window)


# --- places ----------------------------------------------------------------------------------

_EN_PLACE_RE = re.compile(
    r"\b(?:in|at|to|into|inside|onto|on|across|through|toward|towards|near|reached|entered|"
    r"beside|outside|under)\s+((?:the|a|an|his|her|their|its|my|our|your)\s+[A-Za-z][\w'’-]*"
    r"(?:\s+[A-Za-z][\w'’-]*){0,4})",
    re.IGNORECASE,
)
# Words that end a place phrase ("the harbor where..." -> "the harbor").
_EN_PLACE_BREAK = word_set(
    "and or but where when while with as to for because that which who whom whose until before "
    "after he she they it we i was were is are had has have did could would will then so if "
    "than like into onto from by"
)
# Phrases that look like places but are times, body parts or manners.
_EN_NOT_PLACES = word_set(
    "morning evening night afternoon day moment end time beginning dark darkness middle distance "
    "meantime while way heart hand hands eyes eye mind voice head arms arm pocket face air silence "
    "same first last rest past future world rain storm wind dark"
)
_EN_PLACE_MAX_WORDS = 4

_ZH_PLACE_TRIGGER_RE = re.compile(r"(?<![正现存实自所好不])(?:来到|回到|走进|走到|进入|住在|在)了?")
_ZH_PLACE_SUFFIXES = frozenset(
    "村镇城山河湖海街路巷店馆院校室屋房楼站港岛林园场桥寺庙宫殿家堂厅庄府湾岸谷洞营关塔台市县"
    "门口边里上中下前外内旁顶底"
)
_ZH_NOT_PLACE_START = frozenset("心眼脑手脸怀这那此他她我你它身梦意一自")
# "那座废弃的灯塔" -> "废弃的灯塔": a demonstrative or counted measure word says no more.
_ZH_DEMONSTRATIVE_RE = re.compile(r"^[这那一][座个片间家条所栋处幢]")
_ZH_PLACE_MAX = 10
_ZH_PLACE_TAIL_RE = re.compile(f"[\u4e00-\u9fff]{{1,{_ZH_PLACE_MAX}}}")


def find_place(text: str) -> str | None:
    """A short phrase naming where ``text`` happens ("the harbor", "海边的灯塔"), if any.

    Quoted speech is ignored: a character mentioning a place does not take the scene there.
    """
    told = without_quotes(text)
    return _find_place_zh(told) or _find_place_en(told)


def _find_place_en(text: str) -> str | None:
    for match in _EN_PLACE_RE.finditer(text):
        words = match.group(1).split()
        kept = [words[0]]
        for word in words[1:]:
            if word.lower() in _EN_PLACE_BREAK:
                break
            kept.append(word)
        kept = kept[: _EN_PLACE_MAX_WORDS + 1]
        if len(kept) < 2 or kept[-1].lower().strip("'’") in _EN_NOT_PLACES:
            continue
        if any(w.lower() in _EN_NOT_PLACES for w in kept[1:2]):
            continue
        return " ".join(kept).rstrip("'’-")
    return None


def _find_place_zh(text: str) -> str | None:
    for match in _ZH_PLACE_TRIGGER_RE.finditer(text):
        tail = _ZH_PLACE_TAIL_RE.match(text, match.end())
        phrase = _ZH_DEMONSTRATIVE_RE.sub("", tail.group(0)) if tail else ""
        if not phrase or phrase[0] in _ZH_NOT_PLACE_START:
            continue
        end = _zh_place_end(phrase)
        if end >= 2:
            return phrase[:end]
    return None


def _zh_place_end(phrase: str) -> int:
    """Where the place phrase ends: at a place word not followed by 的 or another place word.

    "海边的小镇上" keeps going through 边 (的 follows) and 镇 (上 follows) to the end, while
    "黑板上画了" stops after 上 because a verb follows.
    """
    for i, ch in enumerate(phrase):
        if ch not in _ZH_PLACE_SUFFIXES:
            continue
        nxt = phrase[i + 1 : i + 2]
        if not nxt or (nxt != "的" and nxt not in _ZH_PLACE_SUFFIXES):
            return i + 1
    return 0


# --- time of day -----------------------------------------------------------------------------

_TIME_CUES: tuple[tuple[TimeOfDay, re.Pattern[str]], ...] = (
    (
        "dawn",
        re.compile(
            r"\b(?:dawn|daybreak|sunrise|first light|early morning)\b"
            r"|黎明|清晨|破晓|拂晓|日出|天刚亮|凌晨",
            re.IGNORECASE,
        ),
    ),
    (
        "dusk",
        re.compile(r"\b(?:dusk|sunset|twilight|evening)\b|黄昏|傍晚|夕阳|日落|晚霞", re.IGNORECASE),
    ),
    (
        "night",
        re.compile(
            r"\b(?:night|nights|midnight|tonight|moonlight|moon|stars|starlight)\b"
            r"|夜|晚上|今晚|当晚|月光|月亮|星光|星星|繁星",
            re.IGNORECASE,
        ),
    ),
)
_DAY_RE = re.compile(
    r"\b(?:morning|noon|afternoon|daylight|sunlight|sunny|next day|following day|today)\b"
    r"|中午|下午|上午|白天|早上|阳光|第二天|次日|正午",
    re.IGNORECASE,
)


def time_of_day(text: str) -> TimeOfDay | None:
    """Dawn, day, dusk or night when the narration (not the dialogue) says so.

    The most specific cue wins over plain "day", then the earliest one.
    """
    text = without_quotes(text)
    best: tuple[int, TimeOfDay] | None = None
    for label, pattern in _TIME_CUES:
        match = pattern.search(text)
        if match and (best is None or match.start() < best[0]):
            best = (match.start(), label)
    if best:
        return best[1]
    return "day" if _DAY_RE.search(text) else None


# --- mood ------------------------------------------------------------------------------------

_MOOD_WORDS: dict[Mood, tuple[str, str]] = {
    # (English word stems, Chinese words)
    "tense": (
        "afraid fear danger storm chase chasing ran run running scream shout fled panic threat "
        "crash crashed blood knife gun attack fight fought pounding suddenly",
        "危险 害怕 紧张 追 逃 尖叫 心跳 突然 怒 吼 刀 血 风暴 暴风雨 暴雨 慌 惊 发抖 颤抖 熄灭",
    ),
    "joyful": (
        "laugh laughed laughing smile smiled happy joy joyful celebrate cheer cheered dance danced "
        "sang sing bright delight delighted hug hugged glad",
        "笑 高兴 快乐 开心 欢 喜 庆祝 唱 跳舞 跳了起来 兴奋",
    ),
    "sad": (
        "cry cried crying tears wept weep grief sad lonely loss died death funeral sorrow mourn "
        "alone missed",
        "哭 泪 伤心 难过 悲 孤独 失去 去世 死 想念 思念 叹",
    ),
    "epic": (
        "battle army king kingdom vast legend hero sword thunder empire victory destiny mountains",
        "战 军 王国 英雄 传说 山河 万里 剑 雷 天地 浩瀚 壮",
    ),
    "mysterious": (
        "strange mystery mysterious shadow shadows secret whisper whispered fog mist unknown "
        "ghost silent hidden glow glowing abandoned",
        "神秘 奇怪 影子 秘密 低声 雾 幽 鬼 陌生 黑暗 古老 废弃",
    ),
    "calm": (
        "quiet calm gentle gently peaceful rest soft softly breeze slept slowly",
        "安静 平静 轻轻 微风 宁静 慢慢 温柔 休息 睡",
    ),
}


def _mood_pattern(english: str, chinese: str) -> re.Pattern[str]:
    en = "|".join(sorted(english.split(), key=len, reverse=True))
    zh = "|".join(sorted(chinese.split(), key=len, reverse=True))
    return re.compile(rf"\b(?:{en})\b|{zh}", re.IGNORECASE)


_MOOD_PATTERNS: tuple[tuple[Mood, re.Pattern[str]], ...] = tuple(
    (mood, _mood_pattern(*words)) for mood, words in _MOOD_WORDS.items()
)


def mood_of(text: str) -> Mood | None:
    """The mood whose keywords ``text`` uses most (ties: tense > joyful > sad > ...), if any."""
    best: tuple[int, Mood] | None = None
    for mood, pattern in _MOOD_PATTERNS:
        hits = len(pattern.findall(text))
        if hits and (best is None or hits > best[0]):
            best = (hits, mood)
    return best[1] if best else None


# --- dialogue, emotion, pronouns -------------------------------------------------------------

_DIALOGUE_RE = re.compile(r"[“「『].+?[”」』]|\"[^\"]+\"|“[^”]*$|^[^“]*”")
_EMOTION_RE = re.compile(
    r"\b(?:cr(?:y|ied|ies|ying)|w(?:ept|eep|eeping)|tears?|scream(?:s|ed|ing)?|whisper(?:s|ed|ing)?"
    r"|smil(?:e|es|ed|ing)|laugh(?:s|ed|ing)?|trembl(?:e|es|ed|ing)|afraid|fear(?:ed|ful)?"
    r"|hearts?|sob(?:s|bed|bing)?|gasp(?:s|ed)?|shiver(?:ed|ing)?|furious|terrified)\b"
    r"|哭|泪|笑|喊|怕|颤|心|惊|怒|抖|哽咽|叹",
    re.IGNORECASE,
)
_PRONOUN_RE = re.compile(r"\b(?:he|she|him|her|his|hers|they|them|their)\b|他|她", re.IGNORECASE)


_QUOTED_RE = re.compile(r"“[^”]*(?:”|$)|「[^」]*(?:」|$)|『[^』]*(?:』|$)|\"[^\"]*(?:\"|$)")
_SPEECH_VERBS_RE = re.compile(
    r"\b(?:said|says|asked|shouted|cried|whispered|replied|called|yelled|answered|murmured"
    r"|muttered|screamed|added|laughed|sighed)\b|说|道|问|喊|答|叫",
    re.IGNORECASE,
)
_ATTRIBUTION_MAX_WORDS = 6
_ATTRIBUTION_MAX_CJK = 10


def without_quotes(text: str) -> str:
    """``text`` with quoted speech removed (what the narrator, not a character, says)."""
    return _QUOTED_RE.sub(" ", text)


def is_attribution(text: str) -> bool:
    """A short "Captain Ellis shouted." / "林晓喊道。" that belongs with the quote before it."""
    if not _SPEECH_VERBS_RE.search(text) or has_dialogue(text):
        return False
    cjk = sum("\u4e00" <= ch <= "\u9fff" for ch in text)
    if cjk:
        return cjk <= _ATTRIBUTION_MAX_CJK
    return len(text.split()) <= _ATTRIBUTION_MAX_WORDS


def has_dialogue(text: str) -> bool:
    """True when ``text`` quotes someone (“…”, 「…」 or "…")."""
    return bool(_DIALOGUE_RE.search(text))


def opens_with_dialogue(text: str) -> bool:
    return text[:1] in ("“", "「", "『", '"')


def is_emotional(text: str) -> bool:
    """True when ``text`` shows a strong feeling worth a close-up (tears, fear, a smile...)."""
    return bool(_EMOTION_RE.search(text))


def has_pronoun(text: str) -> bool:
    return bool(_PRONOUN_RE.search(text))
