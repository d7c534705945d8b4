"""Small NumPy synthesiser for loops: oscillators, envelopes and a mixer that works on one period.

Everything is built so the rendered loop is exactly periodic. Notes are written into layer
buffers longer than the loop and the overhang is folded back onto the start, so a release
that crosses the end sounds at the beginning. Filtering, reverb and mixing then happen on the
spectrum of one period, which is circular processing: a biquad applied that way gives its
periodic steady state, the output of the same filter run over the loop repeated forever, so
the end flows into the start with nothing to click. Layers that need no treble are rendered at
a fraction of the sample rate and band-limited-upsampled for free by the same spectra.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal, cast

import numpy as np
import numpy.typing as npt

Signal = npt.NDArray[np.float32]
Shape = Literal["sine", "soft", "triangle", "saw"]

SAMPLE_RATE = 48_000
_TABLE = 4096  # samples per wavetable cycle; linear interpolation keeps the error inaudible


def midi_hz(note: float) -> float:
    return float(440.0 * 2.0 ** ((note - 69) / 12))


@lru_cache(maxsize=512)
def wavetable(shape: Shape, harmonics: int) -> Signal:
    """One cycle of a band-limited waveform with ``harmonics`` partials, peak 1, plus a guard
    sample so interpolation may read one past the end."""
    k = np.arange(1, max(harmonics, 1) + 1)
    if shape == "sine":
        amp = (k == 1).astype(np.float64)
    elif shape == "soft":  # every harmonic at 1/k²: round and warm, a flute-like pad
        amp = 1.0 / k**2
    elif shape == "triangle":  # odd harmonics at 1/k²: hollow and soft
        amp = np.where(k % 2 == 1, 1.0 / k**2, 0.0) * np.where(k % 4 == 3, -1.0, 1.0)
    else:  # saw: every harmonic at 1/k, the raw material of strings and brass
        amp = 1.0 / k
    spectrum = np.zeros(_TABLE // 2 + 1, dtype=np.complex128)
    spectrum[k] = -1j * amp  # sine phase
    cycle = np.fft.irfft(spectrum, _TABLE)
    cycle /= np.abs(cycle).max()
    return np.append(cycle, cycle[0]).astype(np.float32)


def harmonics_below(freq: float, rate: int) -> int:
    """How many partials of ``freq`` fit under 90 % of the Nyquist frequency (no aliasing)."""
    return max(int(0.45 * rate / freq), 1)


def phase_ramp(freq: float, n: int, rate: int, phase: float = 0.0) -> npt.NDArray[np.float64]:
    """Phase in cycles, in [0, 1), of a steady tone."""
    cycles = np.arange(n, dtype=np.float64)
    cycles *= freq / rate
    cycles += phase
    cycles -= np.floor(cycles)  # much faster than % 1.0, same result for positive phases
    return cycles


def lookup(table: Signal, phase: npt.NDArray[np.float64]) -> Signal:
    position = phase * _TABLE
    index = position.astype(np.int32)
    frac = (position - index).astype(np.float32)
    low = table[index]
    out: Signal = low + frac * (table[index + 1] - low)
    return out


def oscillator(shape: Shape, freq: float, n: int, rate: int, phase: float = 0.0) -> Signal:
    return lookup(wavetable(shape, harmonics_below(freq, rate)), phase_ramp(freq, n, rate, phase))


def envelope(n: int, rate: int, attack: float, hold: float, release: float) -> Signal:
    """Rise over ``attack`` s, stay until ``hold`` s, fall over ``release`` s; smoothstep
    segments, so neither corner is audible as a bump."""
    t = np.arange(n, dtype=np.float32) / rate
    a = max(attack, 1e-3)
    rise = np.clip(t / a, 0.0, 1.0)
    fall = np.clip(1.0 - (t - hold) / max(release, 1e-3), 0.0, 1.0)
    x = np.minimum(rise, fall)
    return cast(Signal, x * x * (3.0 - 2.0 * x))


def decay(n: int, rate: int, tau: float, attack: float = 0.004) -> Signal:
    """A struck note: a few-ms rise, an exponential decay, and a short fade to exact zero."""
    t = np.arange(n, dtype=np.float32) / rate
    out: Signal = np.exp(-t / tau) * np.clip(t / attack, 0.0, 1.0)
    fade = min(n, max(int(0.02 * rate), 1))
    out[-fade:] *= np.linspace(1.0, 0.0, fade, dtype=np.float32)
    return out


def fm_pluck(
    freq: float, n: int, rate: int, *, index: float, index_tau: float, tau: float
) -> Signal:
    """A plucked/electric-piano tone: 1:1 FM whose brightness fades faster than its level."""
    t = np.arange(n, dtype=np.float32) / rate
    ph = (2 * math.pi * phase_ramp(freq, n, rate)).astype(np.float32)
    brightness = index * np.exp(-t / index_tau)
    out: Signal = np.sin(ph + brightness * np.sin(ph)) * decay(n, rate, tau)
    return out


def timpani(freq: float, n: int, rate: int, rng: np.random.Generator) -> Signal:
    """A kettle drum: inharmonic membrane modes that sag in pitch after the strike, plus the
    mallet's thump."""
    t = np.arange(n, dtype=np.float32) / np.float32(rate)
    sag = 1.0 + 0.04 * np.exp(-t / np.float32(0.06))
    cycles = np.cumsum(freq * sag.astype(np.float64)) / rate
    out = np.zeros(n, dtype=np.float32)
    for ratio, amp, tau in ((1.0, 1.0, 1.1), (1.5, 0.45, 0.7), (1.98, 0.3, 0.5), (2.44, 0.15, 0.3)):
        angle = 2 * math.pi * ratio * cycles
        angle -= 2 * math.pi * np.floor(angle / (2 * math.pi))  # keep float32 sin accurate
        out += amp * np.sin(angle.astype(np.float32)) * np.exp(-t / np.float32(tau))
    thump = rng.standard_normal(n, dtype=np.float32) * np.exp(-t / np.float32(0.012))
    # a moving average is a crude low-pass: felt on skin, not a click
    thump = np.convolve(thump, np.full(9, 1 / 9, dtype=np.float32), mode="same")
    out += 0.8 * thump
    return cast(Signal, out * decay(n, rate, 10.0, attack=0.002))


def pan_gains(pan: float) -> tuple[float, float]:
    """Constant-power gains for ``pan`` in [-1 (left), 1 (right)]."""
    angle = (min(max(pan, -1.0), 1.0) + 1) * math.pi / 4
    return math.cos(angle), math.sin(angle)


class Layer:
    """A stereo track of one loop, rendered at ``SAMPLE_RATE / div``; notes may overhang."""

    def __init__(self, loop: int, div: int, overhang_s: float) -> None:
        if loop % div:
            raise ValueError("the loop length must be a whole number of layer samples")
        self.div = div
        self.rate = SAMPLE_RATE // div
        self.length = loop // div
        self.overhang = int(overhang_s * self.rate)
        self.buffer = np.zeros((2, self.length + self.overhang), dtype=np.float32)

    def add(self, start: int, sound: Signal, pan: float = 0.0, gain: float = 1.0) -> None:
        """Mix ``sound`` in at ``start`` (in full-rate samples from the loop's start)."""
        at = (start // self.div) % self.length
        sound = sound[: self.buffer.shape[1] - at]
        left, right = pan_gains(pan)
        self.buffer[0, at : at + len(sound)] += (gain * left) * sound
        self.buffer[1, at : at + len(sound)] += (gain * right) * sound

    def folded(self) -> Signal:
        """One period: whatever rang past the end is added onto the start."""
        periods = -(-self.buffer.shape[1] // self.length)
        padded = np.zeros((2, periods * self.length), dtype=np.float32)
        padded[:, : self.buffer.shape[1]] = self.buffer
        out: Signal = padded.reshape(2, periods, self.length).sum(axis=1)
        return out


def biquad_response(
    kind: Literal["lowpass", "highpass"], bins: int, loop: int, cutoff: float, q: float = 0.707
) -> npt.NDArray[np.complex64]:
    """Frequency response of an RBJ-cookbook biquad at the loop's first ``bins`` FFT bins."""
    w0 = 2 * math.pi * cutoff / SAMPLE_RATE
    alpha = math.sin(w0) / (2 * q)
    cos = math.cos(w0)
    if kind == "lowpass":
        b0, b1, b2 = (1 - cos) / 2, 1 - cos, (1 - cos) / 2
    else:
        b0, b1, b2 = (1 + cos) / 2, -(1 + cos), (1 + cos) / 2
    a0, a1, a2 = 1 + alpha, -2 * cos, 1 - alpha
    # H(e^jw) = (b0 + b1 e^-jw + b2 e^-2jw) / (a0 + a1 e^-jw + a2 e^-2jw), in real arithmetic
    # (complex exp over a million bins costs more than the rest of the mix).
    w = np.arange(bins, dtype=np.float32) * np.float32(2 * math.pi / loop)
    c1, s1, c2, s2 = np.cos(w), np.sin(w), np.cos(2 * w), np.sin(2 * w)
    num = np.empty(bins, dtype=np.complex64)
    num.real, num.imag = b0 + b1 * c1 + b2 * c2, -(b1 * s1 + b2 * s2)
    den = np.empty(bins, dtype=np.complex64)
    den.real, den.imag = a0 + a1 * c1 + a2 * c2, -(a1 * s1 + a2 * s2)
    num /= den
    return num


def spectrum(x: Signal) -> npt.NDArray[np.complex64]:
    """rfft of each channel (NumPy's float64 transform beats its float32 one here)."""
    return np.stack([np.fft.rfft(ch.astype(np.float64)).astype(np.complex64) for ch in x])


@dataclass(frozen=True)
class Reverb:
    seconds: float  # RT60: time for the tail to fall 60 dB
    wet: float = 0.3


def _impulse_response(reverb: Reverb, n: int, rate: int, seed: int) -> Signal:
    """A stereo hall: sparse early reflections, then decorrelated noise that decays (treble
    faster than bass, as air and walls absorb it)."""
    rng = np.random.default_rng(seed)
    t = np.arange(n, dtype=np.float32) / rate
    noise = rng.standard_normal((2, n)).astype(np.float32)
    spectrum = np.fft.rfft(noise, axis=1)
    split = np.fft.rfftfreq(n, 1 / rate) < 2500
    low = np.fft.irfft(spectrum * split, n, axis=1).astype(np.float32)
    high = noise - low
    k = np.float32(6.91 / reverb.seconds)  # ln(1000): 60 dB
    onset = np.clip((t - 0.02) / 0.03, 0.0, 1.0)  # 20 ms pre-delay, then the tail builds up
    ir = cast(Signal, (low * np.exp(-k * t) + 0.5 * high * np.exp(-2.5 * k * t)) * onset)
    for delay, gain in ((0.011, 0.6), (0.017, 0.45), (0.023, 0.35), (0.031, 0.3)):
        i = int(delay * rate)
        ir[0, i] += gain
        ir[1, i + int(0.003 * rate)] += gain
    ir /= np.sqrt((ir**2).sum(axis=1, keepdims=True))
    return ir


class Mixer:
    """Adds layers as spectra of one period, through filters and a reverb send."""

    REVERB_DIV = 2  # the hall is rendered at 24 kHz: its treble is long gone above 12 kHz

    def __init__(self, loop: int) -> None:
        self.loop = loop
        bins = loop // 2 + 1
        self.dry = np.zeros((2, bins), dtype=np.complex64)
        self.send = np.zeros((2, bins // self.REVERB_DIV + 1), dtype=np.complex64)

    def add(self, layer: Layer, *, gain: float, cutoff: float | None, send: float) -> None:
        spectra = spectrum(layer.folded()) * np.float32(gain * layer.div)
        if layer.div > 1:
            spectra[:, -1] = 0  # the layer's Nyquist bin has no unambiguous place upsampled
        bins = spectra.shape[1]
        if cutoff is not None:
            spectra *= biquad_response("lowpass", bins, self.loop, cutoff)
        self.dry[:, :bins] += spectra
        n = min(bins, self.send.shape[1])
        self.send[:, :n] += np.float32(send) * spectra[:, :n]

    def render(self, reverb: Reverb, seed: int) -> Signal:
        """The mix of one period, time domain, stereo (2, loop)."""
        rate = SAMPLE_RATE // self.REVERB_DIV
        length = self.loop // self.REVERB_DIV
        n = min(int(reverb.seconds * 1.2 * rate), length)
        ir = np.zeros((2, length), dtype=np.float32)
        ir[:, :n] = _impulse_response(reverb, n, rate, seed)
        response = spectrum(ir)[:, : self.send.shape[1]]
        bins = response.shape[1]
        # The send's spectrum is the full-rate one; at half the rate the same bins would be
        # half as large and the upsampling doubles them back, so no factor is needed.
        self.dry[:, :bins] += np.float32(reverb.wet) * response * self.send
        # Envelopes on low saws leave energy below hearing (and a DC offset) that would only
        # eat headroom: a 30 Hz high-pass on the whole mix removes it.
        bins = self.dry.shape[1]
        self.dry *= biquad_response("highpass", bins, self.loop, 30.0)
        out: Signal = np.fft.irfft(self.dry, self.loop, axis=1).astype(np.float32)
        return out
