"""Pictures from an OpenAI-compatible ``POST /images/generations`` API: OpenAI (gpt-image-1,
dall-e-3), SiliconFlow, Together and the many servers that copy them.

Those APIs differ in small ways that settings absorb: how the size is sent (``size``,
``image_size``, or ``width`` + ``height``), whether a negative prompt, seed, steps or guidance
field exists, and whether the picture comes back as base64 or as a URL (in ``data`` or, on
SiliconFlow, in ``images``). The model is asked for the accepted size nearest the frame's
aspect ratio, and its picture is cropped and resized to exactly the frame.
"""

from __future__ import annotations

import base64
import binascii
import time
from typing import Any, ClassVar

from storyreel.domain.visual_words import PromptFamily
from storyreel.providers.base import (
    Health,
    ImageGenerator,
    ImageResult,
    ImageSpec,
    ProviderError,
    ProviderNotConfigured,
    Usage,
)
from storyreel.providers.http import HttpService
from storyreel.providers.image.families import chosen, family_by_name
from storyreel.providers.image.fitting import cover_png, nearest_size, open_image, parse_size
from storyreel.providers.image.settings import OPENAI_IMAGE, OpenAIImageSettings
from storyreel.providers.remote import (
    Connection,
    Downloader,
    Transport,
    is_local,
    priced,
    service_health,
)
from storyreel.settings import Settings

_SETTING = OPENAI_IMAGE.env_prefix


class OpenAIImages(ImageGenerator):
    """One picture per call from an OpenAI-compatible image API, as a PNG of the exact frame."""

    name: ClassVar[str] = "openai"
    section = OPENAI_IMAGE
    quality: ClassVar[int] = 5
    speed: ClassVar[int] = 3
    # A paid result is reused for the same request (a new seed asks for a new picture), even
    # where the API does not promise the same picture twice.
    deterministic: ClassVar[bool] = True

    def __init__(self, settings: Settings, transport: Transport | None = None) -> None:
        super().__init__(settings)
        self.config: OpenAIImageSettings = settings.openai_image
        self._transport = transport or Transport()
        self._connection = Connection(self._connect)

    prompt_family: ClassVar[PromptFamily] = "dalle"

    @property
    def model(self) -> str:
        return self.config.model

    def family_for(self, model: str | None = None) -> PromptFamily:
        """The setting, else by the model id: gpt-image and dall-e are DALL·E; SiliconFlow's
        and Together's FLUX, Qwen-Image or Kolors are theirs."""
        guessed = family_by_name(model or self.config.model, self.prompt_family)
        return chosen(self.config.prompt_family, guessed)

    def health(self) -> Health:
        return service_health(lambda: self._http()[0], "models")

    def prices(self) -> dict[str, float]:
        return {"images": self.config.price_per_image}

    def check(self) -> None:
        if self.config.base_url is None:
            raise ProviderNotConfigured(self.name, f"{_SETTING}BASE_URL", "no API root is set")
        if self.config.api_key is None and not is_local(self.config.base_url):
            raise self.missing_key(f"{self.config.base_url} needs an API key")
        for size in self.config.sizes:
            try:
                parse_size(size)
            except ValueError as exc:
                raise ProviderNotConfigured(self.name, f"{_SETTING}SIZES", str(exc)) from exc

    def _http(self) -> tuple[HttpService, Downloader]:
        return self._connection.get()

    def _connect(self) -> tuple[HttpService, Downloader]:
        self.check()
        assert self.config.base_url is not None
        service = self._transport.service(
            f"openai images at {self.config.base_url}",
            self.config.base_url,
            timeout_s=self.config.timeout_s,
            api_key=self.config.api_key,
            auth_hint=self.key_advice(),
            retry_budget_s=self.config.retry_budget_s,
        )
        return service, Downloader(service, self._transport)

    def request_body(self, prompt: str, spec: ImageSpec) -> dict[str, Any]:
        """The JSON sent for one picture (what differs between APIs comes from settings)."""
        c = self.config
        width, height = nearest_size(spec.width, spec.height, c.sizes)
        body: dict[str, Any] = {"model": spec.model or c.model, "prompt": prompt, "n": 1}
        if c.size_format == "width_height":
            body["width"], body["height"] = width, height
        else:
            body[c.size_format] = f"{width}x{height}"
        if c.response_format != "auto":
            body["response_format"] = c.response_format
        if c.negative_prompt_field and spec.negative_prompt:
            body[c.negative_prompt_field] = spec.negative_prompt
        if c.seed_field:
            body[c.seed_field] = spec.seed
        if c.steps_field and spec.steps is not None:
            body[c.steps_field] = spec.steps
        if c.guidance_field and spec.guidance is not None:
            body[c.guidance_field] = spec.guidance
        return {**body, **c.extra_body}

    def generate(self, prompt: str, spec: ImageSpec) -> ImageResult:
        began = time.perf_counter()
        service, downloader = self._http()
        body = self.request_body(prompt, spec)
        answer = service.json("POST", "images/generations", json=body)
        data = self._picture(answer, downloader)
        image = open_image(data, f"{service.name}: the picture")
        png = cover_png(image, spec.width, spec.height)
        model = str(body["model"])
        meta: dict[str, Any] = {"requested_size": [image.width, image.height], "model": model}
        revised = _first(answer).get("revised_prompt")
        if isinstance(revised, str):
            meta["revised_prompt"] = revised
        return ImageResult(
            data=png,
            seed=spec.seed,
            usage=Usage(
                provider=self.name,
                model=model,
                seconds=time.perf_counter() - began,
                units=priced({"images": 1.0}, 1.0, self.config.price_per_image),
            ),
            meta=meta,
        )

    def _picture(self, answer: Any, downloader: Downloader) -> bytes:
        item = _first(answer)
        encoded = item.get("b64_json") or item.get("base64")
        if isinstance(encoded, str) and encoded:
            try:
                return base64.b64decode(encoded, validate=True)
            except (binascii.Error, ValueError) as exc:
                raise ProviderError(
                    f"{downloader.service.name}: the picture's base64 is damaged", retryable=True
                ) from exc
        url = item.get("url")
        if isinstance(url, str) and url:
            return downloader.get(url, "the picture")
        raise ProviderError(
            f"{downloader.service.name}: the answer holds no picture (no b64_json or url): "
            f"{str(answer)[:300]}",
            retryable=True,
        )

    def close(self) -> None:
        self._connection.close()


def _first(answer: Any) -> dict[str, Any]:
    """The first picture of an answer: ``data[0]`` (OpenAI) or ``images[0]`` (SiliconFlow)."""
    if isinstance(answer, dict):
        for key in ("data", "images"):
            items = answer.get(key)
            if isinstance(items, list) and items and isinstance(items[0], dict):
                return items[0]
    return {}
