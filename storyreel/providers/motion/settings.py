"""Settings of the image-to-video providers (``http``, ``svd``).

Cheap to import (pydantic only): ``storyreel.settings`` builds ``Settings`` from it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue, SecretStr, model_validator

from storyreel.providers.sections import (
    LocalDevice,
    LocalDtype,
    OptionalHttpUrl,
    SettingsSection,
)


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


HTTP_MOTION = SettingsSection(
    "http_motion",
    HttpMotionSettings,
    key="api_key",
    label="Moving clips (image-to-video API)",
    description="The 'http' image-to-video provider (STORYREEL_HTTP_MOTION__...).",
)
SVD = SettingsSection(
    "svd",
    SvdSettings,
    description="The 'svd' local image-to-video provider (STORYREEL_SVD__...).",
)
