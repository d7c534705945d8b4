"""Projects on the task engine, along their seams:

- ``lifecycle``: create (with the first task), change settings, duplicate, delete;
- ``rows``: the rows as the domain storyboard and options, and back;
- ``dag``: plan the DAG, plan a render, re-run one step, mark what a change feeds stale;
- ``shots``: edit, add, split, delete and reorder shots;
- ``characters``: add, edit and delete characters.

A project either runs its whole pipeline (``auto``) or stops after the storyboard, and its
steps are then asked for one by one (a shot's picture, voice, motion) or all at once
(``plan_render``). Callers import the names below from here.
"""

from storyreel.pipeline.errors import Conflict, InvalidInput, NotFound, NotReady
from storyreel.pipeline.project.characters import (
    CHARACTER_FIELDS,
    add_character,
    delete_character,
    edit_character,
    redraw_character_shots,
)
from storyreel.pipeline.project.dag import (
    SHOT_STEPS,
    Quality,
    has_pipeline,
    plan_render,
    plan_tasks,
    regenerate_storyboard,
    rerun_shot_step,
    store_storyboard,
    storyboard_pending,
)
from storyreel.pipeline.project.lifecycle import (
    create_project,
    delete_project,
    duplicate_project,
    title_from,
    update_project,
)
from storyreel.pipeline.project.rows import board_of, character_of, options_of, shot_of
from storyreel.pipeline.project.shots import (
    add_shot,
    delete_shot,
    edit_shot,
    move_shot,
    reorder_shots,
    split_shot,
)

__all__ = [
    "CHARACTER_FIELDS",
    "SHOT_STEPS",
    "Conflict",
    "InvalidInput",
    "NotFound",
    "NotReady",
    "Quality",
    "add_character",
    "add_shot",
    "board_of",
    "character_of",
    "create_project",
    "delete_character",
    "delete_project",
    "delete_shot",
    "duplicate_project",
    "edit_character",
    "edit_shot",
    "has_pipeline",
    "move_shot",
    "options_of",
    "plan_render",
    "plan_tasks",
    "redraw_character_shots",
    "regenerate_storyboard",
    "reorder_shots",
    "rerun_shot_step",
    "shot_of",
    "split_shot",
    "store_storyboard",
    "storyboard_pending",
    "title_from",
    "update_project",
]
