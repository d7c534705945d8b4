"""make_image asks each provider in its own prompt family: an SDXL service gets English tags and
the negative prompt, a FLUX service sentences and none, the sketch the storyboard's own text;
the prompt used and its score come back with the picture."""

from __future__ import annotations

import io
from typing import ClassVar

import pytest
from PIL import Image

from storyreel.domain.storyboard import Character, Shot, Storyboard
from storyreel.domain.visual_words import PromptFamily
from storyreel.pipeline import steps
from storyreel.pipeline.context import PipelineContext
from storyreel.providers.base import ImageGenerator, ImageResult, ImageSpec, Usage
from storyreel.providers.registry import ProviderRegistry
from storyreel.settings import Settings


class SdxlImages(ImageGenerator):
    """A fake SDXL service in the real registry: remembers what it was asked."""

    name: ClassVar[str] = "fake-sdxl"
    prompt_family: ClassVar[PromptFamily] = "sdxl"
    calls: ClassVar[list[tuple[str, ImageSpec]]] = []

    def generate(self, prompt: str, spec: ImageSpec) -> ImageResult:
        type(self).calls.append((prompt, spec))
        buf = io.BytesIO()
        Image.new("RGB", (spec.width, spec.height), (40, 80, 120)).save(buf, "PNG")
        return ImageResult(buf.getvalue(), spec.seed, Usage(self.name, self.model, 0.0))


class FluxImages(SdxlImages):
    name: ClassVar[str] = "fake-flux"
    prompt_family: ClassVar[PromptFamily] = "flux"
    calls: ClassVar[list[tuple[str, ImageSpec]]] = []


def _board() -> Storyboard:
    return Storyboard(
        title="白鹤",
        language="zh",
        style="ink_wash",
        characters=[
            Character(id="crane", name="白鹤", description="白鹤 (a white crane). 它住在湖边。")
        ],
        shots=[
            Shot(
                id="a",
                narration="傍晚，白鹤站在湖边。",
                visual_prompt="Chinese ink wash painting, sumi-e, rice paper, negative space. "
                "Wide establishing shot of 湖边 (lakeshore), with 白鹤 (a white crane). "
                "傍晚，白鹤站在湖边。",
                negative_prompt="blurry, low quality",
                shot_type="wide",
                characters=["crane"],
                setting="湖边",
                time_of_day="dusk",
            )
        ],
    )


@pytest.fixture
def ctx(settings: Settings) -> PipelineContext:
    registry = ProviderRegistry(settings)
    for kind in (SdxlImages, FluxImages):
        registry.register(kind)
        kind.calls.clear()
    return PipelineContext.create(settings, registry)


def test_an_sdxl_provider_gets_english_tags_and_the_negative_prompt(ctx: PipelineContext) -> None:
    board = _board()
    asset = steps.make_image(
        ctx, board, board.shots[0], 64, 36, options=steps.ImageOptions(provider="fake-sdxl")
    )
    ((prompt, spec),) = SdxlImages.calls
    assert prompt.startswith("masterpiece, best quality, white crane")
    assert "lakeshore" in prompt and "dusk" in prompt and "湖" not in prompt
    assert "blurry" in spec.negative_prompt and "saturated colors" in spec.negative_prompt
    assert asset.prompt is not None and asset.prompt.text == prompt
    report = asset.prompt.report()
    assert report["prompt_family"] == "sdxl" and report["prompt_score"] < 100
    assert "untranslated_text" in {r["code"] for r in report["prompt_reasons"]}
    # From the cache, the same prompt and score come back.
    again = steps.make_image(
        ctx, board, board.shots[0], 64, 36, options=steps.ImageOptions(provider="fake-sdxl")
    )
    assert again.cached and again.prompt == asset.prompt


def test_each_family_is_its_own_request(ctx: PipelineContext) -> None:
    board = _board()
    sdxl = steps.make_image(
        ctx, board, board.shots[0], 64, 36, options=steps.ImageOptions(provider="fake-sdxl")
    )
    flux = steps.make_image(
        ctx, board, board.shots[0], 64, 36, options=steps.ImageOptions(provider="fake-flux")
    )
    ((prompt, spec),) = FluxImages.calls
    assert prompt.startswith("Wide establishing shot of the lakeshore, with a white crane.")
    assert spec.negative_prompt == ""
    assert sdxl.key != flux.key


def test_the_sketch_is_asked_the_storyboards_own_prompt(settings: Settings) -> None:
    ctx = PipelineContext.create(settings)
    board = _board()
    asset = steps.make_image(ctx, board, board.shots[0], 64, 36)
    assert asset.prompt is not None and asset.prompt.family == "plain"
    assert asset.prompt.text == steps.shot_prompt(board, board.shots[0])
    assert asset.prompt.text.startswith(board.shots[0].visual_prompt.rstrip("。"))
