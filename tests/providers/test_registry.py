"""Provider discovery, selection, configuration errors and the content cache."""

from __future__ import annotations

import io
from pathlib import Path
from typing import ClassVar

import pytest
from PIL import Image

from storyreel.domain.storyboard import Character, Shot, Storyboard
from storyreel.pipeline import steps
from storyreel.pipeline.context import PipelineContext
from storyreel.providers.base import (
    ImageGenerator,
    ImageResult,
    ImageSpec,
    ProviderNotConfigured,
    UnknownProvider,
    Usage,
)
from storyreel.providers.registry import ProviderRegistry
from storyreel.settings import Settings


class CountingImages(ImageGenerator):
    """A fake image service registered through the real registry; counts real calls."""

    name: ClassVar[str] = "counting"
    calls: ClassVar[list[str]] = []

    def generate(self, prompt: str, spec: ImageSpec) -> ImageResult:
        CountingImages.calls.append(prompt)
        buf = io.BytesIO()
        Image.new("RGB", (spec.width, spec.height), (len(prompt) % 255, 0, 0)).save(buf, "PNG")
        return ImageResult(
            buf.getvalue(), spec.seed, Usage(self.name, self.model, 0.01, {"images": 1})
        )


class NeedsKey(ImageGenerator):
    name: ClassVar[str] = "needs-key"

    def check(self) -> None:
        raise ProviderNotConfigured(self.name, "STORYREEL_NEEDS_KEY_API_KEY", "no API key set")

    def generate(self, prompt: str, spec: ImageSpec) -> ImageResult:  # pragma: no cover
        raise AssertionError("never called")


def test_builtins_are_found_through_entry_points(settings: Settings) -> None:
    registry = ProviderRegistry(settings)
    assert "rules" in registry.names("storyboard")
    assert "sketch" in registry.names("image")
    assert "espeak" in registry.names("voice")
    assert "kenburns" in registry.names("motion")
    assert "ambient" in registry.names("music")
    # The defaults need no network; the network providers are there, to be chosen.
    assert all(registry.get(cap).offline for cap in ("image", "voice", "motion"))
    assert {"openai", "comfyui"} <= set(registry.names("image"))
    assert {"openai", "cosyvoice"} <= set(registry.names("voice"))
    assert "http" in registry.names("motion")
    assert not any(c.offline for c in registry.classes("image") if c.name != "sketch")


def test_unknown_provider_lists_the_known_ones(settings: Settings) -> None:
    with pytest.raises(UnknownProvider, match="sketch"):
        ProviderRegistry(settings).get("image", "dalle-9")


def test_missing_configuration_fails_at_selection_naming_the_setting(settings: Settings) -> None:
    registry = ProviderRegistry(settings)
    registry.register(NeedsKey)
    with pytest.raises(ProviderNotConfigured) as info:
        registry.image("needs-key")
    assert info.value.setting == "STORYREEL_NEEDS_KEY_API_KEY"


def test_choice_comes_from_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("STORYREEL_PROVIDERS__IMAGE", "counting")
    registry = ProviderRegistry(Settings(data_dir=tmp_path))
    registry.register(CountingImages)
    assert registry.image().name == "counting"


def _board() -> Storyboard:
    hero = Character(id="mara", name="Mara", color="#aa3344")
    shots = [
        Shot(id="a", narration="One.", visual_prompt="a lighthouse at dawn", characters=["mara"]),
        Shot(id="b", narration="Two.", visual_prompt="a ship in a storm"),
    ]
    return Storyboard(title="t", language="en", style="cinematic", characters=[hero], shots=shots)


def test_results_are_cached_by_content_across_runs(settings: Settings) -> None:
    CountingImages.calls.clear()
    board = _board()

    def run() -> list[steps.Asset]:
        registry = ProviderRegistry(settings)  # a fresh process would build a fresh one
        registry.register(CountingImages)
        ctx = PipelineContext.create(settings, registry)
        opts = steps.ImageOptions(provider="counting")
        return [steps.make_image(ctx, board, s, 64, 36, options=opts) for s in board.shots]

    first = run()
    assert [a.cached for a in first] == [False, False]
    second = run()
    assert [a.cached for a in second] == [True, True]
    assert CountingImages.calls == ["a lighthouse at dawn", "a ship in a storm"]
    assert second[0].path.read_bytes() == first[0].path.read_bytes()
    assert second[0].usage.cached and first[0].usage.units == {"images": 1}

    # A different seed, size or character colour is a different request.
    recolored = board.model_copy(
        update={"characters": [Character(id="mara", name="Mara", color="#113355")]}
    )
    registry = ProviderRegistry(settings)
    registry.register(CountingImages)
    ctx = PipelineContext.create(settings, registry)
    asset = steps.make_image(
        ctx, recolored, recolored.shots[0], 64, 36, options=steps.ImageOptions(provider="counting")
    )
    assert not asset.cached and len(CountingImages.calls) == 3
