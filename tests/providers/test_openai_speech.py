"""The 'openai' voice provider against a fake ``/v1/audio/speech`` server on loopback."""

from __future__ import annotations

import io
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from storyreel.pipeline import steps
from storyreel.pipeline.context import PipelineContext
from storyreel.providers.base import ProviderError, ProviderNotConfigured, VoiceSpec
from storyreel.providers.http import ProviderHttpError
from storyreel.providers.registry import ProviderRegistry
from storyreel.providers.voice.openai_speech import OpenAISpeech
from storyreel.providers.voice.wavdata import parse_wav
from storyreel.settings import Settings
from tests.providers.fake_media_servers import (
    FakeClock,
    FakeSpeechAPI,
    Scripted,
    fast_transport,
    streaming_wav,
    tone,
)

LINE = "The lighthouse keeper climbed the stairs one last time."


@pytest.fixture
def fake() -> Iterator[FakeSpeechAPI]:
    with FakeSpeechAPI() as api:
        yield api


def make_settings(tmp_path: Path, url: str, **config: Any) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        openai_speech={"base_url": f"{url}/v1", "api_key": "sk-test", **config},
    )


def speech(
    tmp_path: Path, fake: FakeSpeechAPI, clock: FakeClock | None = None, **config: Any
) -> OpenAISpeech:
    provider = OpenAISpeech(
        make_settings(tmp_path, fake.url, **config), fast_transport(clock or FakeClock())
    )
    provider.check()
    return provider


def read_wav(data: bytes) -> tuple[int, int, int]:
    """(rate, channels, frames) as the standard library reads the header."""
    with wave.open(io.BytesIO(data)) as w:
        assert w.getsampwidth() == 2
        return w.getframerate(), w.getnchannels(), w.getnframes()


def test_a_streamed_wav_gets_a_true_header_and_an_exact_duration(
    tmp_path: Path, fake: FakeSpeechAPI
) -> None:
    result = speech(tmp_path, fake).synthesize(LINE, VoiceSpec())
    frames = fake.frames_for(LINE)
    assert fake.requests == [
        {"model": "tts-1", "input": LINE, "voice": "alloy", "response_format": "wav"}
    ]
    assert read_wav(result.wav) == (24_000, 1, frames)
    assert result.duration == frames / 24_000
    assert result.words is None
    assert result.usage.units == {
        "characters": float(len(LINE)),
        "audio_seconds": frames / 24_000,
        "cost": round(len(LINE) / 1000 * 0.015, 6),
    }
    assert result.usage.provider == "openai" and result.usage.model == "tts-1"


def test_rate_voice_and_instructions_are_sent(tmp_path: Path, fake: FakeSpeechAPI) -> None:
    provider = speech(
        tmp_path, fake, model="gpt-4o-mini-tts", instructions="Calm, like a bedtime story."
    )
    result = provider.synthesize(LINE, VoiceSpec(voice="Nova", rate=1.5))
    sent = fake.requests[0]
    assert (sent["voice"], sent["speed"], sent["model"]) == ("nova", 1.5, "gpt-4o-mini-tts")
    assert sent["instructions"] == "Calm, like a bedtime story."
    assert result.duration == fake.frames_for(LINE, 1.5) / 24_000


def test_mp3_is_converted_with_ffmpeg(tmp_path: Path, fake: FakeSpeechAPI) -> None:
    result = speech(tmp_path, fake, response_format="mp3").synthesize(LINE, VoiceSpec())
    rate, channels, frames = read_wav(result.wav)
    assert (rate, channels) == (24_000, 1)
    assert result.duration == frames / rate
    # A streamed MP3 has no gapless header: decoding keeps the encoder's padding (< 0.1 s).
    assert 0 <= result.duration - fake.frames_for(LINE) / 24_000 < 0.1


def test_raw_pcm_is_wrapped_at_the_configured_rate(tmp_path: Path, fake: FakeSpeechAPI) -> None:
    result = speech(tmp_path, fake, response_format="pcm").synthesize(LINE, VoiceSpec())
    assert read_wav(result.wav) == (24_000, 1, fake.frames_for(LINE))


def test_a_429_then_a_5xx_are_retried(tmp_path: Path, fake: FakeSpeechAPI) -> None:
    fake.script += [
        Scripted(429, {"error": {"message": "Rate limit"}}, {"Retry-After": "3"}),
        Scripted(502, {"error": {"message": "bad gateway"}}),
    ]
    clock = FakeClock()
    result = speech(tmp_path, fake, clock).synthesize(LINE, VoiceSpec())
    assert len(fake.requests) == 3
    assert clock.sleeps[0] == 3.0 and 0.01 <= clock.sleeps[1] <= 0.02
    assert result.duration == fake.frames_for(LINE) / 24_000


def test_a_slow_server_times_out_retryably(tmp_path: Path, fake: FakeSpeechAPI) -> None:
    fake.delay_s = 0.5
    provider = OpenAISpeech(
        make_settings(tmp_path, fake.url, timeout_s=0.1), fast_transport(FakeClock(), attempts=1)
    )
    with pytest.raises(ProviderHttpError) as err:
        provider.synthesize(LINE, VoiceSpec())
    assert err.value.retryable and "no answer within 0.1 s" in str(err.value)


def test_voices_come_from_settings(tmp_path: Path, fake: FakeSpeechAPI) -> None:
    provider = speech(tmp_path, fake, voice="onyx", voices={"onyx": "mul", "nova": "mul"})
    assert [v.id for v in provider.voices()] == ["nova", "onyx"]
    assert provider.default_voice("zh") == "onyx"
    provider.synthesize(LINE, VoiceSpec(voice="auto", language="zh"))
    assert fake.requests[-1]["voice"] == "onyx"
    with pytest.raises(ProviderError, match="no voice 'shimmer'; valid voices: nova, onyx"):
        provider.synthesize(LINE, VoiceSpec(voice="shimmer"))
    with pytest.raises(ProviderError, match="at most 10 characters"):
        speech(tmp_path, fake, max_chars=10).synthesize(LINE, VoiceSpec())


def test_missing_key_names_the_setting(tmp_path: Path) -> None:
    with pytest.raises(ProviderNotConfigured) as err:
        ProviderRegistry(Settings(data_dir=tmp_path)).voice("openai")
    assert err.value.setting == "STORYREEL_OPENAI_SPEECH__API_KEY"


def test_the_pipeline_reuses_a_paid_narration(tmp_path: Path, fake: FakeSpeechAPI) -> None:
    settings = make_settings(tmp_path, fake.url)
    for cached in (False, True):
        ctx = PipelineContext.create(settings, ProviderRegistry(settings))
        made = steps.make_voice(ctx, LINE, VoiceSpec(), provider="openai")
        assert made.cached is cached
        assert made.duration == fake.frames_for(LINE) / 24_000
    assert len(fake.requests) == 1


def test_wav_parsing_trusts_the_bytes_over_the_header() -> None:
    pcm = tone(1001, 16_000)
    parsed = parse_wav(streaming_wav(pcm + b"\x01", 16_000))  # a stream cut mid-sample
    assert parsed is not None and parsed.frames == 1001 and parsed.rate == 16_000
    assert parse_wav(b"ID3\x03not a wav") is None
