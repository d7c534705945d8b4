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
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from pydantic import SecretStr

from storyreel.settings import Settings


@dataclass(frozen=True)
class KeySlot:
    """A settings section whose ``api_key`` an account may replace with its own."""

    name: str
    section: str  # attribute of Settings
    label: str


KEY_SLOTS: dict[str, KeySlot] = {
    s.name: s
    for s in (
        KeySlot("llm", "llm", "Storyboard writer (OpenAI-compatible chat)"),
        KeySlot("openai_image", "openai_image", "Pictures (OpenAI-compatible images)"),
        KeySlot("comfyui", "comfyui", "Pictures (ComfyUI)"),
        KeySlot("openai_speech", "openai_speech", "Narration (OpenAI-compatible speech)"),
        KeySlot("http_motion", "http_motion", "Moving clips (image-to-video API)"),
    )
}


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
    """``settings`` with each slot's ``api_key`` replaced by the account's own."""
    update = {}
    for slot_name, key in keys.items():
        slot = KEY_SLOTS.get(slot_name)
        if slot is None:
            continue
        section = getattr(settings, slot.section)
        update[slot.section] = section.model_copy(update={"api_key": SecretStr(key)})
    return settings.model_copy(update=update) if update else settings


def keys_digest(keys: Mapping[str, str]) -> str:
    """Names the set of keys (for reusing providers built with them) without revealing them."""
    material = "\0".join(f"{k}={v}" for k, v in sorted(keys.items()))
    return hashlib.sha256(material.encode()).hexdigest()
