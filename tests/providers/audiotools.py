"""Read provider WAVs back as numbers, with the standard library's wave module."""

from __future__ import annotations

import io
import wave
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True)
class Wav:
    samples: npt.NDArray[np.float64]  # (frames, channels), full scale = 1.0
    rate: int
    raw: npt.NDArray[np.int16]  # the same samples as stored

    @property
    def channels(self) -> int:
        return int(self.samples.shape[1])

    @property
    def duration(self) -> float:
        return len(self.samples) / self.rate

    def mono(self) -> npt.NDArray[np.float64]:
        return self.samples.mean(axis=1)


def read_wav(data: bytes) -> Wav:
    with wave.open(io.BytesIO(data), "rb") as src:
        assert src.getsampwidth() == 2, "16-bit PCM expected"
        assert src.getcomptype() == "NONE"
        channels, rate = src.getnchannels(), src.getframerate()
        raw = np.frombuffer(src.readframes(src.getnframes()), dtype="<i2").reshape(-1, channels)
    return Wav(raw.astype(np.float64) / 32768.0, rate, raw.astype(np.int16))


def window_rms(x: npt.NDArray[np.float64], rate: int, seconds: float) -> npt.NDArray[np.float64]:
    """RMS of consecutive windows of ``seconds`` (a trailing partial window is dropped)."""
    n = max(int(rate * seconds), 1)
    frames = x[: len(x) // n * n].reshape(-1, n)
    return np.sqrt((frames**2).mean(axis=1))


def db(ratio: float) -> float:
    return float(20 * np.log10(max(ratio, 1e-12)))
