"""Settings of the OpenAI-compatible storyboard writer (``storyreel.providers.llm.openai_chat``).

Cheap to import (pydantic only): ``storyreel.settings`` builds ``Settings`` from it.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from storyreel.providers.sections import RetryBudget, SettingsSection


class LlmSettings(BaseModel):
    """The OpenAI-compatible chat model that writes storyboards (``STORYREEL_LLM__MODEL=...``):
    OpenAI, DeepSeek, Qwen (DashScope), Moonshot, SiliconFlow, OpenRouter, Ollama, vLLM..."""

    model_config = ConfigDict(extra="forbid")

    base_url: str | None = Field(
        None,
        description="The API root that /chat/completions hangs off, e.g. "
        "https://api.openai.com/v1 or http://127.0.0.1:11434/v1 (Ollama).",
    )
    api_key: SecretStr | None = Field(
        None, description="Sent as a Bearer token; not needed for a server on loopback."
    )
    model: str | None = Field(None, description="Model id, e.g. gpt-4o-mini, deepseek-chat.")
    timeout_s: float = Field(
        300.0, gt=0, le=3600, description="Longest wait for one answer (long JSON is slow)."
    )
    retry_budget_s: RetryBudget = 30.0
    structured: Literal["auto", "json_schema", "json_object", "none"] = Field(
        "auto",
        description="How JSON is asked for: auto tries json_schema, then json_object, then "
        "a plain prompt, as the server refuses each; the others use only that way.",
    )
    max_input_chars: int = Field(
        12_000,
        ge=200,
        le=1_000_000,
        description="Stories longer than this are written part by part (chunks of whole "
        "paragraphs or sentences) and merged.",
    )
    temperature: float = Field(0.4, ge=0, le=2)
    max_output_tokens: int | None = Field(
        None, ge=256, description="Sent as max_tokens; unset: the server's default."
    )
    repair_attempts: int = Field(
        2,
        ge=0,
        le=5,
        description="How often an invalid answer is sent back with its errors to be corrected.",
    )
    price_input_per_1k: float | None = Field(
        None, ge=0, description="Cost of 1,000 prompt tokens, recorded in usage as 'cost'."
    )
    price_output_per_1k: float | None = Field(
        None, ge=0, description="Cost of 1,000 completion tokens."
    )

    def cost_of(self, input_tokens: float, output_tokens: float) -> float:
        """What so many tokens cost at the configured prices (0 when unpriced)."""
        return input_tokens / 1000 * (self.price_input_per_1k or 0.0) + output_tokens / 1000 * (
            self.price_output_per_1k or 0.0
        )

    @field_validator("base_url", mode="after")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip().rstrip("/")
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value


LLM = SettingsSection(
    "llm",
    LlmSettings,
    key="api_key",
    label="Storyboard writer (OpenAI-compatible chat)",
    description="The chat model of the 'openai' storyboard writer (STORYREEL_LLM__...).",
)
