"""The 'comfyui' image provider against a fake ComfyUI server on loopback: workflow templates,
uploads, queueing, history polling, errors from validation and execution, the time limit."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from pydantic import ValidationError

from storyreel.providers.base import ImageSpec, ProviderError, ProviderNotConfigured
from storyreel.providers.http import ProviderHttpError
from storyreel.providers.image.comfyui import (
    DEFAULT_REFERENCE_WORKFLOW,
    DEFAULT_WORKFLOW,
    ComfyUIImages,
    Workflow,
    generation_size,
)
from storyreel.providers.registry import ProviderRegistry
from storyreel.settings import Settings
from tests.providers.fake_media_servers import (
    FakeClock,
    FakeComfyUI,
    Scripted,
    fast_transport,
    mark_box,
)


@pytest.fixture
def fake() -> Iterator[FakeComfyUI]:
    with FakeComfyUI() as comfy:
        yield comfy


def comfyui(tmp_path: Path, fake: FakeComfyUI, clock: FakeClock, **config: Any) -> ComfyUIImages:
    settings = Settings(
        data_dir=tmp_path / "data",
        comfyui={"url": fake.url, "poll_interval_s": 0.5, "time_limit_s": 60, **config},
    )
    provider = ComfyUIImages(settings, fast_transport(clock))
    provider.check()
    return provider


def nodes_by_class(graph: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {node["class_type"]: node["inputs"] for node in graph.values()}


def test_generation_size_keeps_the_aspect_at_the_checkpoints_resolution() -> None:
    assert generation_size(1280, 720, 1024) == (1344, 768)
    assert generation_size(720, 1280, 1024) == (768, 1344)
    assert generation_size(1080, 1080, 512) == (512, 512)


def test_placeholders_become_typed_values_or_text(tmp_path: Path) -> None:
    path = tmp_path / "wf.json"
    path.write_text(
        json.dumps(
            {
                "1": {"class_type": "KSampler", "inputs": {"seed": "{{seed}}", "cfg": "{{ cfg }}"}},
                "2": {"class_type": "SaveImage", "inputs": {"filename_prefix": "shot_{{seed}}"}},
            }
        )
    )
    workflow = Workflow.load(path, "STORYREEL_COMFYUI__WORKFLOW")
    assert workflow.placeholders == {"seed", "cfg"}
    filled = workflow.fill({"seed": 42, "cfg": 6.5, "prompt": "unused"})
    assert filled["1"]["inputs"] == {"seed": 42, "cfg": 6.5}
    assert filled["2"]["inputs"] == {"filename_prefix": "shot_42"}
    assert workflow.nodes["1"]["inputs"]["seed"] == "{{seed}}"  # the template is untouched

    with pytest.raises(ProviderError, match=r"uses \{\{cfg\}\}, which has no value"):
        workflow.fill({"seed": 1})


def test_the_bundled_workflows_use_only_known_placeholders() -> None:
    known = {"prompt", "negative_prompt", "seed", "width", "height", "steps", "cfg", "model"}
    assert Workflow.load(DEFAULT_WORKFLOW, "w").placeholders == known
    reference = Workflow.load(DEFAULT_REFERENCE_WORKFLOW, "w").placeholders
    assert reference == known | {"denoise", "reference_image"}


def test_a_picture_is_queued_polled_and_fetched(tmp_path: Path, fake: FakeComfyUI) -> None:
    clock = FakeClock()
    provider = comfyui(tmp_path, fake, clock)
    spec = ImageSpec(width=1280, height=720, seed=42, negative_prompt="blurry, text")
    result = provider.generate("a lighthouse at dawn", spec)

    body = fake.prompts[0]
    assert body["client_id"] == provider.client_id
    inputs = nodes_by_class(body["prompt"])
    assert inputs["KSampler"]["seed"] == 42 and inputs["KSampler"]["steps"] == 25
    assert inputs["KSampler"]["cfg"] == 7.0
    assert (inputs["EmptyLatentImage"]["width"], inputs["EmptyLatentImage"]["height"]) == (
        1344,
        768,
    )
    assert inputs["CheckpointLoaderSimple"]["ckpt_name"] == "sd_xl_base_1.0.safetensors"
    texts = [n["inputs"]["text"] for n in body["prompt"].values() if "text" in n["inputs"]]
    assert texts == ["a lighthouse at dawn", "blurry, text"]

    # History stayed empty while the run waited and ran, and the queue said where it was.
    assert fake.history_polls == 4 and fake.queue_polls == 3
    assert clock.sleeps == [0.5, 0.5, 0.5]
    # The saved picture, not the preview, was fetched, and fitted to the exact frame.
    assert fake.views == [
        {"filename": "storyreel_00001_.png", "subfolder": "runs", "type": "output"}
    ]
    image = Image.open(io.BytesIO(result.data))
    assert image.size == (1280, 720)
    left, top, right, bottom = mark_box(result.data)
    assert abs((right - left) - (bottom - top)) <= 2
    assert result.seed == 42 and result.meta["prompt_id"] in fake.runs
    assert result.meta["generated_size"] == [1344, 768]
    assert result.usage.units == {"images": 1.0, "cost": 0.0}
    assert result.usage.model == "sd_xl_base_1.0.safetensors"


def test_call_options_override_the_settings(tmp_path: Path) -> None:
    with FakeComfyUI(checkpoints=("flux1-schnell.safetensors",)) as fake:
        provider = comfyui(tmp_path, fake, FakeClock(), resolution=512)
        spec = ImageSpec(
            width=512, height=512, model="flux1-schnell.safetensors", steps=4, guidance=1.0
        )
        provider.generate("x", spec)
    inputs = nodes_by_class(fake.prompts[0]["prompt"])
    assert inputs["CheckpointLoaderSimple"]["ckpt_name"] == "flux1-schnell.safetensors"
    assert (inputs["KSampler"]["steps"], inputs["KSampler"]["cfg"]) == (4, 1.0)


def test_reference_pictures_are_uploaded_and_used(tmp_path: Path, fake: FakeComfyUI) -> None:
    reference = tmp_path / "mara.png"
    Image.new("RGB", (300, 400), (200, 80, 80)).save(reference)
    provider = comfyui(tmp_path, fake, FakeClock())
    spec = ImageSpec(width=640, height=360, seed=7, reference_images=(reference,))
    result = provider.generate("Mara on the cliff", spec)
    again = provider.generate("Mara on the cliff", spec)

    # Named by content: the second upload overwrites the same file.
    (name,) = fake.uploads
    assert name.startswith("storyreel-") and name.endswith(".png")
    assert fake.uploads[name] == reference.read_bytes()
    inputs = nodes_by_class(fake.prompts[0]["prompt"])
    assert inputs["LoadImage"]["image"] == name
    assert inputs["KSampler"]["denoise"] == 0.75
    assert (inputs["ImageScale"]["width"], inputs["ImageScale"]["height"]) == (1344, 768)
    assert Image.open(io.BytesIO(result.data)).size == (640, 360)
    assert (
        result.meta["workflow"] == "reference.json"
        and again.meta["prompt_id"] != (result.meta["prompt_id"])
    )


def test_a_refused_workflow_names_the_failing_node(tmp_path: Path, fake: FakeComfyUI) -> None:
    provider = comfyui(tmp_path, fake, FakeClock(), checkpoint="missing.safetensors")
    with pytest.raises(ProviderHttpError) as err:
        provider.generate("x", ImageSpec(width=64, height=64))
    message = str(err.value)
    assert not err.value.retryable and err.value.status == 400
    assert "the workflow was refused: Prompt outputs failed validation" in message
    assert "node 4 (CheckpointLoaderSimple): Value not in list" in message
    assert "'missing.safetensors' not in ['sd_xl_base_1.0.safetensors']" in message
    assert len(fake.prompts) == 1 and fake.history_polls == 0


def test_an_execution_error_in_history_is_reported(tmp_path: Path, fake: FakeComfyUI) -> None:
    fake.execution_error = {
        "node_id": "3",
        "node_type": "KSampler",
        "executed": ["4", "5", "6", "7"],
        "exception_message": "Allocation on device 0 would exceed allowed memory.",
        "exception_type": "torch.OutOfMemoryError",
        "traceback": ["..."],
    }
    with pytest.raises(ProviderError) as err:
        comfyui(tmp_path, fake, FakeClock()).generate("x", ImageSpec(width=64, height=64))
    assert "failed in node 3 (KSampler): torch.OutOfMemoryError: Allocation" in str(err.value)
    assert err.value.retryable  # out of memory may pass when the GPU is less busy
    assert fake.views == []


def test_a_run_past_the_time_limit_is_taken_off_the_queue(
    tmp_path: Path, fake: FakeComfyUI
) -> None:
    fake.history_polls_before_done = 10**6
    clock = FakeClock()
    provider = comfyui(tmp_path, fake, clock, poll_interval_s=1.0, time_limit_s=5)
    with pytest.raises(ProviderError) as err:
        provider.generate("x", ImageSpec(width=64, height=64))
    (prompt_id,) = fake.runs
    assert err.value.retryable
    assert "not ready within 5 s (queued (1 of 1))" in str(err.value)
    assert "STORYREEL_COMFYUI__TIME_LIMIT_S" in str(err.value)
    assert sum(clock.sleeps) == 5.0
    assert fake.deleted == [{"delete": [prompt_id]}] and fake.interrupted == []


def test_a_busy_server_is_retried(tmp_path: Path, fake: FakeComfyUI) -> None:
    fake.script += [
        Scripted(503, {"error": "busy"}),
        Scripted(429, {"error": "slow down"}, {"Retry-After": "2"}),
    ]
    clock = FakeClock()
    result = comfyui(tmp_path, fake, clock).generate("x", ImageSpec(width=64, height=48))
    assert Image.open(io.BytesIO(result.data)).size == (64, 48)
    assert len(fake.prompts) == 3
    assert 0.005 <= clock.sleeps[0] <= 0.01 and clock.sleeps[1] == 2.0


def test_a_ui_format_workflow_is_refused_at_selection(tmp_path: Path) -> None:
    ui = tmp_path / "ui.json"
    ui.write_text(json.dumps({"nodes": [], "links": [], "version": 0.4}))
    settings = Settings(data_dir=tmp_path, comfyui={"url": "http://127.0.0.1:9", "workflow": ui})
    with pytest.raises(ProviderNotConfigured) as err:
        ProviderRegistry(settings).image("comfyui")
    assert err.value.setting == "STORYREEL_COMFYUI__WORKFLOW"
    assert "Export (API)" in str(err.value)


def test_missing_configuration_names_the_setting(tmp_path: Path) -> None:
    with pytest.raises(ProviderNotConfigured) as err:
        ProviderRegistry(Settings(data_dir=tmp_path)).image("comfyui")
    assert err.value.setting == "STORYREEL_COMFYUI__URL"
    assert "STORYREEL_COMFYUI__URL" in str(err.value)
    with pytest.raises(ValidationError, match="is not a file"):
        Settings(data_dir=tmp_path, comfyui={"workflow": tmp_path / "nowhere.json"})
