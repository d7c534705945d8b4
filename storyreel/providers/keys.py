"""Accounts' own provider keys: which settings they replace, how they are sealed at rest, and
how they are shown (masked, never whole).

A user who stores a key for ``openai_image`` has their pictures made with it instead of the
operator's ``STORYREEL_OPENAI_IMAGE__API_KEY``; everything else (base URL, model, prices) stays
the operator's. Keys are encrypted with Fernet (AES-128-CBC + HMAC-SHA256) under a server
secret; a changed secret makes old keys unreadable, which is reported, never guessed around.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from storyreel.providers.sections import AccountKey, SettingsSection
from storyreel.settings import Settings, installed_settings_class


@dataclass(frozen=True)
class KeySlot:
    """A settings section whose API key an account may replace with its own."""

    name: str
    section: str  # attribute of Settings
    label: str
    key: str = "api_key"  # the field of that section that holds the key
    env_var: str = ""  # where the operator sets it, e.g. STORYREEL_LLM__API_KEY


def key_slots(sections: Iterable[SettingsSection[Any]]) -> dict[str, KeySlot]:
    """The key slots of ``sections``: one for each that declares a key, named after its field."""
    return {
        s.field: KeySlot(s.field, s.field, s.label or s.field, s.key, s.key_env_var or "")
        for s in sections
        if s.key is not None
    }


#: Derived from the providers' declarations, the installed plugins' included.
KEY_SLOTS: dict[str, KeySlot] = key_slots(installed_settings_class().sections)


class KeyUnreadable(Exception):
    """A stored key cannot be decrypted with the server's secret (it was changed)."""


def _fernet(secret: str) -> Fernet:
    # Any string works as a secret: it is stretched to the 32 bytes Fernet wants.
    digest = hashlib.sha256(f"storyreel provider keys\0{secret}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


class KeyCipher:
    """Encrypts with the first secret, decrypts with any (so a secret can be rotated: put the
    new one first, keep the old one after it until keys were saved again)."""

    def __init__(self, secrets: list[str]) -> None:
        if not secrets:
            raise ValueError("at least one secret is needed")
        self._fernet = MultiFernet([_fernet(s) for s in secrets])

    def seal(self, plain: str) -> str:
        return self._fernet.encrypt(plain.encode()).decode()

    def open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken as exc:
            raise KeyUnreadable(
                "this stored key cannot be decrypted with the server's secret; store it again"
            ) from exc


def mask(plain: str) -> str:
    """Enough to tell keys apart, too little to use: ``sk-…wxyz``."""
    plain = plain.strip()
    if len(plain) <= 8:
        return "…" + plain[-2:] if len(plain) > 4 else "…"
    head = plain[:3] if plain[:3].isascii() else ""
    return f"{head}…{plain[-4:]}"


def settings_with_keys(settings: Settings, keys: Mapping[str, str]) -> Settings:
    """``settings`` with each slot's key replaced by the account's own."""
    update = {}
    for slot_name, key in keys.items():
        slot = KEY_SLOTS.get(slot_name)
        section = getattr(settings, slot.section, None) if slot is not None else None
        if slot is None or section is None:
            continue
        # model_copy does not validate, so the marker type survives into the providers.
        update[slot.section] = section.model_copy(update={slot.key: AccountKey(key)})
    return settings.model_copy(update=update) if update else settings


def keys_digest(keys: Mapping[str, str]) -> str:
    """Names the set of keys (for reusing providers built with them) without revealing them."""
    material = "\0".join(f"{k}={v}" for k, v in sorted(keys.items()))
    return hashlib.sha256(material.encode()).hexdigest()
