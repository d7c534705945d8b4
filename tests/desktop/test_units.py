"""The small pure parts: subtitles, the words in both languages, the session store, the
typed records against the OpenAPI document, download names."""

from __future__ import annotations

import json
import re
import string
from dataclasses import fields
from pathlib import Path

import pytest
from keyring.backends import fail

from storyreel.desktop import models
from storyreel.desktop.i18n import Translator
from storyreel.desktop.messages import EN, ZH
from storyreel.desktop.session import SavedSession, SessionStore
from storyreel.desktop.subtitles import cue_at, parse_srt
from storyreel.desktop.urls import file_name, normalise_url
from tests.desktop.conftest import MemoryKeyring

OPENAPI = Path(__file__).resolve().parents[2] / "web" / "openapi.json"

SRT = """\ufeff1
00:00:00,000 --> 00:00:02,500
第一句。

2
00:00:02,500 --> 00:00:05,000
The second line,
in two lines.
"""


def test_subtitles_show_the_cue_of_the_moment() -> None:
    cues = parse_srt(SRT)
    assert [(c.start, c.end) for c in cues] == [(0.0, 2.5), (2.5, 5.0)]
    assert cue_at(cues, 1.0) == "第一句。"
    assert cue_at(cues, 2.5) == "The second line,\nin two lines."
    assert cue_at(cues, 5.0) == "" and cue_at(cues, -1) == ""
    assert parse_srt("garbage\n\nmore") == []


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_both_languages_have_every_message_with_the_same_placeholders() -> None:
    assert EN.keys() == ZH.keys()
    for key in EN:
        assert _placeholders(EN[key]) == _placeholders(ZH[key]), key
        assert EN[key].count("&") <= 1 and ZH[key].count("&") <= 1, key


def test_every_message_the_code_asks_for_exists() -> None:
    source = "\n".join(
        p.read_text() for p in Path(models.__file__).parent.rglob("*.py") if p.name != "messages.py"
    )
    asked = set(re.findall(r'(?<![A-Za-z])t\(\s*"([a-z_]+\.[a-z_]+)"', source))
    asked |= set(re.findall(r'"((?:signin|signup|error|connect)\.[a-z_]+)"', source))
    assert asked and asked <= EN.keys(), asked - EN.keys()


def test_switching_language_tells_the_windows() -> None:
    t = Translator("en")
    seen: list[str] = []
    t.changed.connect(lambda: seen.append(t("projects.heading")))
    t.set_language("zh")
    t.set_language("zh")  # no change, no signal
    assert seen == ["项目"]
    assert t("shot.heading", n=3) == "镜头 3"


def test_the_session_is_kept_in_the_keyring_per_server() -> None:
    ring = MemoryKeyring()
    store = SessionStore(ring)
    assert store.persistent
    store.save("http://a:8000", SavedSession("ada@example.com", "r1"))
    assert store.load("http://a:8000") == SavedSession("ada@example.com", "r1")
    assert store.load("http://b:8000") is None
    store.forget("http://a:8000")
    store.forget("http://a:8000")  # nothing left: not an error
    assert store.load("http://a:8000") is None and ring.passwords == {}


def test_without_a_keyring_nothing_is_kept_anywhere(tmp_path: Path) -> None:
    store = SessionStore(fail.Keyring())
    assert not store.persistent
    store.save("http://a:8000", SavedSession("ada@example.com", "r1"))
    assert store.load("http://a:8000") is None


def test_a_keyring_entry_written_by_something_else_is_ignored() -> None:
    ring = MemoryKeyring()
    ring.set_password("storyreel-desktop", "http://a:8000", "not json")
    assert SessionStore(ring).load("http://a:8000") is None


@pytest.mark.parametrize("record", sorted(models.SCHEMAS, key=str))
def test_every_field_the_app_reads_is_one_the_api_declares(record: str) -> None:
    schemas = json.loads(OPENAPI.read_text())["components"]["schemas"]
    declared = schemas[models.SCHEMAS[record]]["properties"]
    cls = getattr(models, record)
    missing = [f.name for f in fields(cls) if f.name not in declared]
    assert not missing, f"{record} reads {missing}, not in {models.SCHEMAS[record]}"


def test_download_names_come_from_the_signed_link_made_safe() -> None:
    url = "/api/v1/assets/a1/content?expires=1&name=%E6%9C%80%E5%90%8E%2F%E7%81%AF.mp4&sig=x"
    assert file_name(url, "video.mp4") == "最后_灯.mp4"
    assert file_name("/api/v1/assets/a1/content?sig=x", "The Lamp.mp4") == "The Lamp.mp4"
    assert file_name("/x?name=..", "f.mp4") == "f.mp4"


def test_server_addresses_are_normalised() -> None:
    assert normalise_url("127.0.0.1:8000/") == "http://127.0.0.1:8000"
    assert normalise_url(" https://reel.example.com ") == "https://reel.example.com"
