"""``create_app(settings)``: wire the platform, blob store, tokens and limits once, and mount
one router per resource under ``/api/v1`` (CONVENTIONS.md, rule 3). Tests build their own."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Protocol

from fastapi import FastAPI
from fastapi.routing import APIRoute

from storyreel import __version__
from storyreel.api import errors
from storyreel.api.access import AccessWatch
from storyreel.api.clientip import TrustedProxies
from storyreel.api.deps import AppState
from storyreel.api.metrics import Metrics
from storyreel.api.middleware import API_PREFIX, BodyLimit, RequestContext
from storyreel.api.principals import Principals
from storyreel.api.routes import (
    admin,
    assets,
    assistant,
    auth,
    catalog,
    characters,
    documents,
    events,
    exports,
    generate,
    live,
    projects,
    providers,
    renders,
    shots,
    storyboard,
    system,
    tasks,
    translations,
    webhooks,
)
from storyreel.api.studio import mount_studio
from storyreel.auth import accounts
from storyreel.auth.ratelimit import RateLimiter
from storyreel.auth.secrets import load_server_secrets
from storyreel.auth.tokens import TokenCodec
from storyreel.pipeline.engine import Platform
from storyreel.settings import Settings
from storyreel.webhooks.dispatcher import WebhookDispatcher

# Routes are matched in order: the hottest (status polls, downloads) come first.
RESOURCE_ROUTERS = (
    tasks,
    assets,
    auth,
    projects,
    documents,
    storyboard,
    shots,
    characters,
    renders,
    live,
    exports,
    generate,
    catalog,
    events,
    webhooks,
    admin,
    providers,
    translations,
    assistant,
)


class Service(Protocol):
    """Something the API process runs beside the requests (the webhook dispatcher...)."""

    def start(self) -> None: ...

    def stop(self) -> None: ...


def _operation_id(route: APIRoute) -> str:
    # Stable ids for the generated client: the endpoint function's name, e.g. ``get_task``.
    return route.name


def create_app(
    settings: Settings, *, platform: Platform | None = None, run_workers: bool = True
) -> FastAPI:
    """``run_workers``: run the embedded executor (unless the executor is Celery) and the
    reaper in this process, as ``storyreel serve`` does."""
    platform = platform or Platform.create(settings)
    secrets = load_server_secrets(settings)
    principals = Principals()
    state = AppState(
        settings=settings,
        platform=platform,
        store=platform.store,
        secrets=secrets,
        tokens=TokenCodec(secrets.jwt, settings.access_token_ttl_s, settings.refresh_token_ttl_s),
        limiter=RateLimiter(settings.rate_limit_url, settings.rate_limits),
        access=AccessWatch(platform.bus, principals),
        principals=principals,
    )
    services: list[Service] = []
    if run_workers:
        # Webhook deliveries go out from every API process that runs workers; the delivery
        # table keeps several such processes from sending one event twice.
        services.append(WebhookDispatcher(platform.db, platform.bus, settings, secrets.webhook))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        with platform.db.session() as s:
            generated = accounts.ensure_admin(s, settings)
        if generated is not None:
            email = settings.admin_email or "admin@storyreel.local"
            print(
                f"storyreel: created the admin account {email} with the one-time password "
                f"{generated} — log in and change it (POST /api/v1/auth/password); it is not shown "
                "again.",
                file=sys.stderr,
                flush=True,
            )
        if run_workers:
            platform.start(execute=True, reap=True)  # a broker's executor runs nothing here
        platform.connect()
        for service in services:
            service.start()
        state.access.start()  # open WebSockets follow access changes from every process
        try:
            yield
        finally:
            state.access.stop()
            for service in reversed(services):
                service.stop()
            platform.stop()

    app = FastAPI(
        title="storyreel",
        version=__version__,
        description="Story to video: storyboard, pictures, narration and a rendered MP4.",
        lifespan=lifespan,
        generate_unique_id_function=_operation_id,
        responses=errors.ERROR_RESPONSES,
    )
    app.state.storyreel = state
    app.state.services = services
    metrics = Metrics(platform.db)  # task, queue, provider metrics are read at scrape time
    app.state.metrics = metrics
    errors.install(app)
    for module in RESOURCE_ROUTERS:
        app.include_router(module.router, prefix=API_PREFIX)
    app.include_router(system.router)
    app.state.ready_cache = system.ReadyCache()
    if settings.studio_dir is not None and (settings.studio_dir / "index.html").is_file():
        mount_studio(app, settings.studio_dir)
    # Added last = outermost: the request id exists before a body is refused.
    app.add_middleware(BodyLimit, max_bytes=settings.upload_max_bytes + 256 * 1024)
    app.add_middleware(RequestContext, metrics=metrics)
    # Outermost: the request id, the access line and every limit see the real client's IP.
    app.add_middleware(TrustedProxies, proxies=settings.trusted_proxies)
    return app
