"""Offline speech with eSpeak NG, called through ctypes on the library bundled by espeakng-loader.

eSpeak NG keeps one engine per process (the voice, the parameters, the audio callback are all
global) and is not thread-safe, so the engine is initialised once per process and every
synthesis runs under one module-level lock. Audio comes back through the synth callback in
synchronous mode, together with word events that give each word's start time; those are
mapped onto words we tokenise ourselves, because the events alone miss some words (``an`` in
``for an e-mail``) and repeat others (one per spoken part of ``1984``).
"""

from __future__ import annotations

import ctypes
import io
import itertools
import math
import os
import re
import threading
import time
import unicodedata
import wave
from dataclasses import dataclass
from typing import ClassVar, Literal

import numpy as np
import numpy.typing as npt

from storyreel.domain.text import detect_language as text_language
from storyreel.providers.base import (
    ProviderError,
    ProviderNotConfigured,
    SpeechResult,
    SpeechSynthesizer,
    Usage,
    VoiceInfo,
    VoiceSpec,
    WordTiming,
)

# speak_lib.h constants.
_AUDIO_OUTPUT_SYNCHRONOUS = 2
# Without this flag espeak_Initialize calls exit() when its data is missing: it would take the
# whole worker down instead of raising.
_INITIALIZE_DONT_EXIT = 0x8000
_CHARS_UTF8 = 1
_EE_OK = 0
_PARAM_RATE = 1
_PARAM_VOLUME = 2
_PARAM_PITCH = 3
_PARAM_RANGE = 4
_EVENT_LIST_TERMINATED = 0
_EVENT_WORD = 1
_EVENT_SENTENCE = 2
_EVENT_END = 5
_EVENT_MSG_TERMINATED = 6

# Narration is a little slower than eSpeak's 175 words/min default, which sounds hurried.
DEFAULT_WPM = 165
MIN_WPM = 80
MAX_WPM = 450  # espeakRATE_MAXIMUM: faster needs the sonic speed-up, which we do not build on
_DEFAULT_PITCH = 50

# Voice picked for a language code given in VoiceSpec.language or detected from the text.
_LANGUAGE_VOICES = {"zh": "cmn", "zh-cn": "cmn", "en": "en"}
_GENDERS: dict[int, Literal["male", "female"]] = {1: "male", 2: "female"}

# Silence kept at each end after trimming, and the fade that makes the cut inaudible.
_EDGE_SILENCE_S = 0.05
_EDGE_FADE_S = 0.005
# Below 40 dB under the peak counts as silence, for trimming and for word boundaries.
_SILENCE_DB = -40.0
_FRAME_S = 0.005

# Han ideographs: spoken (and cut into words) one syllable each.
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"
_HAN_RE = re.compile(f"[{_HAN}]")
_TOKEN_RE = re.compile(f"[{_HAN}]+|[^\\s{_HAN}]+")


def detect_language(text: str) -> Literal["zh", "en"]:
    """The voice language of one line: 'zh' when Chinese carries at least half of it."""
    return text_language(text, min_share=0.5)


# --- the library ------------------------------------------------------------------------------


class _EventId(ctypes.Union):
    _fields_ = (
        ("number", ctypes.c_int),
        ("name", ctypes.c_char_p),
        ("string", ctypes.c_char * 8),
    )


class _Event(ctypes.Structure):
    _fields_ = (
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),  # 1-based, in characters (not bytes) of the UTF-8 text
        ("length", ctypes.c_int),
        ("audio_position", ctypes.c_int),  # ms from the start of the synthesised audio
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", _EventId),
    )


class _Voice(ctypes.Structure):
    _fields_ = (
        ("name", ctypes.c_char_p),
        # (priority byte, NUL-terminated language) pairs, ended by a zero priority byte
        ("languages", ctypes.c_void_p),
        ("identifier", ctypes.c_char_p),
        ("gender", ctypes.c_ubyte),
        ("age", ctypes.c_ubyte),
        ("variant", ctypes.c_ubyte),
        ("xx1", ctypes.c_ubyte),
        ("score", ctypes.c_int),
        ("spare", ctypes.c_void_p),
    )


_SynthCallback = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event)
)


@dataclass(frozen=True)
class _VoiceEntry:
    identifier: str  # the voice file, what espeak_SetVoiceByName accepts
    name: str
    priority: int
    gender: int = 0  # espeak_VOICE.gender: 0 unknown, 1 male, 2 female


@dataclass(frozen=True)
class _RawEvent:
    type: int
    char: int  # 0-based character index into the text
    ms: int


class _Engine:
    """The process's eSpeak NG engine; every method must be called with ``_LOCK`` held."""

    def __init__(self) -> None:
        import espeakng_loader

        self.lib = ctypes.CDLL(espeakng_loader.get_library_path())
        data_parent = os.path.dirname(espeakng_loader.get_data_path())
        self.lib.espeak_Initialize.argtypes = (
            ctypes.c_int,
            ctypes.c_int,
            ctypes.c_char_p,
            ctypes.c_int,
        )
        self.lib.espeak_Initialize.restype = ctypes.c_int
        rate = int(
            self.lib.espeak_Initialize(
                _AUDIO_OUTPUT_SYNCHRONOUS, 0, data_parent.encode(), _INITIALIZE_DONT_EXIT
            )
        )
        if rate <= 0:
            raise OSError(f"espeak_Initialize failed ({rate}) with data in {data_parent}")
        self.sample_rate = rate
        self.lib.espeak_Info.restype = ctypes.c_char_p
        self.lib.espeak_Info.argtypes = (ctypes.c_void_p,)
        self.version = str(self.lib.espeak_Info(None).decode())
        self.lib.espeak_SetVoiceByName.argtypes = (ctypes.c_char_p,)
        self.lib.espeak_SetParameter.argtypes = (ctypes.c_int, ctypes.c_int, ctypes.c_int)
        self.lib.espeak_Synth.argtypes = (
            ctypes.c_void_p,
            ctypes.c_size_t,
            ctypes.c_uint,
            ctypes.c_int,
            ctypes.c_uint,
            ctypes.c_uint,
            ctypes.c_void_p,
            ctypes.c_void_p,
        )
        self.lib.espeak_ListVoices.restype = ctypes.POINTER(ctypes.POINTER(_Voice))
        self.lib.espeak_ListVoices.argtypes = (ctypes.c_void_p,)
        self._chunks: list[bytes] = []
        self._events: list[_RawEvent] = []
        # The library keeps only the C pointer: the Python object must outlive every call.
        self._callback = _SynthCallback(self._on_audio)
        self.lib.espeak_SetSynthCallback(self._callback)
        self.voices = self._list_voices()

    def _on_audio(
        self,
        wav: ctypes._Pointer[ctypes.c_short],
        count: int,
        events: ctypes._Pointer[_Event],
    ) -> int:
        if count > 0 and wav:
            self._chunks.append(ctypes.string_at(wav, count * 2))
        if events:
            i = 0
            while events[i].type != _EVENT_LIST_TERMINATED:
                ev = events[i]
                self._events.append(_RawEvent(ev.type, ev.text_position - 1, ev.audio_position))
                i += 1
        return 0  # 0 = go on synthesising

    def _list_voices(self) -> dict[str, _VoiceEntry]:
        """Each language code eSpeak knows, mapped to the voice it prefers for it."""
        found: dict[str, _VoiceEntry] = {}
        table = self.lib.espeak_ListVoices(None)
        i = 0
        while table[i]:
            voice = table[i].contents
            address = int(voice.languages or 0)
            while address:
                priority = ctypes.c_ubyte.from_address(address).value
                if priority == 0:
                    break
                raw = ctypes.string_at(address + 1)
                address += len(raw) + 2
                code = raw.decode().lower()
                entry = _VoiceEntry(
                    identifier=voice.identifier.decode(),
                    name=voice.name.decode(),
                    priority=priority,
                    gender=int(voice.gender),
                )
                # a lower number means eSpeak prefers this voice for the language
                if code not in found or priority < found[code].priority:
                    found[code] = entry
            i += 1
        return found

    def synthesize(
        self, text: str, identifier: str, wpm: int, pitch: int
    ) -> tuple[npt.NDArray[np.int16], list[_RawEvent]]:
        if self.lib.espeak_SetVoiceByName(identifier.encode()) != _EE_OK:
            raise ProviderError(f"espeak could not load voice {identifier!r}", retryable=False)
        # Parameters are global and survive between calls: set every one, every time.
        self.lib.espeak_SetParameter(_PARAM_RATE, wpm, 0)
        self.lib.espeak_SetParameter(_PARAM_PITCH, pitch, 0)
        self.lib.espeak_SetParameter(_PARAM_RANGE, 50, 0)
        self.lib.espeak_SetParameter(_PARAM_VOLUME, 100, 0)
        self._chunks, self._events = [], []
        data = text.encode("utf-8")
        try:
            status = int(
                self.lib.espeak_Synth(data, len(data) + 1, 0, 0, 0, _CHARS_UTF8, None, None)
            )
            self.lib.espeak_Synchronize()
            if status != _EE_OK:
                raise ProviderError(f"espeak_Synth failed with status {status}", retryable=True)
            samples = np.frombuffer(b"".join(self._chunks), dtype=np.int16)
            return samples, self._events
        finally:
            self._chunks, self._events = [], []


_LOCK = threading.Lock()
_ENGINE: _Engine | None = None
# What a missing or broken library or data folder raises while the engine starts.
_LOAD_ERRORS = (OSError, ImportError, RuntimeError)


def _reset_after_fork() -> None:
    # A fork taken while another thread synthesised would leave the child's copy of the lock
    # held forever; the synchronous engine itself has no threads, so its state is still usable.
    global _LOCK
    _LOCK = threading.Lock()


os.register_at_fork(after_in_child=_reset_after_fork)


def _engine_locked() -> _Engine:
    """The process's engine, started on first use; call with ``_LOCK`` held."""
    global _ENGINE
    if _ENGINE is None:
        _ENGINE = _Engine()
    return _ENGINE


# --- audio and timings ------------------------------------------------------------------------


def _frame_loudness(samples: npt.NDArray[np.int16], frame: int) -> npt.NDArray[np.int32]:
    """Peak magnitude of each ``frame``-sample frame (the last one zero-padded)."""
    n = -(-len(samples) // frame) * frame
    padded = np.zeros(n, dtype=np.int32)
    padded[: len(samples)] = np.abs(samples.astype(np.int32))
    loudness: npt.NDArray[np.int32] = padded.reshape(-1, frame).max(axis=1)
    return loudness


def _trim(samples: npt.NDArray[np.int16], rate: int) -> tuple[npt.NDArray[np.int16], int]:
    """Speech with ~50 ms of silence at each end and short fades; and how many samples the
    start moved (negative when silence was added)."""
    magnitude = np.abs(samples.astype(np.int32))
    threshold = max(int(magnitude.max() * 10 ** (_SILENCE_DB / 20)), 1)
    loud = np.flatnonzero(magnitude > threshold)
    if len(loud) == 0:
        raise ProviderError("espeak produced no audible speech for this text", retryable=False)
    pad = round(_EDGE_SILENCE_S * rate)
    start, stop = int(loud[0]) - pad, int(loud[-1]) + 1 + pad
    body = samples[max(start, 0) : min(stop, len(samples))].astype(np.float64)
    out = np.concatenate([np.zeros(max(-start, 0)), body, np.zeros(max(stop - len(samples), 0))])
    # The cut lands in near-silence, not digital silence: a short raised-cosine ramp makes
    # sure neither end starts or stops on a step.
    fade = round(_EDGE_FADE_S * rate)
    ramp = 0.5 - 0.5 * np.cos(np.linspace(0.0, math.pi, fade))
    out[:fade] *= ramp
    out[-fade:] *= ramp[::-1]
    return np.round(out).astype(np.int16), start


@dataclass
class _Token:
    word: str
    first: int  # character span of the token in the text
    end: int
    start_ms: float | None = None


def _tokens(text: str, events: list[_RawEvent]) -> list[_Token]:
    """Words of ``text``: whitespace-separated for alphabetic scripts; Chinese runs are cut
    where eSpeak's own segmentation starts a word (its dictionary knows 你好 is one word)."""
    starts = sorted({e.char for e in events if e.type == _EVENT_WORD})
    tokens: list[_Token] = []
    for match in _TOKEN_RE.finditer(text):
        first, end = match.span()
        if _HAN_RE.match(text[first]):
            cuts = [first] + [c for c in starts if first < c < end] + [end]
            tokens += [_Token(text[a:b], a, b) for a, b in itertools.pairwise(cuts)]
            continue
        # Punctuation around a word is not part of it; inside it is (e-mail, didn't, 10:30).
        while first < end and unicodedata.category(text[first]).startswith("P"):
            first += 1
        while end > first and unicodedata.category(text[end - 1]).startswith("P"):
            end -= 1
        if any(ch.isalnum() for ch in text[first:end]):
            tokens.append(_Token(text[first:end], first, end))
    return tokens


def _word_timings(
    text: str,
    events: list[_RawEvent],
    samples: npt.NDArray[np.int16],
    rate: int,
    shift: int,
    raw_length: int,
) -> list[WordTiming]:
    """One timing per word of ``text``, in seconds on the trimmed audio ``samples``."""
    tokens = _tokens(text, events)
    if not tokens:
        return []
    firsts = [t.first for t in tokens]
    for event in events:
        if event.type != _EVENT_WORD or not 0 <= event.char < len(text):
            continue
        # The token containing the event's position, or the first one after it when the
        # position falls on whitespace or punctuation.
        i = int(np.searchsorted(firsts, event.char, side="right")) - 1
        if i < 0 or event.char >= tokens[i].end:
            i += 1
        if i < len(tokens):
            known = tokens[i].start_ms
            tokens[i].start_ms = event.ms if known is None else min(known, event.ms)
    total_ms = 1000 * raw_length / rate
    _interpolate(tokens, total_ms)
    clause_ends = sorted(
        e.ms for e in events if e.type in (_EVENT_END, _EVENT_SENTENCE, _EVENT_MSG_TERMINATED)
    )

    frame = max(round(_FRAME_S * rate), 1)
    loudness = _frame_loudness(samples, frame)
    threshold = loudness.max() * 10 ** (_SILENCE_DB / 20)
    duration = len(samples) / rate
    out: list[WordTiming] = []
    previous_start = 0.0
    for i, token in enumerate(tokens):
        start_ms = float(token.start_ms or 0.0)
        next_ms = tokens[i + 1].start_ms if i + 1 < len(tokens) else None
        end_ms = float(next_ms) if next_ms is not None else total_ms
        # A clause end between two words is where the first one stops (the pause follows).
        end_ms = min([end_ms, *(c for c in clause_ends if start_ms < c < end_ms)])
        start = start_ms / 1000 - shift / rate
        end = end_ms / 1000 - shift / rate
        # Tighten the span to where there is sound: the event times include pauses.
        a, b = max(int(start * rate) // frame, 0), min(math.ceil(end * rate / frame), len(loudness))
        voiced = np.flatnonzero(loudness[a:b] > threshold)
        if len(voiced):
            start = float(a + voiced[0]) * frame / rate
            end = float(a + voiced[-1] + 1) * frame / rate
        start = min(max(start, previous_start, 0.0), duration)
        end = min(max(end, start), duration)
        out.append(WordTiming(token.word, start, end))
        previous_start = start
    # Frames are coarser than the boundaries: never let a word run into the next one.
    # (starts only grow, so the clipped end never falls before its own start)
    return [
        WordTiming(w.word, w.start, min(w.end, nxt.start))
        for w, nxt in zip(out, [*out[1:], WordTiming("", duration, duration)], strict=True)
    ]


def _interpolate(tokens: list[_Token], total_ms: float) -> None:
    """Give words eSpeak sent no event for a start between their neighbours', by length."""
    anchors = [(i, float(t.start_ms)) for i, t in enumerate(tokens) if t.start_ms is not None]
    points = [(-1, 0.0), *anchors, (len(tokens), total_ms)]
    for (lo, lo_ms), (hi, hi_ms) in itertools.pairwise(points):
        if hi - lo < 2:
            continue
        # Words before the first anchor start from zero; the others share the time between
        # the anchors around them in proportion to their length.
        lengths = [len(t.word) for t in tokens[max(lo, 0) : hi]]
        offsets = np.cumsum([0, *lengths]) / max(sum(lengths), 1)
        for j in range(lo + 1, hi):
            tokens[j].start_ms = lo_ms + (hi_ms - lo_ms) * float(offsets[j - max(lo, 0)])


# --- the provider -----------------------------------------------------------------------------


def _wav(samples: npt.NDArray[np.int16], rate: int) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples.astype("<i2").tobytes())
    return buffer.getvalue()


class EspeakSynthesizer(SpeechSynthesizer):
    """eSpeak NG: robotic but intelligible, instant, and needs nothing but the wheel."""

    name: ClassVar[str] = "espeak"
    quality: ClassVar[int] = 1
    speed: ClassVar[int] = 5
    offline: ClassVar[bool] = True
    # Deterministic for caching purposes: eSpeak's pitch flutter is a function-static counter
    # that runs on across calls, so a repeat differs by a few samples, never audibly.
    deterministic: ClassVar[bool] = True

    @property
    def model(self) -> str:
        try:
            with _LOCK:
                return f"espeak-ng-{_engine_locked().version}"
        except _LOAD_ERRORS:
            return "espeak-ng"

    def _engine(self) -> _Engine:
        try:
            with _LOCK:
                return _engine_locked()
        except _LOAD_ERRORS as exc:
            raise ProviderNotConfigured(
                self.name,
                "STORYREEL_PROVIDERS__VOICE",
                f"the eSpeak NG library could not be loaded ({exc}); reinstall espeakng-loader "
                "or choose another voice provider",
            ) from exc

    def check(self) -> None:
        self._engine()

    def voices(self) -> list[VoiceInfo]:
        return [
            VoiceInfo(
                id=code,
                language=code,
                description=entry.name,
                gender=_GENDERS.get(entry.gender),
            )
            for code, entry in sorted(self._engine().voices.items())
        ]

    def default_voice(self, language: str) -> str | None:
        code = language.strip().lower()
        voice = _LANGUAGE_VOICES.get(code, code)
        return voice if voice in self._engine().voices else None

    def resolve_voice(self, text: str, spec: VoiceSpec) -> str:
        """The voice id ``synthesize`` would use for ``text``: the explicit one, the one for
        ``spec.language``, or (for 'auto') the one for the language the text is written in."""
        known = self._engine().voices
        wanted = spec.voice.strip().lower()
        if wanted and wanted != "auto":
            if wanted not in known:
                raise ProviderError(
                    f"espeak has no voice {spec.voice!r}; valid voices: {', '.join(sorted(known))}",
                    retryable=False,
                )
            return wanted
        language = spec.language.strip().lower()
        if language in ("", "auto"):
            language = detect_language(text)
        voice = _LANGUAGE_VOICES.get(language, language)
        if voice not in known:
            raise ProviderError(
                f"espeak has no voice for language {spec.language!r}; "
                f"valid languages: {', '.join(sorted(known))}",
                retryable=False,
            )
        return voice

    def synthesize(self, text: str, voice: VoiceSpec) -> SpeechResult:
        began = time.perf_counter()
        text = text.replace("\x00", " ")  # the C side would stop reading at a NUL
        if not text.strip():
            raise ProviderError("nothing to say: the text is empty", retryable=False)
        if not (math.isfinite(voice.rate) and voice.rate > 0):
            raise ProviderError(f"rate must be a positive number, not {voice.rate}")
        if not (math.isfinite(voice.pitch) and voice.pitch >= 0):
            raise ProviderError(f"pitch must be zero or more, not {voice.pitch}")
        voice_id = self.resolve_voice(text, voice)
        engine = self._engine()
        wpm = min(max(round(DEFAULT_WPM * voice.rate), MIN_WPM), MAX_WPM)
        pitch = min(max(round(_DEFAULT_PITCH * voice.pitch), 0), 100)
        with _LOCK:
            raw, events = engine.synthesize(text, engine.voices[voice_id].identifier, wpm, pitch)
        rate = engine.sample_rate
        samples, shift = _trim(raw, rate)
        duration = len(samples) / rate
        words = _word_timings(text, events, samples, rate, shift, len(raw))
        return SpeechResult(
            wav=_wav(samples, rate),
            duration=duration,
            usage=Usage(
                provider=self.name,
                model=f"espeak-ng-{engine.version}",
                seconds=time.perf_counter() - began,
                units={"characters": float(len(text)), "audio_seconds": duration},
            ),
            words=words or None,
        )
