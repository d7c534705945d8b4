"""The assistant's nouns: what a request asks for (``Reading``), the brief it builds up over a
conversation (``Brief``), what is missing or contradictory in it (``Issue``) and the
conversation itself (``Conversation``). Plain data, serialised as JSON in the database and the
API; every rule that fills them lives beside them in this package."""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from storyreel.domain.storyboard import Language

Task = Literal["video", "script", "storyboard", "character", "audio"]
Genre = Literal[
    "general",
    "scifi",
    "fantasy",
    "fairy_tale",
    "mystery",
    "romance",
    "comedy",
    "horror",
    "adventure",
    "drama",
    "history",
    "documentary",
]
Audience = Literal["children", "teens", "adults", "family"]
Aspect = Literal["16:9", "9:16", "1:1"]
Role = Literal["lead", "supporting"]
IssueKind = Literal["missing", "contradiction", "assumed"]
Speaker = Literal["user", "assistant"]

TASKS: tuple[Task, ...] = get_args(Task)
GENRES: tuple[Genre, ...] = get_args(Genre)
#: The shortest and longest film the assistant plans (a second under is a still; over, an epic).
MIN_LENGTH_S = 5.0
MAX_LENGTH_S = 30 * 60.0


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Intent(_Model):
    """What the person wants made, and in which genre; how sure the rules are (0–1)."""

    task: Task = "video"
    genre: Genre = "general"
    confidence: float = Field(0.0, ge=0, le=1)


class BriefCharacter(_Model):
    """Someone (or something) in the story: a name or a role noun, and what is known of them."""

    name: str = Field(max_length=80, description="A name (Mia, 老周) or a role (the robot).")
    description: str = Field("", max_length=200, description="Who they are, in a phrase.")
    role: Role = "supporting"
    kind: Literal["person", "animal", "thing"] = "person"


class Reading(_Model):
    """What one message says, by the rules: the intent and every entity it names. Unset fields
    were not mentioned."""

    language: Language
    intent: Intent
    task_stated: bool = False
    genre_stated: bool = False
    characters: list[BriefCharacter] = []
    setting: str | None = None
    era: str | None = None
    time_of_day: str | None = None
    style: str | None = None
    moods: list[str] = []
    #: Moods the message turns down ("not too scary", "别太伤感").
    moods_not: list[str] = []
    audience: Audience | None = None
    length_s: float | None = None
    aspect: Aspect | None = None
    goal: str | None = None
    #: Languages the message asks the film to be in ("in English", "用中文").
    wants_language: Language | None = None
    #: Every aspect or era the message names, to see a contradiction inside one message.
    aspects_named: list[Aspect] = []
    eras_named: list[str] = []


class TemplateRef(_Model):
    id: str
    version: int
    source: Literal["builtin", "custom"] = "builtin"


class Brief(_Model):
    """The structured brief a conversation builds: enough to write a script from."""

    task: Task = "video"
    genre: Genre = "general"
    language: Language = "en"
    idea: str = Field("", max_length=2000, description="The request as first given.")
    characters: list[BriefCharacter] = []
    setting: str | None = None
    era: str | None = None
    time_of_day: str | None = None
    style: str | None = None
    moods: list[str] = []
    audience: Audience | None = None
    length_s: float | None = Field(None, ge=MIN_LENGTH_S, le=MAX_LENGTH_S)
    aspect: Aspect | None = None
    goal: str | None = Field(
        None, max_length=300, description="What the lead wants, or the film's point."
    )
    notes: list[str] = Field([], description="Wishes kept as said ('add a twist at the end').")
    template: TemplateRef | None = None


class Issue(_Model):
    """Something missing, assumed or contradictory in the brief, with the question to ask."""

    kind: IssueKind
    field: str
    message: str
    question: str | None = None


class Turn(_Model):
    speaker: Speaker
    text: str
    #: What the message changed in the brief (a user's turn), in the brief's language.
    changes: list[str] = []


class Conversation(_Model):
    """A conversation's whole state: the brief, its open issues, the turns, and the fields the
    assistant asked about last (a short answer fills the first of them)."""

    brief: Brief
    issues: list[Issue] = []
    turns: list[Turn] = []
    asked: list[str] = []
