"""Providers own their settings: each declares a section (model, field, key) that ``Settings``
composes, plugins' included, and from which key slots and "needs key" errors are derived."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from storyreel.providers.base import (
    CAPABILITIES,
    Provider,
    ProviderNeedsKey,
    ProviderNotConfigured,
    SpeechResult,
    SpeechSynthesizer,
    VoiceSpec,
)
from storyreel.providers.image.openai_images import OpenAIImages
from storyreel.providers.keys import KEY_SLOTS, key_slots, settings_with_keys
from storyreel.providers.llm.openai_chat import OpenAIChatStoryboardWriter
from storyreel.providers.registry import ProviderRegistry
from storyreel.providers.sections import SettingsSection, broken_sections, installed_sections
from storyreel.providers.voice.openai_speech import OpenAISpeech
from storyreel.settings import BUILTIN_SECTIONS, Settings, installed_settings_class

# --- a plugin's provider, as a third party would write it ------------------------------------


class ChimeSettings(BaseModel):
    """A made-up hosted voice service (``STORYREEL_CHIME__...``)."""

    model_config = ConfigDict(extra="forbid")

    api_key: SecretStr | None = None
    speed: float = Field(1.0, gt=0, le=4)
    voices: list[str] = Field(default_factory=lambda: ["bell"])


CHIME = SettingsSection(
    "chime", ChimeSettings, key="api_key", label="Narration (Chime)", description="Chime."
)


class ChimeSpeech(SpeechSynthesizer):
    name: ClassVar[str] = "chime"
    section = CHIME

    def check(self) -> None:
        if CHIME.of(self.settings).api_key is None:
            raise self.missing_key("the Chime API needs a key")

    def synthesize(self, text: str, voice: VoiceSpec) -> SpeechResult:  # pragma: no cover
        raise AssertionError("never called")


# --- the built-in sections --------------------------------------------------------------------


def test_every_builtin_section_is_a_typed_field_of_settings() -> None:
    fields = Settings.model_fields
    assert [s.field for s in BUILTIN_SECTIONS] == [
        "llm",
        "openai_image",
        "comfyui",
        "openai_speech",
        "cosyvoice",
        "http_motion",
        "diffusers",
        "svd",
        "edge_tts",
    ]
    for section in BUILTIN_SECTIONS:
        assert fields[section.field].annotation is section.model
        assert fields[section.field].description == section.description


@pytest.mark.parametrize(
    ("variable", "value", "read"),
    [
        ("STORYREEL_LLM__MODEL", "deepseek-chat", lambda s: s.llm.model),
        ("STORYREEL_LLM__API_KEY", "sk-llm", lambda s: s.llm.api_key.get_secret_value()),
        ("STORYREEL_OPENAI_IMAGE__MODEL", "dall-e-3", lambda s: s.openai_image.model),
        ("STORYREEL_OPENAI_IMAGE__SIZES", '["512x512"]', lambda s: s.openai_image.sizes),
        ("STORYREEL_COMFYUI__URL", "http://127.0.0.1:8188/", lambda s: s.comfyui.url),
        ("STORYREEL_OPENAI_SPEECH__VOICE", "nova", lambda s: s.openai_speech.voice),
        ("STORYREEL_COSYVOICE__MODE", "instruct", lambda s: s.cosyvoice.mode),
        ("STORYREEL_HTTP_MOTION__DURATIONS", "[5, 10]", lambda s: s.http_motion.durations),
        ("STORYREEL_DIFFUSERS__STEPS", "9", lambda s: s.diffusers.steps),
        ("STORYREEL_SVD__FPS", "12", lambda s: s.svd.fps),
        ("STORYREEL_EDGE_TTS__PROXY", "http://127.0.0.1:7890", lambda s: s.edge_tts.proxy),
    ],
)
def test_environment_variables_still_reach_each_provider_section(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, variable: str, value: str, read: Any
) -> None:
    monkeypatch.setenv(variable, value)
    expected = {
        '["512x512"]': ["512x512"],
        "[5, 10]": [5.0, 10.0],
        "9": 9,
        "12": 12,
        "http://127.0.0.1:8188/": "http://127.0.0.1:8188",
    }.get(value, value)
    assert read(Settings(data_dir=tmp_path)) == expected


def test_a_bad_value_in_a_provider_section_fails_fast(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("STORYREEL_SVD__MIN_GUIDANCE", "5")
    monkeypatch.setenv("STORYREEL_SVD__MAX_GUIDANCE", "2")
    with pytest.raises(ValueError, match="max_guidance must not be below min_guidance"):
        Settings(data_dir=tmp_path)


def test_each_builtin_provider_reads_a_section_settings_has(settings: Settings) -> None:
    registry = ProviderRegistry(settings)
    declared = {
        cls.section
        for capability in CAPABILITIES
        for cls in registry.classes(capability)
        if cls.section is not None
    }
    assert declared == set(BUILTIN_SECTIONS)
    for section in declared:
        assert section.of(settings) is getattr(settings, section.field)


# --- key slots and "needs key" errors -----------------------------------------------------------


def test_the_key_slot_table_is_derived_from_the_declarations() -> None:
    assert set(KEY_SLOTS) == {"llm", "openai_image", "comfyui", "openai_speech", "http_motion"}
    assert KEY_SLOTS["llm"].env_var == "STORYREEL_LLM__API_KEY"
    assert KEY_SLOTS["openai_image"].label == "Pictures (OpenAI-compatible images)"
    # A plugin's section with a key gets a slot of its own; one without a key gets none.
    keyless = SettingsSection("quiet", ChimeSettings)
    slots = key_slots((*BUILTIN_SECTIONS, CHIME, keyless))
    assert slots["chime"].env_var == "STORYREEL_CHIME__API_KEY"
    assert slots["chime"].label == "Narration (Chime)"
    assert "quiet" not in slots


def test_an_accounts_key_replaces_the_operators_in_the_declared_field(settings: Settings) -> None:
    own = settings_with_keys(settings, {"openai_speech": "sk-mine", "unknown": "x"})
    assert own.openai_speech.api_key is not None
    assert own.openai_speech.api_key.get_secret_value() == "sk-mine"
    assert own.openai_speech.model == settings.openai_speech.model
    assert settings.openai_speech.api_key is None


@pytest.mark.parametrize(
    ("provider", "update", "variable"),
    [
        (
            OpenAIChatStoryboardWriter,
            {"llm": {"base_url": "https://api.example.com/v1", "model": "m"}},
            "STORYREEL_LLM__API_KEY",
        ),
        (OpenAIImages, {}, "STORYREEL_OPENAI_IMAGE__API_KEY"),
        (OpenAISpeech, {}, "STORYREEL_OPENAI_SPEECH__API_KEY"),
    ],
)
def test_a_missing_key_names_the_variable_to_set(
    tmp_path: Path, provider: type[Provider], update: dict[str, Any], variable: str
) -> None:
    settings = Settings(data_dir=tmp_path, **update)
    with pytest.raises(ProviderNeedsKey) as caught:
        provider(settings).check()
    assert caught.value.setting == variable
    assert variable in str(caught.value)


# --- plugins ------------------------------------------------------------------------------------


def test_a_plugin_section_gets_typed_settings_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("STORYREEL_CHIME__SPEED", "1.5")
    monkeypatch.setenv("STORYREEL_CHIME__VOICES", '["bell", "gong"]')
    monkeypatch.setenv("STORYREEL_LLM__MODEL", "still-here")
    settings = Settings.with_sections(CHIME)(data_dir=tmp_path)
    chime = CHIME.of(settings)
    assert chime == ChimeSettings(speed=1.5, voices=["bell", "gong"])
    assert settings.llm.model == "still-here"
    assert Settings.with_sections(CHIME) is type(settings)  # made once
    # Validated like a built-in section.
    monkeypatch.setenv("STORYREEL_CHIME__SPEED", "9")
    with pytest.raises(ValueError, match="speed"):
        Settings.with_sections(CHIME)(data_dir=tmp_path)


def test_a_plugin_provider_needs_its_key_and_then_runs_with_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    composed = Settings.with_sections(CHIME)
    registry = ProviderRegistry(composed(data_dir=tmp_path), load_entry_points=False)
    registry.register(ChimeSpeech)
    with pytest.raises(ProviderNeedsKey, match="STORYREEL_CHIME__API_KEY"):
        registry.voice("chime")

    monkeypatch.setenv("STORYREEL_CHIME__API_KEY", "ck-1")
    registry = ProviderRegistry(composed(data_dir=tmp_path), load_entry_points=False)
    registry.register(ChimeSpeech)
    assert isinstance(registry.voice("chime"), ChimeSpeech)


def test_a_plugin_provider_without_its_section_is_reported_not_crashed(settings: Settings) -> None:
    registry = ProviderRegistry(settings, load_entry_points=False)
    registry.register(ChimeSpeech)
    lacking = r"settings section 'chime'.*storyreel\.settings"
    with pytest.raises(ProviderNotConfigured, match=lacking):
        registry.voice("chime")


def test_a_section_may_not_take_the_name_of_a_setting() -> None:
    with pytest.raises(ValueError, match="clashes"):
        Settings.with_sections(SettingsSection("llm", ChimeSettings))
    with pytest.raises(ValueError, match="clashes"):
        Settings.with_sections(SettingsSection("data_dir", ChimeSettings))


@pytest.fixture
def installed_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A real installed distribution with ``storyreel.settings`` entry points (on sys.path)."""
    site = tmp_path / "site"
    dist = site / "storyreel_chime-0.1.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: storyreel-chime\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(
        "[storyreel.settings]\n"
        "chime = storyreel_chime_settings:CHIME\n"
        "bare = storyreel_chime_settings:BareSettings\n"
        "gone = storyreel_chime_missing:NOTHING\n"
        "llm = storyreel_chime_settings:BareSettings\n"
    )
    (site / "storyreel_chime_settings.py").write_text(
        textwrap.dedent(
            """
            from pydantic import BaseModel, SecretStr

            from storyreel.providers.sections import SettingsSection


            class ChimeSettings(BaseModel):
                api_key: SecretStr | None = None
                speed: float = 1.0


            class BareSettings(BaseModel):
                level: int = 0


            CHIME = SettingsSection("chime", ChimeSettings, key="api_key", label="Chime")
            """
        )
    )
    monkeypatch.syspath_prepend(str(site))
    installed_sections.cache_clear()
    installed_settings_class.cache_clear()
    yield site
    sys.modules.pop("storyreel_chime_settings", None)
    installed_sections.cache_clear()
    installed_settings_class.cache_clear()


def test_an_installed_plugins_section_reaches_plain_settings(
    installed_plugin: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("STORYREEL_CHIME__SPEED", "2.5")
    monkeypatch.setenv("STORYREEL_BARE__LEVEL", "3")
    settings = Settings(data_dir=tmp_path)  # what the CLI and the server build
    assert isinstance(settings, Settings)
    assert settings.chime.speed == 2.5  # type: ignore[attr-defined]
    assert settings.bare.level == 3  # type: ignore[attr-defined]
    assert {s.field for s in type(settings).sections} >= {"chime", "bare"}
    # Its key slot is derived too; a bare model declares no key.
    slots = key_slots(type(settings).sections)
    assert slots["chime"].env_var == "STORYREEL_CHIME__API_KEY"
    assert "bare" not in slots
    # One that fails to load, or clashes with a setting, is left out and said why.
    assert "ModuleNotFoundError" in broken_sections["gone"]
    assert "clashes" in broken_sections["llm"]
    assert settings.llm.model is None


def test_building_settings_imports_no_provider_code() -> None:
    # Settings are built by every process (API, workers, CLI): they must stay cheap, and the
    # heavy optional dependencies of local providers must load only when those are used.
    code = (
        "import json, sys; from storyreel.settings import Settings; Settings(); "
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('torch', 'diffusers', 'edge_tts', 'httpx', 'PIL', 'numpy') "
        "or m.startswith('storyreel.providers.'))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert json.loads(done.stdout) == [
        "storyreel.providers.image",
        "storyreel.providers.image.settings",
        "storyreel.providers.llm",
        "storyreel.providers.llm.settings",
        "storyreel.providers.motion",
        "storyreel.providers.motion.settings",
        "storyreel.providers.sections",
        "storyreel.providers.voice",
        "storyreel.providers.voice.settings",
    ]
