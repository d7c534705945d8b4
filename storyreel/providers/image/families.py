"""Which prompt family an image model is, from its name or its diffusers pipeline class.

A provider's ``prompt_family`` setting wins; ``auto`` asks these rules, which know the model
names of the common APIs and checkpoints and fall back to the provider's usual family.
"""

from __future__ import annotations

import re

from storyreel.domain.visual_words import PromptFamily
from storyreel.providers.image.settings import PromptFamilySetting

# First match wins: more specific names before the names they contain ("sdxl" before "sd").
_BY_NAME: tuple[tuple[str, PromptFamily], ...] = (
    (r"qwen[-_ ]?image", "qwen"),
    (r"flux", "flux"),
    (r"gpt-image|dall-?e", "dalle"),
    (r"sd[-_]?xl|sd_xl|stable-diffusion-xl|kolors|pony|illustrious|juggernaut", "sdxl"),
    (r"sd[-_]?(?:1|2|v1|v2|turbo)|stable-diffusion-(?:v?1|v?2)|v1-5|v2-1|\bsd15\b", "sd"),
)
_BY_PIPELINE: tuple[tuple[str, PromptFamily], ...] = (
    ("QwenImage", "qwen"),
    ("Flux", "flux"),
    ("StableDiffusionXL", "sdxl"),
    ("Kolors", "sdxl"),
    ("StableDiffusion3", "flux"),  # T5-read sentences, like FLUX
    ("StableDiffusion", "sd"),
)


def family_by_name(model: str, default: PromptFamily) -> PromptFamily:
    """The family a model id or checkpoint file name says it is, else ``default``."""
    lowered = model.lower()
    for pattern, family in _BY_NAME:
        if re.search(pattern, lowered):
            return family
    return default


def family_by_pipeline(class_name: str, default: PromptFamily) -> PromptFamily:
    """The family of a diffusers pipeline class (``model_index.json``'s ``_class_name``)."""
    for prefix, family in _BY_PIPELINE:
        if class_name.startswith(prefix):
            return family
    return default


def chosen(setting: PromptFamilySetting, guessed: PromptFamily) -> PromptFamily:
    """The setting, unless it is ``auto``."""
    return guessed if setting == "auto" else setting
