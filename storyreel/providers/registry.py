"""Find providers through entry points (group ``storyreel.providers``) and pick one per call.

Built-ins are registered exactly like plugins, in pyproject.toml; adding a provider never edits
a central ``if``. Tests register fakes with ``register`` on a registry of their own.
"""

from __future__ import annotations

import threading
from importlib.metadata import entry_points
from typing import TypeVar, cast

from storyreel.providers.base import (
    CAPABILITIES,
    Capability,
    ImageGenerator,
    MotionGenerator,
    MusicSource,
    Provider,
    ProviderError,
    ProviderNotConfigured,
    SpeechSynthesizer,
    StoryboardWriter,
    UnknownProvider,
)
from storyreel.providers.sections import SETTINGS_ENTRY_POINT_GROUP, broken_sections
from storyreel.settings import Settings

ENTRY_POINT_GROUP = "storyreel.providers"

P = TypeVar("P", bound=Provider)

_BASES: dict[Capability, type[Provider]] = {
    "storyboard": StoryboardWriter,
    "image": ImageGenerator,
    "voice": SpeechSynthesizer,
    "motion": MotionGenerator,
    "music": MusicSource,
}


class ProviderRegistry:
    """Provider classes by capability and name, and one configured instance of each in use."""

    def __init__(self, settings: Settings, *, load_entry_points: bool = True) -> None:
        self.settings = settings
        self._classes: dict[Capability, dict[str, type[Provider]]] = {c: {} for c in CAPABILITIES}
        self._instances: dict[tuple[Capability, str], Provider] = {}
        self._lock = threading.Lock()
        # A plugin that fails to import must not take the other providers down with it.
        self.broken: dict[str, str] = {}
        if load_entry_points:
            for ep in entry_points(group=ENTRY_POINT_GROUP):
                try:
                    self.register(ep.load())
                except Exception as err:  # any import error of third-party code
                    self.broken[ep.name] = f"{type(err).__name__}: {err}"

    def register(self, cls: type[Provider]) -> type[Provider]:
        base = _BASES.get(cls.capability)
        if base is None or not issubclass(cls, base):
            raise TypeError(f"{cls.__name__} must subclass the base class of its capability")
        self._classes[cls.capability][cls.name] = cls
        return cls

    def scoped(self, settings: Settings) -> ProviderRegistry:
        """The same provider classes, built from other ``settings`` (an account's own keys):
        instances are not shared with this registry."""
        other = ProviderRegistry(settings, load_entry_points=False)
        other._classes = self._classes
        other.broken = self.broken
        return other

    def provider_class(self, capability: Capability, name: str) -> type[Provider] | None:
        return self._classes[capability].get(name)

    def names(self, capability: Capability) -> list[str]:
        return sorted(self._classes[capability])

    def classes(self, capability: Capability) -> list[type[Provider]]:
        return [self._classes[capability][n] for n in self.names(capability)]

    def get(self, capability: Capability, name: str | None = None) -> Provider:
        """The provider chosen in settings (or ``name``), checked: missing setup raises here."""
        chosen = name or getattr(self.settings.providers, capability)
        cls = self._classes[capability].get(chosen)
        if cls is None:
            failure = self.broken.get(f"{capability}.{chosen}")
            if failure is not None:
                raise ProviderError(
                    f"the {capability} provider {chosen!r} failed to load: {failure}"
                )
            raise UnknownProvider(capability, chosen, self.names(capability))
        section = cls.section
        if section is not None and not hasattr(self.settings, section.field):
            why = broken_sections.get(section.field) or (
                f"declare it under the entry-point group {SETTINGS_ENTRY_POINT_GROUP!r}"
            )
            raise ProviderNotConfigured(chosen, f"the settings section {section.field!r}", why)
        with self._lock:
            instance = self._instances.get((capability, chosen))
            if instance is None:
                instance = cls(self.settings)
                instance.check()
                self._instances[(capability, chosen)] = instance
        return instance

    # Typed shortcuts, so callers get the capability's own interface back.
    def storyboard(self, name: str | None = None) -> StoryboardWriter:
        return cast(StoryboardWriter, self.get("storyboard", name))

    def image(self, name: str | None = None) -> ImageGenerator:
        return cast(ImageGenerator, self.get("image", name))

    def voice(self, name: str | None = None) -> SpeechSynthesizer:
        return cast(SpeechSynthesizer, self.get("voice", name))

    def motion(self, name: str | None = None) -> MotionGenerator:
        return cast(MotionGenerator, self.get("motion", name))

    def music(self, name: str | None = None) -> MusicSource:
        return cast(MusicSource, self.get("music", name))

    def check_all(self) -> list[ProviderError]:
        """Problems with the providers chosen in settings, for `storyreel providers`."""
        problems: list[ProviderError] = []
        for capability in CAPABILITIES:
            try:
                self.get(capability)
            except ProviderError as err:
                problems.append(err)
        return problems
