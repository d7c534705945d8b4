"""Which step each editable field feeds: the one table the pipeline's invalidation, the API's
quota check and (through the OpenAPI document) the studio read.

A step is the task kind to run again when the field changes; ``render`` means only the render
(e.g. a new scene fades through black), ``None`` means nothing already made changes (the field
is a hint for the next storyboard or render).
"""

from __future__ import annotations

from typing import Literal

Step = Literal["image", "voice", "motion", "music", "render"]

#: A shot's editable fields → the step that makes the output it changes.
SHOT_FEEDS: dict[str, Step | None] = {
    "visual_prompt": "image",
    "negative_prompt": "image",
    "shot_type": "image",
    "characters": "image",
    "setting": "image",
    "mood": "image",
    "time_of_day": "image",
    "narration": "voice",
    "camera_motion": "motion",
    "scene": "render",  # a new scene fades through black
    "duration_hint": None,  # a planning hint: the narration decides the real length
}

#: A project's editable settings → the step run again for every shot (or the project).
PROJECT_FEEDS: dict[str, Step | None] = {
    "title": None,
    "style": "image",
    "aspect": "image",  # the canvas, hence every picture and what follows
    "voice": "voice",
    "voice_rate": "voice",
    "music": "music",
    "target_seconds": None,  # applies when the storyboard is written again
    "quality": None,  # the default of the next render
    "bilingual_subtitles": "render",  # the subtitles only: pictures and voices stay
}

#: A character's editable fields: each changes the pictures of the shots that name it.
CHARACTER_FEEDS: dict[str, Step | None] = {
    "name": "image",
    "description": "image",
    "color": "image",
}


def shot_steps(changed: set[str] | list[str]) -> set[Step]:
    """The steps to run again for these changed shot fields."""
    return {step for name in changed if (step := SHOT_FEEDS.get(name)) is not None}
