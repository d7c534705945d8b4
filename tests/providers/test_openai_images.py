"""The 'openai' image provider against a fake OpenAI-compatible images API on loopback."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from storyreel.domain.storyboard import Shot, Storyboard
from storyreel.pipeline import steps
from storyreel.pipeline.context import PipelineContext
from storyreel.providers.base import ImageSpec, ProviderNotConfigured
from storyreel.providers.http import ProviderHttpError
from storyreel.providers.image.fitting import nearest_size
from storyreel.providers.image.openai_images import OpenAIImages
from storyreel.providers.registry import ProviderRegistry
from storyreel.settings import Settings
from tests.providers.fake_media_servers import (
    FakeClock,
    FakeFileHost,
    FakeImageAPI,
    Scripted,
    fast_transport,
    mark_box,
)


@pytest.fixture
def fake() -> Iterator[FakeImageAPI]:
    with FakeImageAPI() as api:
        yield api


def make_settings(tmp_path: Path, url: str, **config: Any) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        openai_image={"base_url": f"{url}/v1", "api_key": "sk-test", **config},
    )


def provider(tmp_path: Path, fake: FakeImageAPI, clock: FakeClock, **config: Any) -> OpenAIImages:
    images = OpenAIImages(make_settings(tmp_path, fake.url, **config), fast_transport(clock))
    images.check()
    return images


def size_of(png: bytes) -> tuple[int, int]:
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    return image.size


def test_the_nearest_accepted_size_is_asked_for() -> None:
    openai = ["1024x1024", "1536x1024", "1024x1536"]
    assert nearest_size(1280, 720, openai) == (1536, 1024)
    assert nearest_size(720, 1280, openai) == (1024, 1536)
    assert nearest_size(1080, 1080, openai) == (1024, 1024)
    dalle3 = ["1024x1024", "1792x1024", "1024x1792"]
    assert nearest_size(1920, 1080, dalle3) == (1792, 1024)
    # Equal aspect ratios: the one that covers the frame with the fewest spare pixels.
    assert nearest_size(600, 600, ["512x512", "768x768", "1024x1024"]) == (768, 768)
    assert nearest_size(1920, 1080, []) == (1920, 1080)


def test_a_base64_picture_is_cropped_not_squashed_to_the_exact_frame(
    tmp_path: Path, fake: FakeImageAPI
) -> None:
    clock = FakeClock()
    images = provider(tmp_path, fake, clock)
    result = images.generate("a lighthouse at dawn", ImageSpec(width=1280, height=720, seed=3))

    sent = fake.requests[0]
    assert sent == {
        "model": "gpt-image-1",
        "prompt": "a lighthouse at dawn",
        "n": 1,
        "size": "1536x1024",
    }
    assert size_of(result.data) == (1280, 720)
    left, top, right, bottom = mark_box(result.data)
    assert abs((right - left) - (bottom - top)) <= 2  # still a square
    assert abs((left + right) / 2 - 640) <= 2 and abs((top + bottom) / 2 - 360) <= 2
    assert result.usage.provider == "openai" and result.usage.model == "gpt-image-1"
    assert result.usage.units == {"images": 1.0, "cost": 0.04}
    assert result.meta["revised_prompt"] == "a lighthouse at dawn!"
    assert clock.sleeps == []


def test_siliconflow_fields_and_a_picture_fetched_by_url(tmp_path: Path) -> None:
    sizes = ("1024x1024", "960x1280", "768x1024", "720x1440", "720x1280")
    with FakeImageAPI(flavour="siliconflow", sizes=sizes) as api:
        images = provider(
            tmp_path,
            api,
            FakeClock(),
            model="Kwai-Kolors/Kolors",
            sizes=list(sizes),
            size_format="image_size",
            negative_prompt_field="negative_prompt",
            seed_field="seed",
            steps_field="num_inference_steps",
            guidance_field="guidance_scale",
            extra_body={"batch_size": 1},
            price_per_image=0.0,
        )
        spec = ImageSpec(width=720, height=1280, seed=42, negative_prompt="blurry", steps=20)
        result = images.generate("ink-wash mountains", spec)

    assert api.requests == [
        {
            "model": "Kwai-Kolors/Kolors",
            "prompt": "ink-wash mountains",
            "n": 1,
            "image_size": "720x1280",
            "negative_prompt": "blurry",
            "seed": 42,
            "num_inference_steps": 20,
            "batch_size": 1,
        }
    ]
    assert size_of(result.data) == (720, 1280)
    assert len(api.downloads) == 1
    assert result.usage.units == {"images": 1.0, "cost": 0.0}


def test_a_url_on_another_origin_is_downloaded_without_the_api_key(
    tmp_path: Path, fake: FakeImageAPI
) -> None:
    fake.sizes = ("1024x1024", "1792x1024", "1024x1792")
    with FakeFileHost(fake) as cdn:
        fake.file_host = cdn.url
        images = provider(
            tmp_path,
            fake,
            FakeClock(),
            model="dall-e-3",
            response_format="url",
            sizes=["1024x1024", "1792x1024", "1024x1792"],
        )
        result = images.generate("a ship in a storm", ImageSpec(width=1920, height=1080))

    assert fake.requests[0]["response_format"] == "url"
    assert fake.requests[0]["size"] == "1792x1024"
    assert len(fake.downloads) == 1 and "authorization" not in fake.downloads[0]
    assert size_of(result.data) == (1920, 1080)


def test_a_429_waits_as_long_as_retry_after_says_then_succeeds(
    tmp_path: Path, fake: FakeImageAPI
) -> None:
    fake.script.append(
        Scripted(429, {"error": {"message": "Rate limit reached"}}, {"Retry-After": "7"})
    )
    clock = FakeClock()
    result = provider(tmp_path, fake, clock).generate("x", ImageSpec(width=64, height=64))
    assert size_of(result.data) == (64, 64)
    assert len(fake.requests) == 2 and clock.sleeps == [7.0]


def test_a_5xx_is_retried_after_a_backoff(tmp_path: Path, fake: FakeImageAPI) -> None:
    fake.script.append(Scripted(503, {"error": {"message": "overloaded"}}))
    clock = FakeClock()
    result = provider(tmp_path, fake, clock).generate("x", ImageSpec(width=96, height=64))
    assert size_of(result.data) == (96, 64)
    assert len(fake.requests) == 2
    assert len(clock.sleeps) == 1 and 0.005 <= clock.sleeps[0] <= 0.01


def test_a_server_that_does_not_answer_in_time_fails_retryably(
    tmp_path: Path, fake: FakeImageAPI
) -> None:
    fake.delay_s = 0.5
    clock = FakeClock()
    images = OpenAIImages(
        make_settings(tmp_path, fake.url, timeout_s=0.15),
        fast_transport(clock, attempts=2),
    )
    with pytest.raises(ProviderHttpError) as err:
        images.generate("x", ImageSpec(width=64, height=64))
    assert err.value.retryable and err.value.status is None
    assert "no answer within 0.15 s" in str(err.value)
    assert len(fake.requests) == 2


def test_a_refused_request_fails_at_once_with_the_servers_words(
    tmp_path: Path, fake: FakeImageAPI
) -> None:
    clock = FakeClock()
    images = provider(tmp_path, fake, clock, response_format="b64_json")
    with pytest.raises(ProviderHttpError) as err:
        images.generate("x", ImageSpec(width=64, height=64))
    assert not err.value.retryable and err.value.status == 400
    assert "Unknown parameter: 'response_format'" in str(err.value)
    assert len(fake.requests) == 1 and clock.sleeps == []


def test_a_wrong_key_names_the_setting(tmp_path: Path, fake: FakeImageAPI) -> None:
    images = provider(tmp_path, fake, FakeClock(), api_key="sk-wrong")
    with pytest.raises(ProviderHttpError, match=r"Incorrect API key.*STORYREEL_OPENAI_IMAGE__"):
        images.generate("x", ImageSpec(width=64, height=64))


def test_missing_configuration_is_reported_at_selection(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, openai_image={"base_url": "https://api.openai.com/v1"})
    with pytest.raises(ProviderNotConfigured) as err:
        ProviderRegistry(settings).image("openai")
    assert err.value.setting == "STORYREEL_OPENAI_IMAGE__API_KEY"
    assert "STORYREEL_OPENAI_IMAGE__API_KEY" in str(err.value)

    settings = Settings(data_dir=tmp_path, openai_image={"base_url": ""})
    with pytest.raises(ProviderNotConfigured) as err:
        ProviderRegistry(settings).image("openai")
    assert err.value.setting == "STORYREEL_OPENAI_IMAGE__BASE_URL"

    settings = Settings(
        data_dir=tmp_path, openai_image={"api_key": "k", "sizes": ["1024x1024", "big"]}
    )
    with pytest.raises(ProviderNotConfigured) as err:
        ProviderRegistry(settings).image("openai")
    assert err.value.setting == "STORYREEL_OPENAI_IMAGE__SIZES"

    # A server on this machine (LocalAI, a vLLM image server...) needs no key.
    local = Settings(data_dir=tmp_path, openai_image={"base_url": "http://127.0.0.1:9/v1"})
    assert ProviderRegistry(local).image("openai").name == "openai"


def test_the_pipeline_pays_for_a_picture_once(tmp_path: Path, fake: FakeImageAPI) -> None:
    settings = make_settings(tmp_path, fake.url)
    board = Storyboard(
        title="t",
        language="en",
        style="cinematic",
        characters=[],
        shots=[Shot(id="a", narration="One.", visual_prompt="a lighthouse at dawn")],
    )
    options = steps.ImageOptions(provider="openai")
    for expected_cached in (False, True):
        ctx = PipelineContext.create(settings, ProviderRegistry(settings))
        asset = steps.make_image(ctx, board, board.shots[0], 320, 180, options=options)
        assert asset.cached is expected_cached
        assert size_of(asset.path.read_bytes()) == (320, 180)
    assert len(fake.requests) == 1
    assert asset.usage.cached and asset.usage.units == {}
