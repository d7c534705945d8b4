"""The 'diffusers' image provider on tiny pipelines built and saved here (CPU, no download)."""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from storyreel.domain.storyboard import Shot, Storyboard
from storyreel.pipeline import steps
from storyreel.pipeline.context import PipelineContext
from storyreel.providers import local_models
from storyreel.providers.base import ImageGenerator, ImageSpec, ProviderError, ProviderNotConfigured
from storyreel.providers.registry import ProviderRegistry
from storyreel.settings import Settings
from tests.providers.tiny_diffusers import build_ip_adapter, build_text2image, one_thread

# diffusers computes sigmas with an np.array(copy=False) that NumPy 2 warns about.
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A models folder with two tiny pipelines, 'tiny-a' and 'tiny-b' (other weights)."""
    pytest.importorskip("diffusers")
    one_thread()
    root = tmp_path_factory.mktemp("models")
    build_text2image(root / "tiny-a", seed=0)
    build_text2image(root / "tiny-b", seed=1)
    return root


def make_settings(tmp_path: Path, model_path: Path | None, **config: Any) -> Settings:
    cache_gb = config.pop("model_cache_gb", 1.0)
    return Settings(
        data_dir=tmp_path / "data",
        model_cache_gb=cache_gb,
        diffusers={"model_path": model_path, **config},
    )


def provider(tmp_path: Path, model_path: Path | None, **config: Any) -> ImageGenerator:
    return ProviderRegistry(make_settings(tmp_path, model_path, **config)).image("diffusers")


def picture(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    return image


def solid_png(path: Path, colour: tuple[int, int, int]) -> Path:
    Image.new("RGB", (48, 48), colour).save(path)
    return path


def test_a_picture_of_the_exact_frame_through_the_registry(tmp_path: Path, models: Path) -> None:
    images = provider(tmp_path, models / "tiny-a")
    result = images.generate("a red fox in the snow", ImageSpec(width=100, height=60, seed=7))

    assert picture(result.data).size == (100, 60)
    # Made at the frame rounded up to the VAE's multiple of 8, then cropped to it.
    assert result.meta["size"] == [104, 64]
    assert result.meta["steps"] == 4 and result.meta["guidance"] == 0.0
    assert result.meta["device"] == "cpu" and result.meta["dtype"] == "float32"
    assert "references" not in result.meta
    assert result.seed == 7
    assert result.usage.provider == "diffusers" and result.usage.model == "tiny-a"
    assert result.usage.units["images"] == 1.0 and result.usage.units["seconds"] > 0
    assert images.model == "tiny-a:s4:g0:rframe"


def test_the_same_seed_gives_the_same_picture_and_another_seed_another(
    tmp_path: Path, models: Path
) -> None:
    images = provider(tmp_path, models / "tiny-a")
    first = images.generate("a lighthouse", ImageSpec(width=64, height=64, seed=1)).data
    again = images.generate("a lighthouse", ImageSpec(width=64, height=64, seed=1)).data
    other = images.generate("a lighthouse", ImageSpec(width=64, height=64, seed=2)).data
    assert first == again
    assert other != first


def test_steps_guidance_and_the_negative_prompt_come_from_the_spec(
    tmp_path: Path, models: Path
) -> None:
    images = provider(tmp_path, models / "tiny-a", steps=2, guidance=0.0)
    plain = images.generate("a castle", ImageSpec(width=64, height=64, seed=3))
    assert plain.meta["steps"] == 2
    spec = ImageSpec(width=64, height=64, seed=3, steps=3, guidance=4.0)
    guided = images.generate("a castle", spec)
    assert guided.meta["steps"] == 3 and guided.meta["guidance"] == 4.0
    assert guided.data != plain.data
    # With guidance on, the negative prompt is used (and changes the picture).
    spec = ImageSpec(width=64, height=64, seed=3, steps=3, guidance=4.0, negative_prompt="fog")
    assert images.generate("a castle", spec).data != guided.data


def test_resolution_makes_pictures_near_the_models_native_size(
    tmp_path: Path, models: Path
) -> None:
    images = provider(tmp_path, models / "tiny-a", resolution=64)
    result = images.generate("a harbour", ImageSpec(width=320, height=180, seed=0))
    # About 64² in 16:9, in multiples of 8; then scaled up to the frame.
    assert result.meta["size"] == [88, 48]
    assert picture(result.data).size == (320, 180)


def test_a_call_may_pick_another_model_by_name_from_the_models_folder(
    tmp_path: Path, models: Path
) -> None:
    images = provider(tmp_path, models / "tiny-a", models_dir=models)
    spec = ImageSpec(width=64, height=64, seed=5)
    default = images.generate("a forest", spec)
    other = images.generate("a forest", ImageSpec(width=64, height=64, seed=5, model="tiny-b"))
    assert other.usage.model == "tiny-b" and other.data != default.data
    assert images.generate("a forest", ImageSpec(64, 64, seed=5, model="tiny-a")).data == (
        default.data
    )
    for name in ("missing", "../tiny-a", str(models / "tiny-b")):
        with pytest.raises(ProviderError, match="no local model"):
            images.generate("a forest", ImageSpec(64, 64, model=name))
    without_folder = provider(tmp_path, models / "tiny-a")
    with pytest.raises(ProviderError, match="MODELS_DIR is not set"):
        without_folder.generate("a forest", ImageSpec(64, 64, model="tiny-b"))


def test_the_model_cache_unloads_the_least_recently_used_pipeline(
    tmp_path: Path, models: Path
) -> None:
    a, b = models / "tiny-a", models / "tiny-b"
    spec = ImageSpec(width=64, height=64)
    roomy = provider(tmp_path, a, models_dir=models, model_cache_gb=1.0)
    roomy.generate("x", spec)
    roomy.generate("x", ImageSpec(64, 64, model="tiny-b"))
    cache = local_models.shared_cache(1.0)
    ours = {str(a), str(b)}

    def loaded() -> list[str]:
        return [k.path for k in cache.loaded() if k.path in ours]

    assert loaded() == [str(a), str(b)]
    sizes = [n for key, n in cache.sizes().items() if key.path in ours]
    assert all(n > 100_000 for n in sizes)  # measured from the parameters, not guessed

    # Room for one of them: using the other unloads the least recently used.
    budget_gb = 1.5 * max(sizes) / 1024**3
    tight = provider(tmp_path, a, models_dir=models, model_cache_gb=budget_gb)
    tight.generate("x", spec)
    assert loaded() == [str(a)]
    tight.generate("x", ImageSpec(64, 64, model="tiny-b"))
    assert loaded() == [str(b)]
    assert cache.total_bytes <= budget_gb * 1024**3
    # What was unloaded loads again when asked for, giving the same picture as before.
    first = tight.generate("y", spec).data
    assert loaded() == [str(a)]
    assert tight.generate("y", spec).data == first


def test_reference_pictures_steer_the_picture_through_an_ip_adapter(tmp_path: Path) -> None:
    pytest.importorskip("diffusers")
    one_thread()
    pipeline = build_text2image(tmp_path / "tiny-ip")
    adapter = build_ip_adapter(tmp_path / "ip-adapter", pipeline)
    red = solid_png(tmp_path / "red.png", (220, 30, 30))
    blue = solid_png(tmp_path / "blue.png", (30, 30, 220))
    images = provider(
        tmp_path,
        pipeline,
        ip_adapter_path=adapter,
        ip_adapter_subfolder="models",
        ip_adapter_weight_name="ip-adapter_tiny.safetensors",
        ip_adapter_scale=0.8,
    )
    assert images.model == "tiny-ip:s4:g0:rframe+ip-adapter_tiny@0.8"

    def make(*references: Path) -> Any:
        spec = ImageSpec(width=64, height=64, seed=9, reference_images=references)
        return images.generate("a knight", spec)

    plain = make()
    with_red = make(red)
    assert with_red.meta["references"] == {
        "given": 1,
        "used": True,
        "adapter": "ip-adapter_tiny.safetensors",
        "scale": 0.8,
    }
    assert with_red.data != plain.data
    assert make(blue).data != with_red.data
    both = make(red, blue)  # the shot's characters together, through one adapter
    assert both.meta["references"]["given"] == 2 and both.data != with_red.data
    # The adapter stays loaded, at scale 0 for shots without references: same as before.
    assert make().data == plain.data
    assert make(red).data == with_red.data


def test_references_are_ignored_without_an_ip_adapter(tmp_path: Path, models: Path) -> None:
    images = provider(tmp_path, models / "tiny-a")
    reference = solid_png(tmp_path / "hero.png", (200, 180, 20))
    plain = images.generate("a knight", ImageSpec(width=64, height=64, seed=4))
    spec = ImageSpec(width=64, height=64, seed=4, reference_images=(reference,))
    result = images.generate("a knight", spec)
    assert result.meta["references"] == {
        "given": 1,
        "used": False,
        "why": "STORYREEL_DIFFUSERS__IP_ADAPTER_PATH is not set",
    }
    assert result.data == plain.data


def test_the_pipeline_makes_a_picture_once(tmp_path: Path, models: Path) -> None:
    settings = make_settings(tmp_path, models / "tiny-a")
    board = Storyboard(
        title="t",
        language="en",
        style="cinematic",
        characters=[],
        shots=[Shot(id="a", narration="One.", visual_prompt="a lighthouse at dawn")],
    )
    options = steps.ImageOptions(provider="diffusers")
    for expected_cached in (False, True):
        ctx = PipelineContext.create(settings, ProviderRegistry(settings))
        asset = steps.make_image(ctx, board, board.shots[0], 96, 54, options=options)
        assert asset.cached is expected_cached
        assert picture(asset.path.read_bytes()).size == (96, 54)


def test_missing_packages_name_the_extra_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "diffusers", None)  # what a base install looks like
    with pytest.raises(ProviderNotConfigured) as err:
        provider(tmp_path, tmp_path)
    assert err.value.setting == "pip install 'storyreel[diffusers]'"
    assert "diffusers not installed" in str(err.value)


def test_a_missing_or_wrong_model_folder_names_the_setting(tmp_path: Path) -> None:
    pytest.importorskip("diffusers")
    with pytest.raises(ProviderNotConfigured) as err:
        provider(tmp_path, None)
    assert err.value.setting == "STORYREEL_DIFFUSERS__MODEL_PATH"
    assert "no model folder is set" in str(err.value)

    not_a_folder = tmp_path / "model.safetensors"
    not_a_folder.write_bytes(b"weights")
    with pytest.raises(ProviderNotConfigured, match="is not a folder") as err:
        provider(tmp_path, not_a_folder)
    assert err.value.setting == "STORYREEL_DIFFUSERS__MODEL_PATH"

    with pytest.raises(ProviderNotConfigured, match=r"has no model_index\.json"):
        provider(tmp_path, tmp_path)


def test_an_ip_adapter_without_its_weights_names_the_setting(tmp_path: Path, models: Path) -> None:
    (tmp_path / "ip" / "models").mkdir(parents=True)
    with pytest.raises(ProviderNotConfigured) as err:
        provider(tmp_path, models / "tiny-a", ip_adapter_path=tmp_path / "ip")
    assert err.value.setting == "STORYREEL_DIFFUSERS__IP_ADAPTER_WEIGHT_NAME"
    assert "ip-adapter_sd15.safetensors is not a file" in str(err.value)
    with pytest.raises(ProviderNotConfigured) as err:
        provider(tmp_path, models / "tiny-a", ip_adapter_path=tmp_path / "nowhere")
    assert err.value.setting == "STORYREEL_DIFFUSERS__IP_ADAPTER_PATH"


def test_a_damaged_pipeline_folder_is_a_clear_error(tmp_path: Path) -> None:
    pytest.importorskip("diffusers")
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "model_index.json").write_text('{"_class_name": "StableDiffusionPipeline"}')
    images = provider(tmp_path, broken)
    with pytest.raises(ProviderError, match=r"cannot load the pipeline in .*broken") as err:
        images.generate("x", ImageSpec(width=64, height=64))
    assert not err.value.retryable
