"""Typed settings read from the environment (prefix ``STORYREEL_``); invalid values fail fast."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from platformdirs import user_data_path
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    SecretStr,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_studio_dir() -> Path | None:
    # A source checkout builds the studio into web/dist beside the package (`make studio`).
    built = Path(__file__).resolve().parent.parent / "web" / "dist"
    return built if (built / "index.html").is_file() else None


def _default_data_dir() -> Path:
    return user_data_path("storyreel", appauthor=False)


class ProviderChoice(BaseModel):
    """Which provider serves each capability (``STORYREEL_PROVIDERS__IMAGE=sketch``)."""

    model_config = ConfigDict(extra="forbid")

    storyboard: str = "rules"
    image: str = "sketch"
    voice: str = "espeak"
    motion: str = "kenburns"
    music: str = "ambient"


Strategy = Literal["ordered", "cost", "quality", "speed", "balanced"]


class RouteSetting(BaseModel):
    """One capability's route: the providers to try, in order, and how to rank them. A layer
    (system, a user's settings, a project's) sets what it names; the rest comes from below."""

    model_config = ConfigDict(extra="forbid")

    providers: list[str] | None = Field(
        None,
        min_length=1,
        max_length=10,
        description="Providers to try; the next is used when one fails with a retryable error.",
    )
    strategy: Strategy | None = Field(
        None,
        description="ordered: as listed; cost: cheapest first; quality: best first; speed: "
        "fastest first; balanced: weighs all three. Ties keep the listed order.",
    )


class Routes(BaseModel):
    """Per capability (``STORYREEL_ROUTES__IMAGE='{"providers": ["openai", "sketch"]}'``);
    unset: the single provider chosen in ``providers``."""

    model_config = ConfigDict(extra="forbid")

    storyboard: RouteSetting = Field(default_factory=RouteSetting)
    image: RouteSetting = Field(default_factory=RouteSetting)
    voice: RouteSetting = Field(default_factory=RouteSetting)
    motion: RouteSetting = Field(default_factory=RouteSetting)
    music: RouteSetting = Field(default_factory=RouteSetting)


class ProviderLimit(BaseModel):
    """Self-imposed limits for one provider, so a burst of work does not cause a 429 storm."""

    model_config = ConfigDict(extra="forbid")

    concurrency: int | None = Field(None, ge=1, le=1024, description="Calls in flight at once.")
    requests_per_minute: float | None = Field(None, gt=0, description="Calls started per minute.")


class RouterSettings(BaseModel):
    """Failover, the circuit breaker and per-provider limits (``STORYREEL_ROUTER__...``)."""

    model_config = ConfigDict(extra="forbid")

    failure_threshold: int = Field(
        5, ge=1, le=1000, description="Failures in a row that open a provider's circuit."
    )
    cooldown_s: float = Field(
        60.0, gt=0, le=86_400, description="How long an open circuit skips the provider."
    )
    max_wait_s: float = Field(
        30.0,
        ge=0,
        le=3600,
        description="Longest a call waits for a provider's concurrency or rate limit before "
        "the next provider is tried.",
    )
    limits: dict[str, ProviderLimit] = Field(
        default_factory=dict,
        description='By "capability.provider", e.g. {"image.openai": {"concurrency": 4, '
        '"requests_per_minute": 50}}.',
    )
    motion_fallback: str | None = Field(
        "kenburns",
        description="Motion provider tried last whatever the route says (a still picture "
        "with camera motion beats a failed shot); empty to turn off.",
    )


class Concurrency(BaseModel):
    """How many tasks of each resource class one process runs at once
    (``STORYREEL_CONCURRENCY__GPU=2``)."""

    model_config = ConfigDict(extra="forbid")

    gpu: int = Field(1, ge=0, le=64)
    cpu: int = Field(2, ge=0, le=256)
    llm: int = Field(4, ge=0, le=256)
    io: int = Field(8, ge=0, le=256)


class QuotaLimits(BaseModel):
    """Daily quotas; ``None`` means unlimited. Layered system < plan < user < project."""

    model_config = ConfigDict(extra="forbid")

    images_per_day: int | None = Field(None, ge=0)
    videos_per_day: int | None = Field(None, ge=0)
    render_seconds_per_day: float | None = Field(None, ge=0)
    max_resolution: int | None = Field(
        None, ge=144, description="Largest video, as its shorter side (720 means 720p)."
    )
    max_duration_s: float | None = Field(None, gt=0, description="Longest video, seconds.")
    cost_per_day: float | None = Field(
        None, ge=0, description="Budget: what one account's provider calls may cost per day."
    )
    cost_per_project: float | None = Field(
        None, ge=0, description="Budget: what one project's provider calls may cost in all."
    )


class Plan(BaseModel):
    """A plan: its task priority and the quotas it sets over the system defaults."""

    model_config = ConfigDict(extra="forbid")

    priority: int = Field(0, ge=-100, le=100)
    quotas: QuotaLimits = Field(default_factory=QuotaLimits)


def _default_plans() -> dict[str, Plan]:
    return {
        "guest": Plan(
            priority=-10,
            quotas=QuotaLimits(
                images_per_day=60,
                videos_per_day=3,
                render_seconds_per_day=180,
                max_resolution=720,
                max_duration_s=60,
            ),
        ),
        "free": Plan(priority=0),
        "pro": Plan(
            priority=10,
            quotas=QuotaLimits(images_per_day=5000, videos_per_day=200, max_duration_s=3600),
        ),
    }


class LlmSettings(BaseModel):
    """The OpenAI-compatible chat model that writes storyboards (``STORYREEL_LLM__MODEL=...``):
    OpenAI, DeepSeek, Qwen (DashScope), Moonshot, SiliconFlow, OpenRouter, Ollama, vLLM..."""

    model_config = ConfigDict(extra="forbid")

    base_url: str | None = Field(
        None,
        description="The API root that /chat/completions hangs off, e.g. "
        "https://api.openai.com/v1 or http://127.0.0.1:11434/v1 (Ollama).",
    )
    api_key: SecretStr | None = Field(
        None, description="Sent as a Bearer token; not needed for a server on loopback."
    )
    model: str | None = Field(None, description="Model id, e.g. gpt-4o-mini, deepseek-chat.")
    timeout_s: float = Field(
        300.0, gt=0, le=3600, description="Longest wait for one answer (long JSON is slow)."
    )
    structured: Literal["auto", "json_schema", "json_object", "none"] = Field(
        "auto",
        description="How JSON is asked for: auto tries json_schema, then json_object, then "
        "a plain prompt, as the server refuses each; the others use only that way.",
    )
    max_input_chars: int = Field(
        12_000,
        ge=200,
        le=1_000_000,
        description="Stories longer than this are written part by part (chunks of whole "
        "paragraphs or sentences) and merged.",
    )
    temperature: float = Field(0.4, ge=0, le=2)
    max_output_tokens: int | None = Field(
        None, ge=256, description="Sent as max_tokens; unset: the server's default."
    )
    repair_attempts: int = Field(
        2,
        ge=0,
        le=5,
        description="How often an invalid answer is sent back with its errors to be corrected.",
    )
    price_input_per_1k: float | None = Field(
        None, ge=0, description="Cost of 1,000 prompt tokens, recorded in usage as 'cost'."
    )
    price_output_per_1k: float | None = Field(
        None, ge=0, description="Cost of 1,000 completion tokens."
    )

    @field_validator("base_url", mode="after")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip().rstrip("/")
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value


def _optional_http_url(value: str | None) -> str | None:
    """A blank URL is no URL; a set one must be http(s), and loses its trailing slash."""
    if value is None or not value.strip():
        return None
    value = value.strip().rstrip("/")
    if not value.startswith(("http://", "https://")):
        raise ValueError("must start with http:// or https://")
    return value


def _existing_file(value: Path | None) -> Path | None:
    if value is None:
        return None
    value = value.expanduser()
    if not value.is_file():
        raise ValueError(f"{value} is not a file")
    return value


OptionalHttpUrl = Annotated[str | None, AfterValidator(_optional_http_url)]
OptionalFile = Annotated[Path | None, AfterValidator(_existing_file)]


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
    extra_body: dict[str, JsonValue] = Field(
        default_factory=dict,
        description='More request fields as JSON, e.g. {"quality": "high"}.',
    )
    timeout_s: float = Field(180.0, gt=0, le=3600, description="Longest wait for one answer.")
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


class OpenAISpeechSettings(BaseModel):
    """An OpenAI-compatible ``POST /audio/speech`` API (``STORYREEL_OPENAI_SPEECH__...``)."""

    model_config = ConfigDict(extra="forbid")

    base_url: OptionalHttpUrl = Field(
        "https://api.openai.com/v1",
        description="The API root that /audio/speech hangs off.",
    )
    api_key: SecretStr | None = Field(None, description="Sent as a Bearer token.")
    model: str = Field("tts-1", description="Model id: tts-1, tts-1-hd, gpt-4o-mini-tts...")
    voice: str = Field("alloy", description="The voice 'auto' picks, for every language.")
    voices: dict[str, str] = Field(
        default_factory=lambda: dict.fromkeys(
            ("alloy", "ash", "coral", "echo", "fable", "nova", "onyx", "sage", "shimmer"), "mul"
        ),
        description='Voices offered, as JSON {"voice id": "language"} ("mul": any language).',
    )
    response_format: Literal["wav", "mp3", "flac", "opus", "aac", "pcm"] = Field(
        "wav",
        description="What is asked for; anything but WAV is converted with FFmpeg ('pcm' is "
        "read as 16-bit mono at pcm_sample_rate).",
    )
    pcm_sample_rate: int = Field(24_000, ge=8000, le=192_000)
    instructions: str = Field(
        "", description="How to speak (gpt-4o-mini-tts only); empty: not sent."
    )
    max_chars: int = Field(4096, ge=1, description="Longest text the API accepts at once.")
    timeout_s: float = Field(120.0, gt=0, le=3600, description="Longest wait for one answer.")
    price_per_1k_chars: float = Field(
        0.015, ge=0, description="Cost of 1,000 characters spoken (usage 'cost')."
    )


def _cosyvoice_speakers() -> dict[str, str]:
    # The speakers of CosyVoice-300M-SFT, the model the SFT endpoint is made for.
    return {
        "中文女": "zh",
        "中文男": "zh",
        "英文女": "en",
        "英文男": "en",
        "日语男": "ja",
        "粤语女": "yue",
        "韩语女": "ko",
    }


class CosyVoiceSettings(BaseModel):
    """CosyVoice's FastAPI server (runtime/python/fastapi/server.py in the CosyVoice repository)
    (``STORYREEL_COSYVOICE__URL=http://127.0.0.1:50000``)."""

    model_config = ConfigDict(extra="forbid")

    url: OptionalHttpUrl = Field(None, description="The server, e.g. http://127.0.0.1:50000.")
    mode: Literal["sft", "zero_shot", "cross_lingual", "instruct", "instruct2"] = Field(
        "sft",
        description="Which endpoint speaks: sft (a built-in speaker), zero_shot and "
        "cross_lingual (the voice of prompt_wav), instruct (a speaker told how to speak), "
        "instruct2 (prompt_wav's voice told how to speak).",
    )
    method: Literal["GET", "POST"] = Field(
        "GET",
        description="The official server takes its form fields on GET; some forks want POST.",
    )
    voices: dict[str, str] = Field(
        default_factory=_cosyvoice_speakers,
        description='Speakers (spk_id) offered, as JSON {"speaker": "language"}.',
    )
    default_voices: dict[str, str] = Field(
        default_factory=lambda: {"zh": "中文女", "en": "英文女", "ja": "日语男", "ko": "韩语女"},
        description="The speaker 'auto' picks per language of the text.",
    )
    prompt_wav: OptionalFile = Field(
        None, description="A 3–10 s recording whose voice zero_shot/cross_lingual/instruct2 use."
    )
    prompt_text: str = Field("", description="What prompt_wav says (zero_shot).")
    instruct_text: str = Field("", description="How to speak (instruct, instruct2).")
    sample_rate: int = Field(
        22_050,
        ge=8000,
        le=192_000,
        description="Of the raw PCM the server streams: 22050 for CosyVoice-300M, 24000 for "
        "CosyVoice2 and 3 (a server that sends X-Custom-Header-sampleRate overrides it).",
    )
    timeout_s: float = Field(300.0, gt=0, le=3600, description="Longest wait for one answer.")
    price_per_1k_chars: float = Field(0.0, ge=0, description="Cost of 1,000 characters spoken.")


class HttpMotionSettings(BaseModel):
    """A hosted image-to-video API that takes a job and is polled until it is done
    (``STORYREEL_HTTP_MOTION__BASE_URL=...``). Field paths are dotted (``output.0.url``)."""

    model_config = ConfigDict(extra="forbid")

    base_url: OptionalHttpUrl = Field(
        None, description="The API root, e.g. https://api.example.com."
    )
    api_key: SecretStr | None = Field(None, description="Sent in auth_header.")
    auth_header: str = Field("Authorization", description="Header that carries the key.")
    auth_prefix: str = Field("Bearer ", description="Written before the key in that header.")
    model: str = Field("", description="Sent in model_field when both are set.")
    submit_path: str = Field("/v1/image-to-video", description="Where a job is submitted.")
    submit_method: Literal["POST", "PUT"] = Field("POST")
    model_field: str = Field("model", description="Request field for the model.")
    image_field: str = Field("image", description="Request field for the picture.")
    image_encoding: Literal["data_url", "base64"] = Field(
        "data_url", description="data:image/png;base64,... or bare base64."
    )
    prompt_field: str = Field("prompt", description="Request field for the prompt; empty: none.")
    prompt_template: str = Field(
        "{prompt}{camera}, steady cinematic motion",
        description="The prompt sent: {prompt} is the shot's picture prompt (with ', ' after "
        "it when there is one), {camera} the camera move, {shot_type} the framing.",
    )
    duration_field: str = Field("duration", description="Request field for seconds; empty: none.")
    durations: list[float] = Field(
        default_factory=list,
        description="Durations the API accepts (e.g. [5, 10]); the nearest is asked for. "
        "Empty: the shot's own length.",
    )
    seed_field: str = Field("seed", description="Request field for the seed; empty: none.")
    extra_body: dict[str, JsonValue] = Field(
        default_factory=dict, description="More request fields, as JSON."
    )
    job_id_path: str = Field("id", description="Where the submit answer names the job.")
    status_path: str = Field(
        "/v1/jobs/{id}", description="Where a job is polled ({id}: the job id)."
    )
    status_field: str = Field("status", description="Where the poll answer says the state.")
    done_values: list[str] = Field(
        default_factory=lambda: ["succeeded", "success", "completed", "done"],
        description="States that mean finished (case-insensitive).",
    )
    failed_values: list[str] = Field(
        default_factory=lambda: ["failed", "failure", "error", "cancelled", "canceled"],
        description="States that mean it will never finish.",
    )
    error_field: str = Field("error", description="Where a failed job says why.")
    result_url_field: str = Field(
        "output.url", description="Where a finished job gives the MP4's URL."
    )
    poll_interval_s: float = Field(3.0, gt=0, le=300)
    time_limit_s: float = Field(900.0, gt=0, description="Longest a clip may take.")
    timeout_s: float = Field(120.0, gt=0, le=3600, description="Longest wait for one answer.")
    price_per_second: float = Field(0.0, ge=0, description="Cost of one second of video.")


class RateLimits(BaseModel):
    """Request rate limits in the ``limits`` notation ("600/minute; 20/second")."""

    model_config = ConfigDict(extra="forbid")

    per_user: str = "1200/minute;100/second"
    per_ip: str = "2400/minute;200/second"
    # Logins and registrations per IP: slows password guessing.
    auth_per_ip: str = "30/minute"
    # Voice samples per user: each one is synthesised in the API process.
    samples_per_user: str = "30/minute"


def _edge_endpoint(value: str | None) -> str | None:
    """A blank endpoint is none; a set one must be a WebSocket (or HTTP) URL."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if not value.startswith(("ws://", "wss://", "http://", "https://")):
        raise ValueError("must start with ws://, wss://, http:// or https://")
    return value


class EdgeTtsSettings(BaseModel):
    """Microsoft Edge's online read-aloud voices through the edge-tts package
    (``STORYREEL_EDGE_TTS__...``); install with ``pip install 'storyreel[edge]'``."""

    model_config = ConfigDict(extra="forbid")

    default_voices: dict[str, str] = Field(
        default_factory=lambda: {"zh": "zh-CN-XiaoxiaoNeural", "en": "en-US-AriaNeural"},
        description="The voice 'auto' picks per language of the text, as JSON {\"language\": "
        '"voice"}; a language not listed gets the first built-in voice that speaks it.',
    )
    extra_voices: list[str] = Field(
        default_factory=list,
        description="More voices to offer besides the built-in zh/en list: any id from "
        "`edge-tts --list-voices`, e.g. fr-FR-DeniseNeural.",
    )
    endpoint: Annotated[str | None, AfterValidator(_edge_endpoint)] = Field(
        None,
        description="A WebSocket URL to speak to instead of Microsoft's, e.g. a self-hosted "
        "relay (wss://tts.example.com/edge/v1); edge-tts's query (TrustedClientToken, "
        "ConnectionId, Sec-MS-GEC...) is appended. Unset: Microsoft's service.",
    )
    proxy: OptionalHttpUrl = Field(
        None, description="HTTP proxy for the connection, e.g. http://127.0.0.1:7890."
    )
    timeout_s: float = Field(
        60.0, gt=0, le=3600, description="Longest one narration may take, connecting included."
    )
    price_per_1k_chars: float = Field(
        0.0,
        ge=0,
        description="Cost of 1,000 characters spoken (usage 'cost'); the service is free.",
    )


LocalDevice = Literal["auto", "cuda", "mps", "cpu"]
LocalDtype = Literal["auto", "float16", "bfloat16", "float32"]


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


class SvdSettings(BaseModel):
    """Stable Video Diffusion image-to-video from a local folder in diffusers format
    (``STORYREEL_SVD__MODEL_PATH=/models/svd-xt``); install with
    ``pip install 'storyreel[diffusers]'``. Weights are read from disk, never downloaded."""

    model_config = ConfigDict(extra="forbid")

    model_path: Path | None = Field(
        None,
        description="The pipeline folder, e.g. stabilityai/stable-video-diffusion-img2vid-xt "
        "downloaded with `hf download ... --local-dir DIR`.",
    )
    variant: str | None = Field(
        None, description="Weights variant to load, e.g. 'fp16' for *.fp16.safetensors files."
    )
    device: LocalDevice = Field("auto", description="auto: CUDA, else Apple MPS, else the CPU.")
    dtype: LocalDtype = Field("auto", description="auto: float16 on CUDA, float32 elsewhere.")
    num_frames: int | None = Field(
        None, ge=2, le=128, description="Frames per clip; unset: the model's (14 SVD, 25 XT)."
    )
    fps: int = Field(
        7, ge=1, le=60, description="The clip's frame rate, also told to the model (trained at 7)."
    )
    motion_bucket_id: int = Field(
        127, ge=1, le=255, description="How much moves in the clip: higher, more motion."
    )
    noise_aug_strength: float = Field(
        0.02,
        ge=0,
        le=1,
        description="Noise added to the picture: more lets the clip stray from it (and move more).",
    )
    decode_chunk_size: int = Field(
        8, ge=1, le=128, description="Frames decoded at once: fewer use less GPU memory."
    )
    steps: int = Field(25, ge=1, le=200, description="Denoising steps.")
    min_guidance: float = Field(1.0, ge=0, le=50, description="Guidance at the first frame.")
    max_guidance: float = Field(3.0, ge=0, le=50, description="Guidance at the last frame.")
    resolution: int = Field(
        768,
        ge=64,
        le=2048,
        description="Frames are made at about this squared in the picture's aspect ratio, in "
        "the model's multiple (64 for SVD; 768 is about 1024×576, the size SVD was trained "
        "at), then scaled to the picture's own size.",
    )
    crf: int = Field(18, ge=0, le=51, description="H.264 quality of the clip (lower: better).")

    @model_validator(mode="after")
    def _guidance_rises(self) -> SvdSettings:
        if self.max_guidance < self.min_guidance:
            raise ValueError("max_guidance must not be below min_guidance")
        return self


class Settings(BaseSettings):
    """Everything the product can be configured with; one object, built once per process."""

    model_config = SettingsConfigDict(
        env_prefix="STORYREEL_",
        env_nested_delimiter="__",
        extra="ignore",
    )

    env: Literal["development", "production", "test"] = "development"
    data_dir: Path = Field(
        default_factory=_default_data_dir,
        description="Every file the product keeps (caches, database, blobs) lives under here.",
    )
    ffmpeg: Path | None = Field(
        default=None,
        description="FFmpeg binary to use instead of the one bundled with imageio-ffmpeg.",
    )
    render_jobs: int = Field(
        default_factory=lambda: os.cpu_count() or 1,
        ge=1,
        le=64,
        description="How many segments render at once.",
    )
    render_timeout_s: float = Field(
        default=3600.0,
        gt=0,
        description="Longest a single FFmpeg invocation may run before it is killed.",
    )
    render_cache_gb: float = Field(
        default=5.0,
        ge=0,
        description="Size the render cache (segments, soundtracks) is trimmed to after a render.",
    )
    providers: ProviderChoice = Field(default_factory=ProviderChoice)
    routes: Routes = Field(
        default_factory=Routes,
        description="Ordered providers and a strategy per capability, with failover.",
    )
    router: RouterSettings = Field(default_factory=RouterSettings)
    llm: LlmSettings = Field(
        default_factory=LlmSettings,
        description="The chat model of the 'openai' storyboard writer (STORYREEL_LLM__...).",
    )
    openai_image: OpenAIImageSettings = Field(
        default_factory=OpenAIImageSettings,
        description="The 'openai' image provider (STORYREEL_OPENAI_IMAGE__...).",
    )
    comfyui: ComfyUISettings = Field(
        default_factory=ComfyUISettings,
        description="The 'comfyui' image provider (STORYREEL_COMFYUI__...).",
    )
    openai_speech: OpenAISpeechSettings = Field(
        default_factory=OpenAISpeechSettings,
        description="The 'openai' voice provider (STORYREEL_OPENAI_SPEECH__...).",
    )
    cosyvoice: CosyVoiceSettings = Field(
        default_factory=CosyVoiceSettings,
        description="The 'cosyvoice' voice provider (STORYREEL_COSYVOICE__...).",
    )
    http_motion: HttpMotionSettings = Field(
        default_factory=HttpMotionSettings,
        description="The 'http' image-to-video provider (STORYREEL_HTTP_MOTION__...).",
    )
    diffusers: DiffusersSettings = Field(
        default_factory=DiffusersSettings,
        description="The 'diffusers' local image provider (STORYREEL_DIFFUSERS__...).",
    )
    svd: SvdSettings = Field(
        default_factory=SvdSettings,
        description="The 'svd' local image-to-video provider (STORYREEL_SVD__...).",
    )
    model_cache_gb: float = Field(
        default=16.0,
        ge=0,
        description="Memory (GPU, else RAM) the loaded local models of 'diffusers' and 'svd' "
        "may hold together; past it the least recently used are unloaded. 0: only the one "
        "in use stays loaded.",
    )
    edge_tts: EdgeTtsSettings = Field(
        default_factory=EdgeTtsSettings,
        description="The 'edge' voice provider (STORYREEL_EDGE_TTS__...).",
    )
    max_story_chars: int = Field(
        default=100_000,
        ge=100,
        le=10_000_000,
        description="Longest story accepted, in characters (STORYREEL_MAX_STORY_CHARS).",
    )
    database_url: str | None = Field(
        default=None,
        description="sqlite:///… or postgresql://…; default: a SQLite file in the data dir.",
    )
    storage_url: str | None = Field(
        default=None,
        description="Where blobs live: file:///path or a folder path; default: blobs/ in the "
        "data dir. Resolved to a BlobStore in one place (storyreel.storage.store_from_settings).",
    )
    executor: Literal["local", "celery"] = Field(
        default="local", description="Run tasks in-process threads or on Celery workers."
    )
    broker_url: str = Field(
        default="redis://127.0.0.1:6379/0", description="Celery broker (executor=celery)."
    )
    events_url: str = Field(
        default="memory://", description="Event bus: memory:// or redis://host:port/db."
    )
    concurrency: Concurrency = Field(default_factory=Concurrency)
    lease_s: float = Field(
        default=60.0, gt=0, description="A running task's lease; heartbeats renew it."
    )
    heartbeat_s: float = Field(default=15.0, gt=0, description="How often leases are renewed.")
    reaper_interval_s: float = Field(
        default=10.0, gt=0, description="How often expired leases are looked for."
    )
    host: str = Field(default="127.0.0.1", description="Where `storyreel serve` listens.")
    port: int = Field(default=8000, ge=1, le=65535)
    jwt_secret: SecretStr | None = Field(
        default=None,
        description="Signs access and refresh tokens; generated into the data dir if unset "
        "(required when STORYREEL_ENV=production).",
    )
    webhook_secret: SecretStr | None = Field(
        default=None,
        description="Derives each webhook's signing secret; generated like jwt_secret.",
    )
    provider_keys_secret: SecretStr | None = Field(
        default=None,
        description="Encrypts the provider keys accounts store; several, comma-separated, to "
        "rotate (the first encrypts). Generated like jwt_secret if unset.",
    )
    access_token_ttl_s: int = Field(default=900, ge=30, le=86_400)
    refresh_token_ttl_s: int = Field(default=30 * 86_400, ge=300)
    signed_url_ttl_s: int = Field(
        default=600, ge=10, le=86_400, description="How long an asset download link works."
    )
    admin_email: str | None = Field(
        default=None, description="The admin account made on first start of an empty database."
    )
    admin_password: SecretStr | None = Field(default=None)
    allow_registration: bool = Field(default=True, description="Anyone may create an account.")
    upload_max_bytes: int = Field(default=20 * 1024 * 1024, ge=1024)
    upload_max_pixels: int = Field(
        default=40_000_000, ge=10_000, description="Larger images are refused (pixel bombs)."
    )
    rate_limit_url: str = Field(
        default="memory://", description="Rate-limit counters: memory:// or redis://host/db."
    )
    rate_limits: RateLimits = Field(default_factory=RateLimits)
    quotas: QuotaLimits = Field(
        default_factory=lambda: QuotaLimits(
            images_per_day=1000,
            videos_per_day=50,
            render_seconds_per_day=3 * 3600,
            max_resolution=1080,
            max_duration_s=1200,
        ),
        description="System-wide daily quotas (STORYREEL_QUOTAS__IMAGES_PER_DAY=...).",
    )
    currency: str = Field(
        "USD",
        min_length=1,
        max_length=8,
        description="The currency of provider prices and budgets (shown, never converted).",
    )
    plans: dict[str, Plan] = Field(default_factory=_default_plans)
    default_plan: str = Field(default="free", description="The plan new accounts get.")
    webhook_allow_private: bool = Field(
        default=False, description="Let webhooks call private (RFC 1918) addresses."
    )
    webhook_allow_loopback: bool = Field(
        default=False, description="Let webhooks call loopback addresses (tests, one box)."
    )
    readyz_providers: bool = Field(
        default=False,
        description="/readyz also checks that each capability has a healthy provider "
        "(network providers are asked; a hosted API being down then fails readiness).",
    )
    log_format: Literal["json", "console"] = Field(default="json")
    studio_dir: Path | None = Field(
        default_factory=lambda: _default_studio_dir(),
        description=(
            "The built web studio (web/dist) served at /; unset or missing: the API only."
        ),
    )
    subtitle_font_file: Path | None = Field(
        default=None,
        description="Font for burned-in subtitles; defaults to the bundled Noto Sans SC.",
    )

    @field_validator("data_dir", mode="after")
    @classmethod
    def _expand_data_dir(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @field_validator("ffmpeg", "subtitle_font_file", mode="after")
    @classmethod
    def _must_exist(cls, value: Path | None) -> Path | None:
        if value is not None and not value.expanduser().is_file():
            raise ValueError(f"{value} is not a file")
        return value.expanduser() if value is not None else None

    @field_validator("heartbeat_s", mode="after")
    @classmethod
    def _heartbeat_within_lease(cls, value: float, info: ValidationInfo) -> float:
        lease = info.data.get("lease_s")
        if lease is not None and value >= lease:
            raise ValueError(f"must be shorter than the lease ({lease} s) or leases expire")
        return value

    @model_validator(mode="after")
    def _production_needs_explicit_secrets(self) -> Settings:
        if self.env == "production":
            missing = [
                f"STORYREEL_{name.upper()}"
                for name in ("jwt_secret", "webhook_secret", "provider_keys_secret")
                if getattr(self, name) is None or len(getattr(self, name).get_secret_value()) < 32
            ]
            if missing:
                raise ValueError(
                    f"STORYREEL_ENV=production needs {', '.join(missing)} set explicitly "
                    "(random strings of at least 32 characters, e.g. `openssl rand -hex 32`)"
                )
        if self.default_plan not in self.plans:
            raise ValueError(
                f"default_plan {self.default_plan!r} is not one of the plans {sorted(self.plans)}"
            )
        return self

    @property
    def cache_dir(self) -> Path:
        return self.data_dir / "cache"

    @property
    def database(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'storyreel.db'}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (tests build their own ``Settings`` instead)."""
    return Settings()
