"""One shot's picture: the prompt carries the descriptions of the characters it names, and every
parameter a client may set (seed, size, model, steps, guidance, references) is part of the
request, so different parameters never come back from the cache as the same picture."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any, ClassVar

import pytest
from PIL import Image

from storyreel.domain.storyboard import Character, Shot, Storyboard
from storyreel.pipeline import steps
from storyreel.pipeline.context import PipelineContext
from storyreel.pipeline.handlers.shot_steps import image_size
from storyreel.providers.base import ImageGenerator, ImageResult, ImageSpec, Usage
from storyreel.providers.registry import ProviderRegistry
from storyreel.settings import Settings

VISUAL = "Watercolor. A girl and a captain on the deck of a junk at dusk."


def _board(xiao: str = "a girl of twelve with a red scarf") -> Storyboard:
    characters = [
        Character(id="xiao", name="林晓", description=xiao),
        Character(id="chen", name="陈船长", description="an old sea captain with a grey beard."),
        Character(id="fu", name="阿福", description=""),
        Character(id="wang", name="王老师", description="a teacher in round glasses"),
    ]
    shots = [
        Shot(id="deck", narration="n", visual_prompt=VISUAL, characters=["xiao", "fu", "chen"]),
        Shot(id="empty", narration="n", visual_prompt="An empty harbour."),
        Shot(id="wang", narration="n", visual_prompt="A classroom", characters=["wang"]),
    ]
    return Storyboard(
        title="t", language="zh", style="watercolor", characters=characters, shots=shots
    )


class RecordingImages(ImageGenerator):
    """A fake image service in the real registry: remembers the prompt and spec it was given."""

    name: ClassVar[str] = "recording-params"
    calls: ClassVar[list[tuple[str, ImageSpec]]] = []

    def generate(self, prompt: str, spec: ImageSpec) -> ImageResult:
        RecordingImages.calls.append((prompt, spec))
        buf = io.BytesIO()
        Image.new("RGB", (spec.width, spec.height), (spec.seed % 256, 0, 0)).save(buf, "PNG")
        return ImageResult(buf.getvalue(), spec.seed, Usage(self.name, self.model, 0.0))


@pytest.fixture
def ctx(settings: Settings) -> PipelineContext:
    registry = ProviderRegistry(settings)
    registry.register(RecordingImages)
    RecordingImages.calls.clear()
    return PipelineContext.create(settings, registry)


def test_the_prompt_describes_the_named_characters_only() -> None:
    board = _board()
    deck, empty, classroom = board.shots
    # In the shot's order; 阿福 has no description; 王老师 is not in the shot.
    assert steps.shot_prompt(board, deck) == (
        "Watercolor. A girl and a captain on the deck of a junk at dusk. "
        "林晓: a girl of twelve with a red scarf; 陈船长: an old sea captain with a grey beard"
    )
    assert steps.shot_prompt(board, empty) == "An empty harbour."
    assert steps.shot_prompt(board, classroom) == "A classroom. 王老师: a teacher in round glasses"


def test_the_provider_gets_the_described_prompt_and_the_characters(ctx: PipelineContext) -> None:
    board = _board()
    options = steps.ImageOptions(provider="recording-params")
    steps.make_image(ctx, board, board.shots[0], 64, 36, options=options)
    ((prompt, spec),) = RecordingImages.calls
    assert prompt == steps.shot_prompt(board, board.shots[0])
    assert [c.name for c in spec.characters] == ["林晓", "阿福", "陈船长"]
    # The caption a sketch prints stays the shot's own words.
    assert "junk at dusk" in spec.caption and "red scarf" not in spec.caption
    assert spec.reference_images == ()


def test_every_parameter_is_part_of_the_cache_key(settings: Settings) -> None:
    ctx = PipelineContext.create(settings)  # the built-in sketch provider
    board = _board()
    shot = board.shots[1]

    def key(w: int = 96, h: int = 54, **options: Any) -> str:
        chosen = steps.ImageOptions(**options)
        return steps.make_image(ctx, board, shot, w, h, seed=3, options=chosen).key

    base = key()
    variants = {
        "seed": key(seed=4),
        "steps": key(steps=30),
        "guidance": key(guidance=7.5),
        "model": key(model="sdxl-turbo"),
        "size": key(w=64, h=64),
    }
    assert base not in variants.values()
    assert len(set(variants.values())) == len(variants)
    # The same request again is a cache hit with the same picture.
    again = steps.make_image(ctx, board, shot, 96, 54, seed=3)
    assert again.cached and again.key == base
    # An explicit seed equal to the project's is the same request as no override.
    assert key(seed=3) == base


def test_a_description_edit_changes_only_the_pictures_naming_the_character(
    ctx: PipelineContext,
) -> None:
    options = steps.ImageOptions(provider="recording-params")
    before, after = _board(), _board(xiao="a girl of twelve in a blue coat")

    def keys(board: Storyboard) -> list[str]:
        return [steps.make_image(ctx, board, s, 64, 36, options=options).key for s in board.shots]

    old, new = keys(before), keys(after)
    assert old[0] != new[0]  # the deck names 林晓
    assert old[1:] == new[1:]


def test_reference_pictures_of_named_characters_reach_the_provider(
    ctx: PipelineContext, tmp_path: Path
) -> None:
    board = _board()
    refs = {}
    for key, colour in (("xiao", "red"), ("wang", "blue")):
        refs[key] = tmp_path / f"{key}.png"
        Image.new("RGB", (8, 8), colour).save(refs[key])
    options = steps.ImageOptions(provider="recording-params")
    first = steps.make_image(ctx, board, board.shots[0], 64, 36, options=options, references=refs)
    (_, spec), *_ = RecordingImages.calls
    assert spec.reference_images == (refs["xiao"],)  # 王老师 is not in this shot
    # Another reference picture is another request, even at the same path.
    Image.new("RGB", (8, 8), "green").save(refs["xiao"])
    second = steps.make_image(ctx, board, board.shots[0], 64, 36, options=options, references=refs)
    assert second.key != first.key and not second.cached


def test_one_side_alone_keeps_the_canvas_shape() -> None:
    assert image_size((1280, 720), None, None) == (1280, 720)
    assert image_size((1280, 720), 640, None) == (640, 360)
    assert image_size((720, 1280), None, 640) == (360, 640)
    assert image_size((1280, 720), 300, 500) == (300, 500)
