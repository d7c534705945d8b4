"""What each character is — a person, or which animal — read from its name and description.

The storyboard's characters carry no kind field, but their words say it: the offline writer
names unnamed beings by their noun ("the small red fox", "白鹤") and glosses named ones
("Tomas (an old man)", "白鹤 (a white crane)"); a language model describes them ("A cunning red
fox with a bushy tail"). The nouns, their kinds and English glosses come from the writer's own
lexicon (``storyreel.domain.lexicon``), so whatever it recognises as an animal is drawn as one.
Colour words next to the noun ("red fox", "白兔") pick the coat; else the species' own colour.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from storyreel.domain.lexicon import EN_BEINGS, EN_LOOK_WORDS, ZH_BEINGS, ZH_LOOK_CHARS, BeingWord
from storyreel.domain.storyboard import Character
from storyreel.providers.image.sketching.colour import RGB, hex_rgb

Plan = Literal["person", "quadruped", "bird", "fish", "snake", "insect"]
Ears = Literal["pointed", "round", "long", "floppy", "none"]
Tail = Literal["bushy", "plume", "long", "short", "curly", "tuft", "flowing", "none"]


@dataclass(frozen=True)
class Species:
    """A body plan and the proportions that make one animal read as itself.

    Lengths are fractions of the animal's standing height (legs, torso half-height ``girth``,
    torso half-length ``length``, head radius ``head``, how far the head rises above the torso
    ``neck``); ``snout`` is the muzzle or beak length in head radii, ``droop`` how far the
    muzzle points down (a horse's long face: 1). ``extra`` names features, space-separated:
    antlers, horns, horn, mane, trunk, shell, stripes, spots, wool, spines, stripe, hooves,
    blanket (a saddle cloth in the character's colour instead of a collar), frog; birds: crown,
    comb, owl, white_head.
    """

    plan: Plan
    size: float  # standing height next to an adult person
    coat: str
    ears: Ears = "pointed"
    tail: Tail = "long"
    legs: float = 0.34
    girth: float = 0.17
    length: float = 0.42
    head: float = 0.14
    neck: float = 0.1
    snout: float = 0.8
    droop: float = 0.0
    extra: str = ""
    belly: str = ""  # a lighter chest or underside
    tips: str = ""  # a bird's tail and wing tips

    def has(self, feature: str) -> bool:
        return feature in self.extra.split()


def _q(size: float, coat: str, **kw: object) -> Species:
    return Species("quadruped", size, coat, **kw)  # type: ignore[arg-type]


def _b(size: float, coat: str, **kw: object) -> Species:
    return Species("bird", size, coat, **kw)  # type: ignore[arg-type]


_HORSE = {
    "tail": "flowing",
    "legs": 0.46,
    "girth": 0.14,
    "length": 0.4,
    "neck": 0.26,
    "head": 0.09,
    "snout": 1.5,
    "droop": 1.0,
}
SPECIES: dict[str, Species] = {
    "fox": _q(0.4, "#c9622a", tail="bushy", legs=0.3, snout=1.0, belly="#f4ede2"),
    "wolf": _q(0.55, "#8a8a8c", tail="bushy", legs=0.36, snout=1.0, belly="#d8d6d0"),
    "dog": _q(0.45, "#a8733f", ears="floppy", legs=0.36, snout=0.8),
    "puppy": _q(0.3, "#c08a52", ears="floppy", legs=0.3, head=0.18, snout=0.55),
    "cat": _q(0.3, "#d08a3c", legs=0.32, length=0.36, snout=0.3, head=0.16),
    "kitten": _q(0.22, "#d9a060", legs=0.3, length=0.32, snout=0.25, head=0.19),
    "bear": _q(0.8, "#6b4a2f", ears="round", tail="short", legs=0.3, girth=0.22, snout=0.6),
    "rabbit": _q(0.26, "#c9c2b8", ears="long", tail="short", legs=0.14, girth=0.2, length=0.3,
                 head=0.16, neck=0.02, snout=0.3, belly="#f6f3ee"),
    "hare": _q(0.3, "#a88a64", ears="long", tail="short", legs=0.2, length=0.34, head=0.14,
               snout=0.35),
    "deer": _q(0.85, "#b07a45", tail="short", legs=0.5, girth=0.13, length=0.34, neck=0.24,
               head=0.1, snout=1.0, droop=0.4, extra="antlers hooves", belly="#f0e4d0"),
    "fawn": _q(0.55, "#c08a52", tail="short", legs=0.5, girth=0.13, length=0.32, neck=0.2,
               head=0.12, snout=0.9, droop=0.3, extra="spots hooves"),
    "horse": _q(1.0, "#7a4f2e", **_HORSE, extra="mane hooves blanket"),
    "pony": _q(0.75, "#9a6a3e", **{**_HORSE, "girth": 0.16, "neck": 0.2, "head": 0.11},
               extra="mane hooves blanket"),
    "donkey": _q(0.75, "#8d8479", **{**_HORSE, "tail": "tuft", "girth": 0.16, "neck": 0.18,
                 "head": 0.11}, ears="long", extra="hooves blanket"),
    "unicorn": _q(1.0, "#f3efe9", **_HORSE, extra="mane horn hooves blanket"),
    "cow": _q(0.9, "#f1ece4", ears="floppy", tail="tuft", legs=0.36, girth=0.2, length=0.46,
              head=0.12, neck=0.06, snout=0.8, droop=0.5, extra="horns spots hooves"),
    "ox": _q(0.9, "#7d5a3c", ears="floppy", tail="tuft", legs=0.36, girth=0.2, length=0.46,
             head=0.12, neck=0.06, snout=0.8, droop=0.5, extra="horns hooves"),
    "goat": _q(0.55, "#e4ddd0", tail="short", legs=0.4, length=0.36, snout=0.9, droop=0.5,
               extra="horns hooves"),
    "sheep": _q(0.5, "#f2efe8", ears="floppy", tail="short", legs=0.3, girth=0.22,
                length=0.4, snout=0.6, droop=0.3, extra="wool hooves"),
    "lamb": _q(0.38, "#f6f3ee", ears="floppy", tail="short", legs=0.32, girth=0.21,
               length=0.36, head=0.17, snout=0.5, extra="wool hooves"),
    "pig": _q(0.45, "#efb2a8", ears="floppy", tail="curly", legs=0.22, girth=0.24,
              length=0.46, neck=0.0, snout=0.5, extra="hooves"),
    "mouse": _q(0.13, "#9a9590", ears="round", tail="long", legs=0.14, girth=0.2, length=0.4,
                head=0.19, snout=0.8),
    "rat": _q(0.15, "#6f6a64", ears="round", tail="long", legs=0.14, girth=0.2, length=0.42,
              head=0.17, snout=0.9),
    "squirrel": _q(0.2, "#b05a2a", tail="plume", legs=0.2, length=0.3, head=0.17, snout=0.5,
                   belly="#f1dfc4"),
    "hedgehog": _q(0.15, "#7d6650", ears="none", tail="none", legs=0.1, girth=0.3,
                   length=0.44, head=0.16, snout=1.0, extra="spines"),
    "badger": _q(0.28, "#55534f", ears="round", tail="short", legs=0.18, girth=0.24,
                 length=0.48, snout=0.9, extra="stripe"),
    "otter": _q(0.25, "#6e4b30", ears="round", tail="long", legs=0.16, girth=0.18,
                length=0.5, snout=0.5, belly="#c8a882"),
    "tiger": _q(0.7, "#dd8a2c", ears="round", legs=0.36, girth=0.18, length=0.48, snout=0.5,
                extra="stripes", belly="#f4ede2"),
    "lion": _q(0.72, "#d1a05a", ears="round", tail="tuft", legs=0.38, girth=0.18,
               length=0.46, snout=0.5, extra="mane"),
    "elephant": _q(1.3, "#9a9a9c", ears="none", tail="tuft", legs=0.4, girth=0.26,
                   length=0.44, head=0.19, neck=0.0, snout=0.0, extra="trunk blanket"),
    "monkey": _q(0.42, "#8a5a36", ears="round", tail="curly", legs=0.34, length=0.3,
                 head=0.17, snout=0.35, belly="#e2c6a4"),
    "frog": _q(0.12, "#5f9a44", ears="none", tail="none", legs=0.14, girth=0.28, length=0.4,
               head=0.24, neck=0.0, snout=0.2, extra="frog", belly="#d6e0a0"),
    "turtle": _q(0.15, "#6d8a4a", ears="none", tail="short", legs=0.14, girth=0.26,
                 length=0.46, head=0.14, neck=0.04, snout=0.3, extra="shell"),
    "dragon": _q(1.2, "#3f8a5a", tail="long", legs=0.34, girth=0.18, length=0.5, neck=0.22,
                 head=0.12, snout=1.2, extra="horns spines", belly="#e3c96a"),
    "bird": _b(0.16, "#8a6a4a", legs=0.16, girth=0.2, length=0.34, head=0.16, snout=0.8,
               belly="#e8d6bc"),
    "crane": _b(0.85, "#f5f3ee", legs=0.42, girth=0.11, length=0.26, neck=0.28, head=0.055,
                snout=2.4, extra="crown", tips="#2b2b2b"),
    "heron": _b(0.75, "#a9b2ba", legs=0.4, girth=0.11, length=0.26, neck=0.28, head=0.055,
                snout=2.4, tips="#4a4f55"),
    "swan": _b(0.5, "#f7f6f2", legs=0.08, girth=0.16, length=0.42, neck=0.42, head=0.07,
               snout=1.2),
    "goose": _b(0.45, "#d9d5cc", legs=0.14, girth=0.16, length=0.38, neck=0.34, head=0.08,
                snout=1.1),
    "duck": _b(0.28, "#8a6a48", legs=0.08, girth=0.2, length=0.4, neck=0.12, head=0.13,
               snout=1.0, tips="#3f6a8a"),
    "hen": _b(0.3, "#c08040", legs=0.2, girth=0.24, length=0.32, neck=0.1, head=0.12,
              snout=0.6, extra="comb"),
    "rooster": _b(0.36, "#b0502a", legs=0.22, girth=0.22, length=0.3, neck=0.14, head=0.11,
                  snout=0.6, extra="comb", tips="#2f4f3a"),
    "owl": _b(0.3, "#8a6a48", legs=0.06, girth=0.3, length=0.22, neck=0.0, head=0.22,
              snout=0.3, extra="owl", belly="#d8c4a0"),
    "crow": _b(0.24, "#2c2c31", legs=0.16, girth=0.2, length=0.36, head=0.14, snout=1.0),
    "raven": _b(0.28, "#22222a", legs=0.16, girth=0.2, length=0.38, head=0.14, snout=1.1),
    "magpie": _b(0.22, "#23262c", legs=0.16, girth=0.18, length=0.4, head=0.13, snout=0.9,
                 belly="#f4f4f4", tips="#2c4a7a"),
    "sparrow": _b(0.13, "#9a7048", legs=0.16, girth=0.22, length=0.34, head=0.17, snout=0.6,
                  belly="#e6d6bd"),
    "swallow": _b(0.13, "#283a5e", legs=0.14, girth=0.2, length=0.4, head=0.16, snout=0.5,
                  belly="#f1e6d6"),
    "eagle": _b(0.42, "#5e4128", legs=0.2, girth=0.2, length=0.34, neck=0.06, head=0.13,
                snout=0.9, extra="white_head"),
    "hawk": _b(0.36, "#7a5a3a", legs=0.2, girth=0.2, length=0.34, head=0.13, snout=0.8,
               belly="#e6d6bd"),
    "fish": Species("fish", 0.16, "#e0842c", tail="none", length=0.8, girth=0.2),
    "whale": Species("fish", 0.7, "#4f6b86", tail="none", length=1.1, girth=0.3),
    "dolphin": Species("fish", 0.35, "#8a9db0", tail="none", length=1.0, girth=0.18),
    "snake": Species("snake", 0.1, "#5f8a3e", tail="none", length=1.4),
    "butterfly": Species("insect", 0.16, "#e39a3a", tail="none"),
    "bee": Species("insect", 0.1, "#e3b83a", tail="none", extra="stripes"),
}  # fmt: skip

# Nouns of the lexicon that are another name for one of the above.
_ALIASES: dict[str, str] = {
    "kitten": "kitten", "puppy": "puppy", "fawn": "fawn", "pony": "pony",
    "toad": "frog", "tortoise": "turtle", "seal": "otter", "goldfish": "fish", "carp": "fish",
    "heron": "heron", "little bird": "bird",
}  # fmt: skip

_CHILDREN = frozenset({"boy", "girl", "child", "kid", "baby", "little girl", "little boy", "youth"})

_COLOURS: dict[str, str] = {
    "red": "#b8432e",
    "white": "#f3f0ea",
    "snowy": "#f5f7fa",
    "black": "#2a2a2e",
    "grey": "#8a8d91",
    "gray": "#8a8d91",
    "silver": "#c3c7cb",
    "brown": "#7b5134",
    "golden": "#d6a23f",
    "yellow": "#e2bf45",
    "ginger": "#d07a34",
    "orange": "#e07b2c",
    "tawny": "#c08a4a",
    "blue": "#4a78b5",
    "green": "#5b8c4a",
    "pink": "#e8a3b0",
    "purple": "#7d5aa6",
}
#: A "red" fox or squirrel is rust, not pillar-box red.
_RUST = "#c9622a"

_EN_IRREGULAR = {"wolves": "wolf", "mice": "mouse", "geese": "goose", "children": "child",
                 "men": "man", "women": "woman", "foxes": "fox", "calves": "cow"}  # fmt: skip
_EN_FILLERS = frozenset(
    {"a", "an", "the", "is", "was", "named", "called", "little", "old", "young", "mr", "mrs",
     "miss", "mister", "sir", "dame", "brave", "clever", "wise", "grey", "gray"}
)  # fmt: skip
# Words that end an appositive phrase: what follows is about someone or something else.
_EN_STOPS = frozenset(
    {"and", "or", "but", "with", "who", "whose", "that", "which", "in", "on", "at", "of", "to",
     "from", "by", "his", "her", "their", "its", "my", "our", "your", "for", "as"}
)  # fmt: skip
_WORD_RE = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*|[^\sA-Za-z]")
_SENTENCE_END = re.compile(r"[.!?;。！？；\n]")
_ZH_AFTER_NAME = re.compile(r"^[，,、\s]*(?:是|乃)?(?:一)?(?:只|头|匹|条|尾|个|位)?")


@dataclass(frozen=True)
class Being:
    """How one character is drawn: a person (as ever) or an animal of a species."""

    plan: Plan
    noun: str  # the English noun it was recognised by ("fox", "crane", "man"); "" if none
    coat: RGB  # an animal's fur or feathers (people keep their signature colour)
    child: bool = False
    species: Species | None = None

    @property
    def animal(self) -> bool:
        return self.plan != "person"


#: The writer's English nouns, and the few species drawn here that it does not list.
_EN_NOUNS: dict[str, BeingWord] = {
    **{w: BeingWord(w, "animal", "it", w) for w in (*SPECIES, *_ALIASES) if " " not in w},
    **EN_BEINGS,
}

_PERSON = Being("person", "", (0, 0, 0))


def _en_noun(word: str) -> BeingWord | None:
    w = word.lower()
    w = _EN_IRREGULAR.get(w, w)
    if w == "child":
        return EN_BEINGS.get("child")
    if len(w) > 3 and w.endswith("s") and w not in _EN_NOUNS:
        w = w[:-1]
    return _EN_NOUNS.get(w)


@dataclass(frozen=True)
class _Found:
    word: BeingWord
    looks: tuple[str, ...]  # English look words around it ("red", "small")


def _en_looks(tokens: list[str], end: int) -> tuple[str, ...]:
    """Look words just before ``tokens[end]`` (a noun), in the same phrase."""
    looks: list[str] = []
    for t in reversed(tokens[max(0, end - 4) : end]):
        low = t.lower()
        if low in EN_LOOK_WORDS:
            looks.append(low)
        elif low not in ("a", "an", "the", "and", ","):
            break
    return tuple(looks)


def _en_in_name(name: str) -> _Found | None:
    """A noun in an English name: "the small red fox", "Mr Fox"; not "Ichabod Crane"."""
    tokens = _WORD_RE.findall(name)
    for i, token in enumerate(tokens):
        noun = _en_noun(token)
        if noun is None:
            continue
        others = tokens[:i] + tokens[i + 1 :]
        if token[0].isupper() and any(
            t[0].isupper() and t.lower() not in _EN_FILLERS and t.lower() not in EN_LOOK_WORDS
            for t in others
            if t[0].isalpha()
        ):
            continue  # a surname among names
        return _Found(noun, _en_looks(tokens, i))
    return None


def _en_first(tokens: list[str], limit: int) -> _Found | None:
    for i, token in enumerate(tokens[:limit]):
        noun = _en_noun(token)
        if noun is not None:
            return _Found(noun, _en_looks(tokens, i))
    return None


def _en_after(tokens: list[str], at: int) -> _Found | None:
    """A noun in apposition after a name: "Rex, a shaggy brown dog", "Rusty the fox", "Tom is
    an old clockmaker" — any few words after the article, but none that ends the phrase."""
    i = at
    while i < len(tokens) and tokens[i].lower() in (",", "is", "was"):
        i += 1
    free = i < len(tokens) and tokens[i].lower() in ("a", "an", "the")
    for j in range(i, min(len(tokens), i + 6)):
        if (noun := _en_noun(tokens[j])) is not None:
            return _Found(noun, _en_looks(tokens, j))
        word = tokens[j].lower()
        if free and tokens[j].isalpha() and tokens[j].islower() and word not in _EN_STOPS:
            continue
        if word not in _EN_FILLERS and word not in EN_LOOK_WORDS:
            return None
    return None


def _en_next_to(tokens: list[str], name: list[str]) -> _Found | None:
    """A noun in apposition to the name: "Rusty, a small fox", "a fox named Rusty",
    "Rusty the fox" — not "Lily and her dog"."""
    n = len(name)
    lowered = [t.lower() for t in tokens]
    for start in range(len(tokens) - n + 1):
        if lowered[start : start + n] != name:
            continue
        found = _en_after(tokens, start + n)
        if found is not None:
            return found
        for i in range(start - 1, max(-1, start - 6), -1):
            if (noun := _en_noun(tokens[i])) is not None:
                return _Found(noun, _en_looks(tokens, i))
            if (
                lowered[i] not in _EN_FILLERS
                and lowered[i] not in EN_LOOK_WORDS
                and tokens[i] != ","
            ):
                break
    return None


@lru_cache(maxsize=1)
def _zh_words() -> tuple[str, ...]:
    return tuple(sorted(ZH_BEINGS, key=len, reverse=True))


def _zh_looks(text: str, start: int, word: str) -> tuple[str, ...]:
    """Look glosses in the noun itself and the two characters before it ("白鹤", "小白兔")."""
    around = text[max(0, start - 2) : start] + word
    return tuple(ZH_LOOK_CHARS[ch][1] for ch in around if ch in ZH_LOOK_CHARS)


def _zh_at(text: str, start: int) -> str | None:
    for word in _zh_words():
        if text.startswith(word, start):
            return word
    return None


def _zh_single_ok(text: str, start: int, word: str, whole: bool) -> bool:
    """One-character nouns (马, 熊, 龙) are surnames and given names too: only alone, or after
    look characters or a measure word ("白马", "一只猫"), never after a surname ("李小龙")."""
    if len(word) > 1:
        return True
    before = text[:start]
    if whole:
        return all(ch in ZH_LOOK_CHARS or ch in "一只头匹条尾" for ch in before) and text.endswith(
            word
        )
    return bool(before) and (before[-1] in ZH_LOOK_CHARS or before[-1] in "只头匹条尾")


def _zh_find(text: str, *, whole: bool = False, at: int | None = None) -> _Found | None:
    """The first being noun in Chinese ``text`` (``at``: only one starting there)."""
    for start in range(len(text)) if at is None else (at,):
        word = _zh_at(text, start)
        if word is not None and _zh_single_ok(text, start, word, whole):
            entry = ZH_BEINGS[word]
            return _Found(entry, _zh_looks(text, start, word) + tuple(entry.gloss.split()))
    return None


def _zh_next_to(sentence: str, name: str) -> _Found | None:
    at = sentence.find(name)
    if at < 0:
        return None
    # Right before the name: "小女孩阿月".
    for word in _zh_words():
        if len(word) > 1 and sentence[:at].endswith(word):
            entry = ZH_BEINGS[word]
            return _Found(
                entry, _zh_looks(sentence, at - len(word), word) + tuple(entry.gloss.split())
            )
    after = sentence[at + len(name) :]
    after = after[_ZH_AFTER_NAME.match(after).end() :]  # type: ignore[union-attr]
    # Up to two look characters, then the noun: "是一只小黄狗".
    looks = len(after) - len(after.lstrip("".join(ZH_LOOK_CHARS)))
    return _zh_find(after, at=looks) if looks <= 2 else None


def _find(name: str, description: str) -> _Found | None:
    name, description = name.strip(), description.strip()
    # 1. The offline writer's gloss right after the name: "Tomas (an old man)".
    gloss = re.match(rf"\s*{re.escape(name)}\s*[(（]([^)）]{{1,80}})[)）]", description)
    if gloss:
        found = _en_first(_WORD_RE.findall(gloss.group(1)), 8) or _zh_find(gloss.group(1))
        if found:
            return found
    # 2. The name itself: "the small red fox", "小狐狸", "白鹤".
    found = _en_in_name(name) if re.search(r"[A-Za-z]", name) else None
    if found is None and not name.isascii():
        found = _zh_find(name, whole=True)
    if found:
        return found
    # 3. The description's first sentence: what it begins by saying the character is, or a
    #    noun set beside its name.
    sentence = _SENTENCE_END.split(description, maxsplit=1)[0]
    if not sentence:
        return None
    if name.lower() in sentence.lower():
        name_tokens = [t.lower() for t in _WORD_RE.findall(name)]
        return _en_next_to(_WORD_RE.findall(sentence), name_tokens) or _zh_next_to(sentence, name)
    clause = re.split(r"[,，、:：]", sentence, maxsplit=1)[0]
    return _en_first(_WORD_RE.findall(clause), 10) or _zh_find(clause)


def _coat(species: Species, noun: str, looks: tuple[str, ...]) -> RGB:
    for look in looks:
        if look == "red" and noun in ("fox", "squirrel", "deer", "fawn", "horse", "pony"):
            return hex_rgb(_RUST)
        if look in _COLOURS:
            return hex_rgb(_COLOURS[look])
    return hex_rgb(species.coat)


def identify(character: Character) -> Being:
    """What ``character`` is drawn as: a person unless its words name an animal."""
    return _identify(character.name, character.description)


@lru_cache(maxsize=512)
def _identify(name: str, description: str) -> Being:
    found = _find(name, description)
    if found is None:
        return _PERSON
    gloss = found.word.gloss.lower()
    if found.word.kind == "person":
        child = gloss in _CHILDREN or found.word.word in _CHILDREN or gloss.startswith("little")
        return Being("person", gloss, (0, 0, 0), child=child)
    noun = _ALIASES.get(gloss) or gloss.split()[-1]
    noun = _ALIASES.get(noun, noun)
    species = SPECIES.get(noun) or SPECIES["dog"]
    return Being(species.plan, noun, _coat(species, noun, found.looks), species=species)
