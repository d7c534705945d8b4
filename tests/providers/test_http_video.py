"""The 'http' image-to-video provider against a fake job-based video API on loopback (shaped
like Kling's: nested fields, a custom key header, states submitted → processing → succeed)."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from storyreel.media.probe import probe
from storyreel.pipeline import steps
from storyreel.pipeline.context import PipelineContext
from storyreel.providers.base import MotionSpec, ProviderError, ProviderNotConfigured
from storyreel.providers.motion.http_video import HttpVideoMotion
from storyreel.providers.registry import ProviderRegistry
from storyreel.settings import Settings
from tests.mediatools import make_image, make_video
from tests.providers.fake_media_servers import FakeClock, FakeVideoAPI, Scripted, fast_transport

PICTURE = b"\x89PNG\r\n\x1a\n" + b"picture bytes"


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("clip") / "clip.mp4"
    return make_video(path, 1.0, width=160, height=96, fps=24).read_bytes()


@pytest.fixture
def fake(clip: bytes) -> Iterator[FakeVideoAPI]:
    with FakeVideoAPI(clip) as api:
        yield api


def kling_like(url: str, **config: Any) -> dict[str, Any]:
    return {
        "base_url": url,
        "api_key": "kling-key",
        "auth_header": "X-API-Key",
        "auth_prefix": "",
        "model": "kling-v1",
        "model_field": "model_name",
        "submit_path": "/v1/videos/image2video",
        "image_field": "image",
        "image_encoding": "base64",
        "prompt_field": "prompt",
        "duration_field": "duration",
        "durations": [5, 10],
        "seed_field": "",
        "extra_body": {"mode": "std", "cfg_scale": 0.5},
        "job_id_path": "data.task_id",
        "status_path": "/v1/videos/image2video/{id}",
        "status_field": "data.task_status",
        "done_values": ["succeed"],
        "failed_values": ["failed"],
        "error_field": "data.task_status_msg",
        "result_url_field": "data.task_result.videos.0.url",
        "poll_interval_s": 2.0,
        "time_limit_s": 60,
        "price_per_second": 0.1,
        **config,
    }


def motion(tmp_path: Path, fake: FakeVideoAPI, clock: FakeClock, **config: Any) -> HttpVideoMotion:
    settings = Settings(data_dir=tmp_path / "data", http_motion=kling_like(fake.url, **config))
    provider = HttpVideoMotion(settings, fast_transport(clock))
    provider.check()
    return provider


SPEC = MotionSpec(
    shot_type="wide",
    index=2,
    preferred="pan_left",
    seconds=6.2,
    seed=9,
    prompt="a lighthouse at dawn.",
)


def test_a_job_is_polled_to_completion_and_its_clip_downloaded(
    tmp_path: Path, fake: FakeVideoAPI, clip: bytes
) -> None:
    clock = FakeClock()
    result = motion(tmp_path, fake, clock).animate(PICTURE, SPEC)

    assert fake.submissions == [
        {
            "mode": "std",
            "cfg_scale": 0.5,
            "model_name": "kling-v1",
            "image": base64.b64encode(PICTURE).decode(),
            "prompt": "a lighthouse at dawn, camera pans slowly left, steady cinematic motion",
            "duration": 5,
        }
    ]
    assert fake.polls == ["submitted", "processing", "processing", "succeed"]
    assert clock.sleeps == [2.0, 2.0, 2.0]
    assert result.clip == clip and result.plan is None and fake.downloads == 1
    assert result.usage.units["video_seconds"] == pytest.approx(1.0, abs=0.05)
    assert result.usage.units["cost"] == 0.5  # 5 s asked for, at 0.1 a second
    assert result.usage.provider == "http" and result.usage.model == "kling-v1"


def test_a_failed_job_says_why(tmp_path: Path, fake: FakeVideoAPI) -> None:
    fake.states = ["submitted", "processing", "failed"]
    with pytest.raises(ProviderError) as err:
        motion(tmp_path, fake, FakeClock()).animate(PICTURE, SPEC)
    assert "job task-1 failed: image failed the content check" in str(err.value)
    assert not err.value.retryable and fake.downloads == 0


def test_a_job_that_never_ends_hits_the_time_limit(tmp_path: Path, fake: FakeVideoAPI) -> None:
    fake.states = ["processing"]
    clock = FakeClock()
    with pytest.raises(ProviderError) as err:
        motion(tmp_path, fake, clock, time_limit_s=10).animate(PICTURE, SPEC)
    assert err.value.retryable
    assert "job task-1 was still 'processing' after 10 s" in str(err.value)
    assert "STORYREEL_HTTP_MOTION__TIME_LIMIT_S" in str(err.value)
    assert sum(clock.sleeps) == 10.0


def test_rate_limits_and_outages_are_retried(tmp_path: Path, fake: FakeVideoAPI) -> None:
    fake.script += [
        Scripted(429, {"code": 1302, "message": "rate limit"}, {"Retry-After": "4"}),
        Scripted(503, {"message": "busy"}),
    ]
    clock = FakeClock()
    result = motion(tmp_path, fake, clock).animate(PICTURE, SPEC)
    assert result.clip is not None and len(fake.submissions) == 3
    assert clock.sleeps[:2] == [4.0, pytest.approx(0.015, abs=0.005)]


def test_a_result_that_is_not_a_video_is_refused(tmp_path: Path, fake: FakeVideoAPI) -> None:
    fake.clip = b"<html>expired link</html>"
    with pytest.raises(ProviderError, match="the result of job task-1 is not a video"):
        motion(tmp_path, fake, FakeClock()).animate(PICTURE, SPEC)


def test_a_missing_job_id_names_the_setting(tmp_path: Path, fake: FakeVideoAPI) -> None:
    with pytest.raises(ProviderError, match=r"no job id at 'data\.id'.*JOB_ID_PATH"):
        motion(tmp_path, fake, FakeClock(), job_id_path="data.id").animate(PICTURE, SPEC)


def test_the_default_request_shape(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, http_motion={"base_url": "https://video.example"})
    provider = HttpVideoMotion(settings)
    body = provider.request_body(PICTURE, MotionSpec(shot_type="close_up", index=0, seconds=3.04))
    assert body == {
        "image": "data:image/png;base64," + base64.b64encode(PICTURE).decode(),
        "prompt": "gentle, almost still camera, steady cinematic motion",
        "duration": 3.0,
        "seed": 0,
    }
    nested = HttpVideoMotion(
        Settings(
            data_dir=tmp_path,
            http_motion={
                "base_url": "https://v.example",
                "image_field": "input.image_url",
                "prompt_field": "input.prompt",
                "model": "m",
                "model_field": "model",
            },
        )
    ).request_body(b"\xff\xd8\xff jpeg", MotionSpec(shot_type="wide", index=0))
    assert nested["input"]["image_url"].startswith("data:image/jpeg;base64,")
    assert nested["model"] == "m" and "prompt" in nested["input"]


def test_missing_configuration_names_the_setting(tmp_path: Path) -> None:
    with pytest.raises(ProviderNotConfigured) as err:
        ProviderRegistry(Settings(data_dir=tmp_path)).motion("http")
    assert err.value.setting == "STORYREEL_HTTP_MOTION__BASE_URL"
    settings = Settings(
        data_dir=tmp_path, http_motion={"base_url": "https://v.example", "status_path": "/jobs"}
    )
    with pytest.raises(ProviderNotConfigured) as err:
        ProviderRegistry(settings).motion("http")
    assert err.value.setting == "STORYREEL_HTTP_MOTION__STATUS_PATH"


def test_the_pipeline_keeps_the_clip(tmp_path: Path, fake: FakeVideoAPI) -> None:
    settings = Settings(
        data_dir=tmp_path / "data", http_motion=kling_like(fake.url, poll_interval_s=0.01)
    )
    picture = make_image(tmp_path / "shot.png", 160, 96)
    for cached in (False, True):
        ctx = PipelineContext.create(settings, ProviderRegistry(settings))
        choice = steps.make_motion(ctx, picture, SPEC, provider="http")
        assert choice.clip is not None and choice.clip.cached is cached
        assert probe(choice.clip.path).video is not None
    assert len(fake.submissions) == 1
