"""One small base class per capability; every provider (built-in or plugin) implements one.

A provider declares ``name`` and ``capability``, is built from ``Settings``, checks in
``check()`` that what it needs (a key, a model path, a binary) is there — raising
``ProviderNotConfigured`` naming the exact setting — and implements one method.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Literal

from storyreel.domain.storyboard import Character, Storyboard
from storyreel.domain.styles import StylePreset
from storyreel.domain.timeline import Motion
from storyreel.domain.visual_words import PromptFamily
from storyreel.providers.sections import AccountKey, SettingsSection
from storyreel.settings import Settings

Capability = Literal["storyboard", "image", "voice", "motion", "music"]
CAPABILITIES: tuple[Capability, ...] = ("storyboard", "image", "voice", "motion", "music")


class ProviderError(Exception):
    """A provider call failed; ``retryable`` says whether trying again may help, ``fall_over``
    whether the route's next provider should be tried. They differ for what is this provider's
    own problem but will not pass by waiting — a refused key, its content policy: another
    provider may well serve, while the same one asked again would refuse again. ``fall_over``
    defaults to ``retryable``: an outage falls over, the caller's bad input does not."""

    def __init__(
        self, message: str, *, retryable: bool = False, fall_over: bool | None = None
    ) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.fall_over = retryable if fall_over is None else fall_over


class ProviderNotConfigured(ProviderError):
    """The provider cannot run until ``setting`` is set."""

    def __init__(self, provider: str, setting: str, why: str) -> None:
        super().__init__(f"provider {provider!r} needs {setting}: {why}")
        self.provider = provider
        self.setting = setting


class ProviderNeedsKey(ProviderNotConfigured):
    """The provider cannot run without an API key; ``setting`` is the variable that sets it."""


class UnknownProvider(ProviderError):
    def __init__(self, capability: str, name: str, known: list[str]) -> None:
        super().__init__(
            f"no {capability} provider called {name!r}; available: {', '.join(known) or 'none'}"
        )


@dataclass
class Usage:
    """What one call consumed, for cost accounting: units such as tokens, images, characters
    (and ``cost``, in the operator's currency, when the provider is priced)."""

    provider: str
    model: str
    seconds: float = 0.0
    units: dict[str, float] = field(default_factory=dict)
    cached: bool = False
    #: Providers the router tried first and why they were passed over, in order
    #: (``{"provider": ..., "reason": ...}``).
    failovers: list[dict[str, str]] = field(default_factory=list)

    @property
    def cost(self) -> float:
        return 0.0 if self.cached else float(self.units.get("cost", 0.0))


@dataclass(frozen=True)
class Health:
    """A provider's answer to "could you serve a call now?" (``storyreel providers``, /readyz,
    the admin status page)."""

    ok: bool
    detail: str
    seconds: float = 0.0


class Provider(ABC):
    """Shared shape of all providers."""

    name: ClassVar[str]
    capability: ClassVar[Capability]
    #: Needs no network, no GPU and no model download.
    offline: ClassVar[bool] = False
    #: Same inputs and seed give the same output (so results may be cached).
    deterministic: ClassVar[bool] = True
    #: How good and how fast its results are, 1 (least) to 5 (most), for the router's
    #: ``quality``, ``speed`` and ``balanced`` strategies.
    quality: ClassVar[int] = 3
    speed: ClassVar[int] = 3
    #: Its own settings: the ``Settings`` field they live in, their model and which of their
    #: fields is the API key (``storyreel.providers.sections``). Error messages and the
    #: accounts' key slots are derived from it. ``None``: it has no settings of its own.
    section: ClassVar[SettingsSection[Any] | None] = None

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def missing_key(self, why: str) -> ProviderNeedsKey:
        """The error for a missing API key, naming the environment variable that sets it."""
        section = self.section
        if section is None or section.key_env_var is None:
            raise TypeError(f"{type(self).__name__} declares no settings section with a key")
        return ProviderNeedsKey(self.name, section.key_env_var, why)

    def key_advice(self) -> str:
        """What to do when the server refuses the key: change the account's own key (when one
        was used) or set the operator's variable, both derived from ``section``."""
        section = self.section
        if section is None or section.key is None:
            return "check the provider's credentials"
        key = getattr(getattr(self.settings, section.field, None), section.key, None)
        if isinstance(key, AccountKey):
            return (
                f"your provider key for {section.field} was refused: change it in the studio "
                f"(Settings → Your own API keys) or with PUT /api/v1/me/provider-keys/"
                f"{section.field}"
            )
        return f"set {section.key_env_var}"

    @property
    def model(self) -> str:
        """The model (or engine version) this provider uses; part of every cache key."""
        return self.name

    def check(self) -> None:  # noqa: B027 - optional hook, most offline providers need nothing
        """Raise ``ProviderNotConfigured`` if a key, model path or binary is missing."""

    def prices(self) -> dict[str, float]:
        """Price per unit of each usage unit it bills (``{"images": 0.04}``); empty when free.
        Used to estimate work before it runs and to rank by cost."""
        return {}

    def health(self) -> Health:
        """Whether a call could succeed now. Network providers ask their server something
        cheap; the default only checks the configuration."""
        try:
            self.check()
        except ProviderError as err:
            return Health(False, str(err))
        return Health(True, "configured")


# --- storyboard -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Brief:
    """What the storyboard should be like, besides the story itself."""

    style: StylePreset
    language: Literal["auto", "zh", "en"] = "auto"
    aspect: Literal["16:9", "9:16", "1:1"] = "16:9"
    target_seconds: float | None = None
    max_shots: int = 60
    title: str | None = None
    seed: int = 0


class StoryboardWriter(Provider):
    capability: ClassVar[Capability] = "storyboard"

    @abstractmethod
    def write(self, story: str, brief: Brief) -> tuple[Storyboard, Usage]:
        """Turn a story into a validated storyboard."""


# --- image ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImageSpec:
    """Everything about the picture besides its prompt text."""

    width: int
    height: int
    seed: int = 0
    style: str = "cinematic"
    shot_type: str = "medium"
    characters: tuple[Character, ...] = ()
    caption: str = ""
    mood: str = ""
    time_of_day: str = ""
    setting: str = ""
    negative_prompt: str = ""
    model: str | None = None
    steps: int | None = None
    guidance: float | None = None
    #: Reference pictures of the characters in ``characters`` that have one, in that order, as
    #: local files; for providers that can condition on them (IP-Adapter, ComfyUI workflows).
    reference_images: tuple[Path, ...] = ()


@dataclass
class ImageResult:
    data: bytes  # PNG
    seed: int
    usage: Usage
    meta: dict[str, Any] = field(default_factory=dict)


class ImageGenerator(Provider):
    capability: ClassVar[Capability] = "image"
    #: How its model wants to be prompted (``storyreel.domain.visual_words.FAMILIES``): SD/SDXL
    #: tags with a negative prompt, FLUX / DALL·E / Qwen-Image sentences, or "plain" — the
    #: storyboard's own text, for providers that draw it themselves (the sketch).
    prompt_family: ClassVar[PromptFamily] = "plain"

    def family_for(self, model: str | None = None) -> PromptFamily:
        """The prompt family of a call with ``model`` (None: the provider's default model).
        Never raises: a provider that cannot tell says its declared ``prompt_family``."""
        return self.prompt_family

    @abstractmethod
    def generate(self, prompt: str, spec: ImageSpec) -> ImageResult:
        """Make one picture for ``prompt``."""


# --- voice ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class VoiceSpec:
    voice: str = "auto"  # a provider voice id, or 'auto' to pick by the text's language
    language: str = "auto"
    rate: float = 1.0  # 1.0 = the voice's normal speed
    pitch: float = 1.0


@dataclass(frozen=True)
class WordTiming:
    word: str
    start: float
    end: float


@dataclass
class SpeechResult:
    wav: bytes
    duration: float  # exact, in seconds
    usage: Usage
    words: list[WordTiming] | None = None


@dataclass(frozen=True)
class VoiceInfo:
    id: str
    language: str
    description: str
    gender: Literal["male", "female"] | None = None  # None: not known


class SpeechSynthesizer(Provider):
    capability: ClassVar[Capability] = "voice"

    @abstractmethod
    def synthesize(self, text: str, voice: VoiceSpec) -> SpeechResult:
        """Speak ``text``; the WAV's duration is returned exactly."""

    def voices(self) -> list[VoiceInfo]:
        """Voices this provider offers (for `storyreel voices`)."""
        return []

    def default_voice(self, language: str) -> str | None:
        """The voice ``voice='auto'`` picks for text in ``language`` ('zh', 'en'...), if known."""
        return None


# --- motion ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class MotionSpec:
    shot_type: str
    index: int  # the shot's position, so a plan can vary across shots
    previous: str | None = None  # the motion of the shot before, to avoid repeats
    preferred: str | None = None  # the storyboard's camera_motion, if any
    seconds: float = 5.0
    seed: int = 0
    #: What the picture shows, for image-to-video models that take a prompt ('' if unknown).
    prompt: str = ""


@dataclass
class MotionResult:
    """Either a motion plan for the renderer (Ken Burns) or a video clip (image-to-video)."""

    usage: Usage
    plan: Motion | None = None
    clip: bytes | None = None  # MP4


class MotionGenerator(Provider):
    capability: ClassVar[Capability] = "motion"

    @abstractmethod
    def animate(self, image: bytes, spec: MotionSpec) -> MotionResult:
        """Decide how the shot's picture moves."""


# --- music ----------------------------------------------------------------------------------


@dataclass
class AudioResult:
    wav: bytes
    duration: float
    usage: Usage


class MusicSource(Provider):
    capability: ClassVar[Capability] = "music"

    @abstractmethod
    def track(self, mood: str, seconds: float, seed: int = 0) -> AudioResult:
        """A music bed for ``mood`` that loops seamlessly, about ``seconds`` long."""

    def moods(self) -> list[str]:
        return []
