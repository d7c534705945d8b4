"""Each image provider says how its model wants to be prompted: by its setting, else by the
model's id, checkpoint name or diffusers pipeline class."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storyreel.providers.image.comfyui import ComfyUIImages
from storyreel.providers.image.diffusers_local import DiffusersImages
from storyreel.providers.image.openai_images import OpenAIImages
from storyreel.providers.image.sketch import SketchImageGenerator
from storyreel.settings import Settings


def test_the_sketch_keeps_the_storyboards_own_prompt(tmp_path: Path) -> None:
    assert SketchImageGenerator(Settings(data_dir=tmp_path)).family_for() == "plain"


@pytest.mark.parametrize(
    ("model", "family"),
    [
        ("gpt-image-1", "dalle"),
        ("dall-e-3", "dalle"),
        ("black-forest-labs/FLUX.1-schnell", "flux"),
        ("Qwen/Qwen-Image", "qwen"),
        ("Kwai-Kolors/Kolors", "sdxl"),
        ("stabilityai/stable-diffusion-xl-base-1.0", "sdxl"),
        ("some-new-model", "dalle"),
    ],
)
def test_openai_compatible_apis_go_by_the_model_id(tmp_path: Path, model: str, family: str) -> None:
    images = OpenAIImages(Settings(data_dir=tmp_path, openai_image={"model": model}))
    assert images.family_for() == family
    # A per-call model is what is asked for.
    assert images.family_for("dall-e-3") == "dalle"


def test_a_setting_overrides_the_guess(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, openai_image={"model": "x", "prompt_family": "sd"})
    assert OpenAIImages(settings).family_for("dall-e-3") == "sd"
    comfy = Settings(data_dir=tmp_path, comfyui={"prompt_family": "flux"})
    assert ComfyUIImages(comfy).family_for() == "flux"


@pytest.mark.parametrize(
    ("checkpoint", "family"),
    [
        ("sd_xl_base_1.0.safetensors", "sdxl"),  # the default
        ("flux1-dev-fp8.safetensors", "flux"),
        ("v1-5-pruned-emaonly.safetensors", "sd"),
        ("my_merge.safetensors", "sdxl"),
    ],
)
def test_comfyui_goes_by_the_checkpoint(tmp_path: Path, checkpoint: str, family: str) -> None:
    settings = Settings(data_dir=tmp_path, comfyui={"checkpoint": checkpoint})
    assert ComfyUIImages(settings).family_for() == family


def _pipeline(folder: Path, class_name: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "model_index.json").write_text(json.dumps({"_class_name": class_name}))
    return folder


@pytest.mark.parametrize(
    ("class_name", "family"),
    [
        ("StableDiffusionPipeline", "sd"),
        ("StableDiffusionXLPipeline", "sdxl"),
        ("FluxPipeline", "flux"),
        ("QwenImagePipeline", "qwen"),
        ("SomethingElsePipeline", "sdxl"),
    ],
)
def test_diffusers_goes_by_the_pipeline_class(tmp_path: Path, class_name: str, family: str) -> None:
    folder = _pipeline(tmp_path / "models" / "model", class_name)
    images = DiffusersImages(Settings(data_dir=tmp_path, diffusers={"model_path": folder}))
    assert images.family_for() == family


def test_diffusers_picks_the_family_of_the_model_a_call_names(tmp_path: Path) -> None:
    models = tmp_path / "models"
    default = _pipeline(models / "sd-turbo", "StableDiffusionPipeline")
    _pipeline(models / "flux-schnell", "FluxPipeline")
    settings = Settings(data_dir=tmp_path, diffusers={"model_path": default, "models_dir": models})
    images = DiffusersImages(settings)
    assert images.family_for() == "sd"
    assert images.family_for("flux-schnell") == "flux"
    # A name that is no model folder cannot be told by its class; it never raises here.
    assert images.family_for("no-such-model") == "sdxl"
