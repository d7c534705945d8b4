"""The catalog the studio's pickers show: style presets, voices (and what they sound like), and
music moods — each one something a project accepts."""

from __future__ import annotations

import io
import re
import wave
from typing import Any

from storyreel.domain.styles import STYLES
from storyreel.settings import Settings
from tests.api.kit import Account, Api, running_api
from tests.api.test_projects import P, create, settled, storyboarded

V = "/api/v1/voices"


def _get(api: Api, who: Account, path: str, **params: Any) -> Any:
    r = api.client.get(path, params=params, headers=who.headers)
    assert r.status_code == 200, r.text
    return r.json()


def _seconds(wav: bytes) -> float:
    with wave.open(io.BytesIO(wav)) as w:
        return w.getnframes() / w.getframerate()


def test_the_catalog_needs_an_account(api: Api) -> None:
    for path in ("/api/v1/styles", V, f"{V}/en/sample", "/api/v1/music-moods"):
        r = api.client.get(path)
        assert r.status_code == 401 and r.json()["code"] == 401, path


def test_styles_are_listed_in_english_and_chinese_with_palettes(api: Api) -> None:
    alice = api.register("alice")
    styles = _get(api, alice, "/api/v1/styles")
    assert [s["id"] for s in styles] == list(STYLES)
    by_id = {s["id"]: s for s in styles}
    assert by_id["ink_wash"]["label_zh"] == "水墨" and by_id["cinematic"]["label_zh"] == "电影感"
    assert by_id["xianxia"]["label_zh"] == "仙侠"
    assert [s["id"] for s in styles if s["default"]] == ["cinematic"]
    for s in styles:
        assert s["label"] and s["description"] and s["typography"]
        assert re.search(r"[\u4e00-\u9fff]", s["label_zh"] + s["description_zh"]), s["id"]
        assert len(s["palette"]) >= 3
        assert all(re.fullmatch(r"#[0-9a-fA-F]{6}", c) for c in s["palette"]), s["palette"]
    # Every listed id is a style a project takes.
    project = create(api, alice, style=styles[-1]["id"])
    assert project["style"] == styles[-1]["id"]


def test_voices_list_the_speech_providers_voices_and_the_default_per_language(api: Api) -> None:
    alice = api.register("alice")
    catalog = _get(api, alice, V)
    assert catalog["provider"] == "espeak"
    assert catalog["defaults"] == {"zh": "cmn", "en": "en"}
    voices = {v["id"]: v for v in catalog["voices"]}
    assert len(voices) > 50  # eSpeak NG speaks many languages
    assert voices["cmn"]["default_for"] == ["zh"] and voices["en"]["default_for"] == ["en"]
    assert voices["en-us"]["label"] == "English (America)" and voices["en-us"]["default_for"] == []
    assert voices["yue"]["language"] == "yue"
    assert all(v["gender"] in ("male", "female", None) for v in voices.values())

    chinese = {v["id"] for v in _get(api, alice, V, language="zh")["voices"]}
    assert {"cmn", "yue"} <= chinese and "en" not in chinese
    english = {v["id"] for v in _get(api, alice, V, language="en")["voices"]}
    assert {"en", "en-us", "en-gb-scotland"} <= english and "cmn" not in english
    assert _get(api, alice, V, language="tlh-nowhere")["voices"] == []

    # A listed voice is one a shot's narration can be spoken with.
    project = storyboarded(api, alice)
    shot = project["shots"][0]
    r = api.client.post(
        f"{P}/{project['id']}/shots/{shot['id']}/voice",
        json={"voice": "en-us"},
        headers=alice.headers,
    )
    assert r.status_code == 202, r.text
    spoken = settled(api, alice, project["id"])["shots"][0]
    assert spoken["tasks"]["voice"]["status"] == "succeeded" and spoken["voice_seconds"] > 0


def test_a_voice_sample_is_a_wav_made_once_then_served_from_the_cache(api: Api) -> None:
    alice = api.register("alice")
    first = api.client.get(f"{V}/en/sample", headers=alice.headers)
    assert first.status_code == 200, first.text
    assert first.headers["content-type"] == "audio/wav"
    assert first.content[:4] == b"RIFF" and first.content[8:12] == b"WAVE"
    assert first.headers["x-storyreel-cache"] == "miss"
    assert "private" in first.headers["cache-control"]
    assert 1.0 < _seconds(first.content) < 15.0

    again = api.client.get(f"{V}/en/sample", headers=alice.headers)
    assert again.headers["x-storyreel-cache"] == "hit" and again.content == first.content
    # The cache is shared: another account asking for the same sample gets it from there too.
    bob = api.register("bob")
    shared = api.client.get(f"{V}/EN/sample", headers=bob.headers)
    assert shared.headers["x-storyreel-cache"] == "hit" and shared.content == first.content

    # Own text, and a faster rate: a shorter sample.
    text = {"text": "The lamp burned all night above the harbour."}
    normal = api.client.get(f"{V}/en-us/sample", params=text, headers=alice.headers)
    faster = api.client.get(
        f"{V}/en-us/sample", params={**text, "rate": 2.0}, headers=alice.headers
    )
    assert normal.status_code == faster.status_code == 200
    assert normal.headers["x-storyreel-cache"] == faster.headers["x-storyreel-cache"] == "miss"
    assert _seconds(faster.content) < 0.75 * _seconds(normal.content)

    # A Chinese voice says a Chinese sentence by default (eSpeak reads Han characters one
    # syllable each, so it lasts longer than it would read as Pinyin letters).
    chinese = api.client.get(f"{V}/cmn/sample", headers=alice.headers)
    assert chinese.status_code == 200 and _seconds(chinese.content) > 1.5


def test_voice_samples_refuse_unknown_voices_and_bad_text(api: Api) -> None:
    alice = api.register("alice")
    unknown = api.client.get(f"{V}/no-such-voice/sample", headers=alice.headers)
    assert unknown.status_code == 404
    assert "no voice 'no-such-voice'" in unknown.json()["message"]
    assert api.client.get(f"{V}/auto/sample", headers=alice.headers).status_code == 404

    too_long = api.client.get(f"{V}/en/sample", params={"text": "a" * 201}, headers=alice.headers)
    assert too_long.status_code == 422
    assert too_long.json()["errors"][0]["field"] == "query.text"
    at_limit = api.client.get(f"{V}/en/sample", params={"text": "a " * 100}, headers=alice.headers)
    assert at_limit.status_code == 200

    silent = api.client.get(f"{V}/en/sample", params={"text": "..."}, headers=alice.headers)
    assert silent.status_code == 422 and "no audible speech" in silent.json()["message"]
    for rate in ("0", "5", "nan", "fast"):
        r = api.client.get(f"{V}/en/sample", params={"rate": rate}, headers=alice.headers)
        assert r.status_code == 422, rate


def test_voice_samples_have_a_rate_limit_of_their_own(settings: Settings) -> None:
    limits = {
        "per_user": "1000/minute",
        "per_ip": "1000/minute",
        "auth_per_ip": "1000/minute",
        "samples_per_user": "2/minute",
    }
    with running_api(settings, rate_limits=limits) as api:
        alice, bob = api.register("alice"), api.register("bob")
        tries = [api.client.get(f"{V}/en/sample", headers=alice.headers) for _ in range(3)]
        assert [r.status_code for r in tries] == [200, 200, 429]
        assert tries[-1].json()["details"]["scope"] == "sample"
        assert int(tries[-1].headers["retry-after"]) >= 1
        # Only samples are limited; and only this account's.
        assert api.client.get(V, headers=alice.headers).status_code == 200
        assert api.client.get(f"{V}/en/sample", headers=bob.headers).status_code == 200


def test_music_moods_are_auto_none_and_the_providers_moods(api: Api) -> None:
    alice = api.register("alice")
    moods = _get(api, alice, "/api/v1/music-moods")
    ids = [m["id"] for m in moods]
    assert ids[:2] == ["auto", "none"]
    assert {"calm", "tense", "joyful", "sad", "epic"} <= set(ids[2:])
    by_id = {m["id"]: m for m in moods}
    assert by_id["calm"]["label_zh"] == "平静" and by_id["epic"]["label"] == "Epic"
    assert all(m["label"] and m["label_zh"] for m in moods)
    # Each one is a music setting a project takes; anything else is refused.
    project = create(api, alice)
    url = f"{P}/{project['id']}"
    for mood in ids:
        r = api.client.patch(url, json={"music": mood}, headers=alice.headers)
        assert r.status_code == 200 and r.json()["music"] == mood, r.text
    assert api.client.patch(url, json={"music": "disco"}, headers=alice.headers).status_code == 422
