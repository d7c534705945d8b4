"""Reading a request by rules: what it asks to be made (task, genre) and every entity it names
(characters, setting, era, time of day, style, moods, audience, length, frame, the lead's goal).

English is matched word by word against the lexicons of ``words`` and ``storyreel.domain
.lexicon``; Chinese is cut into words and tagged by jieba (its dictionary ships with it), which
finds names (``nr``) and the modifiers before a noun ("灯塔看守人的机器人"). Both run on every
message, so a Chinese request that says "9:16" or "anime" is read too. Deterministic, and a few
milliseconds per message once jieba's dictionary is loaded (``warm_up``).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

from storyreel.domain.assistant import words as W
from storyreel.domain.assistant.model import (
    TASKS,
    Aspect,
    Audience,
    BriefCharacter,
    Genre,
    Intent,
    Reading,
    Task,
)
from storyreel.domain.lexicon import EN_BEINGS, EN_PLACES, ZH_BEINGS, ZH_PLACES
from storyreel.domain.text import detect_language, word_set

K = TypeVar("K", bound=str)

_HAN = "\u4e00-\u9fff"
_HAN_RE = re.compile(f"[{_HAN}]")
_EN_TOKEN_RE = re.compile(r"[A-Za-z][A-Za-z'’-]*|\d+(?:\.\d+)?")
_NEGATIONS_EN = ("not ", "no ", "less ", "without ", "never ", "n't ", "avoid ", "nothing ")
_NEGATIONS_ZH = ("不", "别", "没", "无", "少点", "少一点", "避免")

# --- phrase tables ----------------------------------------------------------------------------


class PhraseTable(Generic[K]):
    """Finds the keys of a table whose words occur in a text: English words as whole words (case
    folded), Chinese ones anywhere. ``find`` answers (key, start, end) in order of appearance."""

    def __init__(self, table: Mapping[K, tuple[Iterable[str], Iterable[str]]]) -> None:
        self._keys: dict[str, K] = {}
        en: list[str] = []
        zh: list[str] = []
        for key, (en_words, zh_words) in table.items():
            for word in en_words:
                self._keys.setdefault(word.lower(), key)
                en.append(word.lower())
            for word in zh_words:
                self._keys.setdefault(word.lower(), key)
                zh.append(word.lower())
        # Longest first, so "space station" wins over "space".
        en_alt = "|".join(re.escape(w) for w in sorted(set(en), key=len, reverse=True))
        zh_alt = "|".join(re.escape(w) for w in sorted(set(zh), key=len, reverse=True))
        parts = []
        if en_alt:
            parts.append(f"(?<![a-z0-9])(?:{en_alt})(?![a-z0-9])")
        if zh_alt:
            parts.append(f"(?:{zh_alt})")
        self._re = re.compile("|".join(parts) or "(?!)")

    def find(self, folded: str) -> list[tuple[K, int, int]]:
        return [(self._keys[m.group(0)], m.start(), m.end()) for m in self._re.finditer(folded)]

    def first(self, folded: str) -> K | None:
        found = self.find(folded)
        return found[0][0] if found else None


def _weighted(table: dict[Genre, tuple[dict[str, int], dict[str, int]]]) -> dict[str, int]:
    return {w.lower(): n for en, zh in table.values() for w, n in (*en.items(), *zh.items())}


_TASKS = PhraseTable(W.TASK_WORDS)
_GENRES = PhraseTable({g: (list(en), list(zh)) for g, (en, zh) in W.GENRE_WORDS.items()})
_GENRE_WEIGHT = _weighted(W.GENRE_WORDS)
_MOODS = PhraseTable(W.MOOD_WORDS)
_AUDIENCES = PhraseTable(W.AUDIENCE_WORDS)
_STYLES = PhraseTable(W.STYLE_WORDS)
_ASPECTS = PhraseTable(W.ASPECT_WORDS)
_ERAS = PhraseTable(W.ERA_WORDS)
_TIMES = PhraseTable(W.TIME_WORDS)
_LANGUAGES = PhraseTable(W.LANGUAGE_WORDS)
_TIME_TRAVEL = PhraseTable({"yes": W.TIME_TRAVEL_WORDS})
_NOT_FOR_CHILDREN = PhraseTable({"yes": W.NOT_FOR_CHILDREN_WORDS})
_WORLDS = PhraseTable({"world": (W.EN_WORLDS, W.ZH_WORLDS)})
#: The task whose words win when a request names several (a script *for* a video is a script).
_TASK_PRIORITY: tuple[Task, ...] = ("character", "storyboard", "audio", "script", "video")


def has_any(table: PhraseTable[Any], text: str) -> bool:
    return bool(table.find(text.lower()))


def mentions_time_travel(text: str) -> bool:
    return has_any(_TIME_TRAVEL, text)


def not_for_children_words(text: str) -> list[str]:
    folded = text.lower()
    return [folded[s:e] for _, s, e in _NOT_FOR_CHILDREN.find(folded)]


# --- length ----------------------------------------------------------------------------------

_EN_NUMBERS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "forty-five": 45,
    "fifty": 50,
    "sixty": 60,
    "ninety": 90,
    "half a": 0.5,
    "a half": 0.5,
}
_EN_NUMBER = "|".join(re.escape(k) for k in sorted(_EN_NUMBERS, key=len, reverse=True))
_EN_LENGTH_RE = re.compile(
    rf"(?<![\w.])(\d+(?:\.\d+)?|{_EN_NUMBER})(?:\s+and\s+a\s+half)?\s*(?:-|\s)?\s*"
    r"(seconds?|secs?|s(?=[\s,.;)!?-]|$)|minutes?|mins?|m(?=[\s,.;)!?-]|$)|hours?|hrs?)"
    r"(?![a-z])",
    re.IGNORECASE,
)
_EN_LENGTH_HALF_RE = re.compile(r"and\s+a\s+half", re.IGNORECASE)
_ZH_DIGITS = {
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_ZH_LENGTH_RE = re.compile(
    r"(\d+(?:\.\d+)?|[零一二两三四五六七八九十百]+|半)\s*(?:个)?\s*(秒钟|秒|分钟半|分半钟|分半|分钟|分|小时)"
)


def _zh_number(text: str) -> float | None:
    if text == "半":
        return 0.5
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return float(text)
    total, current = 0, 0
    for ch in text:
        if ch in _ZH_DIGITS:
            current = _ZH_DIGITS[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    return float(total + current) if (total + current) else None


def read_length(text: str) -> float | None:
    """The film's length in seconds a request names ("60-second", "一分半钟", "3 min")."""
    for m in _ZH_LENGTH_RE.finditer(text):
        n = _zh_number(m.group(1))
        if n is None:
            continue
        unit = m.group(2)
        if unit.startswith("秒"):
            return n
        if unit == "小时":
            return n * 3600
        return n * 60 + (30 if "半" in unit else 0)
    for m in _EN_LENGTH_RE.finditer(text):
        raw = m.group(1).lower()
        decade = m.group(2).lower() == "s" and m.group(0).lower() == raw + "s"
        if decade and re.search(r"(?:\bthe|['’])\s*$", text[: m.start()].lower()):
            continue  # "the 80s", "'90s": a decade
        n = float(raw) if raw[0].isdigit() else float(_EN_NUMBERS[raw])
        if _EN_LENGTH_HALF_RE.search(m.group(0)):
            n += 0.5
        unit = m.group(2).lower()
        if unit.startswith("h"):
            return n * 3600
        if unit.startswith("m"):
            return n * 60
        return n
    folded = text.lower()
    if re.search(r"\bhalf[- ]a[- ]minute\b", folded):
        return 30.0
    if re.search(r"\b(?:a|one)[- ]minute\b|\bminute[- ]long\b", folded):
        return 60.0
    return None


# --- characters -------------------------------------------------------------------------------

#: Nouns for a person by trade that the being lexicon lacks, as the last word of a compound
#: ("lighthouse keeper", "clock maker").
_EN_AGENT_HEADS = word_set(
    "keeper maker smith seller driver hunter farmer fisher trader builder painter writer "
    "teacher doctor nurse detective pilot astronaut scientist inventor engineer explorer "
    "student chef cook baker miner sailor captain guard ranger witch wizard dragon robot "
    "android alien ghost monster knight princess prince king queen girl boy woman man child "
    "grandmother grandfather grandma grandpa mother father mom dad sister brother friend "
    "kitten puppy unicorn elf fairy giant mermaid vampire zombie dancer singer musician poet "
    "artist actor actress photographer pianist violinist librarian professor fisherman "
    "postman firefighter hero heroine villain thief spy pirate ninja samurai monk priest nun "
    "emperor empress merchant tailor shoemaker blacksmith carpenter gardener shepherd mechanic "
    "colonist uncle aunt cousin neighbor neighbour boss worker waiter waitress barber vet "
    "teenager orphan widow traveler traveller wanderer grandson granddaughter son daughter "
    "husband wife baby toddler archer warrior soldier sailor magician clown inventor"
)
_EN_NOT_MODIFIERS = word_set(
    "a an the this that these those his her their its my our your some any every each one two "
    "three about with and or but for of to in on at by from into onto who which where when "
    "is are was were be been being has have had do does did make makes made add adds write "
    "tell tells show shows want wants need needs like likes named called it he she they we you "
    "i me him them us very really so too how why what whose there here not also just only "
    "then than as if such more most less much many few all both either neither"
)
#: Capitalised words that are not names when they start a request's words.
_EN_NOT_NAMES = word_set(
    "i a an the this that make write create give add remove please can could would should "
    "let set change call name it he she they we you my our his her their in on at for with "
    "and or but about from to of no not yes ok okay sure english chinese mandarin mars moon "
    "earth paris london tokyo beijing shanghai venice new york monday tuesday wednesday "
    "thursday friday saturday sunday january february march april may june july august "
    "september october november december christmas halloween ai sci fi tiktok youtube "
    "instagram shorts reels douyin bilibili ghibli victorian tang song ming qing han wild west"
)
_EN_NAMED_RE = re.compile(r"\b(?:named|called)\s+([A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)?)")
_EN_NAME_THE_RE = re.compile(r"\b([A-Z][a-z]+),?\s+(?:the|a|an)\s+([a-z]+(?:\s+[a-z]+)?)")
_ZH_NAMED_RE = re.compile(f"(?:名叫|叫做|名字叫|名字是|就叫|叫)([{_HAN}]{{2,3}})")
_ZH_NICKNAME_RE = re.compile(f"([小老阿][{_HAN}])(?=[和与跟的在是说，。、！？ ]|$)")
_ZH_NOT_NAMES = frozenset(
    [
        "小时",
        "小心",
        "小镇",
        "小说",
        "小朋友",
        "小孩",
        "小学",
        "小狗",
        "小猫",
        "老师",
        "老人",
        "老家",
        "老板",
        "老鼠",
        "老虎",
        "老鹰",
        "阿姨",
        "小鸟",
        "小鱼",
        "小兔",
        "小熊",
        "老头",
        "老者",
        "小伙",
        "小姐",
        "小子",
        "老公",
        "老婆",
        "小屋",
        "小路",
        "小河",
        "老街",
        "小片",
        "小短",
        "小品",
        "老片",
        "主角",
        "角色",
        "孩子",
        "故事",
    ]
)
_ZH_MEASURE = frozenset("只头匹条尾个位名")
_ZH_MODIFIER_FLAGS = frozenset(
    {"n", "nr", "ns", "nz", "a", "an", "b", "uj", "s", "ng", "vn", "nrt", "j"}
)


Kind = Literal["person", "animal", "thing"]


@dataclass
class _Found:
    name: str
    description: str
    kind: Kind
    start: int


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "xes", "sses")):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def _en_characters(text: str) -> list[_Found]:
    tokens = list(_EN_TOKEN_RE.finditer(text))
    found: list[_Found] = []
    for m in _EN_NAMED_RE.finditer(text):
        before = text[max(0, m.start() - 40) : m.start()].lower().split()
        noun = before[-1] if before and before[-1] not in _EN_NOT_MODIFIERS else ""
        found.append(_Found(m.group(1), noun, _kind_en(noun), m.start(1)))
    for m in _EN_NAME_THE_RE.finditer(text):
        name, noun = m.group(1), m.group(2).split()[-1]
        if name.lower() in _EN_NOT_NAMES or not _is_being_en(noun):
            continue
        found.append(_Found(name, m.group(2), _kind_en(noun), m.start(1)))
    for i, tok in enumerate(tokens):
        word = tok.group(0).lower().replace("’", "'")
        base = _singular(word.removesuffix("'s"))
        if not _is_being_en(base):
            continue
        following = tokens[i + 1].group(0) if i + 1 < len(tokens) else ""
        if tok.group(0)[:1].isupper() and following[:1].isupper():
            continue  # a title before a name ("Captain Lena Park"): read with the name below
        # The compound and adjectives before it: "the old lighthouse keeper", "a tiny robot".
        j = _modifiers_start(text, tokens, i)
        phrase = " ".join(t.group(0) for t in tokens[j : i + 1])
        phrase = phrase.removesuffix("'s").removesuffix("’s")
        description = phrase
        # A possessive before it belongs to its description: "a lighthouse keeper's robot".
        if j > 0 and tokens[j - 1].group(0).lower().endswith(("'s", "’s")):
            k = _modifiers_start(text, tokens, j - 1)
            owner = " ".join(t.group(0) for t in tokens[k:j])
            description = f"{owner} {phrase}"
        found.append(_Found(_the(phrase), description, _kind_en(base), tokens[j].start()))
    # Names: after a title ("Captain Lena Park"), several capitalised words ("Lena Park"), or
    # one where a name stands ("Mia and her grandfather", "about Tom").
    for m in _EN_NAME_RUN_RE.finditer(text):
        words = m.group(1).split()
        title = words[0].lower() if words[0].lower() in _EN_TITLES else None
        if title:
            words = words[1:]
        words = [w for w in words if w.lower() not in _EN_NOT_NAMES]
        if not words:
            continue
        name = " ".join(words)
        if any(f.name == name for f in found) or _names_a_genre(name) or has_any(_MOODS, name):
            continue
        if has_any(_WORLDS, name) or (len(words) == 1 and _not_a_name(words[0])):
            continue
        after = text[m.end() : m.end() + 12].lower()
        lead_in = text[max(0, m.start() - 8) : m.start()].lower()
        stands_as_name = re.match(
            r"\s*(?:and|,|'s|’s|who|is|was|wants|tries|must|has|finds|learns|meets)\b", after
        ) or re.search(r"\b(?:about|and|with|meet|meets|named|called)\s+$", lead_in)
        if title or len(words) > 1 or stands_as_name:
            found.append(_Found(name, title or "", "person", m.start()))
    return found


_EN_NAME_RUN_RE = re.compile(r"\b([A-Z][a-z]{1,20}(?:\s+[A-Z][a-z]{1,20}){0,2})\b")
_EN_TITLES = word_set(
    "captain doctor dr mr mrs ms miss professor king queen prince princess sir lady lord uncle "
    "aunt grandma grandpa granny detective officer agent general emperor empress master"
)


def _not_a_name(word: str) -> bool:
    folded = word.lower()
    return _is_being_en(folded) or folded in EN_PLACES or folded in W.EN_EXTRA_PLACES


def _modifiers_start(text: str, tokens: Sequence[re.Match[str]], i: int) -> int:
    """The first token of the compound and adjectives before ``tokens[i]`` ("the old lighthouse
    keeper" → "old"); a possessive ("keeper's") or a function word ends it."""
    j = i
    while j > 0 and i - j < 3:
        prev = tokens[j - 1].group(0).lower().replace("’", "'")
        gap = text[tokens[j - 1].end() : tokens[j].start()]
        if gap.strip() or prev in _EN_NOT_MODIFIERS or prev[0].isdigit() or prev.endswith("'s"):
            break
        if has_any(_TASKS, prev) or has_any(_GENRES, prev) or has_any(_MOODS, prev):
            break
        j -= 1
    return j


def _is_being_en(word: str) -> bool:
    return word in EN_BEINGS or word in _EN_AGENT_HEADS or word in W.EN_EXTRA_ANIMALS


def _kind_en(noun: str) -> Kind:
    being = EN_BEINGS.get(_singular(noun))
    if (being is not None and being.kind == "animal") or _singular(noun) in W.EN_EXTRA_ANIMALS:
        return "animal"
    if noun in ("robot", "android", "machine", "car", "ship"):
        return "thing"
    return "person"


def _the(phrase: str) -> str:
    return f"the {phrase}" if not phrase[:1].isupper() else phrase


_jieba_lock = threading.Lock()
_posseg: Any = None


def warm_up() -> None:
    """Load jieba's dictionary now (about a second, once per process) rather than on the first
    Chinese message."""
    _tagger()


def _tagger() -> Any:
    global _posseg
    if _posseg is None:
        with _jieba_lock:
            if _posseg is None:
                import jieba
                import jieba.posseg

                jieba.setLogLevel(60)
                jieba.initialize()
                # Our lexicons' nouns as whole words, so "灯塔看守人" is not cut into a verb.
                for word in (*_ZH_AGENT_WORDS, *ZH_BEINGS, *W.ZH_WORLDS):
                    jieba.add_word(word, tag="n")
                for word in ZH_PLACES:
                    jieba.add_word(word, tag="s")
                _posseg = jieba.posseg
    return _posseg


@dataclass(frozen=True)
class _Token:
    word: str
    flag: str
    start: int


def _zh_tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    for pair in _tagger().cut(text):
        word, flag = pair.word, pair.flag
        start = text.find(word, pos)
        if start < 0:
            start = pos
        tokens.append(_Token(word, flag, start))
        pos = start + len(word)
    return tokens


def _zh_characters(text: str, tokens: Sequence[_Token]) -> list[_Found]:
    found: list[_Found] = []
    for m in _ZH_NAMED_RE.finditer(text):
        name = _trim_zh_name(m.group(1))
        if name and name not in _ZH_NOT_NAMES:
            # "一个十岁女孩，叫朵朵": the name's start is placed right after its noun, so the
            # appositive rule below joins them.
            gap = len(text[: m.start()]) - len(text[: m.start()].rstrip("，, 、"))
            found.append(_Found(name, "", "person", m.start() - gap))
    for m in _ZH_NICKNAME_RE.finditer(text):
        if m.group(1) not in _ZH_NOT_NAMES and m.group(1) not in ZH_BEINGS:
            found.append(_Found(m.group(1), "", "person", m.start(1)))
    for i, tok in enumerate(tokens):
        if _zh_name_token(tok):
            found.append(_Found(tok.word, "", "person", tok.start))
        being = ZH_BEINGS.get(tok.word)
        if being is None and not (tok.flag.startswith("n") and _zh_agent(tok.word)):
            continue
        if len(tok.word) == 1 and not (i and tokens[i - 1].word[-1:] in _ZH_MEASURE):
            continue
        # The modifiers before it in its clause: "灯塔看守人的机器人", "一只红色的狐狸".
        j = i
        while j > 0 and tokens[j - 1].flag in _ZH_MODIFIER_FLAGS and i - j < 5:
            j -= 1
        while j < i and (tokens[j].flag in ("m", "q", "uj") or tokens[j].word in _ZH_MEASURE):
            j += 1
        description = "".join(t.word for t in tokens[j : i + 1])
        kind: Kind = "animal" if being is not None and being.kind == "animal" else "person"
        if tok.word in ("机器人", "机器", "机甲"):
            kind = "thing"
        found.append(_Found(tok.word, description, kind, tokens[j].start))
    return _appositives(found)


def _zh_name_token(tok: _Token) -> bool:
    """A name jieba tagged (``nr``) that is not a common noun, a festival or a word of our
    tables (a genre, mood, time, audience or style)."""
    return (
        tok.flag in ("nr", "nrfg")
        and 2 <= len(tok.word) <= 4
        and tok.word not in _ZH_NOT_NAMES
        and tok.word not in ZH_BEINGS
        and not tok.word.endswith(("节", "日"))
        and not _names_a_genre(tok.word)
        and not any(has_any(t, tok.word) for t in (_MOODS, _TIMES, _AUDIENCES, _STYLES))
    )


def _names_a_genre(word: str) -> bool:
    """ "科幻", "sci-fi": a genre's own name (a subject such as 孙悟空 may still be a name)."""
    return _GENRE_WEIGHT.get(word.lower(), 0) >= 3


def _appositives(found: list[_Found]) -> list[_Found]:
    """A name right after its noun is one character: "灯塔看守人老周" → 老周, 灯塔看守人."""
    by_end = {f.start + len(f.description): f for f in found if f.description}
    merged: list[_Found] = []
    dropped: set[int] = set()
    for f in found:
        noun = by_end.get(f.start) if not f.description else None
        if noun is not None and noun is not f:
            f.description, f.kind = noun.description, noun.kind
            dropped.add(id(noun))
        merged.append(f)
    # "一只叫豆豆的小狗": the name before 的 names the noun after it.
    for f in merged:
        if f.description or id(f) in dropped:
            continue
        for noun in merged:
            if noun is not f and noun.description.startswith(f.name + "的"):
                f.description = noun.description[len(f.name) + 1 :]
                f.kind = noun.kind
                dropped.add(id(noun))
    return [f for f in merged if id(f) not in dropped]


_ZH_AGENT_WORDS = frozenset(
    [
        "机器人",
        "宇航员",
        "科学家",
        "侦探",
        "看守人",
        "守塔人",
        "渔夫",
        "农夫",
        "猎人",
        "医生",
        "护士",
        "老师",
        "学生",
        "厨师",
        "画家",
        "作家",
        "船长",
        "公主",
        "王子",
        "国王",
        "女王",
        "巫师",
        "女巫",
        "骑士",
        "士兵",
        "将军",
        "皇帝",
        "书生",
        "侠客",
        "剑客",
        "和尚",
        "道士",
        "仙女",
        "精灵",
        "外星人",
        "怪兽",
        "怪物",
        "恐龙",
        "龙",
        "妖怪",
        "鬼",
        "钟表匠",
        "铁匠",
        "木匠",
        "老爷爷",
        "老奶奶",
        "爷爷",
        "奶奶",
        "妈妈",
        "爸爸",
        "女孩",
        "男孩",
        "小女孩",
        "小男孩",
        "姐姐",
        "妹妹",
        "哥哥",
        "弟弟",
        "朋友",
        "少年",
        "少女",
        "老人",
    ]
)


_ZH_NOT_AGENTS = frozenset(
    [
        "别人",
        "他人",
        "众人",
        "人人",
        "大人",
        "成人",
        "家人",
        "国家",
        "大家",
        "人家",
        "专家们",
        "选手",
        "对手",
        "手",
        "工人们",
    ]
)


def _zh_agent(word: str) -> bool:
    """A noun for someone by trade or kind: listed, or a noun ending in 匠/师/员/夫/者/人/家."""
    if word in _ZH_AGENT_WORDS:
        return True
    if word in _ZH_NOT_AGENTS or len(word) < 2:
        return False
    if word.endswith(("匠", "师", "员", "夫", "者", "人")) or (
        len(word) >= 3 and word.endswith("家")
    ):
        return True
    # "女侦探": a modifier before a listed noun.
    return any(word.endswith(agent) for agent in _ZH_AGENT_WORDS if len(agent) >= 2)


def _trim_zh_name(name: str) -> str:
    # "叫小明的男孩" → 小明: a name stops before the particle that follows it.
    for stop in ("的", "和", "与", "是", "在", "吧", "呢", "啊", "了"):
        name = name.split(stop)[0]
    return name if len(name) >= 2 else ""


def _characters(text: str, tokens: Sequence[_Token]) -> list[BriefCharacter]:
    found = _en_characters(text)
    if _HAN_RE.search(text):
        found += _zh_characters(text, tokens)
    # "for children", "给孩子们": the audience, not someone in the story.
    audience = [(s, e) for _, s, e in _AUDIENCES.find(text.lower())]
    found = [f for f in found if not any(s <= f.start < e for s, e in audience)]
    found.sort(key=lambda f: f.start)
    out: list[BriefCharacter] = []
    seen: set[str] = set()
    for f in found:
        key = f.name.lower().removeprefix("the ")
        if key in seen or any(
            key in s or s in key for s in seen if len(s) > 1 and _HAN_RE.search(s)
        ):
            # A name found twice, or a shorter tag of a longer one ("看守人" in "灯塔看守人").
            if f.description:
                for c in out:
                    if c.name.lower().removeprefix("the ") == key and not c.description:
                        c.description = f.description[:200]
            continue
        seen.add(key)
        out.append(
            BriefCharacter(
                name=f.name[:80],
                description=f.description[:200] if f.description.lower() != key else "",
                kind=f.kind,
            )
        )
    # A named character introduced by its noun ("a girl named Mia") replaces that noun's entry.
    named = {c.description.lower() for c in out if c.description and c.name[:1].isupper()}
    out = [c for c in out if not (c.name.startswith("the ") and c.name[4:].lower() in named)]
    return out[:12]


# --- setting and goal -------------------------------------------------------------------------

_EN_SETTING_PREP_WORDS = word_set(
    "in inside at on aboard under beneath near by across through onto into over around"
)


def _setting_en(text: str) -> str | None:
    """The place a request sets its story in: a named world ("on Mars"), else the first place
    noun after a preposition with its modifiers ("on a rocky island"), else any place noun."""
    folded = text.lower()
    worlds = _WORLDS.find(folded)
    tokens = list(_EN_TOKEN_RE.finditer(text))
    loose: str | None = None
    for i, tok in enumerate(tokens):
        noun = _singular(tok.group(0).lower())
        known = noun in EN_PLACES or noun in W.EN_EXTRA_PLACES
        if not known and not _unknown_place(tokens, i, noun):
            continue
        if loose is None and (
            noun in W.EN_EXTRA_PLACES or (known and EN_PLACES[noun].where in ("in", "out", "bld"))
        ):
            loose = f"a {tok.group(0)}"
        for back in range(i - 1, max(-1, i - 5), -1):
            word = tokens[back].group(0).lower()
            if word in _EN_SETTING_PREP_WORDS:
                phrase = text[tokens[back + 1].start() : tok.end()] if back + 1 <= i else ""
                return phrase
            if word in _EN_NOT_MODIFIERS and word not in (
                "a",
                "an",
                "the",
                "his",
                "her",
                "their",
                "its",
                "my",
                "our",
                "some",
            ):
                break
    for _, s, e in worlds:
        # "on a frozen moon" (the world after a preposition, with its modifiers) before a world
        # that only qualifies something ("a space adventure").
        before = re.search(
            r"\b(?:in|on|at|to|inside|aboard|under|near|across|through)\s+((?:[a-z'-]+\s+){0,3})$",
            folded[:s],
        )
        if before and not any(
            w in _EN_NOT_MODIFIERS - {"a", "an", "the"} for w in before.group(1).split()
        ):
            return text[s - len(before.group(1)) : e]
    if worlds:
        s, e = worlds[0][1], worlds[0][2]
        return text[s:e]
    return loose


def _unknown_place(tokens: Sequence[re.Match[str]], i: int, noun: str) -> bool:
    """A noun the lexicon lacks, right after "in a"/"at the" ("in a greenhouse")."""
    if i < 2 or noun in W.EN_NOT_PLACES or _is_being_en(noun) or noun in _EN_NOT_MODIFIERS:
        return False
    det, prep = tokens[i - 1].group(0).lower(), tokens[i - 2].group(0).lower()
    follows = tokens[i + 1].group(0).lower() if i + 1 < len(tokens) else ""
    # "in a snowy forest": "snowy" is not the place, the noun its phrase ends with is.
    phrase_goes_on = (
        bool(follows)
        and follows not in _EN_NOT_MODIFIERS
        and follows not in (_EN_SETTING_PREP_WORDS)
    )
    return (
        not phrase_goes_on
        and det in ("a", "an", "the")
        and prep in ("in", "inside", "at", "aboard")
        and not follows.endswith("ing")
        and not has_any(_TIMES, noun)
        and not has_any(_MOODS, noun)
    )


def _setting_zh(text: str, tokens: Sequence[_Token]) -> str | None:
    for _, s, e in _WORLDS.find(text):
        return text[s:e]
    for i, tok in enumerate(tokens):
        place = ZH_PLACES.get(tok.word)
        if place is None or place.where == "spot" or len(tok.word) < 2:
            continue
        j = i
        while j > 0 and tokens[j - 1].flag in ("n", "ns", "a", "uj", "s", "nz") and i - j < 3:
            j -= 1
        while j < i and tokens[j].flag == "uj":
            j += 1
        return "".join(t.word for t in tokens[j : i + 1])
    return None


_EN_GOAL_RE = re.compile(
    r"\b(?:who\s+)?(?:wants? to|tries to|try to|must|has to|have to|needs? to|learns? to|"
    r"learning to|dreams? of|searches for|is looking for|looking for|sets out to|"
    r"trying to|hopes to|decides to|has to find|to find|to save|to escape|to stop|to win|"
    r"to rescue|to get home|finds|discovers|saves|rescues|escapes)\b[^,.;!?]{3,120}",
    re.IGNORECASE,
)
_ZH_GOAL_RE = re.compile(
    "(?:想要|想|要去|必须|试图|努力|梦想|寻找|找到|找回|拯救|救出|逃离|阻止|学会|帮助|保护|打败|"
    "发现|寻回|回到)[^，。；！？,.]{2,40}"
)


_EN_TOPIC_RE = re.compile(r"\babout\s+((?:how|why|what|the)\b[^,.;!?]{3,100})", re.IGNORECASE)
_ZH_TOPIC_RE = re.compile("(?:介绍|讲解|解释|科普)([^，。；！？,.]{2,40})")


def _goal(text: str, genre: str) -> str | None:
    """What the lead wants ("must find a stolen clock"); an explainer's topic."""
    m = _ZH_GOAL_RE.search(text)
    if m:
        return m.group(0)
    m = _EN_GOAL_RE.search(text)
    if m:
        return m.group(0).strip()
    if genre == "documentary":
        m = _EN_TOPIC_RE.search(text) or _ZH_TOPIC_RE.search(text)
        if m:
            return m.group(1).strip()
    return None


# --- the whole reading --------------------------------------------------------------------------


def _negated(folded: str, start: int) -> bool:
    before = folded[max(0, start - 14) : start]
    return any(n in before for n in _NEGATIONS_EN) or any(n in before[-4:] for n in _NEGATIONS_ZH)


def _intent(folded: str) -> tuple[Intent, bool, bool]:
    stated = {k for k, _, _ in _TASKS.find(folded)}
    task: Task = next((t for t in _TASK_PRIORITY if t in stated), "video")
    assert task in TASKS
    scores: dict[Genre, int] = {}
    for genre, s, e in _GENRES.find(folded):
        if _negated(folded, s):
            continue
        scores[genre] = scores.get(genre, 0) + _GENRE_WEIGHT.get(folded[s:e], 1)
    if not scores:
        return Intent(task=task, genre="general", confidence=0.0), bool(stated), False
    genre = max(scores, key=lambda g: scores[g])  # dict order breaks ties: first named
    confidence = min(1.0, scores[genre] / 3)
    return Intent(task=task, genre=genre, confidence=round(confidence, 2)), bool(stated), True


def _distinct(keys: Iterable[K]) -> list[K]:
    out: list[K] = []
    for k in keys:
        if k not in out:
            out.append(k)
    return out


def read(text: str) -> Reading:
    """What ``text`` asks for (see the module)."""
    folded = text.lower()
    language = detect_language(text)
    tokens = _zh_tokens(text) if _HAN_RE.search(text) else []
    intent, task_stated, genre_stated = _intent(folded)
    moods: list[str] = []
    moods_not: list[str] = []
    for mood, s, _ in _MOODS.find(folded):
        if folded[max(0, s - 4) : s] == "the ":  # "afraid of the dark": a noun, not a mood
            continue
        (moods_not if _negated(folded, s) else moods).append(mood)
    aspects: list[Aspect] = _distinct(k for k, _, _ in _ASPECTS.find(folded))
    eras = _distinct(k for k, _, _ in _ERAS.find(folded))
    audience: Audience | None = _AUDIENCES.first(folded)
    wants = _LANGUAGES.first(folded)
    setting = _setting_zh(text, tokens) if tokens else None
    setting = setting or _setting_en(text)
    return Reading(
        language=language,
        intent=intent,
        task_stated=task_stated,
        genre_stated=genre_stated,
        characters=_characters(text, tokens),
        setting=setting,
        era=eras[0] if eras else None,
        time_of_day=_TIMES.first(folded),
        style=_STYLES.first(folded),
        moods=_distinct(moods),
        moods_not=_distinct(m for m in moods_not if m not in moods),
        audience=audience,
        length_s=read_length(text),
        aspect=aspects[0] if aspects else None,
        goal=_goal(text, intent.genre),
        wants_language="zh" if wants == "zh" else "en" if wants == "en" else None,
        aspects_named=aspects,
        eras_named=eras,
    )
