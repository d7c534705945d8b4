"""Find the recurring characters of a story (English and Chinese names) without a model.

English: capitalised words and runs ("Captain Ellis") that recur, are not common words, and are
not capitalised only because they start a sentence. Chinese: surname + given name, surname +
title (王老师), nicknames (小雨, 老李, 阿福) and repeated speakers ("妈妈说"), each kept only
when it recurs in name-like context (followed by 说/看/走..., preceded by 和/对/把...).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from storyreel.domain.text import word_set

#: Most characters a storyboard keeps (the most mentioned ones).
MAX_CHARACTERS = 40
_MIN_MENTIONS = 2
_MAX_TOKEN_LEN = 30


@dataclass(frozen=True)
class FoundName:
    """A character: how to show it, which strings mention it, how often and where first."""

    name: str
    aliases: tuple[str, ...]
    count: int
    first: int  # character offset of the first mention in the searched text


def find_characters(sentences: Sequence[str], limit: int = MAX_CHARACTERS) -> list[FoundName]:
    """Recurring characters in ``sentences``, in order of first appearance."""
    text = "\n".join(sentences)
    found = _english_names(sentences, text) + _chinese_names(text)
    found.sort(key=lambda f: (-f.count, f.first, -len(f.name), f.name))
    kept = _distinct(found)[:limit]
    return sorted(kept, key=lambda f: f.first)


def _distinct(found: list[FoundName]) -> list[FoundName]:
    """Drop a name whose aliases another, more mentioned one already claims."""
    seen: set[str] = set()
    out: list[FoundName] = []
    for item in found:
        if any(a in seen for a in item.aliases):
            continue
        seen.update(item.aliases)
        out.append(item)
    return out


class NameMatcher:
    """Finds which characters a piece of text mentions, in order of first mention."""

    def __init__(self, names: Sequence[FoundName]) -> None:
        self._owner: dict[str, int] = {}
        for index, found in enumerate(names):
            for alias in found.aliases:
                self._owner.setdefault(alias, index)
        aliases = sorted(self._owner, key=len, reverse=True)
        parts = [
            rf"(?<![A-Za-z]){re.escape(a)}(?![A-Za-z])" if a.isascii() else re.escape(a)
            for a in aliases
        ]
        self._pattern = re.compile("|".join(parts)) if parts else None

    def mentions(self, text: str) -> list[int]:
        """Indexes (into the names given) of the characters ``text`` mentions."""
        if self._pattern is None:
            return []
        order: list[int] = []
        for match in self._pattern.finditer(text):
            index = self._owner[match.group(0)]
            if index not in order:
                order.append(index)
        return order

    def first_offset(self, text: str, index: int) -> int:
        """Offset of the first mention of character ``index`` in ``text`` (-1 if none)."""
        if self._pattern is None:
            return -1
        for match in self._pattern.finditer(text):
            if self._owner[match.group(0)] == index:
                return match.start()
        return -1


# --- English ---------------------------------------------------------------------------------

_EN_STOPWORDS = word_set(
    """
    a an the and but or nor so then when while after before as at in on of to for from with
    without by into onto over under up down out off again still yet just only even also too very
    now here there this that these those it its he she his her him hers they them their theirs
    we us our ours you your yours i me my mine what who whom whose which where why how if because
    although though unless until since once every each all some any no not none nothing someone
    something everyone everything everybody nobody anyone yes oh ah well please thank thanks
    hello hi goodbye okay ok sorry maybe perhaps later meanwhile soon suddenly finally first
    second third next last another other one two three four five six seven eight nine ten
    hundred thousand chapter part book today tomorrow yesterday tonight morning evening night day
    monday tuesday wednesday thursday friday saturday sunday january february march april may
    june july august september october november december spring summer autumn winter let do does
    did is are was were be been have has had can could will would shall should might must come
    go look listen wait stop run help follow get take give tell say said far near back outside
    inside behind around above below across through together alone never always sometimes often
    instead anyway however therefore besides beyond dear god christmas english chinese french
    american british everywhere somewhere nowhere both either neither many much more most few
    such own same whatever whoever whenever wherever let's don't can't won't isn't wasn't didn't
    i'm i'll i've i'd you're we're they're it's that's there's what's come on hey wow good great
    new old little big long high deep dark
    """
)
# Titles: part of a name ("Captain Ellis") but never a name on their own.
_EN_TITLES = word_set(
    """
    captain capt doctor dr mr mrs ms miss mister professor prof sir lady lord king queen prince
    princess duke uncle aunt auntie grandma grandpa granny grandmother grandfather father mother
    sister brother officer detective inspector sergeant sgt general colonel lieutenant lt major
    admiral commander chief president judge saint st master mistress madame madam coach nurse
    teacher old young little big
    """
)
_EN_TITLE_ABBREVIATIONS = word_set("mr mrs ms dr st capt prof sgt lt col gen")
# After these words a capitalised word is more likely a place ("in Paris") than a person.
_EN_PLACE_PREPOSITIONS = word_set(
    "in into from near across toward towards through inside outside of"
)
_EN_CAPITALISED_RE = re.compile(r"(?<![A-Za-z'’-])[A-Z][A-Za-z-]*(?:['’][A-Za-z]+)?")
_EN_FIRST_LETTER_RE = re.compile(r"[^\W\d_]")
_EN_LOWER_WORD_RE = re.compile(r"\b[a-z][a-z'’-]*\b")
_EN_OPENERS = frozenset("\"“‘'(「『:—")
_MAX_RUN_TOKENS = 4


@dataclass
class _Mention:
    tokens: tuple[str, ...]  # name tokens (titles removed)
    form: str  # as written, titles included
    offset: int


@dataclass
class _TokenStats:
    count: int = 0
    non_initial: int = 0
    after_place_word: int = 0
    with_title: int = 0
    first: tuple[int, int] = (0, 0)  # (mention offset, position in the mention)


def _english_names(sentences: Sequence[str], text: str) -> list[FoundName]:
    mentions, stats = _english_mentions(sentences)
    if not mentions:
        return []
    lowercase_words = set(_EN_LOWER_WORD_RE.findall(text))
    people = {t for t, s in stats.items() if _is_person_token(t, s, lowercase_words)}
    groups = _group_tokens(mentions, people)
    found: list[FoundName] = []
    for tokens in groups:
        own = [m for m in mentions if tokens.intersection(m.tokens)]
        if len(own) < _MIN_MENTIONS:
            continue
        aliases = tuple(sorted(tokens, key=lambda t: stats[t].first))
        found.append(FoundName(_display_name(own), aliases, len(own), own[0].offset))
    return found


def _english_mentions(sentences: Sequence[str]) -> tuple[list[_Mention], dict[str, _TokenStats]]:
    """Every capitalised run (split at stopwords), with per-token statistics."""
    mentions: list[_Mention] = []
    stats: dict[str, _TokenStats] = defaultdict(_TokenStats)
    offset = 0
    for sentence in sentences:
        for run in _capitalised_runs(sentence):
            for mention, initial, before in _split_run(sentence, run, offset):
                mentions.append(mention)
                for position, token in enumerate(mention.tokens):
                    s = stats[token]
                    if s.count == 0:
                        s.first = (mention.offset, position)
                    s.count += 1
                    s.non_initial += not (initial and position == 0 and mention.form == token)
                    s.after_place_word += before in _EN_PLACE_PREPOSITIONS
                    s.with_title += mention.form != token
        offset += len(sentence) + 1
    return mentions, stats


def _capitalised_runs(sentence: str) -> list[list[tuple[str, int, bool]]]:
    """Runs of adjacent capitalised words: (word, start, sentence-initial?) each."""
    runs: list[list[tuple[str, int, bool]]] = []
    current: list[tuple[str, int, bool]] = []
    first_letter = _EN_FIRST_LETTER_RE.search(sentence)
    sentence_start = first_letter.start() if first_letter else 0
    previous_end = -1
    previous_word = ""
    for match in _EN_CAPITALISED_RE.finditer(sentence):
        word = re.sub(r"['’]s$", "", match.group(0))
        if len(word) > 1 and word.isupper():
            continue  # "NASA", "OK": acronyms, not names
        gap = sentence[previous_end : match.start()] if previous_end >= 0 else None
        joined = gap == " " or (gap == ". " and previous_word.lower() in _EN_TITLE_ABBREVIATIONS)
        if current and not joined:
            runs.append(current)
            current = []
        # A word is "initial" when it starts the sentence or a quotation inside it.
        before = sentence[: match.start()].rstrip()[-1:]
        initial = match.start() == sentence_start or before in _EN_OPENERS
        current.append((word, match.start(), initial))
        previous_end, previous_word = match.end(), word
    if current:
        runs.append(current)
    return runs


def _split_run(
    sentence: str, run: list[tuple[str, int, bool]], offset: int
) -> list[tuple[_Mention, bool, str]]:
    """Cut a run at stopwords; each piece with a name token becomes a mention."""
    pieces: list[list[tuple[str, int, bool]]] = [[]]
    for item in run:
        if item[0].lower() in _EN_STOPWORDS and item[0].lower() not in _EN_TITLES:
            pieces.append([])
        else:
            pieces[-1].append(item)
    out: list[tuple[_Mention, bool, str]] = []
    for piece in pieces:
        piece = piece[:_MAX_RUN_TOKENS]
        names = tuple(
            w for w, _, _ in piece if w.lower() not in _EN_TITLES and len(w) <= _MAX_TOKEN_LEN
        )
        if not names:
            continue
        start = piece[0][1]
        before_words = re.findall(r"[A-Za-z]+", sentence[max(0, start - 16) : start])
        before = before_words[-1].lower() if before_words else ""
        form = sentence[start : piece[-1][1] + len(piece[-1][0])]  # "Dr. Chen" keeps its dot
        out.append((_Mention(names, form, offset + start), piece[0][2], before))
    return out


def _is_person_token(token: str, stats: _TokenStats, lowercase_words: set[str]) -> bool:
    if stats.count < _MIN_MENTIONS or len(token) < 2 or "-" in token[:1]:
        return False
    if token.lower() in _EN_STOPWORDS or token.lower() in _EN_TITLES:
        return False
    if stats.with_title == 0 and stats.after_place_word * 2 >= stats.count:
        return False  # "in Paris", "from London": a place
    if stats.non_initial or stats.with_title:
        return True
    # Only ever capitalised at a sentence start: a name only if never written in lower case.
    lowered = token.lower()
    return lowered not in lowercase_words and not (lowered.endswith("ly") and len(lowered) > 4)


def _group_tokens(mentions: Sequence[_Mention], people: set[str]) -> list[set[str]]:
    """Person tokens written together ("Mara Vance") belong to one character, and so do the
    other name tokens written with them (a surname seen only once)."""
    parent: dict[str, str] = {t: t for t in people}

    def root(t: str) -> str:
        while parent[t] != t:
            parent[t] = parent[parent[t]]
            t = parent[t]
        return t

    for mention in mentions:
        if not people.intersection(mention.tokens):
            continue
        for token in mention.tokens:
            parent.setdefault(token, token)
        for other in mention.tokens[1:]:
            parent[root(other)] = root(mention.tokens[0])
    groups: dict[str, set[str]] = defaultdict(set)
    for token in sorted(parent):
        groups[root(token)].add(token)
    return list(groups.values())


def _display_name(mentions: Sequence[_Mention]) -> str:
    """The fullest form ("Captain Ellis" over "Ellis"), then the commonest, then the first."""
    forms = Counter(m.form for m in mentions)
    first_seen = {m.form: i for i, m in reversed(list(enumerate(mentions)))}
    return min(forms, key=lambda f: (-len(f.split()), -forms[f], first_seen[f]))


# --- Chinese ---------------------------------------------------------------------------------

_ZH_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕"
    "丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃"
    "武戴莫孔向汤温康施牛樊葛邢齐乔伍庞颜倪聂章鲁岳翟殷詹欧耿焦俞柳祝舒阮柯梅童凌毕裴霍涂苗翁骆蓝辛"
    "靳柴鲍喻祁蒲滕饶尤穆卓娄窦戚岑费晏卫"
)
_ZH_COMPOUND_SURNAMES = (
    "欧阳",
    "司马",
    "上官",
    "诸葛",
    "慕容",
    "令狐",
    "公孙",
    "独孤",
    "南宫",
    "皇甫",
)
_ZH_TITLES = sorted(
    word_set(
        "老师 医生 先生 小姐 女士 阿姨 叔叔 奶奶 爷爷 师傅 大夫 教授 校长 老板 大爷 大妈 大娘 婆婆 "
        "伯伯 老伯 掌柜 将军 大人 公子 姑娘 夫人 太太 同学 队长 警官 主任 经理 局长 书记 师父 "
        "大哥 大姐 老太太 老爷子 老头 船长 舰长 机长 班长 司机 老板娘 掌门 道长 大师"
    )
)
# Characters that cannot be part of a given name (particles, pronouns, directions, verbs...).
_ZH_NAME_BREAK = frozenset(
    "的了着过是在有和与也都就又不没很把被对说道问看想走个们些这那里中来去到得地会能要可么吗呢吧啊呀哦"
    "嗯哈呵儿而且但或并从往给让叫使之其所以为如若虽因此乃即便已曾将他她它我你您上下左右前后外内"
    "跑站坐听拿抬低转回笑哭喊推拉打开关一年时分秒次种样点位件只条张座片间天"
)
# Common words that begin with a surname character or look like names in context.
_ZH_COMMON = word_set(
    """
    我们 你们 他们 她们 它们 咱们 自己 什么 时候 一个 没有 这个 那个 知道 可以 大家 已经 因为 所以
    但是 可是 如果 虽然 然后 于是 突然 忽然 终于 一起 一样 一边 一直 一下 这样 那样 怎么 为什么 这里
    那里 哪里 现在 今天 明天 昨天 刚才 马上 高兴 许多 周围 方向 方法 方便 方才 方式 白天 白色 白云
    白发 夏天 夏日 石头 石阶 石板 金色 金子 金光 江边 江水 江面 任何 曾经 万一 万物 万分 严肃 严重
    武器 武功 向前 向后 向着 黎明 黄昏 黄色 黄金 陆地 范围 雷声 雷电 钟声 钟表 林子 树林 叶子 叶片
    王国 王子 王宫 孙子 何况 何时 付出 段落 程度 朱红 胡同 胡子 高大 高高 高处 高声 毛巾 毛衣 钱包
    莫名 戴上 宋朝 唐朝 秦朝 谢谢 孔雀 顾不 张开 张望 张嘴 陈旧 杨树 杨柳 田野 田地 余光 余下 汤圆
    苏醒 罗盘 常常 老师 老人 老板 老家 老婆 老公 老天 老鼠 老虎 老街 老屋 老树 老了 老是 小心 小时
    小声 小学 小说 小孩 小姐 小伙 小路 小镇 小村 小屋 小巷 小河 小溪 小山 小事 小小 小子 小手 小脸
    小船 小桥 小猫 小狗 小鸟 小鱼 小草 小花 小朋友 小伙子 小女孩 小男孩 阿姨 大声 轻声 低声 柔声
    同学 同学们 孩子 孩子们 人们 众人 对方 别人 有人 没人 一人 两人 三人 几人 先生 女士 夫人 姑娘
    公子 大人 大伙 大伙儿 当时 那时 此时 同时 这时 其实 确实 顿时 立刻 毕竟 温柔 温暖 温度 康复 施工
    牛奶 齐声 乔装 庞大 颜色 章节 鲁莽 岳父 殷切 欧洲 焦急 柳树 祝福 舒服 柯南 梅花 童年 凌晨 毕业
    霍然 苗条 翁翁 骆驼 蓝色 蓝天 辛苦 柴火 尤其 穆斯 卓越 费力 卫生 韦伯 付钱 邓肯 冯氏 史上 龙卷
    陶醉 贺卡 龚氏 毛毛 郝氏 覃氏 汪汪 崔氏 姜汁 卢布 沈默 丁点 吕氏 魏氏 苏州 程序 杜鹃 余晖 蔡氏
    蒋氏 于心 潘氏 袁氏 董事 田园 肖像 曾祖 彭湃 曹操 邓氏 韩国 许久 许可 唐突 宋氏 谢幕 梁上 郑重
    罗列 林间 林荫 何必 何处 郭氏 胡乱 朱门 马车 马路 马儿 孙女 徐徐 周末 周身 吴语 赵氏 杨氏 陈设
    刘海 张罗 李子 王者 钱财 严格 武士 戴着 莫非 孔子 汤匙 易经 雷雨 侯爵 黎民 贺喜 顾客 顾及 邵氏
    """
)
_ZH_RIGHT_CONTEXT = frozenset(
    "说道问答笑喊叫哭看望想走跑站坐听拿抬低转回愣点摇推拉握伸皱叹把被在和与跟对向给让却便就又也都一"
    "正没不已还早终连立赶只轻慢默静突忽举住画拍躺跳冲追喝吃写读哼"
)
_ZH_LEFT_CONTEXT = frozenset("和与对把被叫跟给向让找问见喊同陪替朝等是着了名看望拉住和")
_ZH_WEAK_CONTEXT = frozenset("的，。！？；：、…—“”「」『』\n ")
_ZH_NEGATIVE_LEFT = frozenset("很太更最真挺越极非好")
_ZH_NEGATIVE_RIGHT = frozenset("地")
_ZH_XIAO_STOP = frozenset("心时声学说孩姐伙路镇村屋巷河溪山事小子手脸船桥猫狗鸟鱼草花朋女男")
_ZH_A_STOP = frozenset("姨嚏弥拉谀胶片里斯尔富")
_ZH_SPEECH_RE = re.compile(r"(?:笑道|叫道|答道|喊道|问道|说道|说|问(?!题)|喊|答)")
_MIN_CONTEXT_SCORE = 1.5
# A given name continues with the next character when nearly every mention does (王小明).
_EXTEND_SHARE = 0.75
_HAN = re.compile(r"[\u4e00-\u9fff]")


def _chinese_names(text: str) -> list[FoundName]:
    if not _HAN.search(text):
        return []
    candidates: set[str] = set()
    titled = _titled_names(text)
    candidates.update(titled)
    candidates.update(_surname_names(text))
    candidates.update(_nicknames(text))
    candidates.update(_speakers(text))
    titles_in_use = {t for name in titled for t in _ZH_TITLES if name.endswith(t)}
    names = [
        n
        for n in candidates
        if n not in _ZH_COMMON and n not in titles_in_use and text.count(n) >= _MIN_MENTIONS
    ]
    counts = {n: text.count(n) for n in names}
    # A shorter name inside a longer one adds nothing if it never stands alone (王小 in 王小明).
    kept = [
        n for n in names if not any(n != m and n in m and counts[n] <= counts[m] for m in names)
    ]
    return _join_nicknames(text, [FoundName(n, (n,), counts[n], text.find(n)) for n in kept])


def _join_nicknames(text: str, found: list[FoundName]) -> list[FoundName]:
    """老周 and 周师傅 are one person: a 老 + surname nickname takes the titled form as an alias
    (once is enough for it), and the titled form becomes the name when it recurs too."""
    titles = "|".join(sorted(_ZH_TITLES, key=len, reverse=True))
    out: list[FoundName] = []
    absorbed: set[str] = set()
    for item in found:
        if len(item.name) != 2 or item.name[0] != "老" or item.name[1] not in _ZH_SURNAMES:
            continue
        titled = sorted(set(re.findall(f"{item.name[1]}(?:{titles})", text)))
        if not titled:
            continue
        absorbed.update(titled)
        extra = sum(text.count(t) for t in titled)
        first = min([item.first, *(text.find(t) for t in titled)])
        out.append(FoundName(item.name, (item.name, *titled), item.count + extra, first))
        absorbed.add(item.name)
    out.extend(f for f in found if f.name not in absorbed)
    return out


def _titled_names(text: str) -> set[str]:
    surnames = "|".join(list(_ZH_COMPOUND_SURNAMES) + list(_ZH_SURNAMES))
    titles = "|".join(sorted(_ZH_TITLES, key=len, reverse=True))
    counts = Counter(re.findall(f"(?:{surnames})(?:{titles})", text))
    return {name for name, n in counts.items() if n >= _MIN_MENTIONS}


def _surname_names(text: str) -> set[str]:
    """Surname + one given character, extended by one more when mentions agree (王小明)."""
    followers: dict[str, Counter[str]] = defaultdict(Counter)
    pattern = "|".join(_ZH_COMPOUND_SURNAMES) + f"|[{_ZH_SURNAMES}]"
    for match in re.finditer(f"(?=((?:{pattern})[\u4e00-\u9fff]))", text):
        base = match.group(1)
        if base[-1] in _ZH_NAME_BREAK:
            continue
        end = match.start() + len(base)
        followers[base][text[end : end + 1]] += 1
    names: set[str] = set()
    for base, after in followers.items():
        total = sum(after.values())
        if total < _MIN_MENTIONS or base in _ZH_COMMON:
            continue
        name = base
        (nxt, n), *_ = sorted(after.items(), key=lambda kv: (-kv[1], kv[0]))
        if (
            n >= _MIN_MENTIONS
            and n >= _EXTEND_SHARE * total
            and _HAN.match(nxt)
            and nxt not in _ZH_NAME_BREAK
            and nxt not in _ZH_RIGHT_CONTEXT
        ):
            name = base + nxt
        if _context_score(text, name) >= _MIN_CONTEXT_SCORE:
            names.add(name)
    return names


def _nicknames(text: str) -> set[str]:
    """小雨, 阿福 and 老李 (老 + a surname), when they recur in name-like context."""
    out: set[str] = set()
    for nick in set(re.findall("[小阿老][\u4e00-\u9fff]", text)):
        prefix, rest = nick
        if rest in _ZH_NAME_BREAK or nick in _ZH_COMMON:
            continue
        if prefix == "老" and rest not in _ZH_SURNAMES:
            continue
        if (prefix == "小" and rest in _ZH_XIAO_STOP) or (prefix == "阿" and rest in _ZH_A_STOP):
            continue
        if _context_score(text, nick) >= _MIN_CONTEXT_SCORE:
            out.add(nick)
    return out


def _speakers(text: str) -> set[str]:
    """Two or three characters that repeatedly open a clause and then speak ("妈妈说")."""
    counts: Counter[str] = Counter()
    for match in _ZH_SPEECH_RE.finditer(text):
        end = match.start()
        for size in (2, 3):
            start = end - size
            if start < 0:
                break
            word = text[start:end]
            before = text[start - 1] if start else "\n"
            if not all(_HAN.match(ch) and ch not in _ZH_NAME_BREAK for ch in word):
                break
            if before in _ZH_WEAK_CONTEXT or before in _ZH_LEFT_CONTEXT:
                counts[word] += 1
                break
    return {w for w, n in counts.items() if n >= _MIN_MENTIONS}


def _context_score(text: str, name: str) -> float:
    """How name-like the surroundings of ``name`` are; any adverb or 地 next to it disqualifies.

    Punctuation around a word says little, so at least one mention must sit in strong context.
    """
    score = 0.0
    strong_seen = False
    for match in re.finditer(re.escape(name), text):
        before = text[match.start() - 1] if match.start() else "\n"
        after = text[match.end()] if match.end() < len(text) else "\n"
        if before in _ZH_NEGATIVE_LEFT or after in _ZH_NEGATIVE_RIGHT:
            return 0.0
        strong = after in _ZH_RIGHT_CONTEXT or before in _ZH_LEFT_CONTEXT
        weak = after in _ZH_WEAK_CONTEXT or before in _ZH_WEAK_CONTEXT
        score += 1.0 if strong else 0.5 if weak else 0.0
        strong_seen = strong_seen or strong
    return score if strong_seen else 0.0
