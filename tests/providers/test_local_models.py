"""The process's cache of loaded local models: least recently used out first, bounded by bytes,
one load per key, one call at a time per model. Plain objects stand in for pipelines."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from storyreel.providers.local_models import (
    ModelCache,
    ModelKey,
    scaled_size,
    weight_files_bytes,
)


@dataclass
class Fake:
    name: str
    size: int


def key(name: str) -> ModelKey:
    return ModelKey(f"/models/{name}", "text2image", "cpu", "float32")


def cache(budget: int) -> ModelCache:
    return ModelCache(budget, measure=lambda model: model.size)


def use(models: ModelCache, name: str, size: int = 40) -> None:
    with models.use(key(name), lambda: Fake(name, size)):
        pass


def loaded(models: ModelCache) -> list[str]:
    return [k.path.rsplit("/", 1)[1] for k in models.loaded()]


def test_the_least_recently_used_model_is_unloaded_past_the_budget() -> None:
    models = cache(100)
    use(models, "a")
    use(models, "b")
    assert loaded(models) == ["a", "b"] and models.total_bytes == 80
    use(models, "a")  # a is now the most recently used
    use(models, "c")
    assert loaded(models) == ["a", "c"]
    assert models.sizes() == {key("a"): 40, key("c"): 40}


def test_the_model_in_use_stays_even_alone_over_the_budget() -> None:
    models = cache(0)  # 0: keep only the one in use (and the last one used)
    use(models, "a", size=500)
    assert loaded(models) == ["a"]
    with models.use(key("b"), lambda: Fake("b", 500)) as b:
        assert loaded(models) == ["b"]
        assert b.value.name == "b"
        use(models, "c", size=10)  # b is in use: not unloaded for c
        assert loaded(models) == ["b", "c"]
    use(models, "c", size=10)
    assert loaded(models) == ["c"]


def test_room_is_made_before_a_load_by_its_estimate() -> None:
    models = cache(100)
    use(models, "a", size=60)
    sizes_during_load: list[int] = []

    def load() -> Fake:
        sizes_during_load.append(models.total_bytes)
        return Fake("b", 60)

    with models.use(key("b"), load, estimate_bytes=60):
        pass
    assert sizes_during_load == [0]  # a went before b was read into memory
    assert loaded(models) == ["b"]


def test_one_load_per_model_however_many_threads_ask() -> None:
    models = cache(1000)
    loads: list[str] = []
    running = 0
    most = 0
    guard = threading.Lock()

    def load() -> Fake:
        loads.append("a")
        time.sleep(0.05)
        return Fake("a", 10)

    def call() -> None:
        nonlocal running, most
        with models.use(key("a"), load):
            with guard:
                running += 1
                most = max(most, running)
            time.sleep(0.01)
            with guard:
                running -= 1

    threads = [threading.Thread(target=call) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert loads == ["a"]
    assert most == 1  # calls on one model are serialised


def test_a_failed_load_is_tried_again_next_time() -> None:
    models = cache(1000)

    def broken() -> Fake:
        raise OSError("truncated weights")

    with pytest.raises(OSError), models.use(key("a"), broken):
        pass
    assert loaded(models) == []
    use(models, "a")
    assert loaded(models) == ["a"]


def test_remeasuring_a_grown_model_can_unload_others() -> None:
    models = cache(100)
    use(models, "a", size=40)
    with models.use(key("b"), lambda: Fake("b", 40)) as b:
        b.value.size = 90  # an adapter was loaded into it
        models.remeasure(b)
    assert loaded(models) == ["b"]


def test_the_weight_files_a_load_reads(tmp_path: Path) -> None:
    unet = tmp_path / "unet"
    unet.mkdir()
    (unet / "diffusion_pytorch_model.safetensors").write_bytes(b"x" * 400)
    (unet / "diffusion_pytorch_model.fp16.safetensors").write_bytes(b"x" * 200)
    (unet / "config.json").write_text("{}")
    (tmp_path / "text_encoder").mkdir()
    (tmp_path / "text_encoder" / "model.safetensors").write_bytes(b"x" * 50)
    assert weight_files_bytes(tmp_path) == 450
    assert weight_files_bytes(tmp_path, "fp16") == 250  # the fp16 unet, the only encoder


def test_generation_sizes() -> None:
    # The frame rounded up to the model's multiple...
    assert scaled_size(1280, 720, None, 8) == (1280, 720)
    assert scaled_size(100, 60, None, 8) == (104, 64)
    assert scaled_size(1080, 1920, None, 16) == (1088, 1920)
    # ... or about the model's native side squared, in the frame's aspect ratio.
    assert scaled_size(1280, 720, 1024, 8) == (1368, 768)
    assert scaled_size(1280, 720, 768, 64) == (1024, 576)  # SVD's training size
    assert scaled_size(720, 1280, 512, 8) == (384, 680)
