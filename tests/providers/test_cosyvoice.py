"""The 'cosyvoice' voice provider against a fake of CosyVoice's FastAPI server on loopback."""

from __future__ import annotations

import io
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from storyreel.providers.base import ProviderError, ProviderNotConfigured, VoiceSpec
from storyreel.providers.registry import ProviderRegistry
from storyreel.providers.voice.cosyvoice import CosyVoiceSpeech
from storyreel.settings import Settings
from tests.providers.fake_media_servers import FakeClock, FakeCosyVoice, Scripted, fast_transport

ZH = "你好，世界。今天的海风很温柔。"
EN = "The tide came in slowly."


@pytest.fixture
def fake() -> Iterator[FakeCosyVoice]:
    with FakeCosyVoice() as server:
        yield server


def cosyvoice(
    tmp_path: Path, fake: FakeCosyVoice, clock: FakeClock | None = None, **config: Any
) -> CosyVoiceSpeech:
    settings = Settings(data_dir=tmp_path / "data", cosyvoice={"url": fake.url, **config})
    provider = CosyVoiceSpeech(settings, fast_transport(clock or FakeClock()))
    provider.check()
    return provider


def wav_facts(data: bytes) -> tuple[int, int, int]:
    with wave.open(io.BytesIO(data)) as w:
        assert w.getsampwidth() == 2
        return w.getframerate(), w.getnchannels(), w.getnframes()


def test_sft_speaks_with_the_speaker_for_the_texts_language(
    tmp_path: Path, fake: FakeCosyVoice
) -> None:
    provider = cosyvoice(tmp_path, fake)
    chinese = provider.synthesize(ZH, VoiceSpec())
    english = provider.synthesize(EN, VoiceSpec(voice="auto"))

    assert fake.requests == [
        {"endpoint": "sft", "tts_text": ZH, "spk_id": "中文女"},
        {"endpoint": "sft", "tts_text": EN, "spk_id": "英文女"},
    ]
    assert wav_facts(chinese.wav) == (22_050, 1, fake.frames_for(ZH))
    assert chinese.duration == fake.frames_for(ZH) / 22_050
    assert english.duration == fake.frames_for(EN) / 22_050
    assert chinese.usage.units == {
        "characters": float(len(ZH)),
        "audio_seconds": chinese.duration,
        "cost": 0.0,
    }
    assert chinese.usage.model == "cosyvoice-sft"


def test_a_fork_on_post_that_announces_its_rate(tmp_path: Path) -> None:
    with FakeCosyVoice(sample_rate=24_000, method="POST") as fake:
        fake.announce_rate = True
        result = cosyvoice(tmp_path, fake, method="POST").synthesize(EN, VoiceSpec(voice="英文男"))
    assert fake.requests[0]["spk_id"] == "英文男"
    assert wav_facts(result.wav) == (24_000, 1, fake.frames_for(EN))


def test_the_sample_rate_setting_reads_a_silent_cosyvoice2(tmp_path: Path) -> None:
    with FakeCosyVoice(sample_rate=24_000) as fake:
        result = cosyvoice(tmp_path, fake, sample_rate=24_000).synthesize(EN, VoiceSpec())
    assert result.duration == fake.frames_for(EN) / 24_000


def test_zero_shot_sends_the_recorded_voice(tmp_path: Path, fake: FakeCosyVoice) -> None:
    prompt = tmp_path / "voice.wav"
    prompt.write_bytes(b"RIFF....WAVEfmt fake recording")
    provider = cosyvoice(
        tmp_path,
        fake,
        mode="zero_shot",
        prompt_wav=prompt,
        prompt_text="希望你以后能够做的比我还好呦。",
    )
    assert [v.id for v in provider.voices()] == ["prompt"]
    result = provider.synthesize(ZH, VoiceSpec())
    assert fake.requests == [
        {
            "endpoint": "zero_shot",
            "tts_text": ZH,
            "prompt_text": "希望你以后能够做的比我还好呦。",
            "prompt_wav": prompt.read_bytes(),
        }
    ]
    assert result.duration == fake.frames_for(ZH) / 22_050
    # The recording is part of the model name, so a new recording is not served from cache.
    before = provider.model
    prompt.write_bytes(b"RIFF....WAVEfmt another recording")
    assert provider.model != before and provider.model.startswith("cosyvoice-zero_shot-")


def test_instruct_sends_the_instruction(tmp_path: Path, fake: FakeCosyVoice) -> None:
    provider = cosyvoice(tmp_path, fake, mode="instruct", instruct_text="A calm old storyteller.")
    provider.synthesize(EN, VoiceSpec(voice="英文男"))
    assert fake.requests[0]["instruct_text"] == "A calm old storyteller."


def test_a_rate_is_applied_without_changing_pitch(tmp_path: Path, fake: FakeCosyVoice) -> None:
    normal = fake.frames_for(ZH) / 22_050
    faster = cosyvoice(tmp_path, fake).synthesize(ZH, VoiceSpec(rate=2.0))
    rate, _, frames = wav_facts(faster.wav)
    assert faster.duration == frames / rate
    assert abs(faster.duration - normal / 2) < 0.03


def test_errors_are_retried_and_silence_is_reported(tmp_path: Path, fake: FakeCosyVoice) -> None:
    fake.script.append(Scripted(500, {"detail": "CUDA error"}))
    clock = FakeClock()
    result = cosyvoice(tmp_path, fake, clock).synthesize(EN, VoiceSpec())
    assert len(fake.requests) == 2 and len(clock.sleeps) == 1
    assert result.duration == fake.frames_for(EN) / 22_050

    # Listed in settings, unknown to the server: its stream ends with no audio.
    provider = cosyvoice(tmp_path, fake, voices={"旁白": "zh"}, default_voices={"zh": "旁白"})
    with pytest.raises(ProviderError, match="sent no audio; is '旁白' one of the server's"):
        provider.synthesize(ZH, VoiceSpec())


def test_unknown_speakers_are_refused_before_calling(tmp_path: Path, fake: FakeCosyVoice) -> None:
    provider = cosyvoice(tmp_path, fake)
    with pytest.raises(ProviderError, match="no speaker 'narrator'; valid speakers: 中文女"):
        provider.synthesize(EN, VoiceSpec(voice="narrator"))
    assert fake.requests == []
    voices = {v.id: (v.language, v.gender) for v in provider.voices()}
    assert voices["粤语女"] == ("yue", "female") and voices["英文男"] == ("en", "male")


def test_missing_configuration_names_the_setting(tmp_path: Path) -> None:
    with pytest.raises(ProviderNotConfigured) as err:
        ProviderRegistry(Settings(data_dir=tmp_path)).voice("cosyvoice")
    assert err.value.setting == "STORYREEL_COSYVOICE__URL"
    settings = Settings(
        data_dir=tmp_path, cosyvoice={"url": "http://127.0.0.1:50000", "mode": "cross_lingual"}
    )
    with pytest.raises(ProviderNotConfigured) as err:
        ProviderRegistry(settings).voice("cosyvoice")
    assert err.value.setting == "STORYREEL_COSYVOICE__PROMPT_WAV"
