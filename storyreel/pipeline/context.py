"""Everything a step needs, wired once: settings, providers, blob store and result cache; and
what the task handlers share in one process (``PipelineServices``)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from storyreel.auth.secrets import provider_key_secrets
from storyreel.db.session import Database
from storyreel.media.render import Renderer
from storyreel.providers.cache import ResultCache
from storyreel.providers.keys import KeyCipher
from storyreel.providers.registry import ProviderRegistry
from storyreel.providers.router import ProviderRouter
from storyreel.settings import Settings
from storyreel.storage import store_from_settings
from storyreel.storage.base import BlobStore
from storyreel.storage.local import LocalBlobStore
from storyreel.tasks.kinds import KindRegistry


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
            store=store_from_settings(settings),
        )

    @cached_property
    def cache(self) -> ResultCache:
        return ResultCache(self.store)

    @cached_property
    def router(self) -> ProviderRouter:
        """One per process: circuit breakers and limits protect the providers from all of it."""
        return ProviderRouter(self.registry)

    @cached_property
    def key_cipher(self) -> KeyCipher:
        """Seals and opens the provider keys accounts store."""
        return KeyCipher(provider_key_secrets(self.settings))

    @property
    def shares_render_cache(self) -> bool:
        """Renders share their segments through the blob store when workers on other machines
        may take over a project's render: a distributed executor and a store that is not this
        machine's folder (workers on one folder already share the render cache under it)."""
        return self.settings.executor != "local" and not isinstance(self.store, LocalBlobStore)

    @cached_property
    def renderer(self) -> Renderer:
        return Renderer(self.settings)


@dataclass
class PipelineServices:
    """What the task handlers share in one process: providers and storage, the database, and
    the kinds (a storyboard that lands plans the project's next tasks)."""

    pipeline: PipelineContext
    db: Database
    kinds: KindRegistry
