"""Who is in each sentence of a story, doing what, where and when — by rules, without a model.

One pass over the sentences finds:

- **beings**: named characters (``storyreel.domain.names``) and unnamed ones from a lexicon
  ("the fox", "a little girl", "白鹤", "小狐狸", "老人"), each with a look drawn from the words
  near its mentions ("a small red fox", "old Tomas in a grey coat"); simple coreference joins
  "a red fox" / "the fox" / "it", a title to its name ("老师" to "王老师"), an appositive name to
  its noun ("小女孩阿月", "a girl named Lily", "The fisherman, Tom,", "Tom, an old fisherman,"),
  and resolves he/she/it, 他/她/它 when unambiguous;
- what a person **is** (``Being.role``): the role the story gives it in an appositive, a copula
  or a compound noun ("lighthouse keeper", "old fisherman", "老渔夫", "钟表匠"), and a short
  **description** to draw it by (its look, else a state it is introduced in: "Mara lived at the
  edge of the harbor"), never the sentence of action that brings it in;
- the **subject** of each sentence (the being doing the action, never a possessive) and its
  action as a phrase a picture can show ("slipping in through the back door", "正低头喝水");
- **places** from the lexicon in prepositional phrases ("in his clock shop", "by the warm
  stove", "在厨房里", "来到池塘", "山顶上", "在他的店里" -> "店里"), indoor or outdoor; where the
  subject goes ("drifted toward the rocks", "went home"), or is as it looks out ("saw it from
  the lantern room"), not where it sends something ("swung the light toward the harbour");
- **time**: time of day (explicit, or night implied by a lamp or candle), season, and whether
  the sentence jumps in time.

Everything is deterministic and linear in the length of the story.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from storyreel.domain import cues
from storyreel.domain.lexicon import (
    EN_BEINGS,
    EN_CLOTHING,
    EN_LOOK_ORDER,
    EN_LOOK_SYNONYMS,
    EN_LOOK_WORDS,
    EN_NIGHT_THINGS,
    EN_PLACES,
    EN_SEASONS,
    ZH_BEINGS,
    ZH_CLOTHING_CHARS,
    ZH_LOOK_CHARS,
    ZH_NIGHT_THINGS,
    ZH_PLACES,
    ZH_SEASONS,
    ZH_SINGLE_BEING_BEFORE,
    BeingWord,
    Gender,
    Kind,
    PlaceWord,
)
from storyreel.domain.names import MAX_CHARACTERS, FoundName, find_characters
from storyreel.domain.text import word_set

__all__ = [
    "Being",
    "Place",
    "SentenceFacts",
    "StoryEntities",
    "extract",
    "find_places",
    "opens_with_season",
    "to_ing",
]


@dataclass(frozen=True)
class Being:
    """A recurring being: how to name it, how it looks (the same in every shot) and its kind."""

    name: str  # "Tomas", "the red fox", "白鹤", "阿月"
    look: str  # "old Tomas", "a small red fox", "白鹤 (a white crane)"
    kind: Kind
    gender: Gender
    aliases: tuple[str, ...]
    mentions: int
    first: tuple[int, int]  # (sentence, offset) of the first mention
    role: str = ""  # what a person is, as the story says it: "lighthouse keeper", "老渔夫"
    # A short phrase to draw it by, never a clause of action: its look when that says more
    # than its name, else how the story introduces it ("Mara lived at the edge of the harbor"),
    # else "" (nothing to go by).
    description: str = ""


@dataclass(frozen=True)
class Place:
    """Where a sentence happens, as the story says it, with indoor/outdoor where known."""

    phrase: str  # "the clock shop", "村口的池塘边"
    head: str  # the lexicon word: "shop", "池塘"
    indoor: bool | None
    gloss: str  # English for a Chinese place ("pond"); the head itself in English
    prep: str = ""  # "by", "at", "on" for spots ("by the warm stove")


@dataclass(frozen=True)
class SentenceFacts:
    """What one sentence says about who, where and when."""

    beings: tuple[int, ...] = ()  # indexes into the cast, in order of first mention
    subject: int | None = None
    action: str = ""
    place: Place | None = None  # a room or an area ("the clock shop", "the green hills")
    spot: Place | None = None  # a thing in it ("the bench", "窗台上")
    weak_place: bool = False  # named only in passing ("The shop smelled..."), no preposition
    moved: bool = False  # the place is where the sentence goes ("walked into the forest")
    time: cues.TimeOfDay | None = None
    implied_night: bool = False
    season: str = ""
    time_jump: bool = False


@dataclass(frozen=True)
class StoryEntities:
    cast: tuple[Being, ...]
    sentences: tuple[SentenceFacts, ...]


# --- candidates and mentions -----------------------------------------------------------------


@dataclass
class _Cand:
    name: str
    named: bool
    noun: BeingWord | None = None
    zh: bool = False
    surface: str = ""  # Chinese noun as first written ("小狐狸")
    looks: dict[str, str] = field(default_factory=dict)  # category -> word (or gloss)
    zh_looks: dict[str, str] = field(default_factory=dict)  # category -> character
    clothing: str = ""
    mods: tuple[str, ...] = ()  # nouns before an English role noun: "lighthouse" keeper
    role: str = ""  # a Chinese role as written before the name: "老渔夫", "钟表匠"
    listed: bool = False  # a name found in the story (a single appositive name is not)
    aliases: set[str] = field(default_factory=set)
    gender: Gender = ""
    count: int = 0
    nouns: int = 0  # mentions by name or noun, not by pronoun
    first: tuple[int, int] = (1 << 30, 0)
    first_end: int = 0  # where the first mention ends in its sentence

    @property
    def kind(self) -> Kind:
        return self.noun.kind if self.noun else "person"


@dataclass
class _Mention:
    cand: int
    start: int
    end: int
    pronoun: str = ""
    possessive: bool = False
    objective: bool = False  # after a preposition, an object marker or a verb


_QUOTED_RE = re.compile(r"“[^”]*(?:”|$)|「[^」]*(?:」|$)|『[^』]*(?:』|$)|\"[^\"]*(?:\"|$)")
_HAN_RE = re.compile(r"[\u4e00-\u9fff]")
_EN_WORD_RE = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?")
_EN_DETERMINERS = word_set("the a an this that his her their its my our your one another")
_EN_POSSESSIVE_DET = word_set("his her their its my our your")
_EN_PREPOSITIONS = word_set(
    "with to at for from of by on in into onto toward towards like about behind beside near "
    "after before than under over past through without against upon among between around "
    "across inside outside beneath above below"
)
_EN_PRONOUNS: dict[str, Gender] = {
    "he": "he",
    "him": "he",
    "his": "he",
    "she": "she",
    "her": "she",
    "hers": "she",
    "it": "it",
    "its": "it",
}
_EN_OBJECT_PRONOUNS = word_set("him her")
_EN_POSSESSIVE_PRONOUNS = word_set("his its hers")
_EN_EXPLETIVE_AFTER = word_set(
    "was is seemed seems became becomes rained snowed grew got felt looked sounded had would "
    "will could might must took takes"
)
_EN_CLAUSE_BREAK = word_set(
    "and but while when as because so until before after though although where which who "
    "whom then or if since"
)
_EN_SPEECH_VERBS = word_set(
    "said asked replied answered whispered shouted called cried murmured muttered added says asks"
)
_EN_NAMED_RE = re.compile(r"\s*,?\s*(?:named|called)\s+([A-Z][a-z]+)")
# "The lighthouse keeper, Ada, climbed": a name set off by commas right after a noun.
_EN_APPOSITIVE_NAME_RE = re.compile(r"\s*,\s*([A-Z][a-z]+)\s*[,;]")
# "Tom, an old fisherman, mended": a noun phrase set off by commas right after a name...
_EN_NAME_BEFORE_RE = re.compile(r"(?<![A-Za-z'’])([A-Z][a-z]+)\s*,\s*$")
# ...and closed by punctuation, perhaps after what it wears or where it is from.
_EN_APPOSITIVE_END_RE = re.compile(
    r"(?:\s+(?:in|with|wearing|from|of)\s[^,.;:!?\"“”]{0,40})?\s*[,.;:!?—]"
)
_EN_POSSESSIVE_S_RE = re.compile(r"['’]s?$")
# Words before a role noun that say which one, not what it is ("the next man").
_EN_NOT_ROLE = word_set(
    "next first second third last other another same only whole every each few many several "
    "one two three four five six seven eight nine ten such own very much more most"
)
_EN_MAX_ROLE_MODS = 2
_ZH_PRONOUNS: dict[str, Gender] = {"他": "he", "她": "she", "它": "it"}
_ZH_OBJECT_BEFORE = frozenset("把被给对向跟和与见着了看找叫陪让替朝望")
_ZH_APPOSITIVE_RE = re.compile(r"([阿小老][\u4e00-\u9fff])")
_ZH_NOT_GIVEN = frozenset(
    "的了着过是在有和与也都就又不没很把被对说道问看想走个们些这那里中来去到得地会能要可么吗呢吧啊"
    "呀他她它我你上下前后一提拿跑站坐听笑哭喊"
)
_ZH_CLAUSE_END = "，。！？；：、…—\n"
# A role written right before a name ("钟表匠老周"): it ends in a trade's character...
_ZH_ROLE_SUFFIXES = frozenset("匠师夫工员手长家")
# ...and starts the clause or follows one of these ("镇上的铁匠老李", "一个渔夫阿福").
_ZH_ROLE_BEFORE = frozenset("，。！？；：、…—\n “”「」『』的个位名是有了着")
_ZH_NOT_ROLES = word_set(
    "大家 人家 自家 回家 老家 国家 全家 一家 娘家 婆家 到家 在家 双手 左手 右手 一手 伸手 挥手 "
    "握手 拉手 招手 转手 动手 做工 打工 很长"
)
_ZH_MAX_ROLE = 5


def _blank_quotes(text: str) -> str:
    """``text`` with quoted speech blanked out (same length, so offsets still line up)."""
    return _QUOTED_RE.sub(lambda m: " " * len(m.group(0)), text)


def _zh_pattern(words: Sequence[str]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))


_ZH_BEING_RE = _zh_pattern(list(ZH_BEINGS))
_ZH_PLACE_RE = _zh_pattern(list(ZH_PLACES))
_ZH_PERSON_END_RE = re.compile(
    "(?:" + _zh_pattern([w for w, b in ZH_BEINGS.items() if b.kind == "person"]).pattern + ")$"
)


# --- the pass over the story -----------------------------------------------------------------


def extract(
    sentences: Sequence[str], min_mentions: int = 2, limit: int = MAX_CHARACTERS
) -> StoryEntities:
    """Beings, places and times of ``sentences`` (in story order); see the module docstring.

    A being joins the cast when mentioned ``min_mentions`` times (pronouns included, at least
    one mention by name or noun); named characters are found by ``find_characters``.
    """
    finder = _Finder(sentences, min_mentions)
    return finder.run(limit)


class _Finder:
    def __init__(self, sentences: Sequence[str], min_mentions: int) -> None:
        self.sentences = list(sentences)
        self.min_mentions = min_mentions
        self.cands: list[_Cand] = []
        self.mentions: list[list[_Mention]] = []
        self.subjects: list[int | None] = []
        self.subject_mentions: list[_Mention | None] = []
        self._named_re: re.Pattern[str] | None = None
        self._alias_owner: dict[str, int] = {}

    # -- set-up: named characters ------------------------------------------------------------

    def _named(self) -> None:
        text = "\n".join(self.sentences)
        found: list[FoundName] = [
            f
            for f in find_characters(self.sentences)
            if f.name not in ZH_BEINGS and f.name.lower() not in EN_BEINGS
        ]
        # "小狐" is no name when every "小狐" ends inside a being's noun ("小狐狸").
        spans = [(m.start(), m.end()) for m in _ZH_BEING_RE.finditer(text)]

        def swallowed(start: int, end: int) -> bool:
            return any(a < end < b for a, b in spans)

        found = [
            f
            for f in found
            if not _HAN_RE.match(f.name)
            or any(not swallowed(m.start(), m.end()) for m in re.finditer(re.escape(f.name), text))
        ]
        for f in found:
            cand = _Cand(name=f.name, named=True, listed=True, aliases=set(f.aliases) | {f.name})
            if f.name in ZH_BEINGS or any(_HAN_RE.match(a) for a in f.aliases):
                cand.zh = True
            title_noun = self._title_noun(f.name)
            if title_noun:
                cand.noun = title_noun
            self.cands.append(cand)
        # "小女孩阿月": a name written right after a noun for a person, mentioned again.
        if _HAN_RE.search(text):
            for match in _ZH_BEING_RE.finditer(text):
                word = ZH_BEINGS[match.group(0)]
                after = _ZH_APPOSITIVE_RE.match(text, match.end())
                if word.kind != "person" or not after:
                    continue
                nick = after.group(1)
                if nick[1] in _ZH_NOT_GIVEN or nick in ZH_BEINGS or text.count(nick) < 2:
                    continue
                if any(nick in c.aliases for c in self.cands):
                    continue
                self.cands.append(
                    _Cand(name=nick, named=True, zh=True, listed=True, aliases={nick})
                )
        for index, cand in enumerate(self.cands):
            for alias in cand.aliases:
                self._alias_owner.setdefault(alias, index)
        aliases = sorted(self._alias_owner, key=len, reverse=True)
        parts = [
            rf"(?<![A-Za-z]){re.escape(a)}(?![A-Za-z])" if a.isascii() else re.escape(a)
            for a in aliases
        ]
        self._named_re = re.compile("|".join(parts)) if parts else None

    @staticmethod
    def _title_noun(name: str) -> BeingWord | None:
        """The noun a name's title stands for: "Captain Ellis" -> captain? "王老师" -> 老师."""
        first = name.split()[0].lower().rstrip(".")
        if first in EN_BEINGS and " " in name:
            return EN_BEINGS[first]
        for word in sorted(ZH_BEINGS, key=len, reverse=True):
            if len(name) > len(word) and name.endswith(word):
                return ZH_BEINGS[word]
        return None

    # -- the pass ----------------------------------------------------------------------------

    def run(self, limit: int) -> StoryEntities:
        self._named()
        facts: list[dict[str, object]] = []
        for index, sentence in enumerate(self.sentences):
            self.mentions.append(self._mentions(index, sentence))
            self._resolve_pronouns(index, sentence)
            self.subjects.append(self._subject(index, sentence))
            facts.append(_where_and_when(sentence))
        self._genders()
        kept = self._kept(limit)
        cast = tuple(self._being(self.cands[i]) for i in kept)
        position = {c: i for i, c in enumerate(kept)}
        out: list[SentenceFacts] = []
        for index, sentence in enumerate(self.sentences):
            # "画了爷爷的背影": only something of his is in the picture, not him.
            beings = tuple(
                dict.fromkeys(
                    position[m.cand]
                    for m in self.mentions[index]
                    if m.cand in position and not (m.possessive and m.objective and not m.pronoun)
                )
            )
            subject = self.subjects[index]
            subject_at = position.get(subject) if subject is not None else None
            action = ""
            if subject is not None and subject_at is not None:
                action = self._action(index, sentence, subject, position)
            out.append(
                SentenceFacts(
                    beings=beings,
                    subject=subject_at,
                    action=action,
                    **facts[index],  # type: ignore[arg-type]
                )
            )
        return StoryEntities(cast=cast, sentences=tuple(out))

    def _kept(self, limit: int) -> list[int]:
        kept = [
            i
            for i, c in enumerate(self.cands)
            if c.nouns >= 1 and (c.listed or c.count >= self.min_mentions)
        ]
        kept.sort(key=lambda i: (-self.cands[i].count, self.cands[i].first))
        return sorted(kept[:limit], key=lambda i: self.cands[i].first)

    # -- mentions ----------------------------------------------------------------------------

    def _add(self, sentence: int, mention: _Mention, found: list[_Mention]) -> None:
        cand = self.cands[mention.cand]
        cand.count += 1
        if not mention.pronoun:
            cand.nouns += 1
            if (sentence, mention.start) < cand.first:
                cand.first, cand.first_end = (sentence, mention.start), mention.end
        found.append(mention)

    def _mentions(self, index: int, sentence: str) -> list[_Mention]:
        found: list[_Mention] = []
        taken: list[tuple[int, int]] = []
        if self._named_re is not None:
            for match in self._named_re.finditer(sentence):
                owner = self._alias_owner[match.group(0)]
                mention = _Mention(owner, match.start(), match.end())
                self._mark(sentence, mention)
                self._add(index, mention, found)
                taken.append((match.start(), match.end()))
                self._named_looks(sentence, mention)
        told = _blank_quotes(sentence)
        if _HAN_RE.search(told):
            self._zh_nouns(index, told, taken, found)
        if _EN_WORD_RE.search(told):
            self._en_nouns(index, told, taken, found)
        found.sort(key=lambda m: m.start)
        return found

    def _mark(self, sentence: str, mention: _Mention) -> None:
        """Possessive ("Tomas's", "它的") or object ("with Tomas", "看见白鹤") position."""
        after = sentence[mention.end : mention.end + 2]
        if after[:1] == "的" or re.match(r"['’]s?\b", after):
            mention.possessive = True
        before_char = sentence[mention.start - 1 : mention.start]
        if before_char and before_char in _ZH_OBJECT_BEFORE:
            mention.objective = True
        words = _EN_WORD_RE.findall(sentence[max(0, mention.start - 24) : mention.start])
        skip = [w for w in words if w.lower() not in _EN_DETERMINERS and w not in EN_LOOK_WORDS]
        if words and skip:
            previous = skip[-1].lower()
            gap = sentence[: mention.start].rstrip()
            punct = gap[-1:] in ",;:—" if gap else False
            if not punct and (previous in _EN_PREPOSITIONS or _looks_like_verb(previous)):
                mention.objective = True

    def _named_looks(self, sentence: str, mention: _Mention) -> None:
        cand = self.cands[mention.cand]
        if cand.zh:
            self._zh_looks(sentence, mention.start, cand)
            cand.role = cand.role or _zh_role(sentence, mention.start)
            return
        words = _EN_WORD_RE.findall(sentence[max(0, mention.start - 30) : mention.start])
        for word in reversed(words):
            if word.lower() not in EN_LOOK_WORDS:
                break
            _look(cand, word.lower())
        self._en_clothing(sentence, mention.end, cand)

    def _en_nouns(
        self, index: int, told: str, taken: list[tuple[int, int]], found: list[_Mention]
    ) -> None:
        tokens = list(_EN_WORD_RE.finditer(told))
        for t, token in enumerate(tokens):
            word = token.group(0)
            lower = word.lower()
            if lower in _EN_PRONOUNS:
                pronoun = _Mention(-1, token.start(), token.end(), pronoun=lower)
                if lower in _EN_POSSESSIVE_PRONOUNS or (
                    lower == "her" and _followed_by_noun(tokens, t)
                ):
                    pronoun.possessive = True
                if lower in _EN_OBJECT_PRONOUNS and not pronoun.possessive:
                    pronoun.objective = True
                if lower == "it" and t and not _clause_start(told, tokens, t):
                    pronoun.objective = True
                if lower == "it" and t + 1 < len(tokens):
                    nxt = tokens[t + 1].group(0).lower()
                    if nxt in _EN_EXPLETIVE_AFTER:
                        continue  # "It was cold", "it rained": nobody
                found.append(pronoun)
                continue
            base = _EN_POSSESSIVE_S_RE.sub("", lower)  # "a fisherman's boat": the fisherman
            noun = EN_BEINGS.get(base)
            if noun is None or not word[0].islower() or _inside(token.start(), taken):
                continue
            end = token.start() + len(base)
            looks, mods, j = _en_noun_phrase(told, tokens, t, noun.kind == "person")
            if j < 0 or tokens[j].group(0).lower() not in _EN_DETERMINERS:
                continue
            if base == lower and t + 1 < len(tokens) and told[end : tokens[t + 1].start()] == " ":
                nxt = tokens[t + 1].group(0).lower()
                if nxt in EN_BEINGS or nxt in EN_PLACES:
                    continue  # "the fox hole", "the dog house"
            first_word = t - len(looks) - len(mods)
            start = (
                tokens[j].start()
                if tokens[j].group(0).lower() not in _EN_POSSESSIVE_DET
                else tokens[first_word].start()
            )
            head = told[: tokens[j].start()]
            copula = re.search(
                r"\b([A-Z][a-z]+)\s+(?:was|is)\s+(?:a|an)\s+$", told[: tokens[j].end() + 1]
            )
            if copula and copula.group(1) in self._alias_owner and noun.kind == "person":
                self._describe(self._alias_owner[copula.group(1)], noun, looks, mods)
                continue  # "Tomas was an old clockmaker": what Tomas is
            before = _EN_NAME_BEFORE_RE.search(head)
            if (
                before
                and before.group(1) in self._alias_owner
                and base == lower
                and _EN_APPOSITIVE_END_RE.match(told, end)
            ):
                owner = self._alias_owner[before.group(1)]
                self._describe(owner, noun, looks, mods)
                self._en_clothing(told, end, self.cands[owner])
                continue  # "Tom, an old fisherman,": what Tom is, not someone else
            owner = self._owner_for(noun, looks, mods, told, end if base == lower else -1)
            cand = self.cands[owner]
            for look in reversed(looks):
                _look(cand, look)
            cand.mods = cand.mods or tuple(reversed(mods))
            mention = _Mention(owner, start, end)
            self._mark(told, mention)
            self._en_clothing(told, end, cand)
            self._add(index, mention, found)

    def _describe(
        self, owner: int, noun: BeingWord, looks: Sequence[str], mods: Sequence[str]
    ) -> None:
        """What a named being is, from a noun said of it ("Tom, an old fisherman")."""
        cand = self.cands[owner]
        if cand.noun is None or cand.noun is noun:
            cand.noun = noun
            cand.mods = cand.mods or tuple(reversed(mods))
        for look in reversed(looks):
            _look(cand, look)

    def _owner_for(
        self, noun: BeingWord, looks: Sequence[str], mods: Sequence[str], text: str, end: int
    ) -> int:
        """The candidate a noun mention belongs to: a name given with it ("a girl named Lily",
        "the fisherman, Tom,"), a name it is the title of, the latest being of that noun whose
        looks agree, or a new one. ``end`` is where the noun ends (-1: a possessive)."""
        named = None
        if end >= 0:
            named = _EN_NAMED_RE.match(text, end) or (
                _EN_APPOSITIVE_NAME_RE.match(text, end) if noun.kind == "person" else None
            )
        given = named.group(1) if named else ""
        if given.lower() in _EN_PRONOUNS or given.lower() in EN_BEINGS:
            given = ""
        if given and given in self._alias_owner:
            owner = self._alias_owner[given]
            self.cands[owner].noun = self.cands[owner].noun or noun
            return owner
        owner = self._noun_owner(noun, looks, mods)
        if given:
            # A name said only here: the being of that noun is called by it from now on.
            if self.cands[owner].named:
                self.cands.append(_Cand(name=noun.word, named=False, noun=noun))
                owner = len(self.cands) - 1
            cand = self.cands[owner]
            cand.name, cand.named = given, True
            cand.aliases.add(given)
            self._alias_owner.setdefault(given, owner)
        return owner

    def _noun_owner(self, noun: BeingWord, looks: Sequence[str], mods: Sequence[str]) -> int:
        """A name the noun is the title of, the latest being of that noun whose looks agree,
        or a new one."""
        for index, cand in enumerate(self.cands):
            if cand.named and cand.noun is noun and not cand.zh:
                return index
        wanted = {EN_LOOK_WORDS[w]: EN_LOOK_SYNONYMS.get(w, w) for w in looks}
        best: int | None = None
        kind = tuple(reversed(mods))
        for index, cand in enumerate(self.cands):
            if cand.named or cand.noun is not noun:
                continue
            if kind and cand.mods and kind != cand.mods:
                continue  # "the shop keeper" is not "the lighthouse keeper"
            if any(
                (seen := cand.looks.get(cat)) is not None
                and EN_LOOK_SYNONYMS.get(seen, seen) != value
                for cat, value in wanted.items()
                if cat != "other"
            ):
                continue
            best = index  # the latest created wins ("the fox" after two foxes)
        if best is not None:
            return best
        self.cands.append(_Cand(name=noun.word, named=False, noun=noun))
        return len(self.cands) - 1

    def _en_clothing(self, text: str, end: int, cand: _Cand) -> None:
        if cand.clothing:
            return
        match = re.match(
            r"\s*,?\s*(?:in|wearing|with)\s+(?:a|an|his|her|its|the)?\s*((?:[a-z]+\s+){0,2}"
            r"([a-z]+))\b",
            text[end : end + 50],
        )
        if match and match.group(2) in EN_CLOTHING:
            phrase = match.group(1).strip()
            cand.clothing = ("with " if phrase.endswith("beard") else "in ") + _article(phrase)

    def _zh_nouns(
        self, index: int, told: str, taken: list[tuple[int, int]], found: list[_Mention]
    ) -> None:
        for match in _ZH_BEING_RE.finditer(told):
            word, start, end = match.group(0), match.start(), match.end()
            if _inside(start, taken) or told[end : end + 1] == "们":
                continue
            before = told[start - 1 : start]
            if len(word) == 1 and not (before in ZH_SINGLE_BEING_BEFORE or before in ZH_LOOK_CHARS):
                continue
            noun = ZH_BEINGS[word]
            copula = re.search(r"([\u4e00-\u9fff]{1,4})是[^，。！？]{0,6}$", told[:start])
            if copula and noun.kind == "person" and copula.group(1) in self._alias_owner:
                owner = self._alias_owner[copula.group(1)]
                self.cands[owner].noun = self.cands[owner].noun or noun
                continue  # "老周是镇上的木匠": what 老周 is, not someone else
            named_next = [t for t in taken if t[0] == end]
            if named_next:
                owner = next(m.cand for m in found if m.start == end)
                cand = self.cands[owner]
                cand.noun = cand.noun or noun
                self._zh_looks(told, start, cand)
                if noun.kind == "person":
                    cand.role = cand.role or _zh_surface(told, start, word)
                continue  # "小女孩阿月": one mention of 阿月, who is a little girl
            owner = self._zh_owner(noun, told, start)
            mention = _Mention(owner, start, end)
            self._mark(told, mention)
            self._add(index, mention, found)
        for zh_match in re.finditer("[他她它](?!们)", told):
            found.append(_Mention(-1, zh_match.start(), zh_match.end(), pronoun=zh_match.group(0)))
            self._mark(told, found[-1])

    def _zh_owner(self, noun: BeingWord, text: str, start: int) -> int:
        for index, cand in enumerate(self.cands):
            if cand.named and cand.zh and cand.noun is noun and cand.name.endswith(noun.word):
                return index  # "老师" after "王老师"
        probe = _Cand(name=noun.word, named=False, noun=noun, zh=True)
        self._zh_looks(text, start, probe)
        best: int | None = None
        for index, cand in enumerate(self.cands):
            if cand.named or cand.noun is not noun:
                continue
            if any(cand.zh_looks.get(k) not in (None, v) for k, v in probe.zh_looks.items()):
                continue
            best = index
        if best is None:
            probe.surface = _zh_surface(text, start, noun.word)
            self.cands.append(probe)
            return len(self.cands) - 1
        self._zh_looks(text, start, self.cands[best])
        return best

    @staticmethod
    def _zh_looks(text: str, start: int, cand: _Cand) -> None:
        """Colour and size characters written just before the noun ("红色的小狐狸")."""
        j = start - 1
        steps = 0
        while j >= 0 and steps < 6:
            ch = text[j]
            if ch in ZH_LOOK_CHARS:
                category = ZH_LOOK_CHARS[ch][0]
                cand.zh_looks.setdefault(category, ch)
            elif ch not in "色的":
                break
            j -= 1
            steps += 1
        clothes = re.search(
            r"穿着([\u4e00-\u9fff]{1,5}?[" + "".join(ZH_CLOTHING_CHARS) + r"])", text[:start]
        )
        if clothes and not cand.clothing:
            cand.clothing = clothes.group(1)

    # -- pronouns and subjects ---------------------------------------------------------------

    def _resolve_pronouns(self, index: int, sentence: str) -> None:
        mentions = self.mentions[index]
        resolved: list[_Mention] = []
        for mention in mentions:
            if not mention.pronoun:
                resolved.append(mention)
                continue
            gender = _EN_PRONOUNS.get(mention.pronoun) or _ZH_PRONOUNS.get(mention.pronoun, "")
            owner = self._antecedent(index, sentence, mention, gender, resolved)
            if owner is None:
                continue
            mention.cand = owner
            self.cands[owner].count += 1
            resolved.append(mention)
        self.mentions[index] = resolved

    def _antecedent(
        self,
        index: int,
        sentence: str,
        mention: _Mention,
        gender: Gender,
        earlier: list[_Mention],
    ) -> int | None:
        def fits(cand: int) -> bool:
            c = self.cands[cand]
            # Votes from pronouns come after the pass; a noun's gender is known now ("the
            # fisherman" is no "her").
            known = c.gender or (c.noun.gender if c.noun and c.kind == "person" else "")
            if gender == "it":
                return c.kind == "animal" and c.gender in ("", "it")
            return (c.kind == "person" and known in ("", gender)) or (
                c.kind == "animal" and c.gender == gender
            )

        here = [m.cand for m in earlier if fits(m.cand)]
        if gender == "it":
            if not here:
                head = sentence[: mention.start]
                if "把" in head or _starts_with_thing(head):
                    return None  # "她把羽毛放在窗台上，月光照着它": 它 is the feather
            before = (
                here or [m.cand for m in self.mentions[index - 1] if fits(m.cand)]
                if index
                else here
            )
            distinct = list(dict.fromkeys(before))
            return distinct[-1] if len(distinct) == 1 else (distinct[-1] if here else None)
        window = here + [
            m.cand for m in (self.mentions[index - 1] if index else []) if fits(m.cand)
        ]
        distinct = list(dict.fromkeys(window))
        if len(distinct) == 1:
            return distinct[0]
        if len(distinct) > 1:
            subject = self.subjects[index - 1] if index else None
            if here and not mention.possessive and here[0] != mention.cand:
                # "Tomas looked at his dog": his is the sentence's own subject.
                return (
                    here[0]
                    if mention.possessive
                    else (subject if subject in distinct else here[-1])
                )
            if mention.possessive and here:
                return here[0]
            return subject if subject in distinct else None
        for back in range(index - 2, max(-1, index - 7), -1):
            candidates = list(dict.fromkeys(m.cand for m in self.mentions[back] if fits(m.cand)))
            if candidates:
                return candidates[-1] if len(candidates) == 1 else None
        return None

    def _subject(self, index: int, sentence: str) -> int | None:
        for mention in self.mentions[index]:
            if mention.possessive or mention.objective:
                continue
            if mention.pronoun in ("he", "she") and not _opens_clause(sentence, mention.start):
                continue  # "a voice she knew": she is not what the picture is of
            self.subject_mentions.append(mention)
            return mention.cand
        self.subject_mentions.append(None)
        return None

    def _genders(self) -> None:
        """He or she for people the lexicon cannot tell, from the pronouns that follow them."""
        votes: dict[int, dict[str, int]] = {}
        for index, mentions in enumerate(self.mentions):
            people = {
                m.cand for m in mentions if not m.pronoun and self.cands[m.cand].kind == "person"
            }
            if len(people) != 1:
                continue
            (person,) = people
            text = self.sentences[index] + (
                " " + self.sentences[index + 1] if index + 1 < len(self.sentences) else ""
            )
            told = _blank_quotes(text)
            he = len(re.findall(r"\b(?:he|him|his)\b|他(?!们)", told, re.IGNORECASE))
            she = len(re.findall(r"\b(?:she|her|hers)\b|她(?!们)", told, re.IGNORECASE))
            tally = votes.setdefault(person, {"he": 0, "she": 0})
            tally["he"] += he
            tally["she"] += she
        for person, tally in votes.items():
            cand = self.cands[person]
            if cand.gender or (cand.noun and cand.noun.gender):
                continue
            if tally["he"] > tally["she"]:
                cand.gender = "he"
            elif tally["she"] > tally["he"]:
                cand.gender = "she"
        for cand in self.cands:
            if not cand.gender and cand.noun:
                cand.gender = cand.noun.gender

    # -- actions -----------------------------------------------------------------------------

    def _action(self, index: int, sentence: str, subject: int, position: dict[int, int]) -> str:
        mention = self.subject_mentions[index]
        if mention is None:
            return ""
        told = _blank_quotes(sentence)
        rest = told[mention.end :]
        if _HAN_RE.match(rest[:1] or " ") or (rest[:1] and rest[:1] in _ZH_CLAUSE_END):
            return _zh_action(rest)
        return self._en_action(_past_aside(rest), index, position)

    def _en_action(self, rest: str, index: int, position: dict[int, int]) -> str:
        clause = re.split(r"[,;:.!?—()\"“”]", rest, maxsplit=1)[0]
        words = clause.split()
        kept: list[str] = []
        for word in words:
            if word.lower() in _EN_CLAUSE_BREAK and kept:
                break
            kept.append(word)
        kept = kept[:10]
        if not kept:
            return ""
        adverbs: list[str] = []
        while kept and (kept[0].lower().endswith("ly") or kept[0].lower() in ("then", "also")):
            adverbs.append(kept.pop(0))
        if kept and kept[0].lower() in ("was", "were") and len(kept) > 1:
            if kept[1].lower().endswith("ing"):
                kept = kept[1:]
            else:
                return ""
        elif kept and kept[0].lower() == "had" and len(kept) > 1:
            kept = kept[1:]
        if not kept:
            return ""
        verb = to_ing(kept[0])
        if not verb or (len(kept) == 1 and kept[0].lower() in _EN_SPEECH_VERBS):
            return ""  # "he said": the quote is the action, and a picture cannot say it
        out = [*adverbs, verb, *kept[1:]] if verb.endswith("ing") else [*adverbs, *kept]
        replaced = []
        object_owner = self._object_names(index, position)
        for word in out:
            lower = word.lower()
            replaced.append(
                object_owner.get(lower, word) if lower in ("him", "it", "her") else word
            )
        return " ".join(replaced)

    def _object_names(self, index: int, position: dict[int, int]) -> dict[str, str]:
        """What "him", "her" and "it" stand for in this sentence, where resolved."""
        out: dict[str, str] = {}
        for mention in self.mentions[index]:
            if (
                mention.pronoun in ("him", "her", "it")
                and not mention.possessive  # "at her desk" stays hers
                and mention.cand in position
            ):
                out.setdefault(mention.pronoun, self._short_name(mention.cand))
        return out

    def _short_name(self, cand: int) -> str:
        c = self.cands[cand]
        return c.name if c.named else _unnamed_name(c)

    # -- the cast ----------------------------------------------------------------------------

    def _being(self, cand: _Cand) -> Being:
        name = cand.name if cand.named else _unnamed_name(cand)
        look = _look_of(cand, name)
        description = look
        if look == name and cand.first[0] < len(self.sentences):
            told = _blank_quotes(self.sentences[cand.first[0]])
            description = _introduction(told[cand.first_end :], name)
        if not description and cand.noun is not None:
            description = f"{name} ({_article(cand.noun.word)})"  # "Captain Ellis (a captain)"
        return Being(
            name=name,
            look=look,
            kind=cand.kind,
            gender=cand.gender,
            aliases=tuple(sorted(cand.aliases)) or (name,),
            mentions=cand.count,
            first=cand.first,
            role=_role_of(cand, name),
            description=description,
        )


# --- helpers for beings ----------------------------------------------------------------------


def _opens_clause(text: str, start: int) -> bool:
    """Whether a clause begins at ``start``: the sentence start, punctuation or a conjunction."""
    head = text[:start].rstrip()
    if not head or head[-1] in ',;:—“"「(' or head[-1] in _ZH_CLAUSE_END:
        return True
    words = _EN_WORD_RE.findall(head[-12:])
    return bool(words) and words[-1].lower() in _EN_CLAUSE_BREAK


_EN_ASIDE_RE = re.compile(
    r"(?:\s*,?\s*(?:named|called)\s+[A-Z][a-z]+|\s*,\s*[^,;:.!?\"“”()]{1,40}?\s*,)\s+"
    r"(?=([A-Za-z]+))"
)


def _past_aside(rest: str) -> str:
    """What follows a subject once a name or an aside set off by commas is passed, when a
    verb comes next: ", Ada, climbed the stairs" / " named Lily walked" / ", an old fisherman,
    mended" -> "climbed the stairs", "walked", "mended"."""
    match = _EN_ASIDE_RE.match(rest)
    if match and len(match.group(0).split()) <= 7 and to_ing(match.group(1)):
        return " " + rest[match.end() :]
    return rest


def _en_noun_phrase(
    text: str, tokens: Sequence[re.Match[str]], t: int, person: bool
) -> tuple[list[str], list[str], int]:
    """The words before the noun at token ``t``: look words ("old", "red", nearest first),
    for a person up to two nouns that say what kind ("lighthouse" keeper, "village" doctor,
    nearest first), and the index of the token before them all (a determiner if a mention)."""
    looks: list[str] = []
    mods: list[str] = []
    j = t - 1
    while j >= 0:
        word = tokens[j].group(0)
        lower = word.lower()
        if lower in EN_LOOK_WORDS:
            looks.append(lower)
        elif (
            person
            and not looks
            and len(mods) < _EN_MAX_ROLE_MODS
            and text[tokens[j].end() : tokens[j + 1].start()] == " "
            and _role_modifier(word)
        ):
            mods.append(lower)
        else:
            break
        j -= 1
    return looks, mods, j


def _role_modifier(word: str) -> bool:
    """Whether ``word`` can say what kind of person a noun is ("lighthouse" in "the lighthouse
    keeper", "butcher's" in "the butcher's boy"): a lower-case word that is no determiner,
    preposition, verb, adverb or number."""
    lower = _EN_POSSESSIVE_S_RE.sub("", word.lower())
    return (
        lower.isalpha()
        and word[0].islower()
        and lower not in _EN_NOT_MODIFIERS
        and lower not in _EN_NOT_ROLE
        and lower not in _EN_PRONOUNS
        and lower not in EN_BEINGS
        and not lower.endswith(("ly", "ing"))
        and not _looks_like_verb(lower)
    )


def _inside(start: int, spans: Sequence[tuple[int, int]]) -> bool:
    return any(a <= start < b for a, b in spans)


def _look(cand: _Cand, word: str) -> None:
    category = EN_LOOK_WORDS[word]
    if category == "other":
        cand.looks.setdefault(f"other:{word}", word)
    else:
        cand.looks.setdefault(category, word)  # as first written; compared through synonyms


def _ordered_looks(cand: _Cand) -> list[str]:
    out: list[str] = []
    for category in EN_LOOK_ORDER:
        if category == "other":
            out.extend(v for k, v in sorted(cand.looks.items()) if k.startswith("other:"))
        elif category in cand.looks:
            out.append(cand.looks[category])
    return out


def _article(phrase: str) -> str:
    return ("an " if phrase[:1].lower() in "aeiou" else "a ") + phrase


def _unnamed_name(cand: _Cand) -> str:
    if cand.zh:
        return cand.surface or cand.name
    looks = [cand.looks[c] for c in ("size", "age", "colour") if c in cand.looks]
    return "the " + " ".join([*looks, *cand.mods, cand.name])


def _en_role(cand: _Cand, name: str) -> str:
    """What an English being is, as a noun phrase without its article ("old fisherman",
    "lighthouse keeper"); "" when only its name's title says it ("Captain Ellis")."""
    if cand.noun is None:
        return ""
    looks = _ordered_looks(cand)
    if cand.named and cand.noun.word in name.lower().split() and not (looks or cand.mods):
        return ""
    return " ".join([*looks, *cand.mods, cand.noun.word])


def _zh_role_of(cand: _Cand, name: str) -> str:
    """What a Chinese being is, as the story writes it ("老渔夫", "钟表匠", "木匠")."""
    if cand.role and not name.endswith(cand.role):
        return cand.role
    if cand.named and cand.noun and not name.endswith(cand.noun.word):
        return cand.noun.word
    return ""


def _role_of(cand: _Cand, name: str) -> str:
    """A person's role for ``Being.role``: "lighthouse keeper", "老渔夫"; "" for others."""
    if cand.kind != "person":
        return ""
    if cand.zh:
        return _zh_role_of(cand, name) or ("" if cand.named else name)
    return _en_role(cand, name)


def _zh_role(text: str, start: int) -> str:
    """A role written right before a Chinese name, at the start of its clause or after a
    measure word or 的: "钟表匠老周" -> "钟表匠", "镇上的铁匠老李" -> "铁匠"; "" if none."""
    for size in range(min(_ZH_MAX_ROLE, start), 1, -1):
        word = text[start - size : start]
        if any(not _HAN_RE.match(ch) or ch in _ZH_NOT_GIVEN for ch in word):
            continue
        before = text[start - size - 1] if start > size else ""
        if (before and before not in _ZH_ROLE_BEFORE) or word in _ZH_NOT_ROLES:
            continue
        if word[-1] in _ZH_ROLE_SUFFIXES or _ZH_PERSON_END_RE.search(word):
            return word
    return ""


_EN_INTRO_RE = re.compile(
    r"\s+(lived|lives|dwelt|dwells|stayed|stays|was|is|had|has)\s+([^,;:.!?—\"“”()]+)"
)
_ZH_INTRO_RE = re.compile(r"(住在|住着|生活在|待在|是)([^，。！？；：、…—“”「」\s]{1,14})")
_EN_INTRO_WORDS = 8


def _introduction(rest: str, name: str) -> str:
    """How the story introduces a being with nothing to say how it looks, when that is a
    state and not an action: ``rest`` follows its first mention ("Mara| lived at the edge
    of the harbor, ..." -> "Mara lived at the edge of the harbor"); "" otherwise."""
    zh = _ZH_INTRO_RE.match(rest)
    if zh:
        return f"{name}{zh.group(1)}{zh.group(2)}"
    en = _EN_INTRO_RE.match(rest)
    if not en:
        return ""
    words: list[str] = []
    for word in en.group(2).split():
        if word.lower() in _EN_CLAUSE_BREAK or len(words) >= _EN_INTRO_WORDS:
            break
        words.append(word)
    if not words or words[0].lower().endswith("ing") or _looks_like_verb(words[0]):
        return ""  # "was climbing", "had climbed": what it does, not what it is
    return f"{name} {en.group(1)} {' '.join(words)}"


def _zh_surface(text: str, start: int, word: str) -> str:
    """The noun with look characters written straight onto it ("小狐狸", "红狐狸")."""
    j = start
    while j > 0 and text[j - 1] in ZH_LOOK_CHARS and start - j < 2:
        j -= 1
    return text[j:start] + word


def _look_of(cand: _Cand, name: str) -> str:
    if cand.zh:
        gloss_looks = [
            ZH_LOOK_CHARS[ch][1]
            for cat in ("size", "age", "colour")
            if (ch := cand.zh_looks.get(cat))
            and ZH_LOOK_CHARS[ch][1] not in (cand.noun.gloss if cand.noun else "")
        ]
        english = ""
        if cand.noun:
            english = _article(" ".join([*gloss_looks, cand.noun.gloss]))
        extra = f"穿着{cand.clothing}" if cand.clothing else ""
        role = _zh_role_of(cand, name) if cand.named else ""
        if role:
            inside = ", ".join(w for w in (role + extra, english) if w)
        else:
            inside = ", ".join(w for w in (extra, english) if w)
        return f"{name} ({inside})" if inside else name
    looks = _ordered_looks(cand)
    clothing = f" {cand.clothing}" if cand.clothing else ""
    if not cand.named:
        noun = cand.noun.word if cand.noun else cand.name
        return _article(" ".join([*looks, *cand.mods, noun])) + clothing
    role = _en_role(cand, name)
    if role:
        return f"{cand.name} ({_article(role)}{clothing})"
    if looks and cand.gender in ("he", "she"):
        person = "man" if cand.gender == "he" else "woman"
        return f"{cand.name} ({_article(' '.join([*looks, person]))}{clothing})"
    return " ".join([*looks, cand.name]) + clothing


def _followed_by_noun(tokens: Sequence[re.Match[str]], t: int) -> bool:
    """Whether "her" is a possessive ("her fingers") rather than an object ("saw her.")."""
    if t + 1 >= len(tokens):
        return False
    nxt = tokens[t + 1].group(0).lower()
    gap = tokens[t].string[tokens[t].end() : tokens[t + 1].start()]
    if gap.strip():
        return False
    return nxt not in _EN_PREPOSITIONS and nxt not in _EN_CLAUSE_BREAK and not nxt.endswith("ly")


def _clause_start(text: str, tokens: Sequence[re.Match[str]], t: int) -> bool:
    gap = text[tokens[t - 1].end() : tokens[t].start()]
    return bool(gap.strip(" ")) or tokens[t - 1].group(0).lower() in _EN_CLAUSE_BREAK


def _starts_with_thing(head: str) -> bool:
    """Whether a sentence opens on a lifeless thing ("The shop smelled ..., and its walls")."""
    match = re.match(r"\W*(?:the|a|an)\s+([a-z]+)", head, re.IGNORECASE)
    return bool(match) and match.group(1).lower() not in EN_BEINGS  # type: ignore[union-attr]


_IRREGULAR_ING: dict[str, str] = {
    "ran": "running",
    "run": "running",
    "runs": "running",
    "came": "coming",
    "went": "going",
    "slept": "sleeping",
    "gave": "giving",
    "sat": "sitting",
    "stood": "standing",
    "saw": "seeing",
    "took": "taking",
    "held": "holding",
    "found": "finding",
    "made": "making",
    "flew": "flying",
    "swam": "swimming",
    "ate": "eating",
    "drank": "drinking",
    "fell": "falling",
    "left": "leaving",
    "knew": "knowing",
    "told": "telling",
    "said": "saying",
    "thought": "thinking",
    "felt": "feeling",
    "heard": "hearing",
    "kept": "keeping",
    "lay": "lying",
    "rose": "rising",
    "woke": "waking",
    "wore": "wearing",
    "wrote": "writing",
    "began": "beginning",
    "brought": "bringing",
    "caught": "catching",
    "built": "building",
    "dug": "digging",
    "hid": "hiding",
    "threw": "throwing",
    "spoke": "speaking",
    "sang": "singing",
    "met": "meeting",
    "led": "leading",
    "got": "getting",
    "put": "putting",
    "cut": "cutting",
    "shook": "shaking",
    "drove": "driving",
    "rode": "riding",
    "grew": "growing",
    "drew": "drawing",
    "bit": "biting",
    "crept": "creeping",
    "leapt": "leaping",
    "leaped": "leaping",
    "fought": "fighting",
    "sought": "seeking",
    "bought": "buying",
    "sold": "selling",
    "spun": "spinning",
    "swept": "sweeping",
    "wept": "weeping",
    "slid": "sliding",
    "struck": "striking",
    "hung": "hanging",
    "lit": "lighting",
    "fed": "feeding",
    "dove": "diving",
    "blew": "blowing",
    "broke": "breaking",
    "chose": "choosing",
    "froze": "freezing",
    "shone": "shining",
    "stole": "stealing",
    "swung": "swinging",
    "tore": "tearing",
    "won": "winning",
    "lost": "losing",
    "sent": "sending",
    "spent": "spending",
    "bent": "bending",
    "understood": "understanding",
    "became": "becoming",
    "is": "",
    "was": "",
    "were": "",
    "are": "",
    "had": "",
    "did": "",
    "could": "",
    "would": "",
    "should": "",
    "might": "",
    "must": "",
    "can": "",
    "will": "",
}
_NOT_VERBS_ED = word_set("red bed shed seed need feed reed sled bled fled wed led")
_VOWELS = "aeiou"


def _looks_like_verb(word: str) -> bool:
    """A past-tense verb ("watched", "gave"): a being right after it is its object."""
    lower = word.lower()
    if _IRREGULAR_ING.get(lower):
        return True
    return len(lower) > 4 and lower.endswith("ed") and lower not in _NOT_VERBS_ED


def to_ing(word: str) -> str:
    """The -ing form of an English verb as narration writes it ("slipped" -> "slipping");
    "" when ``word`` is not a verb this can tell."""
    lower = word.lower()
    if lower in _IRREGULAR_ING:
        return _IRREGULAR_ING[lower]
    if not lower.isalpha() or len(lower) < 3:
        return ""
    if lower.endswith("ing"):
        return lower
    if lower.endswith("eed") and len(lower) > 4 and lower not in _NOT_VERBS_ED:
        return lower[:-1] + "ing"  # "freed" -> "freeing", "agreed" -> "agreeing"
    if lower.endswith("ied") and len(lower) > 4:
        return lower[:-3] + "ying"
    if lower.endswith("ed") and lower not in _NOT_VERBS_ED and len(lower) > 3:
        stem = lower[:-2]
        if stem.endswith("e") and not stem.endswith(("ee", "ye", "oe")):
            stem = stem[:-1]
        return stem + "ing"
    if lower.endswith(("ches", "shes", "sses", "xes")):
        return lower[:-2] + "ing"
    if lower.endswith("s") and not lower.endswith(("ss", "us", "is")) and len(lower) > 3:
        base = lower[:-1]
        if base.endswith("e") and not base.endswith("ee"):
            return base[:-1] + "ing"
        if _short_cvc(base):
            return base + base[-1] + "ing"
        return base + "ing"
    return ""


def _short_cvc(base: str) -> bool:
    groups = re.findall(f"[{_VOWELS}]+", base)
    return (
        len(groups) == 1
        and len(base) >= 3
        and base[-1] not in _VOWELS + "wxy"
        and base[-2] in _VOWELS
        and base[-3] not in _VOWELS
    )


def _zh_action(rest: str) -> str:
    """The rest of the subject's clause ("正低头喝水"), trimmed to what a picture shows."""
    rest = rest.lstrip(" ，")
    end = next((i for i, ch in enumerate(rest) if ch in _ZH_CLAUSE_END or ch == " "), len(rest))
    return rest[: min(end, 20)]


# --- places and times ------------------------------------------------------------------------

_EN_PLACE_PREPS = word_set(
    "in at on by beside near through under to toward towards across along around behind into "
    "onto inside outside from over reached entered past"
)
_EN_DESTINATIONS = word_set("into onto to toward towards reached entered")
_EN_OUTSIDE_PREPS = word_set("outside by beside near around behind toward towards across over past")
_EN_SOURCE_PREPS = word_set("from")
_EN_INSIDE_PREPS = word_set("in into inside")
_EN_PART_OF = word_set(
    "edge side foot top bottom end middle heart shore bank corner back front outskirts center "
    "centre roof"
)
_EN_NO_DET_PLACES = word_set("home school church bed town sea market work")
# "saw it from the lantern room": after these, "from" says where the subject is.
_EN_SEEING = word_set(
    "saw see sees seen watched watches watch looked looks look gazed gazes stared stares peered "
    "peers glanced spotted spots noticed glimpsed heard hears listened waved waves called calls "
    "shouted shouts signalled signaled"
)
# Words between a verb and its preposition that say nothing of who moves ("ran back to").
_EN_PARTICLES = word_set("back away up down out off over along around on in home there")
_EN_OBJECT_WORDS = word_set("it him her them")
# "carried it into the house": the one who carries goes too.
# "climbed the stairs to the lantern room": so does the one who goes along a way.
_EN_CARRYING = word_set(
    "carried carries carry brought brings bring led leads lead took takes take pulled pulls "
    "dragged drags followed follows chased chases walked walks rode drove guided helped helps "
    "climbed climbs crossed crosses descended rowed sailed swam ran runs"
)
# "went home", "carried it home": home is where the subject goes.
_EN_HOMEWARD = word_set(
    "went go goes came come comes ran run runs walked walks hurried hurries headed heads "
    "rushed flew returned returns got sailed drove rode carried brought took wandered raced "
    "swam limped"
)
_EN_NOT_MODIFIERS = (
    _EN_DETERMINERS
    | _EN_PLACE_PREPS
    | _EN_CLAUSE_BREAK
    | word_set(
        "was were is are be been had has have did do of very so too not no it he she they we i you"
    )
)
_ZH_TRIGGER_RE = re.compile(
    r"(来到|回到|走进|走到|跑到|飞到|进入|到了|住在|坐在|站在|躺在|落在|放在|蹲在|藏在|停在|"
    r"睡在|走在|趴在|挂在|在|到|进|往|去)了?"
)
_ZH_DESTINATION_TRIGGERS = frozenset(
    ["来到", "回到", "走进", "走到", "跑到", "飞到", "进入", "到了", "到", "进", "往", "去"]
)
_ZH_LOCATIVES = "里上中边旁前后下外内顶头口"
_ZH_OUTSIDE_LOCATIVES = frozenset("边旁前外顶口头")
_ZH_DEMONSTRATIVE_RE = re.compile(r"^[这那一][座个片间家条所栋处幢张扇]")
# "他的店里" is drawn as "店里": whose it is was said by the pronoun, not by a name.
_ZH_OWNER_RE = re.compile(r"^(?:[他她它我你咱][们]?|自己|大家)的")
_ZH_MAX_PHRASE = 12
_EN_SEASON_RE = re.compile(
    r"\b(?:(?:in|that|this|one|every|each|next|last|early|late|by)\s+(?:the\s+)?"
    r"(spring|springtime|summer|autumn|winter)\b|(spring|summer|autumn|winter)\s+"
    r"(?:evening|night|morning|day|afternoon|dawn))",
    re.IGNORECASE,
)
_EN_SEASON_OPENER_RE = re.compile(
    r"^\W*(?:and\s+|but\s+|then\s+)?(?:in|that|this|by|next|when|one|early|late)\s+(?:the\s+)?"
    r"(?:spring|springtime|summer|autumn|fall|winter)\b",
    re.IGNORECASE,
)
_EN_NIGHT_THINGS_RE = re.compile(
    r"\b(?:" + "|".join(sorted(EN_NIGHT_THINGS)) + r")\b", re.IGNORECASE
)
_ZH_NIGHT_THINGS_RE = re.compile("|".join(ZH_NIGHT_THINGS))
_ZH_SEASON_RE = re.compile("|".join(ZH_SEASONS))


def opens_with_season(sentence: str) -> bool:
    """True when the sentence opens by moving to a season ("In spring, ...", "春天到了")."""
    told = _blank_quotes(sentence)
    return bool(_EN_SEASON_OPENER_RE.match(told) or _ZH_SEASON_RE.match(told.lstrip(" “「")))


def _where_and_when(sentence: str) -> dict[str, object]:
    told = _blank_quotes(sentence)
    place, spot, weak, moved = _find_places(told)
    season = ""
    match = _EN_SEASON_RE.search(told)
    if match:
        season = EN_SEASONS[(match.group(1) or match.group(2)).lower()]
    else:
        zh = _ZH_SEASON_RE.search(told)
        season = ZH_SEASONS[zh.group(0)] if zh else ""
    jump = opens_with_season(told) or cues.is_time_transition(told)
    return {
        "place": place,
        "spot": spot,
        "weak_place": weak,
        "moved": moved,
        "time": cues.time_of_day(told),
        "implied_night": bool(_EN_NIGHT_THINGS_RE.search(told) or _ZH_NIGHT_THINGS_RE.search(told)),
        "season": season,
        "time_jump": jump,
    }


def find_places(text: str) -> tuple[Place | None, Place | None, bool]:
    """(place, spot, weak) that ``text`` names: the destination it moves to, else the first
    place it is in; the last thing in a room it is at; weak when the place is only mentioned
    without a preposition ("The shop smelled of oil")."""
    place, spot, weak, _ = _find_places(text)
    return place, spot, weak


def _find_places(text: str) -> tuple[Place | None, Place | None, bool, bool]:
    """``find_places`` and whether the place is a destination."""
    places: list[tuple[Place, bool, bool]] = []  # (place, destination?, weak?)
    spots: list[Place] = []
    if _HAN_RE.search(text):
        _zh_places(text, places, spots)
    if re.search(r"[a-z]", text):
        _en_places(text, places, spots)
    strong = [p for p in places if not p[2]]
    chosen: Place | None = None
    weak = moved = False
    if strong:
        destinations = [p for p, dest, _ in strong if dest]
        chosen = destinations[-1] if destinations else strong[0][0]
        moved = bool(destinations)
    elif places:
        chosen, weak = places[0][0], True
    return chosen, (spots[-1] if spots else None), weak, moved


def _en_places(text: str, places: list[tuple[Place, bool, bool]], spots: list[Place]) -> None:
    tokens = list(_EN_WORD_RE.finditer(text))
    lowers = [t.group(0).lower() for t in tokens]
    for t, token in enumerate(tokens):
        word = lowers[t]
        entry = EN_PLACES.get(word)
        if entry is None and word.endswith("s") and word[:-1] in EN_PLACES:
            entry = EN_PLACES[word[:-1]]
        if entry is None or not token.group(0)[0].islower():
            continue
        if word == "home" and _homeward(lowers, t):
            places.append((Place("home", "home", None, "home"), True, False))
            continue
        if (
            t + 1 < len(tokens)
            and text[token.end() : tokens[t + 1].start()] == " "
            and (lowers[t + 1] in EN_PLACES or lowers[t + 1] in EN_BEINGS)
        ):
            continue  # "the shop window" is the window, "the dog house" no being
        j = t - 1
        mods: list[str] = []
        while j >= 0 and len(mods) < 3 and lowers[j] not in _EN_NOT_MODIFIERS:
            if text[tokens[j].end() : tokens[j + 1].start()] != " ":
                break
            if lowers[j] in EN_BEINGS or not tokens[j].group(0)[0].islower():
                break
            mods.insert(0, tokens[j].group(0))
            j -= 1
        det = lowers[j] if j >= 0 and lowers[j] in _EN_DETERMINERS else ""
        if det:
            j -= 1
        # "the edge of the harbor": the part keeps its own preposition.
        part = ""
        if j >= 1 and lowers[j] == "of" and lowers[j - 1] in _EN_PART_OF:
            k = j - 1
            part_det = lowers[k - 1] if k >= 1 and lowers[k - 1] in _EN_DETERMINERS else ""
            part = f"the {lowers[k]} of "
            j = k - (2 if part_det else 1)
        prep = lowers[j] if j >= 0 and lowers[j] in _EN_PLACE_PREPS else ""
        if prep == "in" and j >= 1 and lowers[j - 1] == "out":
            prep = "into"
        if prep == "out" or (j >= 1 and lowers[j] == "of" and lowers[j - 1] == "out"):
            continue
        if not det and not (prep and word in _EN_NO_DET_PLACES):
            continue
        if prep in _EN_SOURCE_PREPS:
            if not _seen_from(text, tokens, lowers, j):
                continue  # "came from the village": somewhere it no longer is
            prep = "at"  # "saw it from the lantern room": where the one who sees is
        shown_det = (
            "the" if det in _EN_POSSESSIVE_DET or det in ("this", "that") or not det else det
        )
        if not det and word in _EN_NO_DET_PLACES:
            shown_det = ""
        phrase = " ".join(w for w in (shown_det, *mods, token.group(0)) if w)
        phrase = part + phrase if part else phrase
        indoor = _indoor(entry.where, prep)
        if entry.where in ("spot", "edge"):
            if prep:
                shown_prep = prep if prep in ("by", "at", "on", "beside", "near", "under") else "at"
                spots.append(Place(phrase, entry.word, indoor, entry.gloss, shown_prep))
            continue
        if not prep and t > 0 and not _sentence_subject_position(text, tokens, j + 1):
            continue
        place = Place(phrase, entry.word, indoor, entry.gloss)
        if prep in _EN_DESTINATIONS and _aimed(lowers, j):
            # "swung the light toward the harbour": the light goes there, not the one who
            # swings it; only a hint of where the sentence looks.
            places.append((place, False, True))
            continue
        places.append((place, prep in _EN_DESTINATIONS, not prep))


def _homeward(lowers: Sequence[str], t: int) -> bool:
    """Whether "home" at token ``t`` is where the subject goes ("went home", "ran back home",
    "carried it home")."""
    k = t - 1
    while k >= 0 and t - k <= 3 and (lowers[k] == "back" or lowers[k] in _EN_OBJECT_WORDS):
        k -= 1
    return k >= 0 and lowers[k] in _EN_HOMEWARD


def _seen_from(text: str, tokens: Sequence[re.Match[str]], lowers: Sequence[str], j: int) -> bool:
    """Whether "from" at token ``j`` says where the subject is: a verb of seeing or calling
    before it in the same clause ("saw it from the lantern room", "watched her from the
    rocks"), not a verb of leaving ("came from the village")."""
    k = j - 1
    while k >= 0 and j - k <= 6:
        if lowers[k] in _EN_SEEING:
            return True
        if lowers[k] in _EN_CLAUSE_BREAK or text[tokens[k].end() : tokens[k + 1].start()].strip():
            return False
        k -= 1
    return False


def _aimed(lowers: Sequence[str], j: int) -> bool:
    """Whether the place after a destination preposition at token ``j`` is where something
    else is sent: the verb has an object before the preposition ("swung the light toward",
    "threw it into") and is no verb of carrying ("carried it into the house")."""
    k = j - 1
    while k >= 0 and lowers[k] in _EN_PARTICLES:
        k -= 1
    if k < 0:
        return False
    if lowers[k] in _EN_OBJECT_WORDS:
        verb = k - 1
    else:
        d = k
        while d >= 0 and k - d < 4 and lowers[d] not in _EN_DETERMINERS:
            if lowers[d] in _EN_NOT_MODIFIERS or _looks_like_verb(lowers[d]):
                return False
            d -= 1
        if d < 0 or d == k or lowers[d] not in _EN_DETERMINERS:
            return False
        verb = d - 1
    return verb >= 0 and _looks_like_verb(lowers[verb]) and lowers[verb] not in _EN_CARRYING


def _sentence_subject_position(text: str, tokens: Sequence[re.Match[str]], t: int) -> bool:
    """Whether token ``t`` opens the sentence or a clause ("The shop smelled", ", the forest")."""
    if t <= 0:
        return True
    gap = text[tokens[t - 1].end() : tokens[t].start()]
    return bool(gap.strip(" ")) or tokens[t - 1].group(0).lower() in ("and", "but")


def _indoor(where: str, prep_or_locative: str) -> bool | None:
    if where in ("in", "spot"):
        return True
    if where == "out":
        return False
    if where == "bld":
        if prep_or_locative in _EN_OUTSIDE_PREPS or any(
            ch in _ZH_OUTSIDE_LOCATIVES for ch in prep_or_locative
        ):
            return False
        if prep_or_locative in _EN_INSIDE_PREPS or not prep_or_locative.isascii():
            return True  # "in the house", "屋里"
        return None if prep_or_locative else True  # "at the house": either side of the door
    return None


def _zh_places(text: str, places: list[tuple[Place, bool, bool]], spots: list[Place]) -> None:
    used: list[tuple[int, int]] = []
    for trigger in _ZH_TRIGGER_RE.finditer(text):
        start = trigger.end()
        if _inside(trigger.start(), used):
            continue
        tail_match = re.match(f"[\u4e00-\u9fff]{{1,{_ZH_MAX_PHRASE}}}", text[start:])
        if not tail_match:
            continue
        tail = tail_match.group(0)
        demonstrative = _ZH_DEMONSTRATIVE_RE.match(tail)
        skip = demonstrative.end() if demonstrative else 0
        found = _zh_phrase(tail, skip)
        if found is None:
            continue
        phrase, entry, locative = found
        used.append((start, start + skip + len(phrase)))
        phrase = _ZH_OWNER_RE.sub("", phrase)
        destination = trigger.group(1) in _ZH_DESTINATION_TRIGGERS
        _zh_add(phrase, entry, locative, destination, False, places, spots)
    # Bare places with a locative: "教室里一下子安静了", "山顶上".
    for match in _ZH_PLACE_RE.finditer(text):
        if _inside(match.start(), used):
            continue
        entry = ZH_PLACES[match.group(0)]
        after = text[match.end() : match.end() + 1]
        lexical_locative = entry.word[-1] in _ZH_LOCATIVES and len(entry.word) > 1
        if not (after and after in _ZH_LOCATIVES) and not lexical_locative:
            continue
        if len(entry.word) == 1 and entry.where != "out":
            continue
        locative = after if after and after in _ZH_LOCATIVES else entry.word[-1]
        phrase = entry.word + (after if after and after in _ZH_LOCATIVES else "")
        _zh_add(phrase, entry, locative, False, entry.where in ("spot", "edge"), places, spots)


def _zh_add(
    phrase: str,
    entry: PlaceWord,
    locative: str,
    destination: bool,
    bare_spot: bool,
    places: list[tuple[Place, bool, bool]],
    spots: list[Place],
) -> None:
    indoor = _indoor(entry.where, locative)
    if entry.where in ("spot", "edge"):
        if not bare_spot or locative == "上":
            spots.append(Place(phrase, entry.word, indoor, entry.gloss, "at"))
        return
    places.append((Place(phrase, entry.word, indoor, entry.gloss), destination, False))


def _zh_phrase(tail: str, skip: int) -> tuple[str, PlaceWord, str] | None:
    """The place phrase at the start of ``tail`` ("村口的池塘边", "废弃的灯塔前"), if any."""
    body = tail[skip:]
    last: tuple[int, PlaceWord, str] | None = None
    position = 0
    while position < len(body):
        match = _ZH_PLACE_RE.search(body, position)
        if match is None:
            break
        gap = body[position : match.start()]
        if last is None and not (gap.endswith("的") or len(gap) <= 2):
            break
        if last is not None and gap not in ("的", ""):
            break
        end = match.end()
        while end < len(body) and body[end] in _ZH_LOCATIVES and end - match.end() < 2:
            end += 1
        entry = ZH_PLACES[match.group(0)]
        locative = body[match.end() : end] or (entry.word[-1] if len(entry.word) > 1 else "")
        last = (end, entry, locative)
        if body[end : end + 1] != "的":
            break
        position = end + 1
    if last is None:
        return None
    end, entry, locative = last
    return body[:end], entry, locative
