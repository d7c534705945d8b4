"""Serve the built web studio (``web/dist``) at ``/`` beside the API.

Vite names every bundle after its content hash, so ``/assets/*`` is cached for a year; every
other path that is not the API's is a client-side route and gets ``index.html`` (never cached,
so a new build is picked up on the next load).

The studio is an installable app (PWA): its service worker (``sw.js``), the script that registers
it and the web manifest are revalidated on every load too, or a browser would keep offering the
old version; Workbox's runtime (``workbox-<hash>.js``) is named after its content like the
bundles. Their media types are set here rather than guessed, since ``.webmanifest`` is missing
from many systems' MIME tables."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from starlette.exceptions import HTTPException
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Match
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

# Paths the server owns; an unknown one under them is the API's 404, not the studio's page.
SERVER_PREFIXES = ("/api/", "/docs", "/redoc", "/openapi.json", "/healthz", "/readyz", "/metrics")
IMMUTABLE = "public, max-age=31536000, immutable"
# The build's top-level files that name what the current version is: always revalidated.
REVALIDATED = frozenset({"index.html", "sw.js", "registerSW.js", "manifest.webmanifest"})
MEDIA_TYPES = {".webmanifest": "application/manifest+json", ".js": "text/javascript"}


def _top_level_file(path: Path) -> FileResponse:
    """A file beside ``index.html``, with the media type and caching its role needs."""
    headers: dict[str, str] = {}
    if path.name in REVALIDATED:
        headers["Cache-Control"] = "no-cache"
    elif path.name.startswith("workbox-") and path.suffix == ".js":
        headers["Cache-Control"] = IMMUTABLE
    return FileResponse(path, headers=headers, media_type=MEDIA_TYPES.get(path.suffix))


class _HashedAssets(StaticFiles):
    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code == 200:
            response.headers["Cache-Control"] = IMMUTABLE
        return response


class StudioPages:
    """The catch-all after every API route: the build's top-level files, else ``index.html``.

    A mount rather than a route, so an unknown API path keeps its 404 for every method."""

    def __init__(self, root: Path, routes: list[BaseRoute]) -> None:
        self.root = root.resolve()
        self.index = self.root / "index.html"
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope["path"]
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            # The router tried every API route before this mount; a path that one of them
            # knows for other methods keeps its 405.
            if any(r.matches(scope)[0] == Match.PARTIAL for r in self.routes):
                raise HTTPException(405)
            raise HTTPException(404)
        if path.startswith(SERVER_PREFIXES):
            raise HTTPException(404)
        name = path.lstrip("/")
        candidate = (self.root / name).resolve()
        response: Response
        if name and candidate.parent == self.root and candidate.is_file():
            response = _top_level_file(candidate)
        else:
            response = _top_level_file(self.index)
        await response(scope, receive, send)


def mount_studio(app: FastAPI, root: Path) -> None:
    """Serve ``root`` (a Vite build) as the single-page studio; call after the API routes."""
    if (root / "assets").is_dir():
        app.mount("/assets", _HashedAssets(directory=root / "assets"), name="studio-assets")
    app.mount("/", StudioPages(root, app.router.routes), name="studio")
