"""Assets: metadata behind authorization, bytes behind a signed link, with HTTP Range."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from storyreel.api import signing
from storyreel.api.routes.assets import content_disposition
from tests.api.kit import Account, Api
from tests.api.test_tasks import wait_for_task


def _image_asset(api: Api, who: Account, prompt: str) -> dict[str, Any]:
    r = api.client.post(
        "/api/v1/images/generate",
        json={"prompt": prompt, "width": 320, "height": 192},
        headers=who.headers,
    )
    assert r.status_code == 202, r.text
    done = wait_for_task(api, who, r.json()["id"])
    assert done["status"] == "succeeded", done
    meta = api.client.get(f"/api/v1/assets/{done['result']['asset_id']}", headers=who.headers)
    assert meta.status_code == 200, meta.text
    body: dict[str, Any] = meta.json()
    return body


def _state(api: Api) -> Any:
    return api.client.app.state.storyreel  # type: ignore[attr-defined]


@pytest.fixture
def picture(api: Api) -> tuple[Account, dict[str, Any], bytes]:
    alice = api.register("alice")
    asset = _image_asset(api, alice, "a kite over green hills")
    full = api.client.get(asset["url"])  # no Authorization header: the signature is enough
    assert full.status_code == 200, full.text
    return alice, asset, full.content


def test_full_download_headers(api: Api, picture: tuple[Account, dict[str, Any], bytes]) -> None:
    _, asset, data = picture
    r = api.client.get(asset["url"])
    assert len(data) == asset["size"] > 1000
    assert r.headers["accept-ranges"] == "bytes"
    assert r.headers["content-length"] == str(len(data))
    assert r.headers["etag"].strip('"') and r.headers["cache-control"].startswith("private")
    assert r.headers["content-disposition"].startswith("attachment;")
    assert r.headers["x-content-type-options"] == "nosniff"
    inline = api.client.get(asset["url"] + "&inline=1")
    assert inline.headers["content-disposition"].startswith("inline;")
    cached = api.client.get(asset["url"], headers={"If-None-Match": r.headers["etag"]})
    assert cached.status_code == 304 and cached.content == b""


def test_byte_ranges(api: Api, picture: tuple[Account, dict[str, Any], bytes]) -> None:
    _, asset, data = picture
    size = len(data)

    def get(range_header: str, **headers: str) -> Any:
        return api.client.get(asset["url"], headers={"Range": range_header, **headers})

    middle = get("bytes=100-199")
    assert middle.status_code == 206
    assert middle.content == data[100:200]
    assert middle.headers["content-range"] == f"bytes 100-199/{size}"
    assert middle.headers["content-length"] == "100"

    tail = get("bytes=-50")
    assert tail.status_code == 206 and tail.content == data[-50:]
    assert tail.headers["content-range"] == f"bytes {size - 50}-{size - 1}/{size}"

    open_ended = get(f"bytes={size - 10}-")
    assert open_ended.status_code == 206 and open_ended.content == data[-10:]
    past_end = get(f"bytes={size - 5}-{size + 500}")  # clamped to the file
    assert past_end.status_code == 206 and past_end.content == data[-5:]
    whole_suffix = get(f"bytes=-{size * 2}")
    assert whole_suffix.status_code == 206 and whole_suffix.content == data

    refused = get(f"bytes={size}-")
    assert refused.status_code == 416
    assert refused.headers["content-range"] == f"bytes */{size}"
    assert refused.json()["code"] == 416 and refused.json()["request_id"]
    assert get("bytes=-0").status_code == 416

    # Not one satisfiable single range we serve: the whole file, as RFC 9110 allows.
    for ignored in ("bytes=5-2", "bytes=0-1,5-6", "items=0-5", "bytes=abc"):
        whole = get(ignored)
        assert whole.status_code == 200 and whole.content == data, ignored
    # If-Range with another validator: the file changed, so the whole of it.
    stale = get("bytes=0-9", **{"If-Range": '"not-the-etag"'})
    assert stale.status_code == 200 and stale.content == data
    fresh = get("bytes=0-9", **{"If-Range": middle.headers["etag"]})
    assert fresh.status_code == 206 and fresh.content == data[:10]


def test_signatures(api: Api, picture: tuple[Account, dict[str, Any], bytes]) -> None:
    _, asset, _ = picture
    state = _state(api)
    query = parse_qs(urlsplit(asset["url"]).query)
    expires, sig = int(query["expires"][0]), query["sig"][0]
    base = f"/api/v1/assets/{asset['id']}/content"

    tampered = sig[:-1] + ("0" if sig[-1] != "0" else "1")
    bad = api.client.get(f"{base}?expires={expires}&sig={tampered}")
    assert bad.status_code == 403 and "signature" in bad.json()["message"]
    longer = api.client.get(f"{base}?expires={expires + 3600}&sig={sig}")
    assert longer.status_code == 403
    other_asset = api.client.get(
        f"/api/v1/assets/x{asset['id']}/content?expires={expires}&sig={sig}"
    )
    assert other_asset.status_code == 403
    junk = api.client.get(f"{base}?expires={expires}&sig=%E4%B8%AD")
    assert junk.status_code == 403
    missing = api.client.get(base)
    assert missing.status_code == 422

    past = int(time.time()) - 5
    expired = api.client.get(f"{base}?expires={past}&sig={signing.sign(state, asset['id'], past)}")
    assert expired.status_code == 403 and "expired" in expired.json()["message"]

    named = signing.asset_url(state, asset["id"], filename="kite.png", expires_s=60)
    ok = api.client.get(named)
    assert ok.status_code == 200
    assert 'filename="kite.png"' in ok.headers["content-disposition"]
    renamed = api.client.get(named.replace("kite.png", "evil.png"))
    assert renamed.status_code == 403


def test_assets_of_others_are_not_found(
    api: Api, picture: tuple[Account, dict[str, Any], bytes]
) -> None:
    _, asset, _ = picture
    bob = api.register("bob")
    assert api.client.get(f"/api/v1/assets/{asset['id']}", headers=bob.headers).status_code == 404
    assert api.client.get(f"/api/v1/assets/{asset['id']}").status_code == 401
    assert api.client.get("/api/v1/assets/nope", headers=bob.headers).status_code == 404
    admin = api.admin()
    assert api.client.get(f"/api/v1/assets/{asset['id']}", headers=admin.headers).status_code == 200


def test_download_names_are_safe_headers(api: Api) -> None:
    alice = api.register("alice")
    asset = _image_asset(api, alice, '小猫 "say hi"\r\nX-Injected: 1')
    r = api.client.get(asset["url"])
    disposition = r.headers["content-disposition"]
    assert "x-injected" not in {k.lower() for k in r.headers}
    assert "\r" not in disposition and "\n" not in disposition
    ascii_part = disposition.split('filename="', 1)[1].split('"', 1)[0]
    assert ascii_part.isascii() and '"' not in ascii_part and ascii_part.endswith(".png")
    assert "filename*=UTF-8''%E5%B0%8F%E7%8C%AB" in disposition


def test_content_disposition_rules() -> None:
    chinese = content_disposition("灯塔守护者.mp4")
    assert chinese == (
        'attachment; filename="download.mp4"; '
        "filename*=UTF-8''%E7%81%AF%E5%A1%94%E5%AE%88%E6%8A%A4%E8%80%85.mp4"
    )
    mixed = content_disposition("Café «night».mp4", inline=True)
    assert mixed.startswith('inline; filename="Cafe night.mp4"')
    hostile = content_disposition('../../etc/passwd"; x=1\n.mp4')
    assert "/" not in hostile.split("filename*")[0] and "\n" not in hostile
    assert hostile.count('"') == 2
    long = content_disposition("a" * 500 + ".mp4")
    assert len(long) < 400 and '.mp4"' in long
