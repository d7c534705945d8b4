"""The template library: how to shape a brief for one task and genre — the film's usual length,
style and mood, the story beats to follow, what a good brief must say (``required``) and the
guidance handed to the LLM that writes the script.

The built-in templates are TOML files beside this module (``templates/*.toml``), versioned: a
template that changes gets a new ``version``, and a conversation records the id and version it
used. Admins add their own (stored in the database, same shape); an admin template with a
built-in's id replaces it. ``TemplateLibrary.choose`` picks by task and genre, falling back to
the task's general template, then to the general video template.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from storyreel.domain.assistant.model import MAX_LENGTH_S, MIN_LENGTH_S, Genre, Task, TemplateRef
from storyreel.domain.styles import STYLES

TEMPLATE_DIR = Path(__file__).with_name("templates")
#: What a template may require a brief to say.
REQUIRABLE = ("characters", "setting", "goal", "era", "audience", "moods", "length_s")
Requirable = Literal["characters", "setting", "goal", "era", "audience", "moods", "length_s"]
FALLBACK_ID = "general"


class Template(BaseModel):
    """One template (see the module). ``beats`` are the story's steps in order."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")
    version: int = Field(ge=1)
    tasks: list[Task] = Field(min_length=1)
    genre: Genre
    title: str = Field(min_length=1, max_length=100)
    title_zh: str = Field(min_length=1, max_length=100)
    default_length_s: float = Field(60, ge=MIN_LENGTH_S, le=MAX_LENGTH_S)
    default_style: str = "cinematic"
    default_moods: list[str] = []
    required: list[Requirable] = []
    beats: list[str] = Field(min_length=1, max_length=12)
    beats_zh: list[str] = Field(min_length=1, max_length=12)
    guidance: str = Field("", max_length=2000)
    guidance_zh: str = Field("", max_length=2000)
    source: Literal["builtin", "custom"] = "builtin"

    @field_validator("default_style")
    @classmethod
    def _known_style(cls, value: str) -> str:
        if value not in STYLES:
            raise ValueError(f"unknown style {value!r}; styles: {', '.join(STYLES)}")
        return value

    @property
    def ref(self) -> TemplateRef:
        return TemplateRef(id=self.id, version=self.version, source=self.source)

    def beats_in(self, language: str) -> list[str]:
        return self.beats_zh if language == "zh" else self.beats

    def guidance_in(self, language: str) -> str:
        return self.guidance_zh if language == "zh" else self.guidance


def load_template_file(path: Path) -> Template:
    with path.open("rb") as f:
        return Template.model_validate(tomllib.load(f))


@cache
def builtin_templates() -> tuple[Template, ...]:
    """The templates shipped in the repository, read once."""
    return tuple(load_template_file(p) for p in sorted(TEMPLATE_DIR.glob("*.toml")))


class TemplateLibrary:
    """Built-in templates and an account's admins' own, by id."""

    def __init__(self, templates: Iterable[Template]) -> None:
        self._by_id: dict[str, Template] = {}
        for t in templates:
            self._by_id[t.id] = t  # later ones (custom) replace earlier ones (built-in)

    @classmethod
    def builtin(cls, extra: Iterable[Template] = ()) -> TemplateLibrary:
        return cls([*builtin_templates(), *extra])

    def all(self) -> list[Template]:
        return sorted(self._by_id.values(), key=lambda t: (t.genre != "general", t.genre, t.id))

    def get(self, template_id: str) -> Template | None:
        return self._by_id.get(template_id)

    def choose(self, task: Task, genre: Genre) -> Template:
        """The template for ``task`` and ``genre``: a custom one first, the newest version."""

        def best(cands: list[Template]) -> Template | None:
            cands.sort(key=lambda t: (t.source == "custom", t.version), reverse=True)
            return cands[0] if cands else None

        ts = list(self._by_id.values())
        for pick in (
            best([t for t in ts if task in t.tasks and t.genre == genre]),
            best([t for t in ts if task in t.tasks and t.genre == "general"]),
            best([t for t in ts if "video" in t.tasks and t.genre == genre]),
            self._by_id.get(FALLBACK_ID),
        ):
            if pick is not None:
                return pick
        raise LookupError("the template library has no general template")
