"""What a remote provider's failure tells the user, driven as a new integrator meets it: fake
OpenAI-compatible servers on loopback refuse a key, refuse a prompt under their content
policy, or are busy for a while."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from storyreel.domain.styles import get_style
from storyreel.providers.base import Brief, ImageSpec, VoiceSpec
from storyreel.providers.http import ProviderHttpError
from storyreel.providers.image.openai_images import OpenAIImages
from storyreel.providers.keys import settings_with_keys
from storyreel.providers.refusals import without_foreign_links
from storyreel.providers.registry import ProviderRegistry
from storyreel.providers.remote import Transport
from storyreel.providers.router import ProviderRouter, Route
from storyreel.providers.voice.openai_speech import OpenAISpeech
from storyreel.settings import Settings
from tests.providers import fakes
from tests.providers.fake_media_servers import (
    WRONG_KEY,
    FakeClock,
    FakeImageAPI,
    FakeSpeechAPI,
    Scripted,
    fast_transport,
)
from tests.providers.fakes import FakeOpenAI, openai_error

fake_openai = fakes.fake_openai  # the fixture, used by name below

SPEC = ImageSpec(width=64, height=64)
POLICY = Scripted(
    400,
    {
        "error": {
            "message": "Your request was rejected as a result of our safety system.",
            "type": "image_generation_user_error",
            "code": "content_policy_violation",
        }
    },
)
BUSY = Scripted(503, {"error": {"message": "The server is overloaded."}})


@pytest.fixture
def images_api() -> Iterator[FakeImageAPI]:
    with FakeImageAPI() as api:
        yield api


def image_settings(tmp_path: Path, api: FakeImageAPI, **config: Any) -> Settings:
    values = {"base_url": f"{api.url}/v1", "api_key": "sk-test", **config}
    return Settings(data_dir=tmp_path / "data", openai_image=values)


def images(settings: Settings, clock: FakeClock) -> OpenAIImages:
    provider = OpenAIImages(settings, fast_transport(clock, attempts=10))
    provider.check()
    return provider


# --- a refused key --------------------------------------------------------------------------


def test_a_refused_image_key_names_the_variable_and_not_openais_help_page(
    tmp_path: Path, images_api: FakeImageAPI
) -> None:
    provider = images(image_settings(tmp_path, images_api, api_key="sk-wrong"), FakeClock())
    with pytest.raises(ProviderHttpError) as err:
        provider.generate("a lighthouse", SPEC)
    said = str(err.value)
    assert "HTTP 401: Incorrect API key provided: sk-wrong." in said
    assert "set STORYREEL_OPENAI_IMAGE__API_KEY" in said
    assert "platform.openai.com" not in said  # that page is not this server's
    assert not err.value.retryable and err.value.fall_over


def test_a_refused_speech_key_names_its_own_variable(tmp_path: Path) -> None:
    with FakeSpeechAPI() as api:
        settings = Settings(
            data_dir=tmp_path / "data",
            openai_speech={"base_url": f"{api.url}/v1", "api_key": "sk-wrong"},
        )
        speech = OpenAISpeech(settings, fast_transport(FakeClock()))
        with pytest.raises(ProviderHttpError) as err:
            speech.synthesize("Hello there.", VoiceSpec(voice="alloy"))
    assert "set STORYREEL_OPENAI_SPEECH__API_KEY" in str(err.value)
    assert "platform.openai.com" not in str(err.value)


def test_a_refused_chat_key_names_the_llm_variable(tmp_path: Path, fake_openai: FakeOpenAI) -> None:
    fake_openai.script(FakeOpenAI.CHAT, openai_error(401, WRONG_KEY))
    settings = Settings(
        data_dir=tmp_path / "data",
        llm={"base_url": fake_openai.base_url, "api_key": "sk-test", "model": fakes.FAKE_MODEL},
    )
    writer = ProviderRegistry(settings).storyboard("openai")
    with pytest.raises(ProviderHttpError) as err:
        writer.write("Mara climbed the lighthouse stairs.", Brief(style=get_style("cinematic")))
    assert "set STORYREEL_LLM__API_KEY" in str(err.value)
    assert "platform.openai.com" not in str(err.value)


def test_an_accounts_own_refused_key_points_at_its_key_slot_not_the_servers_variable(
    tmp_path: Path, images_api: FakeImageAPI
) -> None:
    operator = image_settings(tmp_path, images_api)
    mine = settings_with_keys(operator, {"openai_image": "sk-mine-but-revoked"})
    with pytest.raises(ProviderHttpError) as err:
        images(mine, FakeClock()).generate("a lighthouse", SPEC)
    said = str(err.value)
    assert "your provider key for openai_image" in said
    assert "PUT /api/v1/me/provider-keys/openai_image" in said
    assert "STORYREEL_" not in said


def test_the_vendors_help_link_stays_when_the_server_is_the_vendors() -> None:
    message = "Incorrect API key. You can find your API key at https://platform.openai.com/x."
    assert without_foreign_links(message, "https://api.openai.com/v1") == message
    assert without_foreign_links(message, "https://api.siliconflow.cn/v1") == ("Incorrect API key.")


def test_a_refused_key_falls_over_to_the_next_provider_and_says_why(
    tmp_path: Path, images_api: FakeImageAPI
) -> None:
    settings = image_settings(tmp_path, images_api, api_key="sk-wrong")
    router = ProviderRouter(ProviderRegistry(settings))
    routed = router.run("image", Route(("openai", "sketch")), lambda p: p.generate("x", SPEC))
    assert routed.provider.name == "sketch"
    [failover] = routed.failovers
    assert failover["provider"] == "openai"
    assert "set STORYREEL_OPENAI_IMAGE__API_KEY" in failover["reason"]


# --- a content-policy refusal ---------------------------------------------------------------


def test_a_content_policy_refusal_falls_over_to_the_local_provider(
    tmp_path: Path, images_api: FakeImageAPI
) -> None:
    images_api.script.append(POLICY)
    router = ProviderRouter(ProviderRegistry(image_settings(tmp_path, images_api)))
    routed = router.run("image", Route(("openai", "sketch")), lambda p: p.generate("x", SPEC))
    assert routed.provider.name == "sketch" and routed.value.data.startswith(b"\x89PNG")
    assert "refused the request under its content policy" in routed.failovers[0]["reason"]
    assert len(images_api.requests) == 1  # refused once, not asked again


def test_a_content_policy_refusal_without_a_next_provider_fails_for_good_at_once(
    tmp_path: Path, images_api: FakeImageAPI
) -> None:
    images_api.script.append(POLICY)
    router = ProviderRouter(ProviderRegistry(image_settings(tmp_path, images_api)))
    with pytest.raises(ProviderHttpError) as err:
        router.run("image", Route(("openai",)), lambda p: p.generate("x", SPEC))
    assert err.value.policy_refusal and not err.value.retryable
    assert "content policy: Your request was rejected as a result of our safety system." in str(
        err.value
    )
    assert len(images_api.requests) == 1


# --- a busy server --------------------------------------------------------------------------


def test_two_503s_are_waited_out_and_the_third_try_succeeds(
    tmp_path: Path, images_api: FakeImageAPI
) -> None:
    images_api.script.extend([BUSY, BUSY])
    clock = FakeClock()
    result = images(image_settings(tmp_path, images_api), clock).generate("x", SPEC)
    assert result.data.startswith(b"\x89PNG")
    assert len(images_api.requests) == 3 and len(clock.sleeps) == 2


def test_a_server_that_stays_down_is_given_up_on_within_the_budget(
    tmp_path: Path, images_api: FakeImageAPI
) -> None:
    images_api.script.extend([BUSY] * 50)
    clock = FakeClock()
    settings = image_settings(tmp_path, images_api, retry_budget_s=0.1)
    with pytest.raises(ProviderHttpError) as err:
        images(settings, clock).generate("x", SPEC)
    assert err.value.retryable and err.value.status == 503
    assert sum(clock.sleeps) <= 0.1 + 1e-9
    assert 2 < len(images_api.requests) < 50
    assert f"gave up after {len(images_api.requests)} tries" in str(err.value)


def test_the_default_budget_waits_tens_of_seconds_not_two(
    tmp_path: Path, images_api: FakeImageAPI
) -> None:
    images_api.script.extend([BUSY] * 50)
    clock = FakeClock()
    # The shipped policy and setting; only the sleeping is pretended.
    transport = Transport(sleep=clock.sleep, clock=clock.monotonic)
    provider = OpenAIImages(image_settings(tmp_path, images_api), transport)
    with pytest.raises(ProviderHttpError):
        provider.generate("x", SPEC)
    assert 10.0 <= sum(clock.sleeps) <= 30.0 + 1e-9


def test_a_retry_after_beyond_the_budget_gives_up_at_once(
    tmp_path: Path, images_api: FakeImageAPI
) -> None:
    images_api.script.append(
        Scripted(429, {"error": {"message": "Rate limit reached"}}, {"Retry-After": "20"})
    )
    clock = FakeClock()
    settings = image_settings(tmp_path, images_api, retry_budget_s=5)
    with pytest.raises(ProviderHttpError) as err:
        images(settings, clock).generate("x", SPEC)
    assert err.value.status == 429 and err.value.retryable and clock.sleeps == []
