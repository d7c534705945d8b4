"""Pictures from a local diffusers text-to-image pipeline — SD-Turbo, SDXL-Turbo, SDXL, FLUX —
read from a folder on disk (never downloaded), on the GPU when there is one.

The pipeline is loaded once and kept in the process's model cache (``local_models``). The
picture is made at the frame's size rounded to the model's multiple (or at about its native
resolution in the frame's aspect ratio) and cropped and resized to exactly the frame. With an
IP-Adapter configured, the shot's character reference pictures steer the picture; without one
they are ignored, and the result's meta says so.

torch and diffusers are imported inside the methods that need them, so this module imports
without the ``diffusers`` extra; ``check()`` names the command that installs it.
"""

from __future__ import annotations

import inspect
import time
from pathlib import Path
from typing import Any, ClassVar

from PIL import Image

from storyreel.domain.visual_words import PromptFamily
from storyreel.providers import local_models
from storyreel.providers.base import (
    ImageGenerator,
    ImageResult,
    ImageSpec,
    ProviderError,
    ProviderNotConfigured,
    Usage,
)
from storyreel.providers.image.families import family_by_name, family_by_pipeline
from storyreel.providers.image.fitting import cover_png, open_image
from storyreel.providers.image.settings import DIFFUSERS, DiffusersSettings
from storyreel.settings import Settings

_SETTING = DIFFUSERS.env_prefix
# What a call without reference pictures shows an IP-Adapter already loaded (at scale 0, so
# the picture is the same as without the adapter).
_BLANK_SIDE = 224


class DiffusersImages(ImageGenerator):
    """One picture per call from a local diffusers pipeline, as a PNG of the exact frame."""

    name: ClassVar[str] = "diffusers"
    section = DIFFUSERS
    quality: ClassVar[int] = 4
    speed: ClassVar[int] = 3
    # The same seed gives the same picture on the same device.
    deterministic: ClassVar[bool] = True

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.config: DiffusersSettings = settings.diffusers
        self._models = local_models.shared_cache(settings.model_cache_gb)

    @property
    def model(self) -> str:
        c = self.config
        name = c.model_path.expanduser().name if c.model_path is not None else "unset"
        # The defaults a call may not override are part of every cache key through the model.
        name += f":s{c.steps}:g{c.guidance:g}:r{c.resolution or 'frame'}"
        if c.ip_adapter_path is not None:
            name += f"+{Path(c.ip_adapter_weight_name).stem}@{c.ip_adapter_scale:g}"
        return name

    prompt_family: ClassVar[PromptFamily] = "sdxl"

    def family_for(self, model: str | None = None) -> PromptFamily:
        """The setting, else the pipeline class the model folder was saved from, else the
        folder's name, else SDXL."""
        if self.config.prompt_family != "auto":
            return self.config.prompt_family
        try:
            folder = self.folder_for(model)
        except ProviderError:  # generate() will say what is wrong with the folder
            return family_by_name(model or "", self.prompt_family)
        by_name = family_by_name(folder.name, self.prompt_family)
        return family_by_pipeline(local_models.pipeline_class_name(folder), by_name)

    def check(self) -> None:
        local_models.check_installed(self.name)
        c = self.config
        local_models.check_pipeline_folder(self.name, f"{_SETTING}MODEL_PATH", c.model_path)
        if c.models_dir is not None and not c.models_dir.expanduser().is_dir():
            raise ProviderNotConfigured(
                self.name, f"{_SETTING}MODELS_DIR", f"{c.models_dir} is not a folder"
            )
        if c.ip_adapter_path is not None:
            folder = c.ip_adapter_path.expanduser()
            if not folder.is_dir():
                raise ProviderNotConfigured(
                    self.name, f"{_SETTING}IP_ADAPTER_PATH", f"{folder} is not a folder"
                )
            weights = folder / c.ip_adapter_subfolder / c.ip_adapter_weight_name
            if not weights.is_file():
                raise ProviderNotConfigured(
                    self.name,
                    f"{_SETTING}IP_ADAPTER_WEIGHT_NAME",
                    f"{weights} is not a file (see also {_SETTING}IP_ADAPTER_SUBFOLDER)",
                )

    def folder_for(self, model: str | None) -> Path:
        """The pipeline folder for a call: model_path, or a folder of models_dir by name."""
        c = self.config
        default = local_models.check_pipeline_folder(
            self.name, f"{_SETTING}MODEL_PATH", c.model_path
        )
        if not model or model == default.name:
            return default
        if Path(model).name != model or model in {".", ".."}:
            raise ProviderError(f"{self.name}: no local model {model!r}: give a folder's name")
        if c.models_dir is None:
            raise ProviderError(
                f"{self.name}: no local model {model!r}: {_SETTING}MODELS_DIR is not set"
            )
        root = c.models_dir.expanduser().resolve()
        folder = (root / model).resolve()
        # A name from a request must not reach outside the models folder (through a link).
        if folder.parent != root or not (folder / "model_index.json").is_file():
            raise ProviderError(
                f"{self.name}: no local model {model!r} in {root} ({_SETTING}MODELS_DIR)"
            )
        return folder

    def generate(self, prompt: str, spec: ImageSpec) -> ImageResult:
        began = time.perf_counter()
        c = self.config
        folder = self.folder_for(spec.model)
        device = local_models.pick_device(c.device, self.name, f"{_SETTING}DEVICE")
        dtype = local_models.pick_dtype(c.dtype, device, local_models.pipeline_class_name(folder))
        key = local_models.ModelKey(str(folder), "text2image", device, dtype, c.variant)
        references = [
            open_image(p.read_bytes(), f"the reference picture {p.name}").convert("RGB")
            for p in spec.reference_images
        ]
        steps = spec.steps or c.steps
        guidance = c.guidance if spec.guidance is None else spec.guidance
        with self._models.use(
            key,
            lambda: self._load(folder, device, dtype),
            estimate_bytes=local_models.weight_files_bytes(folder, c.variant),
        ) as entry:
            pipe = entry.value
            width, height = local_models.scaled_size(
                spec.width, spec.height, c.resolution, _multiple(pipe)
            )
            call: dict[str, Any] = {
                "prompt": prompt,
                "width": width,
                "height": height,
                "num_inference_steps": steps,
                "guidance_scale": guidance,
                "generator": local_models.generator(device, spec.seed),
                "output_type": "pil",
            }
            if spec.negative_prompt and "negative_prompt" in _parameters(pipe):
                call["negative_prompt"] = spec.negative_prompt
            used = self._reference(entry, references, call)
            started = time.perf_counter()
            image = self._run(pipe, call)
            computed = time.perf_counter() - started
        meta: dict[str, Any] = {
            "model": folder.name,
            "size": [width, height],
            "steps": steps,
            "guidance": guidance,
            "device": device,
            "dtype": dtype,
        }
        if used is not None:
            meta["references"] = used
        return ImageResult(
            data=cover_png(image, spec.width, spec.height),
            seed=spec.seed,
            usage=Usage(
                provider=self.name,
                model=folder.name,
                seconds=time.perf_counter() - began,
                units={"images": 1.0, **local_models.usage_units(device, computed)},
            ),
            meta=meta,
        )

    def _load(self, folder: Path, device: str, dtype: str) -> Any:
        from diffusers import AutoPipelineForText2Image, DiffusionPipeline

        local_models.quiet_loading()
        kwargs: dict[str, Any] = {"local_files_only": True, **local_models.dtype_kwargs(dtype)}
        if self.config.variant:
            kwargs["variant"] = self.config.variant
        try:
            try:
                pipe = AutoPipelineForText2Image.from_pretrained(str(folder), **kwargs)
            except ValueError:
                # A pipeline the auto class has no text-to-image mapping for: load it as saved.
                pipe = DiffusionPipeline.from_pretrained(str(folder), **kwargs)
            pipe.to(device)
        except Exception as err:  # corrupt or incomplete folders fail in many ways
            raise local_models.load_failed(self.name, folder, err) from err
        pipe.set_progress_bar_config(disable=True)
        return pipe

    def _run(self, pipe: Any, call: dict[str, Any]) -> Image.Image:
        try:
            image = pipe(**call).images[0]
        except local_models.out_of_memory_errors() as err:
            self._models.clear()
            raise ProviderError(f"{self.name}: out of memory: {err}", retryable=True) from err
        except Exception as err:  # the pipeline's own errors: bad sizes, dtypes, inputs
            raise ProviderError(f"{self.name}: {type(err).__name__}: {err}") from err
        if not isinstance(image, Image.Image):
            raise ProviderError(f"{self.name}: the pipeline returned no picture")
        return image

    def _reference(
        self, entry: local_models.LoadedModel, references: list[Image.Image], call: dict[str, Any]
    ) -> dict[str, Any] | None:
        """Condition ``call`` on the reference pictures through the IP-Adapter; what was done
        with them, for the result's meta (None: there were none)."""
        c = self.config
        pipe = entry.value
        if not references:
            if entry.state.get("ip_adapter") is not None:
                # The adapter stays loaded for the next shot that has references; at scale 0
                # it leaves this picture exactly as the plain pipeline makes it.
                pipe.set_ip_adapter_scale(0.0)
                call["ip_adapter_image"] = Image.new("RGB", (_BLANK_SIDE, _BLANK_SIDE))
            return None
        if c.ip_adapter_path is None:
            return {
                "given": len(references),
                "used": False,
                "why": f"{_SETTING}IP_ADAPTER_PATH is not set",
            }
        if not hasattr(pipe, "load_ip_adapter"):
            return {
                "given": len(references),
                "used": False,
                "why": f"{type(pipe).__name__} takes no IP-Adapter",
            }
        adapter = (
            str(c.ip_adapter_path.expanduser()),
            c.ip_adapter_subfolder,
            c.ip_adapter_weight_name,
            c.ip_adapter_image_encoder,
        )
        if entry.state.get("ip_adapter") != adapter:
            if entry.state.get("ip_adapter") is not None:
                pipe.unload_ip_adapter()
                entry.state["ip_adapter"] = None
            self._load_ip_adapter(pipe, entry.key.dtype)
            entry.state["ip_adapter"] = adapter
            self._models.remeasure(entry)
        pipe.set_ip_adapter_scale(c.ip_adapter_scale)
        # One adapter, conditioned on all of the shot's references together.
        call["ip_adapter_image"] = [references]
        return {
            "given": len(references),
            "used": True,
            "adapter": c.ip_adapter_weight_name,
            "scale": c.ip_adapter_scale,
        }

    def _load_ip_adapter(self, pipe: Any, dtype: str) -> None:
        c = self.config
        assert c.ip_adapter_path is not None
        folder = c.ip_adapter_path.expanduser()
        kwargs: dict[str, Any] = {
            "subfolder": c.ip_adapter_subfolder,
            "weight_name": c.ip_adapter_weight_name,
            "local_files_only": True,
        }
        accepted = inspect.signature(pipe.load_ip_adapter).parameters
        if "image_encoder_folder" in accepted:  # SD 1.5, SDXL, SD3
            kwargs["image_encoder_folder"] = c.ip_adapter_image_encoder
        elif "image_encoder_pretrained_model_name_or_path" in accepted:  # FLUX
            encoder = c.ip_adapter_image_encoder
            base = folder if "/" in encoder else folder / c.ip_adapter_subfolder
            kwargs["image_encoder_pretrained_model_name_or_path"] = str(base / encoder)
            if "image_encoder_dtype" in accepted:
                kwargs["image_encoder_dtype"] = local_models.dtype_kwargs(dtype).popitem()[1]
        try:
            pipe.load_ip_adapter(str(folder), **kwargs)
        except Exception as err:  # wrong adapter for this model, missing encoder...
            raise ProviderError(
                f"{self.name}: cannot load the IP-Adapter {c.ip_adapter_weight_name} from "
                f"{folder} ({_SETTING}IP_ADAPTER_...): {err}"
            ) from err


def _parameters(pipe: Any) -> set[str]:
    return set(inspect.signature(pipe.__call__).parameters)


def _multiple(pipe: Any) -> int:
    """What both sides must be a multiple of: the VAE's scale factor, twice that for
    transformer models that pack 2×2 latent patches (FLUX, SD3)."""
    factor = int(getattr(pipe, "vae_scale_factor", 8) or 8)
    return factor * 2 if getattr(pipe, "transformer", None) is not None else factor
