"""What a chat model writes for a storyboard, how it is checked, and how it becomes one.

The model fills a small *draft* (``DRAFT_SCHEMA``): per shot the narration copied from the
story, an English description of the picture, framing, characters, setting, mood and time of
day; per character an English appearance. Everything else — ids, colours, the style's prompt
prefix and negative prompt, atmosphere words, camera motion, durations — is filled here by the
same rules the offline ``rules`` writer uses, so both writers give storyboards of one shape.
A character's appearance becomes its ``description``, which every image prompt appends for the
shots that name it (``pipeline.steps.shot_prompt``): one description, injected the same way in
every shot.

``check_draft`` lists every problem in words a model can act on; the provider sends that list
back for a corrected answer.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from storyreel.domain.cues import MOODS, Mood
from storyreel.domain.storyboard import (
    MAX_SHOTS,
    SHOT_TYPES,
    Character,
    Language,
    Shot,
    ShotType,
    Storyboard,
    slug,
)
from storyreel.domain.text import detect_language, estimate_speech_seconds, normalize_line, shorten
from storyreel.domain.timeline import MotionType
from storyreel.providers.base import Brief
from storyreel.providers.llm.rules import (
    _MOOD_WORDS,
    _SETTING_CHARS,
    _TIME_WORDS,
    _colour,
    _duration_hint,
    _motion,
    _sentences_of,
    _spread_order,
)

TimeOfDayOrNone = Literal["dawn", "day", "dusk", "night", ""]
TIMES_OF_DAY: tuple[str, ...] = TimeOfDayOrNone.__args__  # type: ignore[attr-defined]

#: Share of a narration's character trigrams that must occur in the story it was taken from.
NARRATION_MIN_OVERLAP = 0.6
#: Problems listed back to the model at most (the rest are counted).
MAX_LISTED_ERRORS = 20
_VISUAL_CHARS = 1500


class _Draft(BaseModel):
    # Unknown keys are ignored rather than argued about: they cannot do harm.
    model_config = ConfigDict(extra="ignore")


class DraftCharacter(_Draft):
    id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=100)
    appearance: str = Field("", max_length=1000)


class DraftShot(_Draft):
    scene: int = Field(1, ge=0, le=100_000)
    narration: str = Field(min_length=1, max_length=2000)
    visual: str = Field(min_length=1, max_length=_VISUAL_CHARS)
    shot_type: ShotType
    characters: list[str] = Field(default_factory=list)
    setting: str = Field("", max_length=500)
    mood: Mood = "calm"
    time_of_day: TimeOfDayOrNone = ""

    @field_validator("shot_type", "mood", "time_of_day", mode="before")
    @classmethod
    def _tolerant_choice(cls, value: Any) -> Any:
        # "Close-up", "close up" and "CLOSEUP" all mean close_up; None means no time given.
        if value is None:
            return ""
        if isinstance(value, str):
            key = re.sub(r"[\s-]+", "_", value.strip().lower())
            return {"closeup": "close_up", "close": "close_up"}.get(key, key)
        return value


class Draft(_Draft):
    title: str = Field("", max_length=200)
    characters: list[DraftCharacter] = Field(default_factory=list, max_length=200)
    shots: list[DraftShot] = Field(min_length=1, max_length=MAX_SHOTS)


def _object(properties: dict[str, Any]) -> dict[str, Any]:
    # Strict structured output wants every property required and no others allowed.
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


#: The draft as JSON Schema, in the subset strict structured output accepts.
DRAFT_SCHEMA: dict[str, Any] = _object(
    {
        "title": {"type": "string"},
        "characters": {
            "type": "array",
            "items": _object(
                {
                    "id": {"type": "string"},
                    "name": {"type": "string"},
                    "appearance": {"type": "string"},
                }
            ),
        },
        "shots": {
            "type": "array",
            "items": _object(
                {
                    "scene": {"type": "integer"},
                    "narration": {"type": "string"},
                    "visual": {"type": "string"},
                    "shot_type": {"type": "string", "enum": list(SHOT_TYPES)},
                    "characters": {"type": "array", "items": {"type": "string"}},
                    "setting": {"type": "string"},
                    "mood": {"type": "string", "enum": list(MOODS)},
                    "time_of_day": {"type": "string", "enum": list(TIMES_OF_DAY)},
                }
            ),
        },
    }
)


# --- reading the answer ----------------------------------------------------------------------

_THINK_RE = re.compile(r"<think>.*?(?:</think>|\Z)", re.DOTALL | re.IGNORECASE)
_FENCE_RE = re.compile(r"```(?:json|JSON)?\s*\n(.*?)```", re.DOTALL)
_MAX_OBJECT_STARTS = 50


class NotJson(ValueError):
    """The answer holds no JSON object."""


def extract_json(text: str) -> dict[str, Any]:
    """The first JSON object in a model's answer: bare, in a code fence, or after some prose;
    reasoning models' ``<think>`` blocks are skipped."""
    text = _THINK_RE.sub("", text).strip()
    if not text:
        raise NotJson("the answer is empty")
    candidates = [text, *_FENCE_RE.findall(text)]
    for candidate in candidates:
        try:
            value = json.loads(candidate)
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
    decoder = json.JSONDecoder()
    last_error = "no '{' in it"
    for count, match in enumerate(re.finditer(r"\{", text)):
        if count == _MAX_OBJECT_STARTS:
            break
        try:
            value, _ = decoder.raw_decode(text, match.start())
        except json.JSONDecodeError as err:
            last_error = f"{err.msg} at line {err.lineno} column {err.colno}"
            continue
        if isinstance(value, dict):
            return value
    raise NotJson(f"the answer is not a JSON object ({last_error})")


def _where(loc: Sequence[int | str]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "the answer"


def validation_errors(err: ValidationError) -> list[str]:
    """Pydantic's errors as lines a model can act on: where, what, and the value it gave."""
    lines = []
    for item in err.errors(include_url=False):
        line = f"{_where(item['loc'])}: {item['msg']}"
        given = item.get("input")
        if isinstance(given, str | int | float) and len(repr(given)) <= 60:
            line += f" (got {given!r})"
        lines.append(line)
    return lines


# --- checking it -----------------------------------------------------------------------------


class Cast:
    """The characters met so far, across the parts of a story: stable ids (the rules writer's
    ``slug`` of the id or name), the first appearance given, a colour by order of appearance."""

    def __init__(self) -> None:
        self._characters: dict[str, Character] = {}
        self._keys: dict[str, str] = {}  # casefolded id or name -> id

    def known(self) -> list[Character]:
        return list(self._characters.values())

    def roster(self) -> str:
        """The known characters as JSON, for the next part's prompt."""
        people = [{"id": c.id, "name": c.name, "appearance": c.description} for c in self.known()]
        return json.dumps(people, ensure_ascii=False, indent=1)

    def lookup(self, ref: str) -> str | None:
        return self._keys.get(ref.strip().casefold())

    def plan(self, characters: Iterable[DraftCharacter]) -> dict[str, str]:
        """Draft id or name (casefolded) -> final id, for the draft's characters and the known
        ones; nothing is added until ``admit``."""
        mapping = dict(self._keys)
        taken = set(self._characters)
        for person in characters:
            known = mapping.get(person.id.strip().casefold()) or mapping.get(
                person.name.strip().casefold()
            )
            if known is None:
                known = _character_id(person, taken)
                taken.add(known)
            for key in (person.id, person.name):
                mapping.setdefault(key.strip().casefold(), known)
        return mapping

    def admit(self, characters: Iterable[DraftCharacter], mapping: dict[str, str]) -> None:
        for person in characters:
            cid = mapping[person.id.strip().casefold()]
            appearance = shorten(normalize_line(person.appearance), 1000)
            existing = self._characters.get(cid)
            if existing is None:
                self._characters[cid] = Character(
                    id=cid,
                    name=shorten(normalize_line(person.name), 100) or cid,
                    description=appearance,
                    color=_colour(len(self._characters)),
                )
            elif not existing.description and appearance:
                self._characters[cid] = existing.model_copy(update={"description": appearance})
            for key in (person.id, person.name, cid):
                self._keys.setdefault(key.strip().casefold(), cid)


def _character_id(person: DraftCharacter, taken: set[str]) -> str:
    cid = slug(person.id, "char")
    if cid.startswith("char-"):  # an id the model made up in another script: use the name's
        cid = slug(person.name, "char")
    base, n = cid[:60], 2
    while cid in taken:
        cid, n = f"{base}-{n}", n + 1
    return cid


@dataclass(frozen=True)
class PlannedShot:
    """A checked shot of one part, its characters resolved to final ids."""

    scene: tuple[int, int]  # (part, scene within the part): numbered across the story later
    narration: str
    visual: str
    shot_type: ShotType
    characters: tuple[str, ...]
    setting: str
    mood: Mood
    time_of_day: str

    @property
    def seconds(self) -> float:
        return _duration_hint(estimate_speech_seconds(self.narration))


class DraftInvalid(ValueError):
    def __init__(self, errors: list[str]) -> None:
        listed = errors[:MAX_LISTED_ERRORS]
        if len(errors) > len(listed):
            listed.append(f"... and {len(errors) - len(listed)} more problems of the same kinds")
        super().__init__("; ".join(listed))
        self.errors = listed


def check_draft(
    answer: str, *, source: str, max_shots: int, cast: Cast, part: int = 0
) -> tuple[Draft, list[PlannedShot], dict[str, str]]:
    """The answer as checked shots, or ``DraftInvalid`` listing everything wrong with it."""
    try:
        raw = extract_json(answer)
    except NotJson as err:
        raise DraftInvalid([f"{err}: answer with one JSON object only"]) from err
    try:
        draft = Draft.model_validate(raw)
    except ValidationError as err:
        raise DraftInvalid(validation_errors(err)) from err

    errors: list[str] = []
    if len(draft.shots) > max_shots:
        errors.append(
            f"shots: there are {len(draft.shots)} shots but at most {max_shots} are allowed: "
            "merge shots or leave out the least important sentences"
        )
    mapping = cast.plan(draft.characters)
    names = [p.name for p in draft.characters] + [c.name for c in cast.known()]
    for i, person in enumerate(draft.characters):
        known = cast.lookup(person.id) or cast.lookup(person.name)
        if not known and not person.appearance.strip():
            errors.append(
                f"characters[{i}].appearance is empty: describe how {person.name} looks "
                "(age, build, hair, clothes) in English"
            )
        elif _written_in_chinese(person.appearance, names):
            errors.append(f"characters[{i}].appearance must be written in English")
    grams = _trigrams(source)
    planned: list[PlannedShot] = []
    for i, shot in enumerate(draft.shots):
        ids: list[str] = []
        for ref in shot.characters:
            cid = mapping.get(ref.strip().casefold())
            if cid is None:
                errors.append(
                    f"shots[{i}].characters names {ref!r}, which is not one of the characters: "
                    "use a character id, and list every character in characters"
                )
            elif cid not in ids:
                ids.append(cid)
        narration = normalize_line(" ".join(shot.narration.split()))
        if not _taken_from(narration, grams):
            errors.append(
                f"shots[{i}].narration is not taken from the story: copy the story's own "
                "sentences, as written and in the story's language"
            )
        visual = normalize_line(shot.visual)
        if _written_in_chinese(visual, names):
            errors.append(f"shots[{i}].visual must be written in English")
        planned.append(
            PlannedShot(
                scene=(part, shot.scene),
                narration=narration,
                visual=visual,
                shot_type=shot.shot_type,
                characters=tuple(ids),
                setting=shorten(normalize_line(shot.setting), _SETTING_CHARS),
                mood=shot.mood,
                time_of_day=shot.time_of_day,
            )
        )
    if errors:
        raise DraftInvalid(errors)
    return draft, planned, mapping


def _written_in_chinese(text: str, names: Sequence[str]) -> bool:
    """Mostly Chinese, not counting the characters' names (an English prompt may name 林晓)."""
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name, " ")
    return bool(text.strip()) and detect_language(text, min_share=0.5) == "zh"


def _letters(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def _trigrams(text: str) -> set[str]:
    letters = _letters(text)
    return {letters[i : i + 3] for i in range(max(0, len(letters) - 2))}


def _taken_from(narration: str, source: set[str]) -> bool:
    grams = _trigrams(narration)
    if not grams:  # too short to judge ("Yes.", "走！")
        return True
    return len(grams & source) / len(grams) >= NARRATION_MIN_OVERLAP


# --- the storyboard --------------------------------------------------------------------------


def fit_length(
    shots: Sequence[PlannedShot], max_shots: int, max_seconds: float | None
) -> list[PlannedShot]:
    """The shots, or as many as fit ``max_shots`` and ``max_seconds``: the first and last kept,
    the others chosen spread evenly over the story (as the rules writer condenses)."""
    n = len(shots)
    if n <= max_shots and (max_seconds is None or sum(s.seconds for s in shots) <= max_seconds):
        return list(shots)
    order = list(dict.fromkeys([0, n - 1, *_spread_order(n)]))
    kept: list[int] = []
    seconds = 0.0
    for index in order:
        if len(kept) == max_shots:
            break
        if kept and max_seconds is not None and seconds + shots[index].seconds > max_seconds:
            continue
        kept.append(index)
        seconds += shots[index].seconds
    return [shots[i] for i in sorted(kept)]


def assemble(
    shots: Sequence[PlannedShot],
    cast: Cast,
    *,
    brief: Brief,
    language: Language,
    title: str,
) -> Storyboard:
    """The storyboard: ids, scenes numbered across parts, the style's prompt prefix and
    negative prompt, atmosphere words, camera motion and durations as the rules writer does."""
    numbers: dict[tuple[int, int], int] = {}
    scenes = [numbers.setdefault(s.scene, len(numbers) + 1) for s in shots]
    style = brief.style
    out: list[Shot] = []
    motion: MotionType | None = None
    for i, planned in enumerate(shots):
        start = i == 0 or scenes[i] != scenes[i - 1]
        motion = _motion(planned.shot_type, motion, start, i, scenes[i], brief.seed)
        atmosphere = ", ".join(
            words
            for words in (_TIME_WORDS.get(planned.time_of_day, ""), _MOOD_WORDS[planned.mood])
            if words
        )
        out.append(
            Shot(
                id=f"s{i + 1:02d}-{hashlib.sha1(planned.narration.encode()).hexdigest()[:8]}",
                scene=scenes[i],
                narration=planned.narration,
                visual_prompt=_sentences_of((style.prompt_prefix, planned.visual, atmosphere))[
                    :4000
                ],
                negative_prompt=style.negative_prompt,
                shot_type=planned.shot_type,
                camera_motion=motion,
                characters=list(planned.characters),
                setting=planned.setting,
                mood=planned.mood,
                time_of_day=planned.time_of_day,
                duration_hint=planned.seconds,
            )
        )
    used = {cid for shot in out for cid in shot.characters}
    return Storyboard(
        title=title,
        language=language,
        style=style.name,
        aspect=brief.aspect,
        characters=[c for c in cast.known() if c.id in used],
        shots=out,
    )
