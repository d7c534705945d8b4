"""eSpeak NG speech, measured on the WAVs it returns."""

from __future__ import annotations

import itertools
import subprocess
import sys
import threading
from importlib.metadata import entry_points

import numpy as np
import numpy.typing as npt
import pytest

from storyreel.providers.base import ProviderError, SpeechResult, VoiceSpec
from storyreel.providers.registry import ENTRY_POINT_GROUP, ProviderRegistry
from storyreel.providers.voice.espeak import EspeakSynthesizer, detect_language
from storyreel.settings import Settings
from tests.providers.audiotools import read_wav, window_rms

ENGLISH = "The quick brown fox jumps over the lazy dog near the river bank."
CHINESE = "从前有一座山，山上有一座庙，庙里住着一个老和尚和一个小和尚。"
LONG_ENGLISH = (
    "Once upon a time, in a small village by the sea, there lived an old fisherman who "
    "went out every morning before sunrise and came back only when the stars were out."
)


@pytest.fixture
def espeak(settings: Settings) -> EspeakSynthesizer:
    provider = EspeakSynthesizer(settings)
    provider.check()
    return provider


def speak(espeak: EspeakSynthesizer, text: str, **spec: float | str) -> SpeechResult:
    return espeak.synthesize(text, VoiceSpec(**spec))  # type: ignore[arg-type]


def median_f0(x: npt.NDArray[np.float64], rate: int) -> float:
    """Median fundamental of the voiced 40 ms frames, from the autocorrelation peak."""
    n = int(0.04 * rate)
    frames = x[: len(x) // n * n].reshape(-1, n)
    rms = np.sqrt((frames**2).mean(axis=1))
    f0s = []
    lo, hi = int(rate / 400), int(rate / 60)
    for frame in frames[rms > 0.3 * rms.max()]:
        frame = frame - frame.mean()
        ac = np.correlate(frame, frame, mode="full")[n - 1 :]
        lag = lo + int(np.argmax(ac[lo:hi]))
        if ac[lag] > 0.3 * ac[0]:  # clearly periodic: a voiced frame
            f0s.append(rate / lag)
    assert len(f0s) >= 5, "too few voiced frames to estimate pitch"
    return float(np.median(f0s))


def test_registered_through_entry_points(settings: Settings) -> None:
    (entry,) = [e for e in entry_points(group=ENTRY_POINT_GROUP) if e.name == "voice.espeak"]
    registry = ProviderRegistry(settings, load_entry_points=False)
    registry.register(entry.load())
    assert isinstance(registry.voice("espeak"), EspeakSynthesizer)


@pytest.mark.parametrize("text", [ENGLISH, CHINESE])
def test_speech_has_energy_and_an_exact_duration(espeak: EspeakSynthesizer, text: str) -> None:
    result = speak(espeak, text)
    wav = read_wav(result.wav)
    assert wav.channels == 1
    assert wav.rate == 22050
    assert result.duration == len(wav.samples) / wav.rate
    x = wav.mono()
    middle = x[int(0.2 * len(x)) : int(0.8 * len(x))]
    rms = window_rms(middle, wav.rate, 0.05)
    # Speech, not silence: most 50 ms windows are well above the noise floor (-40 dBFS).
    assert np.mean(rms > 0.01) > 0.7
    assert result.usage.units == {"characters": len(text), "audio_seconds": result.duration}


def test_silence_at_the_ends_is_trimmed_to_about_50_ms(espeak: EspeakSynthesizer) -> None:
    wav = read_wav(speak(espeak, ENGLISH).wav)
    x = np.abs(wav.mono())
    loud = np.flatnonzero(x > 0.01 * x.max())
    lead, tail = loud[0] / wav.rate, (len(x) - 1 - loud[-1]) / wav.rate
    assert 0.03 <= lead <= 0.07
    assert 0.03 <= tail <= 0.07
    # The ends fade to zero: playing it back never starts or stops on a step.
    assert abs(wav.raw[0, 0]) <= 1
    assert abs(wav.raw[-1, 0]) <= 1


def test_longer_text_gives_longer_audio(espeak: EspeakSynthesizer) -> None:
    short = speak(espeak, "Once upon a time.")
    long = speak(espeak, LONG_ENGLISH)
    assert long.duration > 3 * short.duration


@pytest.mark.parametrize(
    ("text", "spec", "voice"),
    [
        (CHINESE, VoiceSpec(), "cmn"),
        (ENGLISH, VoiceSpec(), "en"),
        ("我昨天用iPhone拍了一张照片，发给了Mary。", VoiceSpec(), "cmn"),
        ("We met Li Wei (李伟) at the station and took the train home.", VoiceSpec(), "en"),
        (ENGLISH, VoiceSpec(language="zh"), "cmn"),
        (CHINESE, VoiceSpec(language="en"), "en"),
        (ENGLISH, VoiceSpec(voice="en-us"), "en-us"),
        (ENGLISH, VoiceSpec(voice="EN-GB"), "en-gb"),
    ],
)
def test_voice_is_resolved(
    espeak: EspeakSynthesizer, text: str, spec: VoiceSpec, voice: str
) -> None:
    assert espeak.resolve_voice(text, spec) == voice


def test_language_detection() -> None:
    assert detect_language("山") == "zh"
    assert detect_language("hello") == "en"
    assert detect_language("12345") == "en"


def test_english_voices_sound_different(espeak: EspeakSynthesizer) -> None:
    us = speak(espeak, ENGLISH, voice="en-us")
    gb = speak(espeak, ENGLISH, voice="en-gb")
    assert us.wav != gb.wav


def test_rate_changes_speed(espeak: EspeakSynthesizer) -> None:
    fast = speak(espeak, LONG_ENGLISH, rate=2.0)
    slow = speak(espeak, LONG_ENGLISH, rate=0.7)
    assert fast.duration < 0.55 * slow.duration


def test_extreme_rates_are_clamped(espeak: EspeakSynthesizer) -> None:
    # 165 words/min is the default: rates beyond 450 and below 80 words/min are clamped.
    fastest = speak(espeak, ENGLISH, rate=450 / 165).duration
    slowest = speak(espeak, ENGLISH, rate=80 / 165).duration
    assert speak(espeak, ENGLISH, rate=50).duration == pytest.approx(fastest, rel=0.02)
    assert speak(espeak, ENGLISH, rate=0.01).duration == pytest.approx(slowest, rel=0.02)
    assert slowest > 3 * fastest


@pytest.mark.parametrize("text", [ENGLISH, CHINESE])
def test_pitch_changes_the_fundamental(espeak: EspeakSynthesizer, text: str) -> None:
    low = read_wav(speak(espeak, text, pitch=0.4).wav)
    high = read_wav(speak(espeak, text, pitch=1.8).wav)
    assert median_f0(high.mono(), high.rate) > 1.25 * median_f0(low.mono(), low.rate)


def test_unknown_voice_lists_the_valid_ones(espeak: EspeakSynthesizer) -> None:
    with pytest.raises(ProviderError) as info:
        speak(espeak, ENGLISH, voice="klingon")
    assert not info.value.retryable
    message = str(info.value)
    assert "klingon" in message
    assert "cmn" in message
    assert "en-us" in message


@pytest.mark.parametrize("text", ["", "   \n\t "])
def test_empty_text_is_refused(espeak: EspeakSynthesizer, text: str) -> None:
    with pytest.raises(ProviderError) as info:
        speak(espeak, text)
    assert not info.value.retryable


def test_voices_include_chinese_and_english(espeak: EspeakSynthesizer) -> None:
    voices = {v.id: v for v in espeak.voices()}
    assert {"cmn", "en", "en-us", "en-gb"} <= set(voices)
    assert "Mandarin" in voices["cmn"].description
    # Every voice listed is one synthesize accepts.
    for voice_id in ("cmn", "en-us", "fr", "de"):
        assert voice_id in voices
        assert speak(espeak, "Bonjour. 你好.", voice=voice_id).duration > 0.3


def test_english_word_timings_follow_the_speech(espeak: EspeakSynthesizer) -> None:
    result = speak(espeak, ENGLISH)
    words = result.words
    assert words is not None
    assert [w.word for w in words] == ENGLISH.rstrip(".").split()
    starts = [w.start for w in words]
    assert starts == sorted(starts)
    for w, following in itertools.pairwise(words):
        assert w.start < w.end <= following.start
    assert 0 <= words[0].start < 0.15
    assert result.duration - 0.15 < words[-1].end <= result.duration
    # Each word's span holds speech, and longer words take longer than short ones on average.
    wav = read_wav(result.wav)
    x = wav.mono()
    for w in words:
        span = x[int(w.start * wav.rate) : int(w.end * wav.rate)]
        assert np.sqrt(np.mean(span**2)) > 0.02, w
    long_words = np.mean([w.end - w.start for w in words if len(w.word) >= 5])
    short_words = np.mean([w.end - w.start for w in words if len(w.word) <= 3])
    assert long_words > short_words


def test_hard_english_still_gives_one_timing_per_word(espeak: EspeakSynthesizer) -> None:
    # eSpeak sends several events for "1984" and "$3.50" and none for "an" here.
    text = "In 1984, Dr. Smith paid $3.50 for an e-mail at 10:30, didn't he?"
    result = speak(espeak, text)
    assert result.words is not None
    assert [w.word for w in result.words] == [
        "In", "1984", "Dr", "Smith", "paid", "$3.50", "for", "an", "e-mail", "at", "10:30",
        "didn't", "he",
    ]  # fmt: skip
    starts = [w.start for w in result.words]
    assert starts == sorted(starts)
    assert all(0 <= w.start <= w.end <= result.duration for w in result.words)
    # "1984" is said as three words: it takes far longer than "In".
    spans = {w.word: w.end - w.start for w in result.words}
    assert spans["1984"] > 3 * spans["In"]


def test_chinese_word_timings_cover_every_character(espeak: EspeakSynthesizer) -> None:
    result = speak(espeak, CHINESE)
    assert result.words is not None
    spoken = "".join(ch for ch in CHINESE if ch not in "，。")
    assert "".join(w.word for w in result.words) == spoken
    starts = [w.start for w in result.words]
    assert starts == sorted(starts)
    assert all(0 <= w.start <= w.end <= result.duration for w in result.words)
    # The clause break after 从前有一座山 is a pause between its last word and the next one.
    ends = np.cumsum([len(w.word) for w in result.words])
    last = int(np.flatnonzero(ends == len("从前有一座山"))[0])
    assert result.words[last + 1].start - result.words[last].end > 0.05


def test_concurrent_calls_all_succeed(espeak: EspeakSynthesizer) -> None:
    texts = [ENGLISH, CHINESE, LONG_ENGLISH, "雨停了，天边出现了一道彩虹。"]
    specs = [VoiceSpec(), VoiceSpec(), VoiceSpec(rate=1.4), VoiceSpec(pitch=1.5)]
    serial = [espeak.synthesize(t, s) for t, s in zip(texts, specs, strict=True)]
    results: list[list[SpeechResult | BaseException]] = [[] for _ in texts]
    barrier = threading.Barrier(len(texts))

    def work(i: int) -> None:
        barrier.wait()
        for _ in range(3):
            try:
                results[i].append(espeak.synthesize(texts[i], specs[i]))
            except BaseException as exc:  # surfaced by the assertions below
                results[i].append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(texts))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    for runs, want in zip(results, serial, strict=True):
        assert len(runs) == 3
        for got in runs:
            assert isinstance(got, SpeechResult), got
            assert got.duration == read_wav(got.wav).duration
            # eSpeak's pitch flutter runs on across calls, so the samples may differ a little
            # from a serial run; the speech (and so its length) must not.
            assert got.duration == pytest.approx(want.duration, rel=0.01)


def test_check_names_the_setting_when_the_library_is_missing() -> None:
    # The engine is process-global, so a broken library is tried in a fresh interpreter.
    code = (
        "import espeakng_loader\n"
        "espeakng_loader.get_library_path = lambda: '/nonexistent/libespeak-ng.so'\n"
        "from storyreel.providers.base import ProviderNotConfigured\n"
        "from storyreel.providers.voice.espeak import EspeakSynthesizer\n"
        "from storyreel.settings import Settings\n"
        "try:\n"
        "    EspeakSynthesizer(Settings()).check()\n"
        "except ProviderNotConfigured as exc:\n"
        "    print(exc.setting, '|', exc)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.startswith("STORYREEL_PROVIDERS__VOICE |")
    assert "espeakng-loader" in out
