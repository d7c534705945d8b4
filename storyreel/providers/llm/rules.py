"""The offline storyboard writer: a story becomes shots by rules, with no model and no network.

Steps: split the story into paragraphs and sentences, mark scene changes, cut sentences that are
far too long at clauses, group sentences into shots of about 3-8 s of narration, condense to the
target length (or ``max_shots``) by keeping a representative subset, then give every shot its
characters, shot type, camera motion, mood, time of day, setting and prompts. The same story and
brief always give the same storyboard; ``brief.seed`` only breaks ties (pan direction).
"""

from __future__ import annotations

import colorsys
import hashlib
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

from storyreel.domain import cues
from storyreel.domain.entities import (
    Being,
    Place,
    SentenceFacts,
    StoryEntities,
    extract,
    opens_with_season,
)
from storyreel.domain.storyboard import Character, Shot, ShotType, Storyboard, slug
from storyreel.domain.text import (
    detect_language,
    estimate_speech_seconds,
    fit_sentence,
    has_blank_lines,
    has_letters,
    is_chapter_heading,
    is_cjk,
    join_sentences,
    normalize_line,
    shorten,
    split_clauses,
    split_paragraphs,
)
from storyreel.domain.timeline import MotionType
from storyreel.providers.base import Brief, ProviderError, StoryboardWriter, Usage

# Part of every cache key: bump it whenever the heuristics change what a story becomes.
MODEL = "rules-4"

# --- pacing ----------------------------------------------------------------------------------

#: Narration per shot: shots aim for IDEAL and stay between MIN and MAX where sentences allow.
MIN_SHOT_SECONDS = 3.0
IDEAL_SHOT_SECONDS = 5.0
MAX_SHOT_SECONDS = 8.0
#: When ``max_shots`` forces fewer shots, they may carry up to this much narration.
MERGED_SHOT_SECONDS = 12.0
#: A single sentence longer than this is cut at clauses (shorter ones are never cut).
LONG_SENTENCE_SECONDS = 10.0
#: Silence after each shot's narration, included in ``duration_hint``.
BREATH_SECONDS = 0.8
#: A paragraph break starts a new scene only after the current scene has this much narration.
SCENE_MIN_SECONDS = 6.0
#: A paragraph with dialogue shorter than this continues the conversation's scene.
SHORT_PARAGRAPH_SECONDS = 8.0
#: Condense only when the story runs this much longer than ``target_seconds``.
CONDENSE_TOLERANCE = 0.25
#: Hard caps that keep shots inside the schema whatever the input (run-on text, no spaces).
MAX_PIECE_CHARS = 300
MAX_SHOT_CHARS = 600
MAX_SHOTS_ALLOWED = 500
#: After condensing, how many more sentences are tried for the room left (bounds the work).
FILL_ATTEMPTS = 200

# --- looks -----------------------------------------------------------------------------------

#: Character colours in order of first appearance (Tableau 10 and two more: distinct, calm).
PALETTE: tuple[str, ...] = (
    "#4e79a7",
    "#e15759",
    "#59a14f",
    "#f28e2b",
    "#b07aa1",
    "#76b7b2",
    "#edc948",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
    "#86bcb6",
    "#d37295",
)
_SHOT_PHRASES: dict[str, str] = {
    "wide": "Wide establishing shot of",
    "medium": "Medium shot of",
    "close_up": "Close-up of",
}
_TIME_WORDS: dict[str, str] = {
    "dawn": "dawn light",
    "day": "daylight",
    "dusk": "dusk, golden hour light",
    "night": "night, moonlight",
}
_INDOOR_TIME_WORDS: dict[str, str] = {
    "dawn": "dawn light through the windows",
    "day": "daylight through the windows",
    "dusk": "dusk, evening light through the windows",
    "night": "night, warm lamplight",
}
_MOOD_WORDS: dict[str, str] = {
    "calm": "calm, peaceful atmosphere",
    "tense": "tense, dramatic atmosphere",
    "joyful": "joyful, warm atmosphere",
    "sad": "melancholy, somber atmosphere",
    "epic": "epic, grand atmosphere",
    "mysterious": "mysterious, moody atmosphere",
}
_MAX_SAME_TYPE_IN_ROW = 3
_EN_ACTION_CHARS = 200
_ZH_ACTION_CHARS = 120
_DESCRIPTION_CHARS = 120
_SETTING_CHARS = 80
_TITLE_MAX_CHARS = 60
_TITLE_MAX_WORDS = 10
_FALLBACK_TITLE_WORDS = 6
_FALLBACK_TITLE_CJK = 16
_TITLE_END_PUNCT = frozenset(".!?。！？…；;:：,，")


class RulesStoryboardWriter(StoryboardWriter):
    """Storyboards by rules (Chinese, English and mixed text); offline and deterministic."""

    name: ClassVar[str] = "rules"
    quality: ClassVar[int] = 2
    speed: ClassVar[int] = 5
    offline: ClassVar[bool] = True

    @property
    def model(self) -> str:
        return MODEL

    def write(self, story: str, brief: Brief) -> tuple[Storyboard, Usage]:
        started = time.perf_counter()
        board = build_storyboard(story, brief)
        usage = Usage(
            provider=self.name,
            model=MODEL,
            seconds=time.perf_counter() - started,
            units={"characters": float(len(story))},
        )
        return board, usage


# --- the plan --------------------------------------------------------------------------------


@dataclass
class _Unit:
    """A piece of narration never cut further: a sentence, or a clause of a far too long one."""

    text: str
    seconds: float
    first_in_paragraph: bool
    cue: bool  # opens with a time or place transition
    paragraph_dialogue: bool  # its paragraph quotes someone...
    paragraph_seconds: float  # ...and is this long
    paragraph_block: bool  # its paragraph is set off by blank lines (not just a line break)
    opens_with_quote: bool
    attribution: bool  # "Captain Ellis shouted." stays with the quote before it
    chapter: bool = False  # the first sentence of a document's chapter
    scene: int = 1
    index: int = 0  # position in the story's units (and in its entity facts)


def build_storyboard(story: str, brief: Brief) -> Storyboard:
    """The storyboard for ``story``; raises ``ProviderError`` when there is nothing to tell."""
    if not story.strip() or not has_letters(story):
        raise ProviderError(
            "the story is empty: give it some words to tell"
            + (" (it has only digits, punctuation or symbols)" if story.strip() else ""),
            retryable=False,
        )
    language = brief.language if brief.language != "auto" else detect_language(story)
    paragraphs = split_paragraphs(story)
    title, paragraphs = _title(story, paragraphs, brief.title)
    paragraphs, chapter_starts = _without_chapter_headings(story, paragraphs)
    units = _units(paragraphs, blocks=has_blank_lines(story), chapter_starts=chapter_starts)
    if not units:
        raise ProviderError("the story is empty: no sentence with words in it", retryable=False)
    texts = [u.text for u in units]
    entities = extract(texts)
    for index, unit in enumerate(units):
        unit.index = index
        # "In spring, ..." moves on in time as "The next day" does.
        unit.cue = unit.cue or opens_with_season(unit.text)
    _assign_scenes(units)
    target = brief.target_seconds if brief.target_seconds and brief.target_seconds > 0 else None
    max_shots = max(1, min(brief.max_shots, MAX_SHOTS_ALLOWED))
    groups = _plan(units, target, max_shots)

    characters = _characters(entities.cast)
    shots = _Composer(brief, entities, characters).shots(groups)
    used = {cid for shot in shots for cid in shot.characters}
    return Storyboard(
        title=title,
        language=language,
        style=brief.style.name,
        aspect=brief.aspect,
        characters=[c for c in characters if c.id in used],
        shots=shots,
    )


def _without_chapter_headings(
    story: str, paragraphs: list[list[str]]
) -> tuple[list[list[str]], set[int]]:
    """The paragraphs without the chapter headings of a whole document ("第二章 早晨", "Chapter
    Two"), which are not narration, and the indexes of the paragraphs that begin a chapter."""
    headings = {normalize_line(line) for line in story.splitlines() if is_chapter_heading(line)}
    if not headings:
        return paragraphs, set()
    kept: list[list[str]] = []
    starts: set[int] = set()
    for paragraph in paragraphs:
        if len(paragraph) == 1 and normalize_line(paragraph[0]) in headings:
            starts.add(len(kept))
            continue
        kept.append(paragraph)
    return (kept, starts) if kept else (paragraphs, set())


def _units(
    paragraphs: Sequence[Sequence[str]], blocks: bool, chapter_starts: set[int] | None = None
) -> list[_Unit]:
    """Every sentence, timed; one far longer than a shot becomes several units (its clauses)."""
    out: list[_Unit] = []
    for number, paragraph in enumerate(paragraphs):
        seconds = [estimate_speech_seconds(s) for s in paragraph]
        dialogue = any(cues.has_dialogue(s) for s in paragraph)
        for i, (sentence, secs) in enumerate(zip(paragraph, seconds, strict=True)):
            long = secs > LONG_SENTENCE_SECONDS or len(sentence) > MAX_PIECE_CHARS
            pieces = fit_sentence(sentence, MAX_SHOT_SECONDS, MAX_PIECE_CHARS) if long else []
            for j, piece in enumerate(pieces or [sentence]):
                out.append(
                    _Unit(
                        text=piece,
                        seconds=estimate_speech_seconds(piece) if pieces else secs,
                        first_in_paragraph=i == 0 and j == 0,
                        cue=j == 0 and cues.is_scene_transition(piece),
                        chapter=i == 0 and j == 0 and number in (chapter_starts or ()),
                        paragraph_dialogue=dialogue,
                        paragraph_seconds=sum(seconds),
                        paragraph_block=blocks,
                        opens_with_quote=j == 0 and cues.opens_with_dialogue(piece),
                        attribution=cues.is_attribution(piece),
                    )
                )
    return out


def _assign_scenes(units: list[_Unit]) -> None:
    """Number scenes from 1: a new one at time/place transitions and narrative paragraph breaks."""
    scene, seconds = 1, 0.0
    for i, unit in enumerate(units):
        if i and _starts_scene(unit, seconds):
            scene, seconds = scene + 1, 0.0
        unit.scene = scene
        seconds += unit.seconds


def _starts_scene(unit: _Unit, scene_seconds: float) -> bool:
    if unit.chapter:
        return True
    if unit.cue:
        return scene_seconds >= MIN_SHOT_SECONDS  # "第二天。" alone does not make a scene
    if not unit.first_in_paragraph or scene_seconds < SCENE_MIN_SECONDS:
        return False
    # A reply in a conversation stays in its scene; so does a short paragraph that is only a
    # line of its own (web-novel style) rather than a block set off by blank lines.
    conversation = unit.opens_with_quote or (
        unit.paragraph_dialogue and unit.paragraph_seconds < SHORT_PARAGRAPH_SECONDS
    )
    short_line = not unit.paragraph_block and unit.paragraph_seconds < SHORT_PARAGRAPH_SECONDS
    return not (conversation or short_line)


def _plan(units: list[_Unit], target: float | None, max_shots: int) -> list[list[_Unit]]:
    """Groups of units, one per shot: everything if it fits, else merged, else condensed."""
    groups = _group(units, MAX_SHOT_SECONDS)
    within_target = target is None or _total(groups) <= target * (1 + CONDENSE_TOLERANCE)
    if within_target and len(groups) <= max_shots:
        return groups
    if within_target:
        merged = _group(units, MERGED_SHOT_SECONDS)
        if len(merged) <= max_shots:
            return merged
    order = _priority(units)
    if target is None:
        return _condense(units, order, MERGED_SHOT_SECONDS, None, max_shots)
    options = [
        _condense(units, order, limit, target, max_shots)
        for limit in (MAX_SHOT_SECONDS, MERGED_SHOT_SECONDS)
    ]
    # Longer shots only help when max_shots, not the target, is what holds the story back.
    return min(options, key=lambda g: abs(_total(g) - target))


def _group(units: Sequence[_Unit], max_seconds: float) -> list[list[_Unit]]:
    """Consecutive units of one scene, closed near the ideal length and never past the max."""
    ideal = max_seconds * IDEAL_SHOT_SECONDS / MAX_SHOT_SECONDS
    groups: list[list[_Unit]] = []
    current: list[_Unit] = []
    seconds = 0.0
    chars = 0
    for unit in units:
        if current and (
            unit.scene != current[-1].scene
            or (seconds >= ideal and not unit.attribution)
            or seconds + unit.seconds > max_seconds
            or chars + len(unit.text) > MAX_SHOT_CHARS
        ):
            groups.append(current)
            current, seconds, chars = [], 0.0, 0
        current.append(unit)
        seconds += unit.seconds
        chars += len(unit.text)
    if current:
        groups.append(current)
    return _merge_short(groups, max_seconds)


def _merge_short(groups: list[list[_Unit]], max_seconds: float) -> list[list[_Unit]]:
    """Fold a shot under MIN_SHOT_SECONDS into a neighbour of the same scene when both fit."""
    out: list[list[_Unit]] = []
    for group in groups:
        if out and out[-1][0].scene == group[0].scene:
            short = _seconds(group) < MIN_SHOT_SECONDS or _seconds(out[-1]) < MIN_SHOT_SECONDS
            fits = _seconds(out[-1]) + _seconds(group) <= max_seconds and (
                sum(len(u.text) for u in out[-1] + group) <= MAX_SHOT_CHARS
            )
            if short and fits:
                out[-1] = out[-1] + group
                continue
        out.append(group)
    return out


def _seconds(group: Sequence[_Unit]) -> float:
    return sum(u.seconds for u in group)


def _duration_hint(seconds: float) -> float:
    return min(60.0, round(seconds + BREATH_SECONDS, 1))


def _total(groups: Sequence[Sequence[_Unit]]) -> float:
    return sum(_duration_hint(_seconds(g)) for g in groups)


def _condense(
    units: list[_Unit],
    order: Sequence[int],
    max_seconds: float,
    target: float | None,
    max_shots: int,
) -> list[list[_Unit]]:
    """The most units (by priority) whose shots fit the target and ``max_shots``."""

    def build(kept: Iterable[int]) -> list[list[_Unit]]:
        return _group([units[i] for i in sorted(kept)], max_seconds)

    def fits(groups: list[list[_Unit]]) -> bool:
        return len(groups) <= max_shots and (target is None or _total(groups) <= target)

    # Shots and seconds grow with the prefix of the priority order that is kept, so a binary
    # search finds the longest prefix that fits...
    low, high, k = 1, len(order), 1
    best = build(order[:1])
    while low <= high:
        middle = (low + high) // 2
        groups = build(order[:middle])
        if fits(groups):
            best, k, low = groups, middle, middle + 1
        else:
            high = middle - 1
    # ...then later units that still fit fill the room left (a sentence joining a scene
    # already shown lengthens a shot without adding one).
    kept = set(order[:k])
    for index in order[k : k + FILL_ATTEMPTS]:
        groups = build(kept | {index})
        if fits(groups):
            kept.add(index)
            best = groups
    return best[:max_shots]


def _priority(units: Sequence[_Unit]) -> list[int]:
    """Which units to keep first: the opening and ending, scene and paragraph openers, then the
    rest, each list in an order whose every prefix is spread evenly over the story."""
    n = len(units)
    scene_openers = [i for i in range(n) if i == 0 or units[i].scene != units[i - 1].scene]
    paragraph_openers = [i for i in range(n) if units[i].first_in_paragraph]
    order = [0, n - 1]
    for items in (scene_openers, paragraph_openers, list(range(n))):
        order.extend(items[j] for j in _spread_order(len(items)))
    return list(dict.fromkeys(order))


def _spread_order(m: int) -> list[int]:
    """0..m-1 in van der Corput order (0, 1/2, 1/4, 3/4, ...): any prefix covers the range."""
    if m <= 1:
        return list(range(m))
    bits = (m - 1).bit_length()
    seen: dict[int, None] = {}
    for j in range(1 << bits):
        reversed_j = int(f"{j:0{bits}b}"[::-1], 2)
        seen.setdefault((reversed_j * m) >> bits, None)
    return list(seen)


# --- title and characters --------------------------------------------------------------------


def _title(
    story: str, paragraphs: list[list[str]], wanted: str | None
) -> tuple[str, list[list[str]]]:
    """The title, and the paragraphs without the story's own title line if it was used."""
    raw = next((line for line in story.splitlines() if line.strip()), "")
    first_line = normalize_line(raw)
    # Shown with its spaces ("第一章 风起"), matched as narration normalises it ("第一章风起").
    heading = _as_heading(" ".join(normalize_line(word) for word in raw.split()))
    rest = paragraphs
    if heading and paragraphs and paragraphs[0][0] == first_line:
        remaining = [paragraphs[0][1:], *paragraphs[1:]]
        rest = [p for p in remaining if p]
    chosen = normalize_line(wanted or "")
    if chosen:
        same = heading is not None and heading.casefold() == chosen.strip("#《》 ").casefold()
        return chosen[:200], (rest if same and rest else paragraphs)
    if heading and rest:
        return heading[:200], rest
    return _fallback_title(paragraphs[0][0] if paragraphs else first_line), paragraphs


def _as_heading(line: str) -> str | None:
    """The line as a title when it looks like one: short, no sentence punctuation, not a quote."""
    text = line.lstrip("#").strip().strip("《》")
    if not text or not has_letters(text) or text[0] in "\"“「'‘":
        return None
    cjk = sum(is_cjk(ch) for ch in text)
    too_long = len(text) > (_TITLE_MAX_CHARS // 2 if cjk > len(text) // 2 else _TITLE_MAX_CHARS)
    if too_long or len(text.split()) > _TITLE_MAX_WORDS or text[-1] in _TITLE_END_PUNCT:
        return None
    if any(mark in text for mark in "。！？!?"):
        return None
    return text


def _fallback_title(sentence: str) -> str:
    """The first few words (or characters) of the story."""
    if detect_language(sentence) == "zh":
        # Whole clauses while they fit: "从前有一座山，山上有一座庙" rather than a cut word.
        head = ""
        for clause in split_clauses(sentence):
            if head and len(head) + len(clause) > _FALLBACK_TITLE_CJK:
                break
            head += clause
        head = head[:_FALLBACK_TITLE_CJK]
    else:
        head = " ".join(sentence.split()[:_FALLBACK_TITLE_WORDS])
    head = head.rstrip("".join(_TITLE_END_PUNCT) + " \"“”'")
    return (head or sentence or "Untitled")[:200]


def _characters(cast: Sequence[Being]) -> list[Character]:
    """Characters with stable ids, a fixed look (what every shot draws) and a colour.

    The description is a short phrase to draw the character by ("Ada (a lighthouse keeper)",
    "a red fox", "Mara lived at the edge of the harbor"), never the sentence that brings it
    in: a picture of every shot would otherwise act that sentence out."""
    ids: set[str] = set()
    out: list[Character] = []
    for index, being in enumerate(cast):
        name = being.name.removeprefix("the ") if being.name.startswith("the ") else being.name
        cid = slug(name, "char")
        base, n = cid, 2
        while cid in ids:
            cid, n = f"{base[:60]}-{n}", n + 1
        ids.add(cid)
        out.append(
            Character(
                id=cid,
                name=shorten(being.name, 100),
                description=shorten(being.description, _DESCRIPTION_CHARS),
                color=_colour(index),
            )
        )
    return out


def _colour(index: int) -> str:
    if index < len(PALETTE):
        return PALETTE[index]
    # Past the palette: golden-angle hues stay apart from each other for a long while.
    hue = (index * 0.381966) % 1.0
    r, g, b = colorsys.hls_to_rgb(hue, 0.55, 0.5)
    return f"#{round(r * 255):02x}{round(g * 255):02x}{round(b * 255):02x}"


# --- shots -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Where:
    """Where a shot happens: the place (carried from shot to shot) and a spot in it."""

    place: Place | None = None
    spot: Place | None = None

    @property
    def indoor(self) -> bool | None:
        if self.place is not None and self.place.indoor is not None:
            return self.place.indoor
        return self.spot.indoor if self.spot is not None else None

    def setting(self, fallback: str) -> str:
        if self.place is None and self.spot is None:
            return fallback
        if self.place is None:
            assert self.spot is not None
            return self.spot.phrase
        if self.spot is None:
            return self.place.phrase
        if is_cjk(self.place.phrase[:1]):
            return f"{self.place.phrase}，{self.spot.phrase}"
        return f"{self.place.phrase}, {self.spot.prep or 'at'} {self.spot.phrase}"

    @property
    def gloss(self) -> str:
        """English words for a Chinese place, for image models that read only English."""
        chosen = self.place or self.spot
        if chosen is None or not is_cjk(chosen.phrase[:1]):
            return ""
        return chosen.gloss


class _Composer:
    """Turns planned groups into shots, carrying state (mood, place, time) from shot to shot."""

    def __init__(self, brief: Brief, entities: StoryEntities, characters: list[Character]) -> None:
        self.brief = brief
        self.entities = entities  # its cast is in the same order as ``characters``
        self.ids = [c.id for c in characters]
        self.cast = entities.cast

    def shots(self, groups: Sequence[Sequence[_Unit]]) -> list[Shot]:
        narrations = [join_sentences(u.text for u in g) for g in groups]
        facts = [[self.entities.sentences[u.index] for u in g] for g in groups]
        scenes = self._renumber([g[0].scene for g in groups])
        scene_places = self._scene_places(facts, scenes)
        company = _Company()
        shots: list[Shot] = []
        types: list[ShotType] = []
        motion: MotionType | None = None
        mood, tod, season = "calm", "", ""
        where = _Where()
        fallback = ""
        for i, narration in enumerate(narrations):
            start = i == 0 or scenes[i] != scenes[i - 1]
            beings = self._beings(facts[i], narration, shots[-1] if shots and not start else None)
            characters = [self.ids[b] for b in beings]
            kind = _shot_type(narration, start, bool(characters), types)
            types.append(kind)
            motion = _motion(kind, motion, start, i, scenes[i], self.brief.seed)
            mood = cues.mood_of(narration) or mood
            tod, season = self._when(facts[i], narration, start, tod, season)
            scene_place = _scene_place(scene_places.get(scenes[i], []), beings) if start else None
            company.shot(beings, scenes[i])
            where = self._where(facts[i], where, scene_place, start, company)
            company.there(where.place)
            if where.place is None and where.spot is None and not fallback:
                # Nothing from the lexicon yet: the old phrase finder, possessives made plain.
                fallback = _plain_place(cues.find_place(narration) or "")
            setting = shorten(where.setting(fallback), _SETTING_CHARS)
            subject, action = _subject(facts[i])
            shots.append(
                Shot(
                    id=f"s{i + 1:02d}-{hashlib.sha1(narration.encode()).hexdigest()[:8]}",
                    scene=scenes[i],
                    narration=narration,
                    visual_prompt=self._prompt(
                        _Framing(kind, setting, where, beings, subject, action),
                        narration,
                        tod,
                        season,
                        mood,
                    ),
                    negative_prompt=self.brief.style.negative_prompt,
                    shot_type=kind,
                    camera_motion=motion,
                    characters=characters,
                    setting=setting,
                    mood=mood,
                    time_of_day=tod,
                    duration_hint=_duration_hint(estimate_speech_seconds(narration)),
                )
            )
        return shots

    @staticmethod
    def _renumber(scenes: list[int]) -> list[int]:
        """Scenes numbered 1, 2, 3... in the shots kept (condensing may skip some)."""
        numbers: dict[int, int] = {}
        return [numbers.setdefault(s, len(numbers) + 1) for s in scenes]

    @staticmethod
    def _scene_places(
        facts: list[list[SentenceFacts]], scenes: list[int]
    ) -> dict[int, list[tuple[Place, frozenset[int]]]]:
        """The places each scene names, in order, each with the beings of its sentence (for a
        scene that opens with no place: its establishing shot shows where the scene is). A
        place the scene goes to ("carried it home") is not where it opens."""
        places: dict[int, list[tuple[Place, frozenset[int]]]] = {}
        for group, scene in zip(facts, scenes, strict=True):
            for f in group:
                if f.place is not None and not f.weak_place and not f.moved:
                    places.setdefault(scene, []).append((f.place, frozenset(f.beings)))
        return places

    def _beings(
        self, facts: list[SentenceFacts], narration: str, previous: Shot | None
    ) -> list[int]:
        beings = list(dict.fromkeys(b for f in facts for b in f.beings))
        if not beings and previous and previous.characters and cues.has_pronoun(narration):
            return [self.ids.index(previous.characters[0])]  # "She ran." after a shot of Mara
        return beings

    @staticmethod
    def _when(
        facts: list[SentenceFacts], narration: str, start: bool, tod: str, season: str
    ) -> tuple[str, str]:
        """Time of day and season: the shot's own, else carried on; a jump in time
        ("Years later", "In spring") forgets the time of day, and a new season is by day."""
        jumped = (start and cues.is_time_transition(narration)) or any(f.time_jump for f in facts)
        own = next((f.time for f in facts if f.time), None)
        new_season = next((f.season for f in facts if f.season), "")
        if own:
            tod = own
        elif jumped:
            tod = "day" if any(f.season and f.time_jump for f in facts) else ""
        if not tod and any(f.implied_night for f in facts):
            tod = "night"  # a lamp or a candle with nothing else to say when
        return tod, new_season or season

    @staticmethod
    def _where(
        facts: list[SentenceFacts],
        carried: _Where,
        scene_place: Place | None,
        start: bool,
        company: _Company,
    ) -> _Where:
        """The shot's own place; else, opening a scene, where the scene is with the shot's
        people; else where its people were last seen, when the story has cut away to them;
        else the one carried on.

        The place carries on only while the scene plausibly does: a new scene opens where its
        own sentences are (with the same people; not where they go later), and a shot of
        someone last seen elsewhere in the scene, with nobody who was at the carried place,
        is where that one was ("the fisherman's boat drifted toward the rocks", then the
        keeper in the lantern room, then "The fisherman held on": at the rocks again).

        A spot on the other side of a wall from the carried place ("窗台上" after "池塘"), or one
        that opens a new scene ("那天晚上，林晓躺在床上"), is where the story has gone: it
        becomes the place. A door or a gate belongs to either side and keeps the place.
        """
        own = next((f.place for f in reversed(facts) if f.place and not f.weak_place), None)
        spot = next((f.spot for f in reversed(facts) if f.spot), None)
        place = own or scene_place or company.elsewhere(carried.place) or carried.place
        if place is None:
            place = next((f.place for f in facts if f.place), None)
        if own is None and place is not None and spot is not None and spot.indoor is not None:
            moved = place.indoor is not None and spot.indoor != place.indoor
            if moved or start:
                return _Where(spot, None)
        return _Where(place, spot)

    def _look(self, being: int) -> str:
        return self.cast[being].look

    def _prompt(self, framing: _Framing, narration: str, tod: str, season: str, mood: str) -> str:
        kind, setting = framing.kind, framing.setting
        shown = setting + (f" ({framing.where.gloss})" if framing.where.gloss else "")
        looks = [self._look(b) for b in framing.beings]
        if framing.subject is not None:
            doing = self._look(framing.subject) + (f" {framing.action}" if framing.action else "")
            others = [
                self._look(b)
                for b in framing.beings
                if b != framing.subject and self.cast[b].name not in framing.action
            ]
        else:
            doing, others = _and_list(looks), []
        if kind == "wide":
            subject = f"{_SHOT_PHRASES[kind]} {shown or doing or 'the scene'}"
            subject += f", with {_and_list(looks)}" if looks and shown else ""
        elif doing:
            subject = f"{_SHOT_PHRASES[kind]} {doing}"
            subject += f", with {_and_list(others)}" if others else ""
            near = framing.where.place.head if framing.where.place else ""
            if shown and kind == "medium" and not (near and near in framing.action):
                subject += f", {'in' if framing.where.indoor else 'at'} {shown}"
        else:  # nobody in the shot: frame the place, or its details up close
            subject = f"{_SHOT_PHRASES[kind]} {shown or 'the scene'}"
            subject += " details" if kind == "close_up" else ""
        limit = _ZH_ACTION_CHARS if detect_language(narration) == "zh" else _EN_ACTION_CHARS
        indoor = framing.where.indoor if setting else None
        times = _INDOOR_TIME_WORDS if indoor else _TIME_WORDS
        atmosphere = ", ".join(
            w
            for w in (
                {True: "Interior", False: "Exterior", None: ""}[indoor],
                season,
                times.get(tod, ""),
                _MOOD_WORDS[mood],
            )
            if w
        )
        parts = (self.brief.style.prompt_prefix, subject, shorten(narration, limit), atmosphere)
        return _sentences_of(parts)[:4000]


@dataclass
class _Company:
    """Who is where, shot by shot: the people of the place the story is at, and where (and
    in which scene) each being was last seen."""

    beings: list[int] = field(default_factory=list)  # in the shot being composed
    scene: int = 0
    place: Place | None = None  # the place of the shot before
    people: set[int] = field(default_factory=set)  # who has been seen there
    seen: dict[int, tuple[Place, int]] = field(default_factory=dict)  # being -> (place, scene)

    def shot(self, beings: list[int], scene: int) -> None:
        self.beings, self.scene = beings, scene

    def there(self, place: Place | None) -> None:
        """The shot composed is at ``place``: its people are there now."""
        if place != self.place:
            self.place, self.people = place, set()
        if place is not None:
            self.people.update(self.beings)
            self.seen.update(dict.fromkeys(self.beings, (place, self.scene)))

    def elsewhere(self, carried: Place | None) -> Place | None:
        """Where the shot's people are when the story has cut away to them: the place each
        was last seen in this scene, when the carried place is somebody else's and none of
        them has been there. None when they are at the carried place, or are new to the
        scene (they come in where the story is: "a red fox slipped in"), or nobody in
        particular was seen at it (the scene's own place, everyone's)."""
        if carried is None or not self.beings or not self.people:
            return None
        if carried != self.place or self.people.intersection(self.beings):
            return None
        for being in self.beings:
            place, scene = self.seen.get(being, (None, -1))
            if place is not None and scene == self.scene and place != carried:
                return place
        return None


def _scene_place(places: Sequence[tuple[Place, frozenset[int]]], beings: list[int]) -> Place | None:
    """Where a scene goes for a shot that opens it without a place of its own: the first
    place the scene names with one of the shot's people there; with nobody in the shot, the
    scene's first place."""
    if not beings:
        return places[0][0] if places else None
    return next((place for place, there in places if there.intersection(beings)), None)


@dataclass(frozen=True)
class _Framing:
    """What a shot frames: its type, where, who is in it and who does what."""

    kind: ShotType
    setting: str
    where: _Where
    beings: list[int]
    subject: int | None
    action: str


def _subject(facts: list[SentenceFacts]) -> tuple[int | None, str]:
    """The being doing the shot's first action, and that action."""
    for f in facts:
        if f.subject is not None:
            return f.subject, f.action
    return None, ""


_POSSESSIVE_START = ("his ", "her ", "its ", "their ", "my ", "our ", "your ")


def _plain_place(phrase: str) -> str:
    """ "his clock" is not a place to draw; "the clock" at least says what is there."""
    lower = phrase.lower()
    for det in _POSSESSIVE_START:
        if lower.startswith(det):
            return "the " + phrase[len(det) :]
    return phrase


def _sentences_of(parts: Sequence[str]) -> str:
    """Prompt parts as readable sentences, each ending in one full stop; the first part (the
    style's own words) is kept verbatim, the others start with a capital."""
    out: list[str] = []
    for index, part in enumerate(parts):
        text = part.strip().rstrip(" .")
        if not text:
            continue
        if index:
            text = text[0].upper() + text[1:]
        out.append(text if text[-1] in '!?。！？…"”」』' else text + ".")
    return " ".join(out)


def _and_list(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _shot_type(
    narration: str, scene_start: bool, has_people: bool, types: list[ShotType]
) -> ShotType:
    """Establishing wide shot per scene, close-ups for dialogue and emotion, medium otherwise."""
    if scene_start:
        return "wide"
    kind: ShotType = (
        "close_up" if cues.has_dialogue(narration) or cues.is_emotional(narration) else "medium"
    )
    if types[-_MAX_SAME_TYPE_IN_ROW:] == [kind] * _MAX_SAME_TYPE_IN_ROW:
        # Break a run: after three mediums cut in close on a person (or pull out to the place).
        kind = ("close_up" if has_people else "wide") if kind == "medium" else "medium"
    return kind


def _motion(
    kind: ShotType,
    previous: MotionType | None,
    scene_start: bool,
    index: int,
    scene: int,
    seed: int,
) -> MotionType:
    """A gentle Ken Burns move that suits the shot type and never repeats the previous one."""
    first: MotionType = "pan_left" if (seed + scene) % 2 == 0 else "pan_right"
    second: MotionType = "pan_right" if first == "pan_left" else "pan_left"
    options: list[MotionType]
    if kind == "wide":
        options = [first, second, "zoom_out"] if scene_start else ["zoom_out", first, second]
    elif kind == "medium":
        pan = first if (seed + index) % 2 == 0 else second
        options = ["zoom_in", pan, "zoom_out"]
    else:
        options = ["zoom_in", "none"]
    return next(m for m in options if m != previous)
