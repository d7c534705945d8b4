"""Local models (diffusers pipelines) loaded once per process and kept in an LRU bounded by memory.

A pipeline holds gigabytes of (GPU) memory and takes seconds to load, so the providers that
run one ('diffusers', 'svd') share one ``ModelCache`` per process: entries are keyed by
(folder, loader, device, dtype, variant), measured by their parameters' bytes, and the least
recently used ones are unloaded when the total passes ``STORYREEL_MODEL_CACHE_GB`` — before a
load (by the new model's weight files) and after it (by what it really holds). Only one thread
loads a given key; a pipeline is not thread-safe, so calls on one are serialised by its lock.

torch and diffusers are imported inside functions: without the ``diffusers`` extra this module
still imports, and ``missing_packages`` says what to install.
"""

from __future__ import annotations

import gc
import importlib.util
import json
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from storyreel.providers.base import ProviderError, ProviderNotConfigured

#: What ``check()`` tells the operator to run when the packages are missing.
EXTRA = "pip install 'storyreel[diffusers]'"
PACKAGES = ("torch", "diffusers", "transformers")
GB = 1024**3
_WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth", ".ckpt")


def missing_packages() -> list[str]:
    """The packages of the ``diffusers`` extra that are not installed (nothing is imported)."""
    return [name for name in PACKAGES if importlib.util.find_spec(name) is None]


def check_installed(provider: str) -> None:
    missing = missing_packages()
    if missing:
        raise ProviderNotConfigured(provider, EXTRA, f"{', '.join(missing)} not installed")


def check_pipeline_folder(provider: str, setting: str, path: Path | None) -> Path:
    """``path`` as a folder holding a pipeline in diffusers format, or the error naming
    ``setting``."""
    if path is None:
        raise ProviderNotConfigured(provider, setting, "no model folder is set")
    folder = path.expanduser()
    if not folder.is_dir():
        raise ProviderNotConfigured(provider, setting, f"{folder} is not a folder")
    if not (folder / "model_index.json").is_file():
        raise ProviderNotConfigured(
            provider,
            setting,
            f"{folder} has no model_index.json: not a pipeline saved in diffusers format",
        )
    return folder


def pipeline_class_name(folder: Path) -> str:
    """The pipeline class a folder was saved from (model_index.json's ``_class_name``)."""
    try:
        index = json.loads((folder / "model_index.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    name = index.get("_class_name") if isinstance(index, dict) else None
    return name if isinstance(name, str) else ""


# --- devices and dtypes ---------------------------------------------------------------------


def quiet_loading() -> None:
    """No progress bars from diffusers and transformers: they would fill the logs."""
    from diffusers.utils import logging as diffusers_logging
    from transformers.utils import logging as transformers_logging

    diffusers_logging.disable_progress_bar()
    transformers_logging.disable_progress_bar()


def pick_device(choice: str, provider: str, setting: str) -> str:
    """``auto``: CUDA, else Apple MPS, else the CPU; a device asked for must be there."""
    import torch

    cuda = torch.cuda.is_available()
    mps = hasattr(torch.backends, "mps") and torch.backends.mps.is_available()
    if choice == "auto":
        return "cuda" if cuda else "mps" if mps else "cpu"
    if (choice == "cuda" and not cuda) or (choice == "mps" and not mps):
        raise ProviderNotConfigured(provider, setting, f"{choice} is not available here")
    return choice


def pick_dtype(choice: str, device: str, pipeline_class: str = "") -> str:
    """``auto``: float16 on CUDA (bfloat16 for FLUX, which overflows in float16), else
    float32 (half precision on the CPU is slow or unsupported)."""
    if choice != "auto":
        return choice
    if device == "cuda":
        return "bfloat16" if pipeline_class.startswith("Flux") else "float16"
    return "float32"


def dtype_kwargs(dtype: str) -> dict[str, Any]:
    """``from_pretrained``'s dtype argument: ``dtype`` in recent diffusers, ``torch_dtype``
    (deprecated there) in older ones."""
    import torch
    from diffusers.utils import deprecation_utils

    value = getattr(torch, dtype)
    return {"dtype" if hasattr(deprecation_utils, "_resolve_dtype") else "torch_dtype": value}


def generator(device: str, seed: int) -> Any:
    """A seeded torch Generator; on the CPU for MPS, where device generators are unreliable."""
    import torch

    return torch.Generator("cuda" if device.startswith("cuda") else "cpu").manual_seed(seed)


def out_of_memory_errors() -> tuple[type[BaseException], ...]:
    import torch

    return (getattr(torch, "OutOfMemoryError", torch.cuda.OutOfMemoryError),)


def usage_units(device: str, seconds: float) -> dict[str, float]:
    """Time spent computing: ``gpu_seconds`` on a GPU, plain ``seconds`` on the CPU."""
    return {("seconds" if device == "cpu" else "gpu_seconds"): round(seconds, 3)}


def scaled_size(width: int, height: int, resolution: int | None, multiple: int) -> tuple[int, int]:
    """The size to generate at for a ``width``×``height`` frame: about ``resolution`` squared
    in its aspect ratio (nearest multiples), or, without one, the frame rounded up."""
    if resolution is None:
        return (
            max(multiple, math.ceil(width / multiple) * multiple),
            max(multiple, math.ceil(height / multiple) * multiple),
        )
    scale = resolution / math.sqrt(width * height)
    return (
        max(multiple, round(width * scale / multiple) * multiple),
        max(multiple, round(height * scale / multiple) * multiple),
    )


# --- sizes ----------------------------------------------------------------------------------


def model_bytes(model: Any) -> int:
    """Bytes held by the parameters and buffers of a pipeline's torch modules (or one module),
    each tensor counted once however many components share it."""
    import torch

    modules: list[Any]
    if isinstance(model, torch.nn.Module):
        modules = [model]
    else:
        components = getattr(model, "components", {})
        modules = [m for m in components.values() if isinstance(m, torch.nn.Module)]
    seen: set[int] = set()
    total = 0
    for module in modules:
        for tensor in [*module.parameters(), *module.buffers()]:
            if id(tensor) not in seen:
                seen.add(id(tensor))
                total += tensor.numel() * tensor.element_size()
    return total


def weight_files_bytes(folder: Path, variant: str | None = None) -> int:
    """Size of the weight files a load of ``folder`` reads: of ``model.safetensors`` and
    ``model.fp16.safetensors``, the ``variant`` one where it exists, else the plain one. An
    estimate taken before loading, to make room first."""

    def rank(path: Path) -> int:
        middle = path.name[len(path.name.split(".")[0]) + 1 : -len(path.suffix)]
        return 0 if middle == (variant or "") else 1 if not middle else 2

    chosen: dict[tuple[Path, str], Path] = {}
    for path in folder.rglob("*"):
        if path.suffix not in _WEIGHT_SUFFIXES or not path.is_file():
            continue
        slot = (path.parent, path.name.split(".")[0] + path.suffix)
        if slot not in chosen or rank(path) < rank(chosen[slot]):
            chosen[slot] = path
    return sum(p.stat().st_size for p in chosen.values())


# --- the cache ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelKey:
    path: str
    loader: str  # what loaded it: "text2image", "svd"
    device: str
    dtype: str
    variant: str | None = None


@dataclass(eq=False)
class LoadedModel:
    """One loaded model. Hold ``lock`` while calling it (``ModelCache.use`` does)."""

    key: ModelKey
    value: Any
    nbytes: int
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    users: int = 0
    #: What callers changed on the model after loading it (an IP-Adapter loaded into it).
    state: dict[str, Any] = field(default_factory=dict)


class ModelCache:
    """Loaded models by key, least recently used first; bounded by ``budget_bytes``."""

    def __init__(self, budget_bytes: int, measure: Callable[[Any], int] = model_bytes) -> None:
        self.budget_bytes = budget_bytes
        self._measure = measure
        self._entries: OrderedDict[ModelKey, LoadedModel] = OrderedDict()
        self._loading: dict[ModelKey, threading.Lock] = {}
        self._lock = threading.Lock()

    def loaded(self) -> list[ModelKey]:
        """Keys loaded now, least recently used first."""
        with self._lock:
            return list(self._entries)

    def sizes(self) -> dict[ModelKey, int]:
        """Bytes each loaded model holds."""
        with self._lock:
            return {key: entry.nbytes for key, entry in self._entries.items()}

    @property
    def total_bytes(self) -> int:
        with self._lock:
            return sum(e.nbytes for e in self._entries.values())

    @contextmanager
    def use(
        self, key: ModelKey, load: Callable[[], Any], *, estimate_bytes: int = 0
    ) -> Iterator[LoadedModel]:
        """The model for ``key`` (loaded by ``load`` if it is not yet), locked for this caller
        and kept loaded until the block ends. ``estimate_bytes``: what a load will need, so
        that room is made before loading."""
        entry = self._acquire(key, load, estimate_bytes)
        try:
            with entry.lock:
                yield entry
        finally:
            self._release(entry)

    def remeasure(self, entry: LoadedModel) -> None:
        """Measure ``entry`` again after it grew (an adapter loaded into it)."""
        nbytes = self._measure(entry.value)
        with self._lock:
            entry.nbytes = nbytes
            evicted = self._evict_locked()
        _free(evicted)

    def clear(self) -> None:
        """Unload every model not in use (after running out of memory, say)."""
        with self._lock:
            evicted = [e for e in self._entries.values() if e.users == 0]
            for entry in evicted:
                del self._entries[entry.key]
        _free(evicted)

    def _acquire(self, key: ModelKey, load: Callable[[], Any], estimate: int) -> LoadedModel:
        while True:
            with self._lock:
                entry = self._entries.get(key)
                if entry is not None:
                    self._entries.move_to_end(key)
                    entry.users += 1
                    return entry
                loading = self._loading.setdefault(key, threading.Lock())
            with loading:  # one load per key; others wait for it and then find the entry
                with self._lock:
                    if key in self._entries:
                        continue
                    evicted = self._evict_locked(incoming=estimate)
                _free(evicted)
                value = load()
                entry = LoadedModel(key, value, self._measure(value), users=1)
                with self._lock:
                    self._entries[key] = entry
                    self._loading.pop(key, None)
                    evicted = self._evict_locked()
                _free(evicted)
                return entry

    def _release(self, entry: LoadedModel) -> None:
        with self._lock:
            entry.users -= 1
            evicted = self._evict_locked()
        _free(evicted)

    def _evict_locked(self, incoming: int = 0) -> list[LoadedModel]:
        """Drop least recently used models not in use until the rest (and ``incoming``) fit.
        The most recently used one stays (with no load coming), even alone over budget."""
        evicted: list[LoadedModel] = []
        total = sum(e.nbytes for e in self._entries.values()) + incoming
        newest = next(reversed(self._entries), None) if not incoming else None
        for key in list(self._entries):
            if total <= self.budget_bytes:
                break
            entry = self._entries[key]
            if entry.users or key == newest:
                continue
            del self._entries[key]
            total -= entry.nbytes
            evicted.append(entry)
        return evicted


def _free(evicted: list[LoadedModel]) -> None:
    """Let go of evicted models and hand their GPU memory back to the driver."""
    if not evicted:
        return
    devices = {e.key.device for e in evicted}
    for entry in evicted:
        entry.value = None
    gc.collect()
    try:
        import torch
    except ImportError:  # pragma: no cover - nothing was loaded without torch
        return
    if "cuda" in devices and torch.cuda.is_available():
        torch.cuda.empty_cache()
    if "mps" in devices and hasattr(torch, "mps") and torch.backends.mps.is_available():
        torch.mps.empty_cache()


_shared: ModelCache | None = None
_shared_lock = threading.Lock()


def shared_cache(budget_gb: float) -> ModelCache:
    """The process's model cache, its budget set to ``budget_gb`` (STORYREEL_MODEL_CACHE_GB)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = ModelCache(int(budget_gb * GB))
        _shared.budget_bytes = int(budget_gb * GB)
        return _shared


def load_failed(provider: str, folder: Path, err: BaseException) -> ProviderError:
    """A model that does not load is a setup problem: trying again will not help."""
    return ProviderError(f"{provider}: cannot load the pipeline in {folder}: {err}")
