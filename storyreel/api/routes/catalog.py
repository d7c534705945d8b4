"""What a project can be made with: style presets, the voices of the configured speech provider
(and a short sample of each), and the moods of the configured music provider."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, Field

from storyreel.api import errors
from storyreel.api.deps import CurrentUser, StateDep, limit_samples, pipeline_of, providers_of
from storyreel.domain.catalog import language_family, mood_label, sample_sentence
from storyreel.domain.styles import DEFAULT_STYLE, STYLES
from storyreel.pipeline import steps
from storyreel.providers.base import (
    ProviderError,
    ProviderNotConfigured,
    SpeechSynthesizer,
    VoiceInfo,
    VoiceSpec,
)

router = APIRouter(tags=["catalog"])

MAX_SAMPLE_CHARS = 200
# The languages a project narrates in: their default voices are listed in every catalog.
PROJECT_LANGUAGES = ("zh", "en")
UNAVAILABLE: dict[int | str, dict[str, Any]] = {
    503: {"model": errors.ErrorBody, "description": "The provider cannot be used now"},
}


class StyleOut(BaseModel):
    id: str = Field(examples=["ink_wash"], description="What a project's `style` takes.")
    label: str = Field(examples=["Ink wash (水墨)"])
    label_zh: str = Field(examples=["水墨"])
    description: str
    description_zh: str
    palette: list[str] = Field(
        description="Hex colours (#rrggbb), darkest to lightest.", examples=[["#111111", "#f1ece1"]]
    )
    typography: str = Field(description="A hint for on-screen text: family, weight, feel.")
    default: bool = Field(description="The style a project gets when it names none.")


class VoiceOut(BaseModel):
    id: str = Field(examples=["cmn"], description="What a project's or a shot's `voice` takes.")
    label: str = Field(examples=["Chinese (Mandarin, latin as English)"])
    language: str = Field(examples=["cmn"], description="The voice's language code.")
    gender: Literal["male", "female"] | None = Field(description="Null when not known.")
    default_for: list[str] = Field(
        description="The project languages (zh, en) this voice speaks when `voice` is auto.",
        examples=[["zh"]],
    )


class VoiceCatalog(BaseModel):
    provider: str = Field(examples=["espeak"], description="The configured speech provider.")
    defaults: dict[str, str] = Field(
        description="The voice `auto` picks per project language.",
        examples=[{"zh": "cmn", "en": "en"}],
    )
    voices: list[VoiceOut]


class MusicMoodOut(BaseModel):
    id: str = Field(examples=["calm"], description="What a project's `music` takes.")
    label: str = Field(examples=["Calm"])
    label_zh: str = Field(examples=["平静"])
    description: str
    description_zh: str


# --- styles ---------------------------------------------------------------------------------


@router.get("/styles", response_model=list[StyleOut])
async def list_styles(user: CurrentUser) -> list[StyleOut]:
    """The style presets, with names and descriptions in English and Chinese, palettes and a
    typography hint."""
    return [
        StyleOut(
            id=s.name,
            label=s.label,
            label_zh=s.label_zh,
            description=s.description,
            description_zh=s.description_zh,
            palette=list(s.palette),
            typography=s.typography,
            default=s.name == DEFAULT_STYLE,
        )
        for s in STYLES.values()
    ]


# --- voices ---------------------------------------------------------------------------------


def _speech(state: StateDep) -> SpeechSynthesizer:
    try:
        return providers_of(state).voice()
    except ProviderError as exc:
        raise errors.Unavailable(f"the speech provider cannot be used: {exc}") from exc


def _offered(synth: SpeechSynthesizer) -> list[VoiceInfo]:
    try:
        return synth.voices()
    except ProviderError as exc:
        raise errors.Unavailable(f"the speech provider cannot list its voices: {exc}") from exc


def _defaults(synth: SpeechSynthesizer) -> dict[str, str]:
    out = {}
    for language in PROJECT_LANGUAGES:
        voice = synth.default_voice(language)
        if voice is not None:
            out[language] = voice
    return out


@router.get("/voices", response_model=VoiceCatalog, responses=UNAVAILABLE)
def list_voices(
    user: CurrentUser,
    state: StateDep,
    language: Annotated[
        str | None,
        Query(
            max_length=35,
            description="Only voices of this language: `zh` (Mandarin, Cantonese...), `en` "
            "(every accent), or any code the provider knows.",
        ),
    ] = None,
) -> VoiceCatalog:
    """The voices of the configured speech provider, and the one `auto` picks per language."""
    synth = _speech(state)
    defaults = _defaults(synth)
    voices = _offered(synth)
    if language:
        wanted = language_family(language)
        voices = [v for v in voices if language_family(v.language) == wanted]
    return VoiceCatalog(
        provider=synth.name,
        defaults=defaults,
        voices=[
            VoiceOut(
                id=v.id,
                label=v.description or v.id,
                language=v.language,
                gender=v.gender,
                default_for=[lang for lang, voice in defaults.items() if voice == v.id],
            )
            for v in voices
        ],
    )


WAV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The sample as a WAV file.",
        "content": {"audio/wav": {"schema": {"type": "string", "format": "binary"}}},
        "headers": {
            "X-Storyreel-Cache": {
                "description": "hit: served from the result cache; miss: spoken just now.",
                "schema": {"type": "string", "enum": ["hit", "miss"]},
            }
        },
    },
    **UNAVAILABLE,
}


@router.get(
    "/voices/{voice}/sample",
    response_class=Response,
    responses=WAV_RESPONSE,
    dependencies=[Depends(limit_samples)],
)
def get_voice_sample(
    voice: str,
    user: CurrentUser,
    state: StateDep,
    text: Annotated[
        str | None,
        Query(
            max_length=MAX_SAMPLE_CHARS,
            description="What to say (at most 200 characters); default: a sentence in the "
            "voice's language.",
        ),
    ] = None,
    rate: Annotated[
        float, Query(ge=0.25, le=4.0, allow_inf_nan=False, description="1.0: normal speed.")
    ] = 1.0,
) -> Response:
    """A voice speaking a short sample, as audio/wav. The same text, voice and rate come from
    the result cache the second time; samples have a rate limit of their own per account."""
    synth = _speech(state)
    offered = _offered(synth)
    info = next((v for v in offered if v.id.lower() == voice.strip().lower()), None)
    if info is None and offered:
        raise errors.NotFound(
            f"the {synth.name} speech provider has no voice {voice!r}; GET /api/v1/voices "
            "lists its voices"
        )
    language = info.language if info is not None else "auto"
    spec = VoiceSpec(voice=info.id if info is not None else voice, language=language, rate=rate)
    words = text.strip() if text is not None else ""
    try:
        made = steps.make_voice(pipeline_of(state), words or sample_sentence(language), spec)
        wav = made.path.read_bytes()
    except ProviderNotConfigured as exc:
        raise errors.Unavailable(str(exc)) from exc
    except ProviderError as exc:
        if exc.retryable:
            raise errors.Unavailable(f"the sample could not be made now: {exc}") from exc
        message = f"the voice cannot say this: {exc}"
        raise errors.Unprocessable(
            message, errors=[errors.FieldError(field="query.text", message=message)]
        ) from exc
    return Response(
        wav,
        media_type="audio/wav",
        headers={
            "Cache-Control": "private, max-age=86400",
            "Content-Disposition": 'inline; filename="voice-sample.wav"',
            "X-Content-Type-Options": "nosniff",
            "X-Storyreel-Cache": "hit" if made.cached else "miss",
        },
    )


# --- music ----------------------------------------------------------------------------------


@router.get(
    "/music-moods",
    response_model=list[MusicMoodOut],
    responses=UNAVAILABLE,
)
def list_music_moods(user: CurrentUser, state: StateDep) -> list[MusicMoodOut]:
    """What a project's `music` takes: `auto` (chosen from the shots), `none`, and the moods of
    the configured music provider, with English and Chinese labels."""
    try:
        moods = providers_of(state).music().moods()
    except ProviderError as exc:
        raise errors.Unavailable(f"the music provider cannot be used: {exc}") from exc
    out = []
    for mood in ["auto", "none", *(m for m in moods if m not in ("auto", "none"))]:
        label = mood_label(mood)
        out.append(
            MusicMoodOut(
                id=mood,
                label=label.label,
                label_zh=label.label_zh,
                description=label.description,
                description_zh=label.description_zh,
            )
        )
    return out
