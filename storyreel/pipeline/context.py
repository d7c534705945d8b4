"""Everything a step needs, wired once: settings, providers, blob store and result cache."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from storyreel.media.render import Renderer
from storyreel.providers.cache import ResultCache
from storyreel.providers.registry import ProviderRegistry
from storyreel.settings import Settings
from storyreel.storage.base import BlobStore
from storyreel.storage.local import LocalBlobStore


@dataclass
class PipelineContext:
    settings: Settings
    registry: ProviderRegistry
    store: BlobStore

    @classmethod
    def create(
        cls, settings: Settings, registry: ProviderRegistry | None = None
    ) -> PipelineContext:
        return cls(
            settings=settings,
            registry=registry or ProviderRegistry(settings),
            store=LocalBlobStore(settings.data_dir / "blobs"),
        )

    @cached_property
    def cache(self) -> ResultCache:
        return ResultCache(self.store)

    @cached_property
    def renderer(self) -> Renderer:
        return Renderer(self.settings)
