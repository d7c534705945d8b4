"""Procedural music beds, measured on the WAVs they come back as."""

from __future__ import annotations

import math
from functools import cache
from importlib.metadata import entry_points

import numpy as np
import numpy.typing as npt
import pytest

from storyreel.providers.base import AudioResult, ProviderError
from storyreel.providers.music.ambient import MOODS, AmbientMusic
from storyreel.providers.registry import ENTRY_POINT_GROUP, ProviderRegistry
from storyreel.settings import Settings
from tests.providers.audiotools import Wav, db, read_wav, window_rms

ALL_MOODS = ["calm", "tense", "joyful", "sad", "epic", "mysterious"]
MAJOR_MOODS = ["calm", "joyful"]
MINOR_MOODS = ["sad", "tense", "epic", "mysterious"]


@cache
def track(mood: str, seconds: float = 20.0, seed: int = 0) -> AudioResult:
    """Rendered once per test session: the provider is deterministic, so this is safe."""
    return AmbientMusic(Settings()).track(mood, seconds, seed)


def chroma(wav: Wav, tonic: int) -> npt.NDArray[np.float64]:
    """Share of the energy between 55 Hz and 4 kHz in each pitch class, relative to ``tonic``."""
    power = np.abs(np.fft.rfft(wav.mono())) ** 2
    freqs = np.fft.rfftfreq(len(wav.samples), 1 / wav.rate)
    band = (freqs > 55) & (freqs < 4000)
    pitch_class = np.round(12 * np.log2(freqs[band] / 440) + 69).astype(int) % 12
    energy = np.bincount(pitch_class, weights=power[band], minlength=12)
    return np.roll(energy / energy.sum(), -tonic)


def test_registered_through_entry_points(settings: Settings) -> None:
    (entry,) = [e for e in entry_points(group=ENTRY_POINT_GROUP) if e.name == "music.ambient"]
    registry = ProviderRegistry(settings, load_entry_points=False)
    registry.register(entry.load())
    source = registry.music("ambient")
    assert isinstance(source, AmbientMusic)
    assert set(ALL_MOODS) <= set(source.moods())


@pytest.mark.parametrize("mood", ALL_MOODS)
def test_every_mood_is_stereo_music_of_whole_bars(mood: str) -> None:
    result = track(mood)
    wav = read_wav(result.wav)
    assert wav.channels == 2
    assert wav.rate in (44100, 48000)
    assert result.duration == wav.duration
    assert result.duration >= 20
    bar = 4 * 60 / MOODS[mood].bpm
    assert result.duration / bar == pytest.approx(round(result.duration / bar), abs=1e-3)
    # Peak-normalised to -3 dBFS, nowhere near clipping.
    peak = np.abs(wav.samples).max()
    assert 0.65 < peak <= 0.71
    assert np.abs(wav.raw.astype(np.int32)).max() < 32767
    # Sound all the way through, in both channels, and a real stereo image.
    for channel in (0, 1):
        assert window_rms(wav.samples[:, channel], wav.rate, 1.0).min() > 0.02
    assert np.corrcoef(wav.samples[:, 0], wav.samples[:, 1])[0, 1] < 0.95
    assert result.usage.units == {"audio_seconds": result.duration}


def test_length_is_the_fewest_passes_reaching_the_request() -> None:
    calm_pass = 4 * 4 * 60 / MOODS["calm"].bpm  # four one-bar chords
    assert track("calm", 1.0).duration == pytest.approx(calm_pass, abs=1e-3)
    assert track("calm", calm_pass + 1).duration == pytest.approx(2 * calm_pass, abs=1e-3)


@pytest.mark.parametrize("mood", ["calm", "joyful"])
def test_long_requests_get_a_loop_of_about_a_minute(mood: str) -> None:
    # The renderer loops the bed: rendering ten minutes would add nothing but time.
    duration = track(mood, 600).duration
    one_pass = 4 * 4 * 60 / MOODS[mood].bpm
    assert 60 <= duration < 60 + one_pass


@pytest.mark.parametrize("mood", ALL_MOODS)
@pytest.mark.parametrize("seed", [0, 7])
def test_loop_is_seamless(mood: str, seed: int) -> None:
    wav = read_wav(track(mood, 20, seed).wav)
    x = wav.samples
    # The jump from the last sample back to the first is an ordinary step of the waveform...
    typical = np.percentile(np.abs(np.diff(x, axis=0)), 99.9)
    assert np.abs(x[0] - x[-1]).max() <= typical
    # ...and the music does not stop or start there: the level carries on across the seam.
    n = int(0.1 * wav.rate)
    first, last = np.sqrt(np.mean(x[:n] ** 2)), np.sqrt(np.mean(x[-n:] ** 2))
    assert abs(db(first / last)) < 6


def test_a_seam_looks_like_any_other_point_of_the_loop() -> None:
    # Played twice in a row, the seam's neighbourhood has no more high-frequency energy (which
    # is what a click is) than the rest of the track does at its busiest.
    wav = read_wav(track("joyful").wav)
    twice = np.concatenate([wav.samples, wav.samples]).mean(axis=1)
    edges = np.abs(np.diff(twice, n=2))
    n = int(0.01 * wav.rate)
    seam = len(wav.samples)
    windows = edges[: len(edges) // n * n].reshape(-1, n).mean(axis=1)
    assert edges[seam - n // 2 : seam + n // 2].mean() <= np.percentile(windows, 99)


@pytest.mark.parametrize("mood", MAJOR_MOODS)
def test_major_moods_sound_major(mood: str) -> None:
    c = chroma(read_wav(track(mood).wav), MOODS[mood].tonic)
    assert c[4] > 10 * c[3]  # the major third over the tonic, hardly any minor third


@pytest.mark.parametrize("mood", MINOR_MOODS)
def test_minor_moods_sound_minor(mood: str) -> None:
    c = chroma(read_wav(track(mood).wav), MOODS[mood].tonic)
    assert c[3] > 3 * c[4]


def test_calm_stays_in_its_key() -> None:
    spec = MOODS["calm"]
    c = chroma(read_wav(track("calm").wav), spec.tonic)
    dominant = set(np.argsort(c)[::-1][:5].tolist())
    assert dominant <= set(spec.scale)
    assert sum(c[i] for i in spec.scale) > 0.95
    assert c[0] == c.max() or c[7] == c.max()  # tonic or dominant is the strongest


def test_moods_differ() -> None:
    chromas = {m: chroma(read_wav(track(m).wav), 0) for m in ALL_MOODS}
    for a in ALL_MOODS:
        for b in ALL_MOODS:
            if a < b:
                assert np.abs(chromas[a] - chromas[b]).sum() > 0.3, (a, b)

    # Joyful is a bright saw pad and quick plucks; sad a soft pad in a dark room.
    def centroid(mood: str) -> float:
        wav = read_wav(track(mood).wav)
        magnitude = np.abs(np.fft.rfft(wav.mono()))
        freqs = np.fft.rfftfreq(len(wav.samples), 1 / wav.rate)
        return float((magnitude * freqs).sum() / magnitude.sum())

    assert centroid("joyful") > 1.5 * centroid("sad")


def test_same_seed_same_track_other_seed_other_track() -> None:
    source = AmbientMusic(Settings())
    a = source.track("sad", 20, seed=3)
    assert source.track("sad", 20, seed=3).wav == a.wav
    b = source.track("sad", 20, seed=4)
    assert b.duration == a.duration
    x, y = read_wav(a.wav).mono(), read_wav(b.wav).mono()
    assert np.corrcoef(x, y)[0, 1] < 0.8  # different voicings and patterns, not just noise
    # ...yet the same piece: the same key and chords.
    tonic = MOODS["sad"].tonic
    assert np.abs(chroma(read_wav(a.wav), tonic) - chroma(read_wav(b.wav), tonic)).sum() < 0.3


def test_synonyms_resolve_to_moods() -> None:
    source = AmbientMusic(Settings())
    assert source.resolve_mood(" Happy ") == "joyful"
    assert source.resolve_mood("紧张") == "tense"
    assert source.track("peaceful", 5).wav == track("calm", 5).wav


def test_unknown_mood_lists_the_valid_ones() -> None:
    with pytest.raises(ProviderError) as info:
        AmbientMusic(Settings()).track("polka", 10)
    assert not info.value.retryable
    for mood in ALL_MOODS:
        assert mood in str(info.value)


@pytest.mark.parametrize("seconds", [0.0, -5.0, math.nan, math.inf])
def test_nonsense_lengths_are_refused(seconds: float) -> None:
    with pytest.raises(ProviderError):
        AmbientMusic(Settings()).track("calm", seconds)
