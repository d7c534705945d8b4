"""Asset downloads when blobs live in S3: the API checks its own signed link, then redirects
(307) to a presigned URL for the store's public endpoint, which serves Range itself."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from storyreel.settings import S3Settings, Settings
from tests.api.kit import Account, Api, running_api
from tests.api.test_tasks import wait_for_task

pytestmark = pytest.mark.s3


@pytest.fixture
def s3_api(settings: Settings, s3_storage_url: str, s3_settings: S3Settings) -> Iterator[Api]:
    with running_api(settings, storage_url=s3_storage_url, s3=s3_settings) as api:
        yield api


def _picture(api: Api) -> tuple[Account, dict[str, Any]]:
    alice = api.register("alice")
    r = api.client.post(
        "/api/v1/images/generate",
        json={"prompt": "a lighthouse at dusk", "width": 320, "height": 192},
        headers=alice.headers,
    )
    assert r.status_code == 202, r.text
    done = wait_for_task(api, alice, r.json()["id"])
    assert done["status"] == "succeeded", done
    meta = api.client.get(f"/api/v1/assets/{done['result']['asset_id']}", headers=alice.headers)
    assert meta.status_code == 200, meta.text
    body: dict[str, Any] = meta.json()
    return alice, body


def test_a_range_download_through_the_api_gets_206_and_the_right_bytes(
    s3_api: Api, s3_settings: S3Settings
) -> None:
    _, asset = _picture(s3_api)
    hop = s3_api.client.get(asset["url"], follow_redirects=False)
    assert hop.status_code == 307, hop.text
    target = hop.headers["location"]
    assert target.startswith(f"{s3_settings.endpoint_url}/")  # signed for the public endpoint
    assert hop.headers["cache-control"] == "no-store"

    whole = httpx.get(target)
    assert whole.status_code == 200
    assert len(whole.content) == asset["size"]
    assert whole.content.startswith(b"\x89PNG\r\n\x1a\n")  # the picture the task made
    assert whole.headers["content-disposition"].startswith("attachment;")

    ranged = httpx.get(target, headers={"Range": "bytes=100-1099"})
    assert ranged.status_code == 206
    assert ranged.content == whole.content[100:1100]
    assert ranged.headers["content-range"] == f"bytes 100-1099/{asset['size']}"

    inline = s3_api.client.get(asset["url"] + "&inline=1", follow_redirects=False)
    assert (
        httpx.get(inline.headers["location"]).headers["content-disposition"].startswith("inline;")
    )


def test_the_presigned_url_expires_with_the_link(s3_api: Api) -> None:
    _, asset = _picture(s3_api)
    link = parse_qs(urlsplit(asset["url"]).query)
    hop = s3_api.client.get(asset["url"], follow_redirects=False)
    presigned = parse_qs(urlsplit(hop.headers["location"]).query)
    assert int(presigned["X-Amz-Expires"][0]) <= int(link["expires"][0]) - time.time() + 1


def test_a_tampered_api_link_is_refused_before_any_redirect(s3_api: Api) -> None:
    _, asset = _picture(s3_api)
    url = asset["url"]
    at = url.index("sig=") + len("sig=")
    # A hex digit that differs even case-insensitively (the check lowercases the signature:
    # "A" for an "a" would be no tampering at all).
    tampered = url[:at] + ("0" if url[at] != "0" else "1") + url[at + 1 :]
    r = s3_api.client.get(tampered, follow_redirects=False)
    assert r.status_code == 403
    assert "location" not in r.headers
