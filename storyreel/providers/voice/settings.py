"""Settings of the network voice providers (``openai``, ``cosyvoice``, ``edge``).

Cheap to import (pydantic only): ``storyreel.settings`` builds ``Settings`` from it.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, SecretStr

from storyreel.providers.sections import OptionalFile, OptionalHttpUrl, RetryBudget, SettingsSection


class OpenAISpeechSettings(BaseModel):
    """An OpenAI-compatible ``POST /audio/speech`` API (``STORYREEL_OPENAI_SPEECH__...``)."""

    model_config = ConfigDict(extra="forbid")

    base_url: OptionalHttpUrl = Field(
        "https://api.openai.com/v1",
        description="The API root that /audio/speech hangs off.",
    )
    api_key: SecretStr | None = Field(None, description="Sent as a Bearer token.")
    model: str = Field("tts-1", description="Model id: tts-1, tts-1-hd, gpt-4o-mini-tts...")
    voice: str = Field("alloy", description="The voice 'auto' picks, for every language.")
    voices: dict[str, str] = Field(
        default_factory=lambda: dict.fromkeys(
            ("alloy", "ash", "coral", "echo", "fable", "nova", "onyx", "sage", "shimmer"), "mul"
        ),
        description='Voices offered, as JSON {"voice id": "language"} ("mul": any language).',
    )
    response_format: Literal["wav", "mp3", "flac", "opus", "aac", "pcm"] = Field(
        "wav",
        description="What is asked for; anything but WAV is converted with FFmpeg ('pcm' is "
        "read as 16-bit mono at pcm_sample_rate).",
    )
    pcm_sample_rate: int = Field(24_000, ge=8000, le=192_000)
    instructions: str = Field(
        "", description="How to speak (gpt-4o-mini-tts only); empty: not sent."
    )
    max_chars: int = Field(4096, ge=1, description="Longest text the API accepts at once.")
    timeout_s: float = Field(120.0, gt=0, le=3600, description="Longest wait for one answer.")
    retry_budget_s: RetryBudget = 30.0
    price_per_1k_chars: float = Field(
        0.015, ge=0, description="Cost of 1,000 characters spoken (usage 'cost')."
    )


def _cosyvoice_speakers() -> dict[str, str]:
    # The speakers of CosyVoice-300M-SFT, the model the SFT endpoint is made for.
    return {
        "中文女": "zh",
        "中文男": "zh",
        "英文女": "en",
        "英文男": "en",
        "日语男": "ja",
        "粤语女": "yue",
        "韩语女": "ko",
    }


class CosyVoiceSettings(BaseModel):
    """CosyVoice's FastAPI server (runtime/python/fastapi/server.py in the CosyVoice repository)
    (``STORYREEL_COSYVOICE__URL=http://127.0.0.1:50000``)."""

    model_config = ConfigDict(extra="forbid")

    url: OptionalHttpUrl = Field(None, description="The server, e.g. http://127.0.0.1:50000.")
    mode: Literal["sft", "zero_shot", "cross_lingual", "instruct", "instruct2"] = Field(
        "sft",
        description="Which endpoint speaks: sft (a built-in speaker), zero_shot and "
        "cross_lingual (the voice of prompt_wav), instruct (a speaker told how to speak), "
        "instruct2 (prompt_wav's voice told how to speak).",
    )
    method: Literal["GET", "POST"] = Field(
        "GET",
        description="The official server takes its form fields on GET; some forks want POST.",
    )
    voices: dict[str, str] = Field(
        default_factory=_cosyvoice_speakers,
        description='Speakers (spk_id) offered, as JSON {"speaker": "language"}.',
    )
    default_voices: dict[str, str] = Field(
        default_factory=lambda: {"zh": "中文女", "en": "英文女", "ja": "日语男", "ko": "韩语女"},
        description="The speaker 'auto' picks per language of the text.",
    )
    prompt_wav: OptionalFile = Field(
        None, description="A 3–10 s recording whose voice zero_shot/cross_lingual/instruct2 use."
    )
    prompt_text: str = Field("", description="What prompt_wav says (zero_shot).")
    instruct_text: str = Field("", description="How to speak (instruct, instruct2).")
    sample_rate: int = Field(
        22_050,
        ge=8000,
        le=192_000,
        description="Of the raw PCM the server streams: 22050 for CosyVoice-300M, 24000 for "
        "CosyVoice2 and 3 (a server that sends X-Custom-Header-sampleRate overrides it).",
    )
    timeout_s: float = Field(300.0, gt=0, le=3600, description="Longest wait for one answer.")
    price_per_1k_chars: float = Field(0.0, ge=0, description="Cost of 1,000 characters spoken.")


def _edge_endpoint(value: str | None) -> str | None:
    """A blank endpoint is none; a set one must be a WebSocket (or HTTP) URL."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if not value.startswith(("ws://", "wss://", "http://", "https://")):
        raise ValueError("must start with ws://, wss://, http:// or https://")
    return value


class EdgeTtsSettings(BaseModel):
    """Microsoft Edge's online read-aloud voices through the edge-tts package
    (``STORYREEL_EDGE_TTS__...``); install with ``pip install 'storyreel[edge]'``."""

    model_config = ConfigDict(extra="forbid")

    default_voices: dict[str, str] = Field(
        default_factory=lambda: {"zh": "zh-CN-XiaoxiaoNeural", "en": "en-US-AriaNeural"},
        description="The voice 'auto' picks per language of the text, as JSON {\"language\": "
        '"voice"}; a language not listed gets the first built-in voice that speaks it.',
    )
    extra_voices: list[str] = Field(
        default_factory=list,
        description="More voices to offer besides the built-in zh/en list: any id from "
        "`edge-tts --list-voices`, e.g. fr-FR-DeniseNeural.",
    )
    endpoint: Annotated[str | None, AfterValidator(_edge_endpoint)] = Field(
        None,
        description="A WebSocket URL to speak to instead of Microsoft's, e.g. a self-hosted "
        "relay (wss://tts.example.com/edge/v1); edge-tts's query (TrustedClientToken, "
        "ConnectionId, Sec-MS-GEC...) is appended. Unset: Microsoft's service.",
    )
    proxy: OptionalHttpUrl = Field(
        None, description="HTTP proxy for the connection, e.g. http://127.0.0.1:7890."
    )
    timeout_s: float = Field(
        60.0, gt=0, le=3600, description="Longest one narration may take, connecting included."
    )
    price_per_1k_chars: float = Field(
        0.0,
        ge=0,
        description="Cost of 1,000 characters spoken (usage 'cost'); the service is free.",
    )


OPENAI_SPEECH = SettingsSection(
    "openai_speech",
    OpenAISpeechSettings,
    key="api_key",
    label="Narration (OpenAI-compatible speech)",
    description="The 'openai' voice provider (STORYREEL_OPENAI_SPEECH__...).",
)
COSYVOICE = SettingsSection(
    "cosyvoice",
    CosyVoiceSettings,
    description="The 'cosyvoice' voice provider (STORYREEL_COSYVOICE__...).",
)
EDGE_TTS = SettingsSection(
    "edge_tts",
    EdgeTtsSettings,
    description="The 'edge' voice provider (STORYREEL_EDGE_TTS__...).",
)
