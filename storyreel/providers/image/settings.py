"""Settings of the network and local image providers (``openai``, ``comfyui``, ``diffusers``).

Cheap to import (pydantic only): ``storyreel.settings`` builds ``Settings`` from it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue, SecretStr

from storyreel.providers.sections import (
    LocalDevice,
    LocalDtype,
    OptionalFile,
    OptionalHttpUrl,
    RetryBudget,
    SettingsSection,
)

#: A provider's ``prompt_family`` setting: a family of ``storyreel.domain.visual_words``, or
#: ``auto`` (by the model's name or pipeline: ``storyreel.providers.image.families``).
PromptFamilySetting = Literal["auto", "plain", "sd", "sdxl", "flux", "dalle", "qwen"]


class OpenAIImageSettings(BaseModel):
    """An OpenAI-compatible ``POST /images/generations`` API — OpenAI, SiliconFlow, Together...
    (``STORYREEL_OPENAI_IMAGE__API_KEY=...``)."""

    model_config = ConfigDict(extra="forbid")

    base_url: OptionalHttpUrl = Field(
        "https://api.openai.com/v1",
        description="The API root that /images/generations hangs off, e.g. "
        "https://api.siliconflow.cn/v1.",
    )
    api_key: SecretStr | None = Field(None, description="Sent as a Bearer token.")
    model: str = Field(
        "gpt-image-1", description="Model id, e.g. gpt-image-1, dall-e-3, Kwai-Kolors/Kolors."
    )
    sizes: list[str] = Field(
        default_factory=lambda: ["1024x1024", "1536x1024", "1024x1536"],
        description="Sizes the model accepts (WIDTHxHEIGHT); the one nearest the frame's aspect "
        "ratio is asked for and the picture cropped and resized to the exact frame. Empty: ask "
        "for the frame's own size.",
    )
    size_format: Literal["size", "image_size", "width_height"] = Field(
        "size",
        description="How the size is sent: 'size' (OpenAI), 'image_size' (SiliconFlow) or "
        "separate 'width' and 'height' numbers (Together).",
    )
    response_format: Literal["auto", "b64_json", "base64", "url"] = Field(
        "auto",
        description="What is asked for; 'auto' sends no response_format (gpt-image-1 refuses "
        "it) and takes base64 or a URL, whichever comes back.",
    )
    negative_prompt_field: str = Field(
        "",
        description="Request field for the shot's negative prompt ('negative_prompt' on "
        "SiliconFlow and Together); empty: not sent (OpenAI has none).",
    )
    seed_field: str = Field(
        "", description="Request field for the seed ('seed' on SiliconFlow, Together)."
    )
    steps_field: str = Field(
        "", description="Request field for sampling steps ('num_inference_steps', 'steps')."
    )
    guidance_field: str = Field(
        "", description="Request field for guidance ('guidance_scale' on SiliconFlow)."
    )
    prompt_family: PromptFamilySetting = Field(
        "auto",
        description="How prompts are written for the model: 'sd'/'sdxl' tags with a negative "
        "prompt, 'flux', 'dalle' or 'qwen' sentences; 'auto' goes by the model id (gpt-image "
        "and dall-e: dalle, FLUX, Qwen-Image, SDXL/Kolors...), else dalle.",
    )
    extra_body: dict[str, JsonValue] = Field(
        default_factory=dict,
        description='More request fields as JSON, e.g. {"quality": "high"}.',
    )
    timeout_s: float = Field(180.0, gt=0, le=3600, description="Longest wait for one answer.")
    retry_budget_s: RetryBudget = 30.0
    price_per_image: float = Field(
        0.04, ge=0, description="Cost of one picture, recorded in usage as 'cost'."
    )


class ComfyUISettings(BaseModel):
    """A ComfyUI server driven through its HTTP API (``STORYREEL_COMFYUI__URL=...``)."""

    model_config = ConfigDict(extra="forbid")

    url: OptionalHttpUrl = Field(None, description="The server, e.g. http://127.0.0.1:8188.")
    api_key: SecretStr | None = Field(
        None, description="Bearer token, for a ComfyUI behind an authenticating proxy."
    )
    workflow: OptionalFile = Field(
        None,
        description="API-format workflow JSON with {{placeholders}}; default: the bundled "
        "text-to-image workflow (comfyui_workflows/txt2img.json).",
    )
    reference_workflow: OptionalFile = Field(
        None,
        description="Workflow used when a shot has character reference pictures; default: the "
        "bundled one that starts from the first reference (comfyui_workflows/reference.json).",
    )
    checkpoint: str = Field(
        "sd_xl_base_1.0.safetensors",
        description="Fills {{model}}; a per-call model overrides it.",
    )
    prompt_family: PromptFamilySetting = Field(
        "auto",
        description="How prompts are written for the checkpoint: 'sd' or 'sdxl' tags with a "
        "negative prompt, 'flux' or 'qwen' sentences; 'auto' goes by the checkpoint's file "
        "name, else sdxl.",
    )
    resolution: int = Field(
        1024,
        ge=256,
        le=4096,
        description="The checkpoint's native side: pictures are made at about this squared in "
        "the frame's aspect ratio (multiples of 64), then resized to the exact frame.",
    )
    steps: int = Field(25, ge=1, le=200, description="Fills {{steps}} unless a call sets it.")
    cfg: float = Field(7.0, ge=0, le=50, description="Fills {{cfg}} unless a call sets it.")
    denoise: float = Field(
        0.75, gt=0, le=1, description="Fills {{denoise}}: how far from the reference to go."
    )
    output_node: str = Field(
        "", description="Node id whose images are the result; empty: the first saved image."
    )
    poll_interval_s: float = Field(1.0, gt=0, le=60, description="How often history is asked.")
    time_limit_s: float = Field(
        600.0, gt=0, description="Longest a picture may take, queueing included."
    )
    timeout_s: float = Field(60.0, gt=0, le=3600, description="Longest wait for one answer.")
    price_per_image: float = Field(0.0, ge=0, description="Cost of one picture (usage 'cost').")


class DiffusersSettings(BaseModel):
    """Local text-to-image pipelines in diffusers format — SD-Turbo, SDXL-Turbo, SDXL, FLUX...
    (``STORYREEL_DIFFUSERS__MODEL_PATH=/models/sdxl-turbo``); install with
    ``pip install 'storyreel[diffusers]'``. Weights are read from disk, never downloaded."""

    model_config = ConfigDict(extra="forbid")

    model_path: Path | None = Field(
        None,
        description="A pipeline folder in diffusers format (model_index.json and a folder per "
        "component), e.g. what `hf download stabilityai/sdxl-turbo --local-dir DIR` or "
        "`pipeline.save_pretrained(DIR)` writes.",
    )
    models_dir: Path | None = Field(
        None,
        description="A folder of more pipeline folders that a call may pick by name (the "
        "image options' model); unset: only model_path is used.",
    )
    prompt_family: PromptFamilySetting = Field(
        "auto",
        description="How prompts are written for the model: 'sd'/'sdxl' tags with a negative "
        "prompt, 'flux' or 'qwen' sentences; 'auto' goes by the folder's pipeline class "
        "(StableDiffusionXLPipeline: sdxl, FluxPipeline: flux...), else by its name, else sdxl.",
    )
    variant: str | None = Field(
        None, description="Weights variant to load, e.g. 'fp16' for *.fp16.safetensors files."
    )
    device: LocalDevice = Field("auto", description="auto: CUDA, else Apple MPS, else the CPU.")
    dtype: LocalDtype = Field(
        "auto", description="auto: float16 on CUDA (bfloat16 for FLUX), float32 elsewhere."
    )
    steps: int = Field(
        4,
        ge=1,
        le=200,
        description="Denoising steps unless a call sets them: 1–4 for SD-Turbo, SDXL-Turbo and "
        "FLUX.1-schnell; 25–50 for SDXL and FLUX.1-dev.",
    )
    guidance: float = Field(
        0.0,
        ge=0,
        le=50,
        description="Guidance scale unless a call sets it: 0 for Turbo models and "
        "FLUX.1-schnell, 5–7 for SDXL, 3.5 for FLUX.1-dev.",
    )
    resolution: int | None = Field(
        None,
        ge=64,
        le=4096,
        description="The model's native side (512 for SD-Turbo, 1024 for SDXL and FLUX): "
        "pictures are made at about this squared in the frame's aspect ratio, then resized to "
        "the exact frame. Unset: at the frame's own size (rounded up to a multiple of 8, or 16 "
        "for transformer models such as FLUX).",
    )
    ip_adapter_path: Path | None = Field(
        None,
        description="A folder of IP-Adapter weights (laid out like h94/IP-Adapter), used for "
        "shots with character reference pictures; unset: references are ignored.",
    )
    ip_adapter_subfolder: str = Field(
        "models",
        description="The folder inside ip_adapter_path holding the weights: 'models' for "
        "SD 1.5, 'sdxl_models' for SDXL.",
    )
    ip_adapter_weight_name: str = Field(
        "ip-adapter_sd15.safetensors",
        description="The weights file in that folder, e.g. ip-adapter_sdxl.safetensors.",
    )
    ip_adapter_image_encoder: str = Field(
        "image_encoder",
        description="The CLIP image encoder's folder: inside ip_adapter_subfolder, or (with a "
        "'/') inside ip_adapter_path, e.g. models/image_encoder for the ViT-H SDXL adapters.",
    )
    ip_adapter_scale: float = Field(
        0.6, ge=0, le=2, description="How strongly a reference steers the picture (0: not at all)."
    )


OPENAI_IMAGE = SettingsSection(
    "openai_image",
    OpenAIImageSettings,
    key="api_key",
    label="Pictures (OpenAI-compatible images)",
    description="The 'openai' image provider (STORYREEL_OPENAI_IMAGE__...).",
)
COMFYUI = SettingsSection(
    "comfyui",
    ComfyUISettings,
    key="api_key",
    label="Pictures (ComfyUI)",
    description="The 'comfyui' image provider (STORYREEL_COMFYUI__...).",
)
DIFFUSERS = SettingsSection(
    "diffusers",
    DiffusersSettings,
    description="The 'diffusers' local image provider (STORYREEL_DIFFUSERS__...).",
)
