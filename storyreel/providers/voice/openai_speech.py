"""Speech from an OpenAI-compatible ``POST /audio/speech`` API (OpenAI tts-1, tts-1-hd,
gpt-4o-mini-tts, and servers that copy it), returned as a WAV with its exact duration.

WAV is asked for; OpenAI streams it with placeholder sizes in the header, so the duration is
counted from the samples, and the header rewritten. Any other format (a server that only
speaks MP3, or ``response_format`` set to one) is converted with the bundled FFmpeg.
"""

from __future__ import annotations

import math
import time
from typing import Any, ClassVar

from storyreel.domain.catalog import language_family
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
from storyreel.providers.remote import Connection, Transport, is_local, priced, service_health
from storyreel.providers.voice.settings import OPENAI_SPEECH, OpenAISpeechSettings
from storyreel.providers.voice.wavdata import pcm16, to_pcm
from storyreel.settings import Settings

_SETTING = OPENAI_SPEECH.env_prefix
MIN_SPEED, MAX_SPEED = 0.25, 4.0


class OpenAISpeech(SpeechSynthesizer):
    name: ClassVar[str] = "openai"
    section = OPENAI_SPEECH
    quality: ClassVar[int] = 5
    speed: ClassVar[int] = 3
    # Same text and voice: the paid result is reused rather than bought again.
    deterministic: ClassVar[bool] = True

    def __init__(self, settings: Settings, transport: Transport | None = None) -> None:
        super().__init__(settings)
        self.config: OpenAISpeechSettings = settings.openai_speech
        self._transport = transport or Transport()
        self._connection = Connection(self._connect)

    @property
    def model(self) -> str:
        return self.config.model

    def health(self) -> Health:
        return service_health(lambda: self._http(), "models")

    def prices(self) -> dict[str, float]:
        return {"characters": self.config.price_per_1k_chars / 1000}

    def check(self) -> None:
        if self.config.base_url is None:
            raise ProviderNotConfigured(self.name, f"{_SETTING}BASE_URL", "no API root is set")
        if self.config.api_key is None and not is_local(self.config.base_url):
            raise self.missing_key(f"{self.config.base_url} needs an API key")
        if not self.config.voice.strip():
            raise ProviderNotConfigured(self.name, f"{_SETTING}VOICE", "no default voice")

    def _http(self) -> HttpService:
        return self._connection.get()

    def _connect(self) -> HttpService:
        self.check()
        assert self.config.base_url is not None
        return self._transport.service(
            f"openai speech at {self.config.base_url}",
            self.config.base_url,
            timeout_s=self.config.timeout_s,
            api_key=self.config.api_key,
            auth_hint=self.key_advice(),
            retry_budget_s=self.config.retry_budget_s,
        )

    def voices(self) -> list[VoiceInfo]:
        return [
            VoiceInfo(id=voice, language=language, description=f"{voice} ({self.config.model})")
            for voice, language in sorted(self.config.voices.items())
        ]

    def default_voice(self, language: str) -> str | None:
        """The configured voice if it speaks ``language`` ('mul': any), else the first that
        does, else the configured voice anyway."""
        family = language_family(language)

        def speaks(voice: str) -> bool:
            spoken = self.config.voices.get(voice, "mul")
            return spoken == "mul" or family == "mul" or language_family(spoken) == family

        if speaks(self.config.voice):
            return self.config.voice
        return next((v for v in sorted(self.config.voices) if speaks(v)), self.config.voice)

    def resolve_voice(self, text: str, spec: VoiceSpec) -> str:
        wanted = spec.voice.strip()
        if not wanted or wanted.lower() == "auto":
            language = spec.language if spec.language not in ("", "auto") else "mul"
            return self.default_voice(language) or self.config.voice
        offered = {v.lower(): v for v in self.config.voices}
        if offered and wanted.lower() not in offered:
            raise ProviderError(
                f"openai speech has no voice {spec.voice!r}; valid voices: "
                f"{', '.join(sorted(self.config.voices))} ({_SETTING}VOICES)"
            )
        return offered.get(wanted.lower(), wanted)

    def request_body(self, text: str, spec: VoiceSpec) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.config.model,
            "input": text,
            "voice": self.resolve_voice(text, spec),
            "response_format": self.config.response_format,
        }
        speed = min(max(spec.rate, MIN_SPEED), MAX_SPEED)
        if speed != 1.0:
            body["speed"] = round(speed, 3)
        if self.config.instructions:
            body["instructions"] = self.config.instructions
        return body

    def synthesize(self, text: str, voice: VoiceSpec) -> SpeechResult:
        began = time.perf_counter()
        text = text.strip()
        if not text:
            raise ProviderError("nothing to say: the text is empty")
        if not (math.isfinite(voice.rate) and voice.rate > 0):
            raise ProviderError(f"rate must be a positive number, not {voice.rate}")
        if len(text) > self.config.max_chars:
            raise ProviderError(
                f"openai speech takes at most {self.config.max_chars} characters at once, not "
                f"{len(text)} ({_SETTING}MAX_CHARS)"
            )
        service = self._http()
        body = self.request_body(text, voice)
        response = service.request("POST", "audio/speech", json=body)
        what = f"{service.name} ({body['voice']})"
        if self.config.response_format == "pcm" and not response.content.startswith(b"RIFF"):
            pcm = pcm16(response.content, self.config.pcm_sample_rate)
            if not pcm.frames:
                raise ProviderError(f"{what}: the server sent no audio", retryable=True)
        else:
            pcm = to_pcm(response.content, what=what, ffmpeg=self.settings.ffmpeg)
        if pcm.frames == 0:
            raise ProviderError(f"{what}: the audio is empty", retryable=True)
        return SpeechResult(
            wav=pcm.wav(),
            duration=pcm.duration,
            usage=Usage(
                provider=self.name,
                model=self.config.model,
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
