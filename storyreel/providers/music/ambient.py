"""Procedural music beds: a chord progression per mood, played by a pad, an arpeggio and a bass.

Each mood is a key, a tempo and a progression with the layers that suit it (a drone and pulses
for tension, low brass and timpani for epic). The seed varies the voicings, the arpeggio
patterns and rhythms, and the chorus phases; the same (mood, seconds, seed) gives the same
bytes.

Loop length: the track is a whole number of passes through the progression (so a whole number
of bars), the fewest that reach ``min(seconds, 60)``. Longer videos loop it — the renderer
loops music beds by default — because 60 s of a slow progression is already several passes,
and rendering minutes of it would cost time and space for no new music. The end flows into the
start without a seam: see ``synth``.
"""

from __future__ import annotations

import io
import math
import time
import wave
import zlib
from dataclasses import dataclass
from typing import ClassVar, Literal, cast

import numpy as np

from storyreel.providers.base import AudioResult, MusicSource, ProviderError, Usage
from storyreel.providers.music.synth import (
    SAMPLE_RATE,
    Layer,
    Mixer,
    Reverb,
    Shape,
    Signal,
    decay,
    envelope,
    fm_pluck,
    harmonics_below,
    lookup,
    midi_hz,
    oscillator,
    phase_ramp,
    timpani,
    wavetable,
)

# Bump when a change alters the sound for the same request, so cached tracks are not reused.
RECIPE_VERSION = 1
MAX_LOOP_S = 60.0
PEAK = 10 ** (-3 / 20)  # -3 dBFS: headroom for the mixer, which adds narration on top
BEATS_PER_BAR = 4

MAJOR = (0, 2, 4, 5, 7, 9, 11)
NATURAL_MINOR = (0, 2, 3, 5, 7, 8, 10)
HARMONIC_MINOR = (0, 2, 3, 5, 7, 8, 11)
PHRYGIAN = (0, 1, 3, 5, 7, 8, 10)

# Chord qualities as semitones above the chord's root.
CHORDS: dict[str, tuple[int, ...]] = {
    "maj": (0, 4, 7),
    "min": (0, 3, 7),
    "dim": (0, 3, 6),
    "sus2": (0, 2, 7),
    "sus4": (0, 5, 7),
    "maj7": (0, 4, 7, 11),
    "min7": (0, 3, 7, 10),
    "dim7": (0, 3, 6, 9),
    "madd9": (0, 3, 7, 14),
}


@dataclass(frozen=True)
class Pad:
    shape: Shape
    cutoff: float  # Hz, of the biquad low-pass over the whole pad
    attack: float  # s
    release: float  # s, overlapping the next chord's attack: the chords cross-fade
    detune: float  # cents between the chorus voices
    center: int  # MIDI note the voicings stay around
    gain: float


@dataclass(frozen=True)
class Arp:
    steps_per_beat: int
    octave: int  # semitones above the pad's voicing
    rest: float  # chance a step is silent
    index: float  # FM brightness at the strike
    index_tau: float  # s for the brightness to fade
    tau: float  # s for the level to fade
    gain: float
    cutoff: float


@dataclass(frozen=True)
class Mood:
    tonic: int  # pitch class of the key's tonic, 0 = C
    scale: tuple[int, ...]  # the key's scale, semitones above the tonic
    bpm: float
    progression: tuple[tuple[int, str], ...]  # (chord root above the tonic, quality)
    pad: Pad
    arp: Arp
    reverb: Reverb
    bars_per_chord: int = 1
    bass: Literal["sustain", "quarters", "none"] = "sustain"
    bass_gain: float = 0.5
    drone: float = 0.0  # gain of a low tonic-and-fifth drone; 0 = none
    pulses: float = 0.0  # gain of low eighth-note pulses on the tonic; 0 = none
    brass: float = 0.0  # gain of low brass-like saws playing the chords; 0 = none
    timpani: float = 0.0  # gain of timpani on beats 1 and 3; 0 = none


MOODS: dict[str, Mood] = {
    # D major, Imaj7 – vi7 – IVmaj7 – Vsus4: sevenths without tension, a soft triangle pad.
    "calm": Mood(
        tonic=2,
        scale=MAJOR,
        bpm=64,
        progression=((0, "maj7"), (9, "min7"), (5, "maj7"), (7, "sus4")),
        pad=Pad("triangle", 1800, attack=1.2, release=2.0, detune=6, center=62, gain=0.55),
        arp=Arp(2, 12, rest=0.3, index=1.0, index_tau=0.3, tau=0.7, gain=0.45, cutoff=5000),
        reverb=Reverb(3.0, wet=0.45),
        bass_gain=0.45,
    ),
    # G major, I – V – vi – IV at a walking tempo, sixteenth-note arpeggio, bouncing bass.
    "joyful": Mood(
        tonic=7,
        scale=MAJOR,
        bpm=96,
        progression=((0, "maj"), (7, "maj"), (9, "min"), (5, "maj")),
        pad=Pad("saw", 2200, attack=0.25, release=0.6, detune=8, center=64, gain=0.22),
        arp=Arp(4, 12, rest=0.15, index=1.4, index_tau=0.12, tau=0.35, gain=0.45, cutoff=6000),
        reverb=Reverb(1.8, wet=0.3),
        bass="quarters",
        bass_gain=0.5,
    ),
    # A minor, i – VI – III – VII, slow, dark and wide.
    "sad": Mood(
        tonic=9,
        scale=NATURAL_MINOR,
        bpm=64,
        progression=((0, "min"), (8, "maj"), (3, "maj"), (10, "maj")),
        pad=Pad("soft", 1400, attack=1.0, release=1.8, detune=7, center=60, gain=0.6),
        arp=Arp(2, 12, rest=0.35, index=1.0, index_tau=0.4, tau=0.9, gain=0.45, cutoff=4500),
        reverb=Reverb(3.2, wet=0.5),
        bass_gain=0.45,
    ),
    # C minor over a tonic pedal: i – ii° – ivsus2 – vii°7, a drone, pulses, a nervous ostinato.
    "tense": Mood(
        tonic=0,
        scale=HARMONIC_MINOR,
        bpm=96,
        progression=((0, "min"), (2, "dim"), (5, "sus2"), (11, "dim7")),
        pad=Pad("saw", 900, attack=0.6, release=0.8, detune=12, center=58, gain=0.35),
        arp=Arp(4, 12, rest=0.4, index=2.2, index_tau=0.05, tau=0.15, gain=0.35, cutoff=5000),
        reverb=Reverb(2.2, wet=0.3),
        bass="none",
        drone=0.35,
        pulses=0.8,
    ),
    # D minor, i – VI – iv – V (harmonic minor's major V): brass, strings and timpani.
    "epic": Mood(
        tonic=2,
        scale=HARMONIC_MINOR,
        bpm=80,
        progression=((0, "min"), (8, "maj"), (5, "min"), (7, "maj")),
        pad=Pad("saw", 2200, attack=0.5, release=0.9, detune=10, center=62, gain=0.3),
        arp=Arp(2, 12, rest=0.0, index=1.5, index_tau=0.05, tau=0.18, gain=0.4, cutoff=4000),
        reverb=Reverb(2.8, wet=0.35),
        bass_gain=0.4,
        brass=0.45,
        timpani=0.5,
    ),
    # E Phrygian: i – bIImaj7 – iv7 – bVIIsus2, sparse bells high above a drone, a long hall.
    "mysterious": Mood(
        tonic=4,
        scale=PHRYGIAN,
        bpm=64,
        progression=((0, "min"), (1, "maj7"), (5, "min7"), (10, "sus2")),
        pad=Pad("triangle", 1200, attack=1.5, release=2.2, detune=14, center=59, gain=0.5),
        arp=Arp(2, 24, rest=0.6, index=2.0, index_tau=0.2, tau=0.6, gain=0.5, cutoff=7000),
        reverb=Reverb(4.5, wet=0.6),
        bass="none",
        drone=0.4,
    ),
}

# Words a storyboard may use for a mood, in English and Chinese.
ALIASES = {
    "peaceful": "calm",
    "relaxed": "calm",
    "gentle": "calm",
    "平静": "calm",
    "happy": "joyful",
    "cheerful": "joyful",
    "upbeat": "joyful",
    "欢快": "joyful",
    "melancholy": "sad",
    "sorrowful": "sad",
    "悲伤": "sad",
    "suspense": "tense",
    "suspenseful": "tense",
    "紧张": "tense",
    "heroic": "epic",
    "dramatic": "epic",
    "史诗": "epic",
    "mystery": "mysterious",
    "dark": "mysterious",
    "神秘": "mysterious",
}


def beat_samples(bpm: float) -> int:
    # Even, so a bar (and the loop) is a whole number of samples at every layer's rate (1/8).
    return round(SAMPLE_RATE * 60 / bpm / 2) * 2


def loop_samples(mood: Mood, seconds: float) -> int:
    """The shortest whole number of passes through the progression reaching
    ``min(seconds, MAX_LOOP_S)``, in samples."""
    cycle = len(mood.progression) * mood.bars_per_chord * BEATS_PER_BAR * beat_samples(mood.bpm)
    wanted = min(seconds, MAX_LOOP_S) * SAMPLE_RATE
    return max(math.ceil(wanted / cycle - 1e-9), 1) * cycle


def _rng(mood: str, seed: int) -> np.random.Generator:
    # crc32, not hash(): str hashes change between processes.
    return np.random.default_rng([zlib.crc32(mood.encode()), seed % 2**63])


def _voicings(
    mood: Mood, chords: list[tuple[int, str]], rng: np.random.Generator
) -> list[list[int]]:
    """MIDI notes for each chord: near the pad's centre, and each moving as little as it can
    from the one before (smooth voice leading); the seed picks the first inversion."""
    out: list[list[int]] = []
    previous: list[int] | None = None
    for root, quality in chords:
        base = mood.pad.center - 12 + (mood.tonic + root - mood.pad.center) % 12
        tones = [base + i for i in CHORDS[quality]]
        best: tuple[float, list[int]] | None = None
        for r in range(len(tones)):
            inverted = sorted(tones[r:] + [t + 12 for t in tones[:r]])
            for octave in (-12, 0, 12):
                notes = [n + octave for n in inverted]
                cost = abs(float(np.mean(notes)) - mood.pad.center)
                if previous is None:
                    cost += float(rng.uniform(0, 6))
                else:
                    cost = 0.3 * cost + sum(min(abs(n - p) for p in previous) for n in notes)
                if best is None or cost < best[0]:
                    best = (cost, notes)
        assert best is not None
        previous = best[1]
        out.append(previous)
    return out


def _arp_pattern(count: int, steps: int, rng: np.random.Generator) -> list[int]:
    """Indices into ``count`` ascending notes for ``steps`` steps, in one of several shapes."""
    up = list(range(count))
    shapes = [
        up,
        up[::-1],
        up + up[-2:0:-1],
        [i for pair in zip(up, up[2:], strict=False) for i in pair],  # broken thirds
        [int(i) for i in rng.permutation(count)],
    ]
    shape = shapes[int(rng.integers(len(shapes)))]
    return [shape[i % len(shape)] for i in range(steps)]


class _Arrangement:
    """Writes the notes of one loop of ``mood`` into layers and mixes them."""

    def __init__(self, name: str, mood: Mood, loop: int, seed: int) -> None:
        self.name = name
        self.mood = mood
        self.loop = loop
        self.rng = _rng(name, seed)
        self.beat = beat_samples(mood.bpm)
        self.chord_len = mood.bars_per_chord * BEATS_PER_BAR * self.beat
        self.chord_count = loop // self.chord_len
        self.chords = [mood.progression[i % len(mood.progression)] for i in range(self.chord_count)]
        self.voicings = _voicings(mood, self.chords, self.rng)
        self.seconds = loop / SAMPLE_RATE

    def render(self) -> Signal:
        mood = self.mood
        mixer = Mixer(self.loop)
        mixer.add(self._pad(), gain=mood.pad.gain, cutoff=mood.pad.cutoff, send=1.0)
        mixer.add(self._arp(), gain=mood.arp.gain, cutoff=mood.arp.cutoff, send=0.8)
        if mood.bass != "none":
            mixer.add(self._bass(), gain=mood.bass_gain, cutoff=900, send=0.1)
        if mood.drone:
            mixer.add(self._drone(), gain=mood.drone, cutoff=700, send=0.4)
        if mood.pulses:
            mixer.add(self._pulses(), gain=mood.pulses, cutoff=600, send=0.2)
        if mood.brass:
            mixer.add(self._brass(), gain=mood.brass, cutoff=1600, send=0.5)
        if mood.timpani:
            mixer.add(self._timpani(), gain=mood.timpani, cutoff=2500, send=0.4)
        return mixer.render(mood.reverb, seed=zlib.crc32(self.name.encode()))

    def _chord_starts(self) -> list[int]:
        return [i * self.chord_len for i in range(self.chord_count)]

    def _pad(self) -> Layer:
        pad = self.mood.pad
        layer = Layer(self.loop, div=4, overhang_s=pad.release + 0.1)
        hold = self.chord_len / SAMPLE_RATE
        n = int((hold + pad.release) * layer.rate)
        env = envelope(n, layer.rate, pad.attack, hold, pad.release)
        # Three chorus voices: flat to the left, true in the middle, sharp to the right.
        voices = ((-pad.detune, -0.7), (0.0, 0.0), (pad.detune, 0.7))
        for start, notes in zip(self._chord_starts(), self.voicings, strict=True):
            level = 1 / math.sqrt(len(notes) * len(voices))
            for note in notes:
                for cents, pan in voices:
                    freq = midi_hz(note + cents / 100)
                    tone = oscillator(pad.shape, freq, n, layer.rate, float(self.rng.random()))
                    layer.add(start, tone * env, pan=pan, gain=level)
        return layer

    def _arp(self) -> Layer:
        arp = self.mood.arp
        layer = Layer(self.loop, div=2, overhang_s=5 * arp.tau + 0.1)
        n = int(5 * arp.tau * layer.rate)
        step = self.beat // arp.steps_per_beat
        steps = self.chord_len // step
        per_cycle = len(self.mood.progression)
        pattern: list[int] = []
        plucks: dict[int, Signal] = {}
        for c, (start, notes) in enumerate(zip(self._chord_starts(), self.voicings, strict=True)):
            # Five notes from the voicing upwards, whatever the chord's size, so one pattern
            # fits every chord of the pass.
            pool = [m + arp.octave for m in sorted([*notes, *(m + 12 for m in notes)])[:5]]
            if c % per_cycle == 0:  # a new shape and rhythm for each pass of the progression
                pattern = _arp_pattern(len(pool), steps, self.rng)
                rests = self.rng.random(steps) < arp.rest
                # The downbeat always sounds, and so does the last step before each new pass:
                # a pickup leads the ear into the repeat (and across the loop's seam).
                rests[0] = False
                rests[-1] = False
                feel = self.rng.uniform(0.8, 1.0, steps)
            for i in range(steps):
                if rests[i]:
                    continue
                note = pool[pattern[i]]
                # Accents: strongest on the beat, weaker off it.
                accent = 1.0 if i % arp.steps_per_beat == 0 else 0.7
                sound = plucks.get(note)
                if sound is None:  # every strike of a pitch sounds the same: render it once
                    sound = plucks[note] = fm_pluck(
                        midi_hz(note), n, layer.rate, index=arp.index, index_tau=arp.index_tau,
                        tau=arp.tau,
                    )  # fmt: skip
                pan = max(min((note - self.mood.pad.center - arp.octave) / 20, 0.6), -0.6)
                layer.add(start + i * step, sound, pan=pan, gain=accent * float(feel[i]))
        return layer

    def _bass_note(self, root: int) -> float:
        # the chord's root in E2..D#3 (MIDI 40..51): low enough to sit under any pad
        return midi_hz(40 + (self.mood.tonic + root - 40) % 12)

    def _bass(self) -> Layer:
        layer = Layer(self.loop, div=8, overhang_s=0.6)
        for start, (root, _) in zip(self._chord_starts(), self.chords, strict=True):
            freq = self._bass_note(root)
            if self.mood.bass == "sustain":
                hold = self.chord_len / SAMPLE_RATE
                n = int((hold + 0.5) * layer.rate)
                env = envelope(n, layer.rate, 0.08, hold, 0.5)
                layer.add(start, oscillator("soft", freq, n, layer.rate) * env)
                continue
            # Quarter notes (root, root, fifth, octave) and an eighth-note pickup into the next
            # bar, each ringing into the next: a bouncing line with no holes in it.
            n = int((self.beat / SAMPLE_RATE + 0.15) * layer.rate)
            steps = ((0, 1.0, 1.0), (2, 1.0, 0.8), (4, 1.5, 0.9), (6, 2.0, 0.8), (7, 1.5, 0.9))
            for bar in range(0, self.chord_len, BEATS_PER_BAR * self.beat):
                for eighth, ratio, velocity in steps:
                    tone = oscillator("soft", freq * ratio, n, layer.rate)
                    at = start + bar + eighth * self.beat // 2
                    layer.add(at, tone * decay(n, layer.rate, 0.6), gain=velocity)
        return layer

    def _drone(self) -> Layer:
        layer = Layer(self.loop, div=8, overhang_s=0.0)
        n = layer.length
        t = np.arange(n, dtype=np.float32) / layer.rate
        # One slow swell per pass of the progression, so it repeats exactly with the loop.
        passes = self.chord_count / len(self.mood.progression)
        swell = cast(
            Signal, 0.75 + 0.25 * np.sin(2 * np.pi * passes * t / self.seconds - np.pi / 2)
        )
        # tonic, fifth, and the tonic 12 cents sharp: the slow beating keeps the drone alive
        for offset, gain, pan in ((0.0, 1.0, -0.3), (7.0, 0.5, 0.3), (0.12, 0.7, 0.3)):
            # A whole number of cycles per loop: the drone's phase meets itself at the seam.
            freq = round(midi_hz(36 + self.mood.tonic + offset) * self.seconds) / self.seconds
            layer.add(0, oscillator("soft", freq, n, layer.rate) * swell, pan=pan, gain=gain)
        return layer

    def _pulses(self) -> Layer:
        layer = Layer(self.loop, div=8, overhang_s=0.5)
        freq = midi_hz(36 + self.mood.tonic)
        n = int(0.4 * layer.rate)
        tone = oscillator("saw", freq, n, layer.rate) * decay(n, layer.rate, 0.09)
        accents = (1.0, 0.45, 0.6, 0.45, 0.85, 0.45, 0.6, 0.55)
        step = self.beat // 2
        cycle = self.chord_len * len(self.mood.progression)
        for i in range(self.loop // step):
            at = i * step
            if (at + self.beat) % cycle == 0:
                # The last beat of each pass doubles to sixteenths and swells: the pulse races
                # into the next pass (and across the loop's seam).
                for k, velocity in enumerate((0.6, 0.7, 0.8, 0.9)):
                    layer.add(at + k * self.beat // 4, tone, gain=velocity)
            elif (at + step) % cycle != 0:
                layer.add(at, tone, gain=accents[i % len(accents)])
        return layer

    def _brass(self) -> Layer:
        """Low saws on root, fifth and octave that swell and brighten like a horn section."""
        layer = Layer(self.loop, div=4, overhang_s=0.8)
        hold = self.chord_len / SAMPLE_RATE
        n = int((hold + 0.7) * layer.rate)
        env = envelope(n, layer.rate, 0.35, hold, 0.7)
        bright = env * env  # brightness follows the swell, as a player blowing harder
        for start, (root, quality) in zip(self._chord_starts(), self.chords, strict=True):
            low = 38 + (self.mood.tonic + root - 38) % 12
            for note, pan in ((low, -0.3), (low + CHORDS[quality][2], 0.3), (low + 12, 0.0)):
                freq = midi_hz(note)
                phase = phase_ramp(freq * 1.003, n, layer.rate, float(self.rng.random()))
                dark = lookup(wavetable("saw", 4), phase)
                full = lookup(wavetable("saw", harmonics_below(freq, layer.rate)), phase)
                layer.add(start, (dark + bright * (full - dark)) * env, pan=pan, gain=0.5)
        return layer

    def _timpani(self) -> Layer:
        layer = Layer(self.loop, div=4, overhang_s=2.6)
        n = int(2.5 * layer.rate)
        hits: dict[int, Signal] = {}

        def hit(root: int) -> Signal:  # tuned to the chord's root, rendered once per pitch
            note = 38 + (self.mood.tonic + root - 38) % 12
            if note not in hits:
                hits[note] = timpani(midi_hz(note), n, layer.rate, self.rng)
            return hits[note]

        for start, (root, _) in zip(self._chord_starts(), self.chords, strict=True):
            for beat, velocity in ((0, 1.0), (2, 0.55)):
                layer.add(start + beat * self.beat, hit(root), pan=-0.15, gain=velocity)
        # A crescendo roll on the last beat of every pass, on the root it leads into, drives
        # into the next downbeat (the first of the loop included).
        roll = hit(self.mood.progression[0][0])
        cycle = self.chord_len * len(self.mood.progression)
        for end in range(cycle, self.loop + 1, cycle):
            for k, velocity in enumerate((0.3, 0.4, 0.5, 0.65)):
                layer.add(end - self.beat + k * self.beat // 4, roll, pan=-0.15, gain=velocity)
        return layer


def _to_wav(stereo: Signal) -> bytes:
    pcm = np.round(stereo.T * 32767).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(pcm.tobytes())
    return buffer.getvalue()


class AmbientMusic(MusicSource):
    """Procedural, seamlessly looping music beds; no samples, no model, nothing to download."""

    name: ClassVar[str] = "ambient"
    quality: ClassVar[int] = 2
    speed: ClassVar[int] = 5
    offline: ClassVar[bool] = True

    @property
    def model(self) -> str:
        return f"ambient-{RECIPE_VERSION}"

    def moods(self) -> list[str]:
        return list(MOODS)

    def resolve_mood(self, mood: str) -> str:
        """The mood's canonical name (a few synonyms are understood), or ``ProviderError``."""
        key = mood.strip().lower()
        key = ALIASES.get(key, key)
        if key not in MOODS:
            raise ProviderError(
                f"no music mood {mood!r}; valid moods: {', '.join(MOODS)}", retryable=False
            )
        return key

    def track(self, mood: str, seconds: float, seed: int = 0) -> AudioResult:
        began = time.perf_counter()
        name = self.resolve_mood(mood)
        if not (math.isfinite(seconds) and seconds > 0):
            raise ProviderError(f"seconds must be a positive number, not {seconds}")
        spec = MOODS[name]
        loop = loop_samples(spec, seconds)
        stereo = _Arrangement(name, spec, loop, seed).render()
        stereo *= np.float32(PEAK / max(float(np.abs(stereo).max()), 1e-9))
        duration = loop / SAMPLE_RATE
        return AudioResult(
            wav=_to_wav(stereo),
            duration=duration,
            usage=Usage(
                provider=self.name,
                model=self.model,
                seconds=time.perf_counter() - began,
                units={"audio_seconds": duration},
            ),
        )
