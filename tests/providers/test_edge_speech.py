"""The 'edge' voice provider: the real edge-tts package against a fake of Edge's read-aloud
WebSocket on loopback (tests/providers/fake_edge_tts.py)."""

from __future__ import annotations

import io
import sys
import threading
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import edge_tts.communicate
import edge_tts.constants
import pytest
from edge_tts.drm import DRM
from pydantic import ValidationError

from storyreel.providers.base import ProviderError, ProviderNotConfigured, VoiceSpec
from storyreel.providers.registry import ProviderRegistry
from storyreel.providers.voice.edge_speech import (
    INSTALL,
    EdgeSpeech,
    endpoint_url,
    pitch_option,
    rate_option,
)
from storyreel.settings import Settings
from tests.providers.fake_edge_tts import FakeEdgeTts

ZH = "你好，世界。今天的海风很温柔。"
EN = "The tide came in slowly."
XIAOXIAO = "Microsoft Server Speech Text to Speech Voice (zh-CN, XiaoxiaoNeural)"


@pytest.fixture
def fake() -> Iterator[FakeEdgeTts]:
    with FakeEdgeTts() as server:
        yield server


def edge(tmp_path: Path, fake: FakeEdgeTts | None = None, **config: Any) -> EdgeSpeech:
    if fake is not None:
        config.setdefault("endpoint", fake.url)
    provider = EdgeSpeech(Settings(data_dir=tmp_path / "data", edge_tts=config))
    provider.check()
    return provider


def wav_facts(data: bytes) -> tuple[int, int, int]:
    with wave.open(io.BytesIO(data)) as w:
        assert w.getsampwidth() == 2
        return w.getframerate(), w.getnchannels(), w.getnframes()


def test_speech_with_word_timings_and_an_exact_duration(tmp_path: Path, fake: FakeEdgeTts) -> None:
    result = edge(tmp_path, fake, price_per_1k_chars=0.01).synthesize(
        EN, VoiceSpec(voice="en-US-GuyNeural", rate=1.25, pitch=1.1)
    )

    [sent] = fake.requests
    assert sent.voice == "Microsoft Server Speech Text to Speech Voice (en-US, GuyNeural)"
    assert (sent.rate, sent.pitch, sent.text) == ("+25%", "+15Hz", EN)
    assert sent.config == {
        "context": {
            "synthesis": {
                "audio": {
                    "metadataoptions": {
                        "sentenceBoundaryEnabled": "false",
                        "wordBoundaryEnabled": "true",
                    },
                    "outputFormat": "audio-24khz-48kbitrate-mono-mp3",
                }
            }
        }
    }
    assert sent.query["TrustedClientToken"] == edge_tts.constants.TRUSTED_CLIENT_TOKEN
    assert sent.query["ConnectionId"] and sent.query["Sec-MS-GEC"]

    rate, channels, frames = wav_facts(result.wav)
    assert (rate, channels) == (24_000, 1)
    assert result.duration == frames / rate  # counted from the decoded samples
    assert result.duration == pytest.approx(sent.mp3_seconds, abs=0.1)
    # Every word where the service said it is; the full stop's boundary is not a word.
    assert result.words is not None
    assert [(w.word, w.start, w.end) for w in result.words] == [
        (b.text, b.start_s, b.end_s) for b in sent.boundaries if b.text != "."
    ]
    assert [w.word for w in result.words] == ["The", "tide", "came", "in", "slowly"]
    assert result.usage.units == {
        "characters": float(len(EN)),
        "audio_seconds": result.duration,
        "cost": round(len(EN) / 1000 * 0.01, 6),
    }
    assert (result.usage.provider, result.usage.model) == ("edge", "edge-tts")


def test_auto_picks_a_chinese_voice_for_chinese_text(tmp_path: Path, fake: FakeEdgeTts) -> None:
    provider = edge(tmp_path, fake)
    chinese = provider.synthesize(ZH, VoiceSpec())
    provider.synthesize(EN, VoiceSpec(voice="auto"))
    provider.synthesize(EN, VoiceSpec(language="zh-TW"))  # the story's language wins

    assert [r.voice for r in fake.requests] == [
        XIAOXIAO,
        "Microsoft Server Speech Text to Speech Voice (en-US, AriaNeural)",
        XIAOXIAO,
    ]
    assert fake.requests[0].rate == "+0%" and fake.requests[0].pitch == "+0Hz"
    assert chinese.words is not None
    assert [w.word for w in chinese.words] == ["你好", "世界", "今天", "的海", "风很", "温柔"]


def test_default_voices_and_listed_voices_come_from_settings(tmp_path: Path) -> None:
    provider = edge(
        tmp_path,
        default_voices={"zh": "zh-CN-YunxiNeural", "en-GB": "en-GB-RyanNeural"},
        extra_voices=["fr-FR-DeniseNeural"],
    )
    assert provider.default_voice("zh") == "zh-CN-YunxiNeural"
    assert provider.default_voice("en-GB") == "en-GB-RyanNeural"
    assert provider.default_voice("en") == "en-GB-RyanNeural"  # same family
    assert provider.default_voice("fr") == "fr-FR-DeniseNeural"  # an extra voice
    assert provider.default_voice("xx") is None

    voices = {v.id: v for v in provider.voices()}
    assert voices["zh-CN-XiaoxiaoNeural"].language == "zh-CN"
    assert voices["zh-CN-XiaoxiaoNeural"].gender == "female"
    assert voices["en-US-GuyNeural"].gender == "male"
    assert voices["fr-FR-DeniseNeural"].language == "fr-FR"
    # Any Edge voice id is taken, listed or not; anything else is refused at once.
    assert provider.resolve_voice(EN, VoiceSpec(voice="de-DE-KatjaNeural")) == "de-DE-KatjaNeural"
    assert provider.resolve_voice(EN, VoiceSpec(voice="en-us-ariAneural")) == "en-US-AriaNeural"
    with pytest.raises(ProviderError, match="zh-CN-XiaoxiaoNeural") as err:
        provider.resolve_voice(EN, VoiceSpec(voice="alloy"))
    assert not err.value.retryable


def test_a_server_that_closes_without_audio_is_a_retryable_error(tmp_path: Path) -> None:
    with FakeEdgeTts(mode="silent") as fake:
        provider = edge(tmp_path, fake)
        with pytest.raises(ProviderError, match="sent no audio") as err:
            provider.synthesize(EN, VoiceSpec(voice="en-US-NobodyNeural"))
    assert err.value.retryable
    assert "en-US-NobodyNeural" in str(err.value)


def test_a_stalled_server_times_out_retryably(tmp_path: Path) -> None:
    with FakeEdgeTts(mode="stall") as fake:
        provider = edge(tmp_path, fake, timeout_s=0.5)
        with pytest.raises(ProviderError, match=r"within 0\.5 s") as err:
            provider.synthesize(EN, VoiceSpec())
    assert err.value.retryable
    assert len(fake.requests) == 1  # it did connect and send the text


def test_a_stream_cut_short_is_a_retryable_error(tmp_path: Path) -> None:
    with (
        FakeEdgeTts(mode="cut") as fake,
        pytest.raises(ProviderError, match="stops before the last word") as err,
    ):
        edge(tmp_path, fake).synthesize(ZH * 3, VoiceSpec())
    assert err.value.retryable


def test_a_refused_handshake_says_to_update_edge_tts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # edge-tts answers a 403 by correcting its clock from the server's Date and trying once
    # more; keep that correction out of the other tests.
    monkeypatch.setattr(DRM, "clock_skew_seconds", 0.0)
    with (
        FakeEdgeTts(mode="refuse") as fake,
        pytest.raises(ProviderError, match=r"HTTP 403.*pip install -U edge-tts") as err,
    ):
        edge(tmp_path, fake).synthesize(EN, VoiceSpec())
    assert not err.value.retryable
    assert fake.connections == 2


def test_an_unreachable_endpoint_is_a_retryable_error(tmp_path: Path) -> None:
    with FakeEdgeTts() as fake:
        url = fake.url
    with pytest.raises(ProviderError, match=r"edge-tts at ws://127\.0\.0\.1") as err:
        edge(tmp_path, endpoint=url).synthesize(EN, VoiceSpec())
    assert err.value.retryable


def test_concurrent_calls_each_reach_their_own_endpoint(tmp_path: Path) -> None:
    with FakeEdgeTts() as one, FakeEdgeTts() as two:
        providers = [edge(tmp_path, one), edge(tmp_path, two)]
        errors: list[BaseException] = []

        def speak(provider: EdgeSpeech) -> None:
            try:
                for _ in range(3):
                    provider.synthesize(EN, VoiceSpec())
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=speak, args=(p,)) for p in providers]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
    assert not errors
    assert (len(one.requests), len(two.requests)) == (3, 3)
    # Outside a call, edge-tts's URL is Microsoft's, however it is formatted.
    url = edge_tts.communicate.WSS_URL
    assert f"{url}&x" == f"{edge_tts.constants.WSS_URL}&x"
    assert url == edge_tts.constants.WSS_URL


def test_options_and_endpoint_urls() -> None:
    assert [rate_option(r) for r in (1.0, 1.25, 0.8, 0.1, 9.0)] == [
        "+0%",
        "+25%",
        "-20%",
        "-50%",
        "+100%",
    ]
    assert [pitch_option(p) for p in (1.0, 1.1, 0.9, 0.0, 3.0)] == [
        "+0Hz",
        "+15Hz",
        "-15Hz",
        "-75Hz",
        "+75Hz",
    ]
    assert endpoint_url("wss://relay.example/edge/v1", "TOKEN") == (
        "wss://relay.example/edge/v1?TrustedClientToken=TOKEN"
    )
    assert endpoint_url("wss://relay.example/v1?key=k", "TOKEN") == "wss://relay.example/v1?key=k"
    with pytest.raises(ValidationError, match="ws://"):
        Settings(edge_tts={"endpoint": "ftp://relay.example"})


def test_without_the_package_it_names_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "edge_tts", None)  # `import edge_tts` now fails
    provider = EdgeSpeech(Settings(data_dir=tmp_path / "data"))  # the module itself imports
    with pytest.raises(ProviderNotConfigured, match="edge-tts package") as err:
        provider.check()
    assert INSTALL in str(err.value)
    assert provider.voices()  # listing needs neither the package nor the network


def test_bad_voice_settings_fail_when_chosen(tmp_path: Path) -> None:
    with pytest.raises(ProviderNotConfigured, match="STORYREEL_EDGE_TTS__DEFAULT_VOICES"):
        edge(tmp_path, default_voices={"zh": "Xiaoxiao"})
    with pytest.raises(ProviderNotConfigured, match="STORYREEL_EDGE_TTS__EXTRA_VOICES"):
        edge(tmp_path, extra_voices=["denise"])


def test_the_registry_serves_it(tmp_path: Path, fake: FakeEdgeTts) -> None:
    settings = Settings(
        data_dir=tmp_path / "data", providers={"voice": "edge"}, edge_tts={"endpoint": fake.url}
    )
    synth = ProviderRegistry(settings).voice()
    assert synth.name == "edge"
    assert synth.synthesize(ZH, VoiceSpec()).words
