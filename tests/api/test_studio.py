"""The built web studio is served at ``/`` beside the API: client-side routes get the page,
hashed bundles are cached for good, and the API's own 404s stay JSON for every method."""

from __future__ import annotations

from pathlib import Path

import pytest

from storyreel.settings import Settings
from tests.api.kit import running_api

INDEX = "<!doctype html><title>storyreel studio</title><div id=root></div>"


@pytest.fixture
def studio(tmp_path: Path) -> Path:
    root = tmp_path / "dist"
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text(INDEX)
    (root / "favicon.svg").write_text("<svg/>")
    (root / "assets" / "index-abc123.js").write_text("console.log('studio')")
    return root


def test_client_side_routes_get_the_studio_page(settings: Settings, studio: Path) -> None:
    with running_api(settings, run_workers=False, studio_dir=studio) as api:
        for path in ("/", "/projects", "/projects/p123", "/settings?tab=keys"):
            r = api.client.get(path)
            assert r.status_code == 200, path
            assert r.text == INDEX
            assert r.headers["content-type"].startswith("text/html")
            # A new build must reach browsers on their next load.
            assert r.headers["cache-control"] == "no-cache"


def test_hashed_bundles_are_cached_for_good(settings: Settings, studio: Path) -> None:
    with running_api(settings, run_workers=False, studio_dir=studio) as api:
        r = api.client.get("/assets/index-abc123.js")
        assert r.status_code == 200 and "studio" in r.text
        assert "immutable" in r.headers["cache-control"]
        assert api.client.get("/assets/missing.js").status_code == 404
        assert api.client.get("/favicon.svg").text == "<svg/>"


def test_the_api_keeps_its_json_errors_and_docs(settings: Settings, studio: Path) -> None:
    with running_api(settings, run_workers=False, studio_dir=studio) as api:
        for method in ("GET", "POST", "DELETE"):
            r = api.client.request(method, "/api/v1/no-such-thing")
            assert r.status_code == 404, method
            assert r.json()["message"] == f"no such endpoint: {method} /api/v1/no-such-thing"
        assert api.client.get("/healthz").json()["status"] == "ok"
        assert api.client.get("/openapi.json").json()["info"]["title"] == "storyreel"
        assert "swagger" in api.client.get("/docs").text.lower()
        # Files outside the build are never served, however the path is spelled.
        r = api.client.get("/..%2F..%2Fetc%2Fpasswd")
        assert r.status_code == 200 and r.text == INDEX


def test_without_a_build_only_the_api_answers(settings: Settings) -> None:
    with running_api(settings, run_workers=False, studio_dir=None) as api:
        assert api.client.get("/").status_code == 404
        assert api.client.get("/api/v1/auth/me").status_code == 401


def test_a_known_api_path_keeps_its_405_for_other_methods(settings: Settings, studio: Path) -> None:
    with running_api(settings, run_workers=False, studio_dir=studio) as api:
        r = api.client.put("/api/v1/auth/me")
        assert r.status_code == 405
        assert r.json()["message"] == "PUT is not allowed on /api/v1/auth/me"


@pytest.fixture
def installable_studio(studio: Path) -> Path:
    """A build with what vite-plugin-pwa adds beside index.html."""
    (studio / "sw.js").write_text("self.addEventListener('fetch', () => {})")
    (studio / "registerSW.js").write_text("navigator.serviceWorker.register('/sw.js')")
    (studio / "workbox-5f3a9c1e.js").write_text("// workbox runtime")
    (studio / "manifest.webmanifest").write_text('{"name": "storyreel studio"}')
    (studio / "pwa-192x192.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    return studio


def test_the_installable_apps_files_are_served_so_a_new_version_is_noticed(
    settings: Settings, installable_studio: Path
) -> None:
    with running_api(settings, run_workers=False, studio_dir=installable_studio) as api:
        # The service worker, its registration and the manifest are revalidated on each load,
        # or browsers would keep offering the version they saw first.
        for path in ("/sw.js", "/registerSW.js"):
            r = api.client.get(path)
            assert r.status_code == 200, path
            assert r.headers["content-type"].startswith("text/javascript"), path
            assert r.headers["cache-control"] == "no-cache", path
        manifest = api.client.get("/manifest.webmanifest")
        assert manifest.headers["content-type"] == "application/manifest+json"
        assert manifest.headers["cache-control"] == "no-cache"
        assert manifest.json() == {"name": "storyreel studio"}
        # Workbox's runtime is named after its content, like the bundles.
        runtime = api.client.get("/workbox-5f3a9c1e.js")
        assert runtime.headers["content-type"].startswith("text/javascript")
        assert "immutable" in runtime.headers["cache-control"]
        icon = api.client.get("/pwa-192x192.png")
        assert icon.headers["content-type"] == "image/png"
