"""Moving clips from Stable Video Diffusion (SVD, SVD-XT) run locally: the shot's picture
becomes a few seconds of video, encoded by FFmpeg as an H.264 MP4 at the picture's size.

The pipeline is read from a folder on disk (never downloaded) and kept in the process's model
cache (``local_models``). Frames are made at about ``resolution`` squared in the picture's
aspect ratio, in the model's multiple of 64, and scaled to the picture's size when encoded. A
clip shorter than its shot holds its last frame (the renderer pads it).

torch and diffusers are imported inside the methods that need them, so this module imports
without the ``diffusers`` extra; ``check()`` names the command that installs it.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any, ClassVar

from PIL import Image, ImageOps

from storyreel.media.ffmpeg import FFmpegError, find_ffmpeg, run_ffmpeg
from storyreel.providers import local_models
from storyreel.providers.base import (
    MotionGenerator,
    MotionResult,
    MotionSpec,
    ProviderError,
    Usage,
)
from storyreel.providers.image.fitting import open_image
from storyreel.providers.motion.settings import SVD, SvdSettings
from storyreel.settings import Settings

_SETTING = SVD.env_prefix


def clip_argv(
    ffmpeg: str, frames: str, fps: int, width: int, height: int, crf: int, out: Path
) -> list[str]:
    """The FFmpeg command that encodes numbered PNG ``frames`` (a %04d pattern) into an H.264
    MP4 of ``width``×``height`` (cover fit), BT.709, yuv420p, ``fps`` frames a second."""
    fit = (
        f"crop=w='min(iw,ih*{width}/{height})':h='min(ih,iw*{height}/{width})',"
        f"scale={width}:{height}:flags=lanczos:out_color_matrix=bt709:out_range=tv,"
        "setsar=1,format=yuv420p"
    )
    return [
        ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
        "-framerate", str(fps), "-i", frames,
        "-vf", fit,
        "-c:v", "libx264", "-preset", "medium", "-crf", str(crf), "-pix_fmt", "yuv420p",
        "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709",
        "-color_range", "tv",
        "-movflags", "+faststart", "-an",
        str(out),
    ]  # fmt: skip


class SvdMotion(MotionGenerator):
    """An image-to-video clip per shot from a local Stable Video Diffusion pipeline."""

    name: ClassVar[str] = "svd"
    section = SVD
    quality: ClassVar[int] = 4
    speed: ClassVar[int] = 1
    # The same picture, settings and seed give the same clip on the same device.
    deterministic: ClassVar[bool] = True

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.config: SvdSettings = settings.svd
        self._models = local_models.shared_cache(settings.model_cache_gb)

    @property
    def model(self) -> str:
        c = self.config
        folder = c.model_path.expanduser().name if c.model_path is not None else "unset"
        # Every setting that changes the clip is part of the cache key through the model.
        return (
            f"{folder}:f{c.num_frames or 'auto'}@{c.fps}:m{c.motion_bucket_id}"
            f":n{c.noise_aug_strength:g}:s{c.steps}:g{c.min_guidance:g}-{c.max_guidance:g}"
            f":r{c.resolution}:crf{c.crf}"
        )

    def check(self) -> None:
        local_models.check_installed(self.name)
        local_models.check_pipeline_folder(
            self.name, f"{_SETTING}MODEL_PATH", self.config.model_path
        )

    def animate(self, image: bytes, spec: MotionSpec) -> MotionResult:
        began = time.perf_counter()
        c = self.config
        folder = local_models.check_pipeline_folder(
            self.name, f"{_SETTING}MODEL_PATH", c.model_path
        )
        picture = open_image(image, "the shot's picture").convert("RGB")
        # H.264 in yuv420p wants even sides.
        width, height = max(2, picture.width // 2 * 2), max(2, picture.height // 2 * 2)
        device = local_models.pick_device(c.device, self.name, f"{_SETTING}DEVICE")
        dtype = local_models.pick_dtype(c.dtype, device)
        key = local_models.ModelKey(str(folder), "svd", device, dtype, c.variant)
        with self._models.use(
            key,
            lambda: self._load(folder, device, dtype),
            estimate_bytes=local_models.weight_files_bytes(folder, c.variant),
        ) as entry:
            pipe = entry.value
            gen_width, gen_height = local_models.scaled_size(
                picture.width, picture.height, c.resolution, _multiple(pipe)
            )
            started = time.perf_counter()
            frames = self._run(
                pipe,
                {
                    "image": ImageOps.fit(
                        picture, (gen_width, gen_height), Image.Resampling.LANCZOS
                    ),
                    "width": gen_width,
                    "height": gen_height,
                    "num_frames": c.num_frames or int(pipe.unet.config.num_frames),
                    "num_inference_steps": c.steps,
                    "min_guidance_scale": c.min_guidance,
                    "max_guidance_scale": c.max_guidance,
                    "fps": c.fps,
                    "motion_bucket_id": c.motion_bucket_id,
                    "noise_aug_strength": c.noise_aug_strength,
                    "decode_chunk_size": c.decode_chunk_size,
                    "generator": local_models.generator(device, spec.seed),
                    "output_type": "pil",
                },
            )
            computed = time.perf_counter() - started
        clip = self.encode(frames, width, height)
        return MotionResult(
            usage=Usage(
                provider=self.name,
                model=folder.name,
                seconds=time.perf_counter() - began,
                units={
                    "video_seconds": round(len(frames) / c.fps, 3),
                    **local_models.usage_units(device, computed),
                },
            ),
            clip=clip,
        )

    def encode(self, frames: list[Image.Image], width: int, height: int) -> bytes:
        """The frames as an MP4 of ``width``×``height`` at the configured frame rate."""
        with tempfile.TemporaryDirectory(prefix="storyreel-svd-") as tmp:
            folder = Path(tmp)
            for i, frame in enumerate(frames):
                frame.convert("RGB").save(folder / f"{i:04d}.png", compress_level=1)
            out = folder / "clip.mp4"
            argv = clip_argv(
                find_ffmpeg(self.settings.ffmpeg),
                str(folder / "%04d.png"),
                self.config.fps,
                width,
                height,
                self.config.crf,
                out,
            )
            try:
                run_ffmpeg(argv, timeout=self.settings.render_timeout_s)
            except FFmpegError as err:
                raise ProviderError(f"{self.name}: encoding the clip failed: {err}") from err
            return out.read_bytes()

    def _load(self, folder: Path, device: str, dtype: str) -> Any:
        from diffusers import StableVideoDiffusionPipeline

        local_models.quiet_loading()
        kwargs: dict[str, Any] = {"local_files_only": True, **local_models.dtype_kwargs(dtype)}
        if self.config.variant:
            kwargs["variant"] = self.config.variant
        try:
            pipe = StableVideoDiffusionPipeline.from_pretrained(str(folder), **kwargs)
            pipe.to(device)
        except Exception as err:  # corrupt or incomplete folders fail in many ways
            raise local_models.load_failed(self.name, folder, err) from err
        pipe.set_progress_bar_config(disable=True)
        return pipe

    def _run(self, pipe: Any, call: dict[str, Any]) -> list[Image.Image]:
        try:
            frames = pipe(**call).frames[0]
        except local_models.out_of_memory_errors() as err:
            self._models.clear()
            raise ProviderError(
                f"{self.name}: out of memory ({_SETTING}DECODE_CHUNK_SIZE or "
                f"{_SETTING}RESOLUTION lower need less): {err}",
                retryable=True,
            ) from err
        except Exception as err:  # the pipeline's own errors: bad sizes, dtypes, inputs
            raise ProviderError(f"{self.name}: {type(err).__name__}: {err}") from err
        if not frames or not all(isinstance(f, Image.Image) for f in frames):
            raise ProviderError(f"{self.name}: the pipeline returned no frames")
        return list(frames)


def _multiple(pipe: Any) -> int:
    """What both sides must be a multiple of: the VAE's scale factor times the UNet's
    downsampling (8 × 8 = 64 for SVD), which has no padding for odd latent sizes."""
    factor = int(getattr(pipe, "vae_scale_factor", 8) or 8)
    levels = len(pipe.unet.config.block_out_channels)
    return int(factor * 2 ** (levels - 1))
