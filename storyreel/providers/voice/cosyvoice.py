"""Speech from CosyVoice's own FastAPI server (``runtime/python/fastapi/server.py`` in the
CosyVoice repository, started with ``python server.py --port 50000 --model_dir ...``).

The server takes form fields — ``tts_text`` and, per endpoint, ``spk_id``, ``prompt_text``,
``instruct_text`` and a ``prompt_wav`` file — on ``/inference_{mode}`` (GET in the official
server, whose client sends the form as a GET body; POST in several forks), and streams raw
16-bit mono PCM with no header at the model's sample rate (22050 Hz for CosyVoice-300M, 24000
for CosyVoice2/3). Forks that announce the rate in ``X-Custom-Header-sampleRate`` are believed.
The server has no speed parameter, so a rate other than 1.0 is applied with FFmpeg's atempo.
"""

from __future__ import annotations

import hashlib
import math
import time
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar, Literal

from storyreel.domain.catalog import language_family
from storyreel.domain.text import detect_language
from storyreel.providers.base import (
    Health,
    ProviderError,
    ProviderNotConfigured,
    SpeechResult,
    SpeechSynthesizer,
    Usage,
    VoiceInfo,
    VoiceSpec,
)
from storyreel.providers.http import HttpService
from storyreel.providers.remote import Connection, Transport, priced, service_health
from storyreel.providers.voice.settings import COSYVOICE, CosyVoiceSettings
from storyreel.providers.voice.wavdata import pcm16, transcode
from storyreel.settings import Settings

_SETTING = COSYVOICE.env_prefix
RATE_HEADER = "X-Custom-Header-sampleRate"
# Which modes speak with a built-in speaker, and which with the voice of prompt_wav.
_SPEAKER_MODES = ("sft", "instruct")
_PROMPT_MODES = ("zero_shot", "cross_lingual", "instruct2")
PROMPT_VOICE = "prompt"


@lru_cache(maxsize=8)
def _file_digest(path: Path, mtime: float) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _digest(path: Path) -> str:
    try:
        return _file_digest(path, path.stat().st_mtime)
    except OSError:
        return "missing"


def _gender(speaker: str) -> Literal["male", "female"] | None:
    # The SFT speakers are named like 中文女 (Chinese, female) and 英文男 (English, male).
    if speaker.endswith("女"):
        return "female"
    if speaker.endswith("男"):
        return "male"
    return None


class CosyVoiceSpeech(SpeechSynthesizer):
    name: ClassVar[str] = "cosyvoice"
    section = COSYVOICE
    quality: ClassVar[int] = 4
    speed: ClassVar[int] = 3
    # The server draws a fresh random seed per call; a result is still reused for the same
    # text and voice, which is what a narration needs.
    deterministic: ClassVar[bool] = True

    def __init__(self, settings: Settings, transport: Transport | None = None) -> None:
        super().__init__(settings)
        self.config: CosyVoiceSettings = settings.cosyvoice
        self._transport = transport or Transport()
        self._connection = Connection(self._connect)

    @property
    def model(self) -> str:
        """The endpoint, and for a recorded or instructed voice what shapes it: part of the
        cache key, so changing the recording or the instruction makes new narration."""
        c = self.config
        shaping = [c.instruct_text] if c.mode in ("instruct", "instruct2") else []
        if c.mode in _PROMPT_MODES and c.prompt_wav is not None:
            shaping += [c.prompt_text, _digest(c.prompt_wav)]
        if not shaping:
            return f"cosyvoice-{c.mode}"
        return f"cosyvoice-{c.mode}-{hashlib.sha256(repr(shaping).encode()).hexdigest()[:12]}"

    def health(self) -> Health:
        return service_health(lambda: self._http(), "docs")

    def prices(self) -> dict[str, float]:
        return {"characters": self.config.price_per_1k_chars / 1000}

    def check(self) -> None:
        c = self.config
        if c.url is None:
            raise ProviderNotConfigured(
                self.name,
                f"{_SETTING}URL",
                "no CosyVoice server is set (e.g. http://127.0.0.1:50000)",
            )
        if c.mode in _PROMPT_MODES and c.prompt_wav is None:
            raise ProviderNotConfigured(
                self.name, f"{_SETTING}PROMPT_WAV", f"mode {c.mode} speaks with a recorded voice"
            )
        if c.mode == "zero_shot" and not c.prompt_text.strip():
            raise ProviderNotConfigured(
                self.name, f"{_SETTING}PROMPT_TEXT", "zero_shot needs what prompt_wav says"
            )
        if c.mode in ("instruct", "instruct2") and not c.instruct_text.strip():
            raise ProviderNotConfigured(
                self.name, f"{_SETTING}INSTRUCT_TEXT", f"mode {c.mode} needs an instruction"
            )
        if c.mode in _SPEAKER_MODES and not c.voices:
            raise ProviderNotConfigured(self.name, f"{_SETTING}VOICES", "no speakers are listed")

    def _http(self) -> HttpService:
        return self._connection.get()

    def _connect(self) -> HttpService:
        self.check()
        assert self.config.url is not None
        return self._transport.service(
            f"cosyvoice at {self.config.url}", self.config.url, timeout_s=self.config.timeout_s
        )

    def voices(self) -> list[VoiceInfo]:
        if self.config.mode in _PROMPT_MODES:
            name = self.config.prompt_wav.name if self.config.prompt_wav else "prompt_wav"
            return [VoiceInfo(PROMPT_VOICE, "mul", f"the voice of {name}")]
        return [
            VoiceInfo(id=speaker, language=language, description=speaker, gender=_gender(speaker))
            for speaker, language in self.config.voices.items()
        ]

    def default_voice(self, language: str) -> str | None:
        if self.config.mode in _PROMPT_MODES:
            return PROMPT_VOICE
        family = language_family(language)
        for lang, speaker in self.config.default_voices.items():
            if language_family(lang) == family:
                return speaker
        return next(
            (s for s, lang in self.config.voices.items() if language_family(lang) == family), None
        )

    def resolve_voice(self, text: str, spec: VoiceSpec) -> str:
        """The speaker (spk_id) for ``text``: the one asked for, or for 'auto' the default of
        the language given or detected."""
        if self.config.mode in _PROMPT_MODES:
            return PROMPT_VOICE
        wanted = spec.voice.strip()
        if wanted and wanted.lower() != "auto":
            if wanted not in self.config.voices:
                raise ProviderError(
                    f"cosyvoice has no speaker {spec.voice!r}; valid speakers: "
                    f"{', '.join(self.config.voices)} ({_SETTING}VOICES)"
                )
            return wanted
        language = spec.language if spec.language not in ("", "auto") else detect_language(text)
        speaker = self.default_voice(language)
        if speaker is None:
            raise ProviderError(
                f"cosyvoice has no speaker for language {language!r} "
                f"({_SETTING}DEFAULT_VOICES); choose one of {', '.join(self.config.voices)}"
            )
        return speaker

    def _form(self, text: str, speaker: str) -> tuple[dict[str, str], dict[str, Any] | None]:
        c = self.config
        form = {"tts_text": text}
        if c.mode in _SPEAKER_MODES:
            form["spk_id"] = speaker
        if c.mode == "zero_shot":
            form["prompt_text"] = c.prompt_text
        if c.mode in ("instruct", "instruct2"):
            form["instruct_text"] = c.instruct_text
        files = None
        if c.mode in _PROMPT_MODES:
            assert c.prompt_wav is not None
            files = {
                "prompt_wav": ("prompt_wav", c.prompt_wav.read_bytes(), "application/octet-stream")
            }
        return form, files

    def synthesize(self, text: str, voice: VoiceSpec) -> SpeechResult:
        began = time.perf_counter()
        text = text.strip()
        if not text:
            raise ProviderError("nothing to say: the text is empty")
        if not (math.isfinite(voice.rate) and voice.rate > 0):
            raise ProviderError(f"rate must be a positive number, not {voice.rate}")
        service = self._http()
        speaker = self.resolve_voice(text, voice)
        form, files = self._form(text, speaker)
        response = service.request(
            self.config.method, f"inference_{self.config.mode}", data=form, files=files
        )
        rate = self.config.sample_rate
        announced = response.headers.get(RATE_HEADER, "")
        if announced.isdigit() and 8000 <= int(announced) <= 192_000:
            rate = int(announced)
        what = f"{service.name} ({speaker})"
        pcm = pcm16(response.content, rate)
        if pcm.frames == 0:
            hint = f"; is {speaker!r} one of the server's speakers?" if speaker != "prompt" else ""
            raise ProviderError(f"{what}: the server sent no audio{hint}", retryable=True)
        if abs(voice.rate - 1.0) > 1e-6:
            pcm = transcode(pcm.wav(), what=what, ffmpeg=self.settings.ffmpeg, tempo=voice.rate)
        return SpeechResult(
            wav=pcm.wav(),
            duration=pcm.duration,
            usage=Usage(
                provider=self.name,
                model=self.model,
                seconds=time.perf_counter() - began,
                units=priced(
                    {"characters": float(len(text)), "audio_seconds": pcm.duration},
                    len(text) / 1000,
                    self.config.price_per_1k_chars,
                ),
            ),
        )

    def close(self) -> None:
        self._connection.close()
