"""The 'svd' motion provider on a tiny Stable Video Diffusion pipeline built here (CPU, no
download): a shot's picture becomes an H.264 MP4 of the picture's size."""

from __future__ import annotations

import io
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from storyreel.media.probe import probe
from storyreel.pipeline import steps
from storyreel.pipeline.context import PipelineContext
from storyreel.providers.base import MotionGenerator, MotionSpec, ProviderNotConfigured
from storyreel.providers.registry import ProviderRegistry
from storyreel.settings import Settings
from tests.mediatools import gray_frames
from tests.providers.tiny_diffusers import build_svd, one_thread

# Frames at about 64² in the picture's aspect ratio: quick, and a size the tiny UNet takes.
FAST = {"steps": 2, "resolution": 64, "decode_chunk_size": 8}
SPEC = MotionSpec(shot_type="wide", index=0, seconds=4.0, seed=11)


# diffusers computes sigmas with an np.array(copy=False) that NumPy 2 warns about.
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")


@pytest.fixture(scope="module")
def svd_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("diffusers")
    one_thread()
    return build_svd(tmp_path_factory.mktemp("models") / "tiny-svd", num_frames=6)


@pytest.fixture(scope="module")
def shot_picture() -> bytes:
    """A 16:9 picture with something in it (a bright square on a gradient)."""
    gradient = np.tile(np.linspace(20, 200, 96, dtype=np.uint8), (54, 1))
    pixels = np.stack([gradient, gradient[:, ::-1], np.full_like(gradient, 90)], axis=-1)
    pixels[15:35, 30:50] = 250
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, "PNG")
    return out.getvalue()


def make_settings(tmp_path: Path, model_path: Path | None, **config: Any) -> Settings:
    return Settings(data_dir=tmp_path / "data", svd={"model_path": model_path, **config})


def motion(tmp_path: Path, model_path: Path | None, **config: Any) -> MotionGenerator:
    return ProviderRegistry(make_settings(tmp_path, model_path, **config)).motion("svd")


def clip_file(tmp_path: Path, clip: bytes | None, name: str = "clip.mp4") -> Path:
    assert clip is not None
    path = tmp_path / name
    path.write_bytes(clip)
    return path


def test_a_clip_of_the_pictures_size_and_the_models_frame_count(
    tmp_path: Path, svd_model: Path, shot_picture: bytes
) -> None:
    result = motion(tmp_path, svd_model, **FAST).animate(shot_picture, SPEC)

    assert result.plan is None
    info = probe(clip_file(tmp_path, result.clip), decode=True)
    assert info.video is not None and info.audio is None
    assert info.video.codec == "h264" and info.video.pix_fmt == "yuv420p"
    # The picture's own size (the frames were made at 80×48, in multiples of 16).
    assert (info.video.width, info.video.height) == (96, 54)
    assert info.video.fps == Fraction(7)
    assert len(gray_frames(clip_file(tmp_path, result.clip))) == 6  # the UNet's num_frames
    assert result.usage.provider == "svd" and result.usage.model == "tiny-svd"
    assert result.usage.units["video_seconds"] == pytest.approx(6 / 7, abs=0.001)
    assert result.usage.units["seconds"] > 0


def test_the_same_seed_gives_the_same_clip_and_another_seed_another(
    tmp_path: Path, svd_model: Path, shot_picture: bytes
) -> None:
    animator = motion(tmp_path, svd_model, **FAST)
    first = animator.animate(shot_picture, SPEC).clip
    again = animator.animate(shot_picture, SPEC).clip
    other_spec = MotionSpec(shot_type="wide", index=0, seconds=4.0, seed=12)
    other = animator.animate(shot_picture, other_spec).clip
    assert first == again

    def frames(clip: bytes | None, name: str) -> list[np.ndarray]:
        return gray_frames(clip_file(tmp_path, clip, name))

    differences = [
        float(np.abs(a - b).mean())
        for a, b in zip(frames(first, "a.mp4"), frames(other, "b.mp4"), strict=True)
    ]
    assert max(differences) > 1.0


def test_frame_count_and_rate_come_from_the_settings(
    tmp_path: Path, svd_model: Path, shot_picture: bytes
) -> None:
    animator = motion(tmp_path, svd_model, **FAST, num_frames=4, fps=8, motion_bucket_id=200)
    result = animator.animate(shot_picture, SPEC)
    path = clip_file(tmp_path, result.clip)
    info = probe(path)
    assert info.video is not None and info.video.fps == Fraction(8)
    assert len(gray_frames(path)) == 4
    assert info.duration == pytest.approx(0.5, abs=0.05)
    # Settings that change the clip are part of the cache key (through the model).
    assert animator.model != motion(tmp_path, svd_model, **FAST).model


def test_the_pipeline_keeps_the_clip(tmp_path: Path, svd_model: Path, shot_picture: bytes) -> None:
    settings = make_settings(tmp_path, svd_model, **FAST)
    picture = tmp_path / "shot.png"
    picture.write_bytes(shot_picture)
    for cached in (False, True):
        ctx = PipelineContext.create(settings, ProviderRegistry(settings))
        choice = steps.make_motion(ctx, picture, SPEC, provider="svd")
        assert choice.clip is not None and choice.clip.cached is cached
        assert choice.plan.type == "none"  # the clip moves by itself
        assert probe(choice.clip.path).video is not None


def test_missing_setup_names_the_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("diffusers")
    with pytest.raises(ProviderNotConfigured) as err:
        motion(tmp_path, None)
    assert err.value.setting == "STORYREEL_SVD__MODEL_PATH"
    with pytest.raises(ProviderNotConfigured, match="is not a folder"):
        motion(tmp_path, tmp_path / "nowhere")
    with pytest.raises(ProviderNotConfigured, match=r"has no model_index\.json"):
        motion(tmp_path, tmp_path)

    monkeypatch.setitem(sys.modules, "torch", None)  # what a base install looks like
    with pytest.raises(ProviderNotConfigured) as err:
        motion(tmp_path, tmp_path)
    assert err.value.setting == "pip install 'storyreel[diffusers]'"
    assert "torch not installed" in str(err.value)
