"""Speech from Microsoft Edge's online read-aloud voices (zh-CN-XiaoxiaoNeural,
en-US-AriaNeural...) through the edge-tts package, as a WAV with its exact duration and the
time of every word.

edge-tts speaks Edge's read-aloud WebSocket protocol: it sends a ``Path:speech.config`` frame
(MP3 output, word boundaries on) and a ``Path:ssml`` frame (voice, rate, pitch, the text), and
reads back ``turn.start``, binary ``Path:audio`` frames of MP3 (24 kHz mono, 48 kbit/s),
``Path:audio.metadata`` frames with a ``WordBoundary`` per word (offset and duration in 100-ns
ticks) and ``turn.end``. The MP3 is decoded with FFmpeg, so the duration is counted from the
samples; the word boundaries become ``SpeechResult.words``.

**Another endpoint.** edge-tts has no parameter for the URL: it formats its module constant
``edge_tts.communicate.WSS_URL`` into the URL each time it connects. When ``endpoint`` is set,
that constant is replaced, once per process, by an equal string whose formatting gives the
endpoint of the call being made (held in a ContextVar, so calls in other threads or event loops
— including those of code that uses edge-tts without storyreel — keep Microsoft's URL). The
same mechanism serves a self-hosted relay and the tests' fake server.
"""

from __future__ import annotations

import asyncio
import math
import re
import threading
import time
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar
from types import ModuleType
from typing import Any, ClassVar, TypeVar

from storyreel.domain.catalog import language_family
from storyreel.domain.text import detect_language
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
from storyreel.providers.remote import priced
from storyreel.providers.voice.settings import EDGE_TTS, EdgeTtsSettings
from storyreel.providers.voice.wavdata import transcode
from storyreel.settings import Settings

T = TypeVar("T")

_SETTING = EDGE_TTS.env_prefix
INSTALL = "pip install 'storyreel[edge]'"
MIN_VERSION = (7, 2)  # Communicate(boundary="WordBoundary")
TICKS_PER_SECOND = 10_000_000
# The read-aloud voices speak from half to twice their normal speed.
MIN_RATE, MAX_RATE = 0.5, 2.0
# VoiceSpec.pitch is a factor, edge-tts takes an offset in Hz: a factor of a typical speaking
# pitch, within what still sounds like the same voice.
NOMINAL_PITCH_HZ = 150
MAX_PITCH_OFFSET_HZ = 75
# A word may end this far past the audio (MP3 padding); further means the stream was cut.
_CUT_TOLERANCE_S = 0.25

# Short ids (zh-CN-XiaoxiaoNeural, zh-CN-liaoning-XiaobeiNeural) and the long form edge-tts
# also accepts, as edge-tts checks them.
_VOICE_ID = re.compile(
    r"^[a-z]{2,}-[A-Z]{2,}-.+Neural$|^Microsoft Server Speech Text to Speech Voice \(.+,.+\)$"
)


def _voice(id_: str, gender: str, description: str) -> VoiceInfo:
    language = id_.rsplit("-", 1)[0]  # zh-CN-XiaoxiaoNeural → zh-CN
    return VoiceInfo(id_, language, description, "female" if gender == "f" else "male")


# Common Chinese and English voices, so listing needs no network (`edge-tts --list-voices`
# shows all of them; more can be offered with STORYREEL_EDGE_TTS__EXTRA_VOICES).
VOICES: tuple[VoiceInfo, ...] = (
    _voice("zh-CN-XiaoxiaoNeural", "f", "Xiaoxiao: warm; news and novels"),
    _voice("zh-CN-XiaoyiNeural", "f", "Xiaoyi: lively; cartoons and novels"),
    _voice("zh-CN-YunjianNeural", "m", "Yunjian: passionate; sports and novels"),
    _voice("zh-CN-YunxiNeural", "m", "Yunxi: lively, sunny; novels"),
    _voice("zh-CN-YunxiaNeural", "m", "Yunxia: cute; a boy's voice"),
    _voice("zh-CN-YunyangNeural", "m", "Yunyang: professional, reliable; news"),
    _voice("zh-CN-liaoning-XiaobeiNeural", "f", "Xiaobei: humorous; Northeastern dialect"),
    _voice("zh-CN-shaanxi-XiaoniNeural", "f", "Xiaoni: bright; Shaanxi dialect"),
    _voice("zh-HK-HiuGaaiNeural", "f", "HiuGaai: Cantonese"),
    _voice("zh-HK-HiuMaanNeural", "f", "HiuMaan: Cantonese"),
    _voice("zh-HK-WanLungNeural", "m", "WanLung: Cantonese"),
    _voice("zh-TW-HsiaoChenNeural", "f", "HsiaoChen: Taiwanese Mandarin"),
    _voice("zh-TW-HsiaoYuNeural", "f", "HsiaoYu: Taiwanese Mandarin"),
    _voice("zh-TW-YunJheNeural", "m", "YunJhe: Taiwanese Mandarin"),
    _voice("en-US-AriaNeural", "f", "Aria: positive, confident"),
    _voice("en-US-JennyNeural", "f", "Jenny: friendly, considerate"),
    _voice("en-US-AvaNeural", "f", "Ava: expressive, caring"),
    _voice("en-US-EmmaNeural", "f", "Emma: cheerful, clear"),
    _voice("en-US-MichelleNeural", "f", "Michelle: friendly, pleasant"),
    _voice("en-US-AnaNeural", "f", "Ana: cute; a girl's voice"),
    _voice("en-US-GuyNeural", "m", "Guy: passionate"),
    _voice("en-US-AndrewNeural", "m", "Andrew: warm, confident"),
    _voice("en-US-BrianNeural", "m", "Brian: approachable, casual"),
    _voice("en-US-ChristopherNeural", "m", "Christopher: reliable, authoritative"),
    _voice("en-US-EricNeural", "m", "Eric: rational"),
    _voice("en-US-RogerNeural", "m", "Roger: lively"),
    _voice("en-US-SteffanNeural", "m", "Steffan: rational"),
    _voice("en-GB-SoniaNeural", "f", "Sonia: British, friendly"),
    _voice("en-GB-LibbyNeural", "f", "Libby: British"),
    _voice("en-GB-MaisieNeural", "f", "Maisie: British; a girl's voice"),
    _voice("en-GB-RyanNeural", "m", "Ryan: British, friendly"),
    _voice("en-GB-ThomasNeural", "m", "Thomas: British"),
    _voice("en-AU-NatashaNeural", "f", "Natasha: Australian"),
    _voice("en-AU-WilliamNeural", "m", "William: Australian"),
)


# --- pointing edge-tts at another endpoint --------------------------------------------------

_ENDPOINT: ContextVar[str | None] = ContextVar("storyreel_edge_endpoint", default=None)
_ROUTE_LOCK = threading.Lock()


class _RoutedUrl(str):
    """edge-tts's ``WSS_URL``: equal to it, but formatted (as edge-tts does, in an f-string)
    as the endpoint of the current call when one is set."""

    __slots__ = ()

    def __format__(self, spec: str) -> str:
        endpoint = _ENDPOINT.get()
        return format(str(self) if endpoint is None else endpoint, spec)


def _install_route(communicate: ModuleType) -> bool:
    """Make ``communicate.WSS_URL`` follow ``_ENDPOINT``; False if this edge-tts has none."""
    with _ROUTE_LOCK:
        current = getattr(communicate, "WSS_URL", None)
        if isinstance(current, _RoutedUrl):
            return True
        if not isinstance(current, str):
            return False
        vars(communicate)["WSS_URL"] = _RoutedUrl(current)
        return True


def endpoint_url(endpoint: str, trusted_client_token: str) -> str:
    """What ``WSS_URL`` becomes for ``endpoint``: edge-tts appends ``&ConnectionId=...``, so
    an endpoint without a query gets the TrustedClientToken Microsoft's service expects."""
    if "?" in endpoint:
        return endpoint
    return f"{endpoint}?TrustedClientToken={trusted_client_token}"


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run ``coroutine`` to the end from synchronous code, even inside an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def rate_option(rate: float) -> str:
    """VoiceSpec.rate (1.0 = normal) as edge-tts's relative rate: 1.25 → '+25%'."""
    return f"{round((min(max(rate, MIN_RATE), MAX_RATE) - 1.0) * 100):+d}%"


def pitch_option(pitch: float) -> str:
    """VoiceSpec.pitch (1.0 = the voice's own) as an offset in Hz: 1.1 → '+15Hz'."""
    offset = round((pitch - 1.0) * NOMINAL_PITCH_HZ)
    return f"{min(max(offset, -MAX_PITCH_OFFSET_HZ), MAX_PITCH_OFFSET_HZ):+d}Hz"


def _is_word(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


class EdgeSpeech(SpeechSynthesizer):
    name: ClassVar[str] = "edge"
    section = EDGE_TTS
    quality: ClassVar[int] = 4
    speed: ClassVar[int] = 4
    # The service speaks the same text the same way; a narration is reused, not re-fetched.
    deterministic: ClassVar[bool] = True

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.config: EdgeTtsSettings = settings.edge_tts
        self._library: ModuleType | None = None

    @property
    def model(self) -> str:
        return "edge-tts"

    def prices(self) -> dict[str, float]:
        return {"characters": self.config.price_per_1k_chars / 1000}

    def _edge_tts(self) -> ModuleType:
        """The edge_tts package, imported on first use: the base install has no edge-tts."""
        if self._library is not None:
            return self._library
        try:
            import edge_tts
            import edge_tts.communicate
        except ImportError as exc:
            raise ProviderNotConfigured(
                self.name, "the edge-tts package", f"it is not installed ({exc}); {INSTALL}"
            ) from exc
        version = tuple(getattr(edge_tts, "__version_info__", (0,)))[:2]
        if version < MIN_VERSION:
            raise ProviderNotConfigured(
                self.name,
                "the edge-tts package",
                f"version {getattr(edge_tts, '__version__', '?')} is too old; "
                "pip install -U 'edge-tts>=7.2'",
            )
        if self.config.endpoint is not None and not _install_route(edge_tts.communicate):
            raise ProviderNotConfigured(
                self.name,
                f"{_SETTING}ENDPOINT",
                f"edge-tts {edge_tts.__version__} builds its URL in a way storyreel cannot "
                "redirect; unset the endpoint or use another edge-tts version",
            )
        self._library = edge_tts
        return edge_tts

    def check(self) -> None:
        self._edge_tts()
        for language, voice in self.config.default_voices.items():
            if not _VOICE_ID.match(voice):
                raise ProviderNotConfigured(
                    self.name,
                    f"{_SETTING}DEFAULT_VOICES",
                    f"{voice!r} (for {language}) is not a voice id like zh-CN-XiaoxiaoNeural",
                )
        for voice in self.config.extra_voices:
            if not _VOICE_ID.match(voice):
                raise ProviderNotConfigured(
                    self.name,
                    f"{_SETTING}EXTRA_VOICES",
                    f"{voice!r} is not a voice id like fr-FR-DeniseNeural",
                )

    def voices(self) -> list[VoiceInfo]:
        known = {v.id for v in VOICES}
        extra = [
            VoiceInfo(v, v.rsplit("-", 1)[0], v.rsplit("-", 1)[-1].removesuffix("Neural"))
            for v in dict.fromkeys(self.config.extra_voices)
            if v not in known and _VOICE_ID.match(v)
        ]
        return [*VOICES, *extra]

    def default_voice(self, language: str) -> str | None:
        """The configured voice for ``language`` (exactly, then by family: 'zh-TW' → 'zh'),
        else the first listed voice of that locale, then of that family."""
        wanted = language.strip().lower()
        family = language_family(wanted)
        configured = {k.strip().lower(): v for k, v in self.config.default_voices.items()}
        if wanted in configured:
            return configured[wanted]
        for lang, voice in configured.items():
            if language_family(lang) == family:
                return voice
        offered = self.voices()
        return next(
            (v.id for v in offered if v.language.lower() == wanted),
            next((v.id for v in offered if language_family(v.language) == family), None),
        )

    def resolve_voice(self, text: str, spec: VoiceSpec) -> str:
        """The voice for ``text``: the one asked for (any Edge voice id, listed or not), or for
        'auto' the default of the language given or detected."""
        wanted = spec.voice.strip()
        if wanted and wanted.lower() != "auto":
            listed = {v.id.lower(): v.id for v in self.voices()}
            if wanted.lower() in listed:
                return listed[wanted.lower()]
            if _VOICE_ID.match(wanted):
                return wanted
            raise ProviderError(
                f"edge has no voice {spec.voice!r}: voices are ids like zh-CN-XiaoxiaoNeural "
                "or en-US-AriaNeural (`storyreel voices`, `edge-tts --list-voices`)"
            )
        language = spec.language if spec.language not in ("", "auto") else detect_language(text)
        voice = self.default_voice(language)
        if voice is None:
            raise ProviderError(
                f"edge has no voice for language {language!r}; set one in "
                f"{_SETTING}DEFAULT_VOICES or choose a voice id"
            )
        return voice

    async def _stream(self, communicate: Any) -> tuple[bytes, list[dict[str, Any]]]:
        if self.config.endpoint is not None:
            token = self._edge_tts().constants.TRUSTED_CLIENT_TOKEN
            # Set inside the task that connects: only this call sees it.
            _ENDPOINT.set(endpoint_url(self.config.endpoint, token))
        audio = bytearray()
        marks: list[dict[str, Any]] = []
        async with asyncio.timeout(self.config.timeout_s):
            async for chunk in communicate.stream():
                if chunk["type"] == "audio":
                    audio += chunk["data"]
                elif chunk["type"] == "WordBoundary":
                    marks.append(chunk)
        return bytes(audio), marks

    def _speak(self, text: str, voice: str, spec: VoiceSpec) -> tuple[bytes, list[dict[str, Any]]]:
        edge_tts = self._edge_tts()
        where = f"edge-tts at {self.config.endpoint}" if self.config.endpoint else "edge-tts"
        what = f"{where} ({voice})"
        # Whole seconds, as edge-tts wants; the call as a whole is limited to timeout_s.
        socket_timeout = max(1, math.ceil(self.config.timeout_s))
        try:
            communicate = edge_tts.Communicate(
                text,
                voice,
                rate=rate_option(spec.rate),
                pitch=pitch_option(spec.pitch),
                boundary="WordBoundary",
                proxy=self.config.proxy,
                connect_timeout=socket_timeout,
                receive_timeout=socket_timeout,
            )
        except ValueError as exc:  # a voice, rate or pitch edge-tts refuses
            raise ProviderError(f"{what}: {exc}") from exc
        import aiohttp

        errors = edge_tts.exceptions
        try:
            return _run(self._stream(communicate))
        except errors.NoAudioReceived as exc:
            raise ProviderError(
                f"{what}: the service sent no audio (is {voice} one of its voices?)",
                retryable=True,
            ) from exc
        except aiohttp.WSServerHandshakeError as exc:
            # 403 after edge-tts's own clock-skew retry: the handshake token is outdated.
            hint = "; update edge-tts (pip install -U edge-tts)" if exc.status == 403 else ""
            raise ProviderError(
                f"{what}: the service refused the connection (HTTP {exc.status}){hint}",
                retryable=exc.status not in (400, 401, 403, 404),
            ) from exc
        except TimeoutError as exc:
            raise ProviderError(
                f"{what}: no complete answer within {self.config.timeout_s:g} s "
                f"({_SETTING}TIMEOUT_S)",
                retryable=True,
            ) from exc
        except (errors.EdgeTTSException, aiohttp.ClientError, OSError) as exc:
            raise ProviderError(f"{what}: {type(exc).__name__}: {exc}", retryable=True) from exc

    def synthesize(self, text: str, voice: VoiceSpec) -> SpeechResult:
        began = time.perf_counter()
        text = text.strip()
        if not text:
            raise ProviderError("nothing to say: the text is empty")
        if not (math.isfinite(voice.rate) and voice.rate > 0):
            raise ProviderError(f"rate must be a positive number, not {voice.rate}")
        if not (math.isfinite(voice.pitch) and voice.pitch >= 0):
            raise ProviderError(f"pitch must be zero or more, not {voice.pitch}")
        voice_id = self.resolve_voice(text, voice)
        mp3, marks = self._speak(text, voice_id, voice)
        what = f"edge-tts ({voice_id})"
        if not mp3:
            raise ProviderError(f"{what}: the service sent no audio", retryable=True)
        pcm = transcode(mp3, what=what, ffmpeg=self.settings.ffmpeg)
        if pcm.frames == 0:
            raise ProviderError(f"{what}: the audio is empty", retryable=True)
        duration = pcm.duration
        words = [
            WordTiming(
                word=str(mark["text"]),
                start=min(mark["offset"] / TICKS_PER_SECOND, duration),
                end=min((mark["offset"] + mark["duration"]) / TICKS_PER_SECOND, duration),
            )
            for mark in marks
            if _is_word(str(mark["text"]))  # punctuation boundaries are not words
        ]
        if marks and (marks[-1]["offset"] / TICKS_PER_SECOND) > duration + _CUT_TOLERANCE_S:
            raise ProviderError(
                f"{what}: the audio stops before the last word (the connection was cut)",
                retryable=True,
            )
        return SpeechResult(
            wav=pcm.wav(),
            duration=duration,
            usage=Usage(
                provider=self.name,
                model=self.model,
                seconds=time.perf_counter() - began,
                units=priced(
                    {"characters": float(len(text)), "audio_seconds": duration},
                    len(text) / 1000,
                    self.config.price_per_1k_chars,
                ),
            ),
            words=sorted(words, key=lambda w: w.start) or None,
        )
