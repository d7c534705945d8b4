"""How a provider declares its settings: a section of ``Settings`` with its own model and key.

A provider owns its settings as simonw/llm's ``KeyModel`` owns ``needs_key``/``key_env_var``:
one ``SettingsSection`` names the field of ``Settings`` it lives in (``llm`` is read from
``STORYREEL_LLM__...``), its pydantic model, and which of the model's fields is the API key an
account may replace with its own. Error messages (``STORYREEL_LLM__API_KEY``), the key-slot
table (``storyreel.providers.keys.KEY_SLOTS``) and the fields of ``Settings`` are all derived
from it.

Where sections come from, and why that way:

- Built-in providers declare theirs in a ``settings.py`` beside them
  (``storyreel.providers.llm.settings.LLM``); ``storyreel.settings.Settings`` lists them as
  typed fields so that mypy knows ``settings.llm.api_key``.
- Plugins declare theirs under the entry-point group ``storyreel.settings``, the field name
  pointing at a ``SettingsSection`` (or a bare model, which then has no key slot)::

      [project.entry-points."storyreel.settings"]
      my_service = "my_package.settings:MY_SERVICE"

  ``Settings()`` then gets a ``my_service`` field read from ``STORYREEL_MY_SERVICE__...``.
  A separate group (rather than a class attribute read off the ``storyreel.providers`` entry
  points) keeps building settings cheap: only these small modules are imported, never the
  providers themselves (which may pull in httpx clients, torch or diffusers), and a provider
  module may import ``storyreel.settings`` without a cycle.

This module imports nothing of storyreel's, so ``storyreel.settings`` can import it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import entry_points
from pathlib import Path
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, Field, SecretStr

SETTINGS_ENTRY_POINT_GROUP = "storyreel.settings"
ENV_PREFIX = "STORYREEL_"

log = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class SettingsSection(Generic[M]):
    """One provider's settings: ``Settings.<field>``, a ``model``, and its API key's field."""

    field: str
    model: type[M]
    #: The model's field holding the API key that an account may bring its own of (a key
    #: slot named after ``field``); ``None``: the provider takes no key.
    key: str | None = None
    #: What the key slot is called in the studio and the API.
    label: str = ""
    #: The ``Settings`` field's description (shown in the settings reference).
    description: str = ""

    def __post_init__(self) -> None:
        if not self.field.isidentifier() or self.field != self.field.lower():
            raise ValueError(f"settings field {self.field!r} must be a lower-case identifier")
        if self.key is not None and self.key not in self.model.model_fields:
            raise ValueError(f"{self.model.__name__} has no field {self.key!r} for the key")

    @property
    def env_prefix(self) -> str:
        """``STORYREEL_LLM__``: what every environment variable of this section starts with."""
        return f"{ENV_PREFIX}{self.field.upper()}__"

    def env(self, setting: str) -> str:
        """The environment variable that sets ``setting``: ``STORYREEL_LLM__API_KEY``."""
        if setting not in self.model.model_fields:
            raise ValueError(f"{self.model.__name__} has no field {setting!r}")
        return f"{self.env_prefix}{setting.upper()}"

    @property
    def key_env_var(self) -> str | None:
        """The environment variable of the operator's key (``needs_key`` in simonw/llm)."""
        return self.env(self.key) if self.key is not None else None

    def field_info(self) -> Any:
        """The ``Settings`` field that holds this section (its defaults, its description)."""
        return Field(default_factory=self.model, description=self.description or None)

    def of(self, settings: object) -> M:
        """This section of ``settings``, typed (for plugins, whose fields mypy cannot see)."""
        value = getattr(settings, self.field, None)
        if not isinstance(value, self.model):
            raise LookupError(
                f"these settings have no {self.field!r} section of {self.model.__name__}: "
                f"declare it under the entry-point group {SETTINGS_ENTRY_POINT_GROUP!r} (or "
                "build the settings from Settings.with_sections(...))"
            )
        return value


class AccountKey(SecretStr):
    """A key an account stored for itself (``storyreel.providers.keys``), not the operator's:
    a provider whose key is refused tells the account to change its own key, not to set an
    environment variable it cannot reach."""


#: Sections from the ``storyreel.settings`` entry points that could not be loaded, and why.
broken_sections: dict[str, str] = {}


def _section(name: str, loaded: object) -> SettingsSection[Any]:
    if isinstance(loaded, SettingsSection):
        if loaded.field != name:
            raise ValueError(f"the entry point is named {name!r} but declares {loaded.field!r}")
        return loaded
    if isinstance(loaded, type) and issubclass(loaded, BaseModel):
        return SettingsSection(name, loaded)
    raise TypeError(f"{loaded!r} is neither a SettingsSection nor a pydantic model")


@lru_cache(maxsize=1)
def installed_sections() -> tuple[SettingsSection[Any], ...]:
    """Sections that installed plugins declare (group ``storyreel.settings``), by field name.

    A plugin that fails to load is left out and recorded in ``broken_sections``, so that one
    broken package cannot keep the product from starting.
    """
    broken_sections.clear()
    found: dict[str, SettingsSection[Any]] = {}
    for ep in entry_points(group=SETTINGS_ENTRY_POINT_GROUP):
        try:
            found[ep.name] = _section(ep.name, ep.load())
        except Exception as err:  # any import error of third-party code
            broken_sections[ep.name] = f"{type(err).__name__}: {err}"
            log.warning("settings section %r failed to load: %s", ep.name, err)
    return tuple(found[name] for name in sorted(found))


# --- shared field types of the providers' settings -----------------------------------------


def _optional_http_url(value: str | None) -> str | None:
    """A blank URL is no URL; a set one must be http(s), and loses its trailing slash."""
    if value is None or not value.strip():
        return None
    value = value.strip().rstrip("/")
    if not value.startswith(("http://", "https://")):
        raise ValueError("must start with http:// or https://")
    return value


def _existing_file(value: Path | None) -> Path | None:
    if value is None:
        return None
    value = value.expanduser()
    if not value.is_file():
        raise ValueError(f"{value} is not a file")
    return value


OptionalHttpUrl = Annotated[str | None, AfterValidator(_optional_http_url)]
#: How long one call may spend waiting between retries of a busy or failing server (503,
#: 429, refused connections): long enough for a restart or a rate limit to pass.
RetryBudget = Annotated[
    float,
    Field(
        ge=0,
        le=600,
        description="Seconds one call may spend backing off and retrying a busy or failing "
        "server (5xx, 429, no connection) before it gives up; 0: no retries.",
    ),
]
OptionalFile = Annotated[Path | None, AfterValidator(_existing_file)]
LocalDevice = Literal["auto", "cuda", "mps", "cpu"]
LocalDtype = Literal["auto", "float16", "bfloat16", "float32"]
