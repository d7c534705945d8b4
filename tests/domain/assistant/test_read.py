"""The assistant's offline reading of requests, on a table of Chinese and English requests."""

from __future__ import annotations

import pytest

from storyreel.domain.assistant.read import read, read_length

# request → what must be read (a subset of the Reading's fields; characters by name: description)
TABLE: list[tuple[str, dict[str, object]]] = [
    (
        "a 60-second sci-fi short about a lighthouse keeper's robot, warm, for children",
        {
            "language": "en",
            "task": "video",
            "genre": "scifi",
            "length_s": 60.0,
            "moods": ["warm"],
            "audience": "children",
            "setting": "a lighthouse",
            "characters": {"the robot": "lighthouse keeper's robot", "the lighthouse keeper": ""},
        },
    ),
    (
        "给孩子们做一个60秒的科幻短片，讲灯塔看守人老周和他的机器人，温暖一点",
        {
            "language": "zh",
            "task": "video",
            "genre": "scifi",
            "length_s": 60.0,
            "moods": ["warm"],
            "audience": "children",
            "setting": "灯塔",
            "characters": {"老周": "灯塔看守人", "机器人": ""},
        },
    ),
    (
        "Write a script for a 3 minute mystery in Victorian London: a detective named Holmes "
        "must find a stolen clock. Dark, vertical for TikTok.",
        {
            "task": "script",
            "genre": "mystery",
            "length_s": 180.0,
            "era": "Victorian times",
            "setting": "Victorian London",
            "aspect": "9:16",
            "moods": ["dark"],
            "goal": "must find a stolen clock",
            "characters": {"Holmes": "detective"},
        },
    ),
    (
        "帮我写一个悬疑剧本：民国上海，女侦探林小婉调查一桩失踪案，三分钟，横屏",
        {
            "task": "script",
            "genre": "mystery",
            "length_s": 180.0,
            "era": "the Republic of China era",
            "setting": "上海",
            "aspect": "16:9",
            "characters": {"林小婉": "女侦探"},
        },
    ),
    (
        "一个关于唐朝长安城里一位年轻画师的故事，水墨风格，竖屏，一分半钟",
        {
            "genre": "history",
            "era": "the Tang dynasty",
            "style": "ink_wash",
            "aspect": "9:16",
            "length_s": 90.0,
            "characters": {"画师": "年轻画师"},
        },
    ),
    (
        "A bedtime story for my daughter about a little fox who is afraid of the dark, "
        "not too scary",
        {
            "genre": "fairy_tale",
            "audience": "children",
            "moods": [],
            "moods_not": ["scary"],
            "characters": {"the little fox": ""},
        },
    ),
    (
        "An explainer video about how volcanoes work, for teens, 2 minutes",
        {
            "genre": "documentary",
            "audience": "teens",
            "length_s": 120.0,
            "goal": "how volcanoes work",
        },
    ),
    (
        "Design a character: a girl named Mia who builds kites, anime style",
        {"task": "character", "style": "anime", "characters": {"Mia": "girl"}},
    ),
    (
        "做一个搞笑的短视频，竖屏，30秒，主角是一只叫豆豆的小狗",
        {
            "genre": "comedy",
            "length_s": 30.0,
            "aspect": "9:16",
            "moods": ["funny"],
            "characters": {"豆豆": "小狗"},
        },
    ),
    (
        "An epic space adventure: Captain Lena Park and her crew search for a lost colony on a "
        "frozen moon",
        {"genre": "adventure", "characters": {"Lena Park": "captain"}, "setting": "a frozen moon"},
    ),
    (
        "I want a romantic short film set in Paris in the 1920s, about a painter and a dancer",
        {
            "genre": "romance",
            "era": "the 1920s",
            "setting": "Paris",
            "characters": {"the painter": "", "the dancer": ""},
        },
    ),
    (
        "A bedtime story about a sleepy bear in a snowy forest who can't find his cave",
        {
            "audience": "children",
            "setting": "a snowy forest",
            "characters": {"the sleepy bear": ""},
        },
    ),
    (
        "帮我设计一个角色：一个喜欢发明东西的十岁女孩，叫朵朵，日漫风格",
        {"task": "character", "style": "anime", "characters": {"朵朵": "女孩"}},
    ),
    (
        "写一个关于孙悟空大闹天宫的动画短片，三分钟，适合小学生",
        {
            "genre": "fantasy",
            "audience": "children",
            "length_s": 180.0,
            "characters": {"孙悟空": ""},
        },
    ),
    (
        "An epic fantasy adventure on a rocky island at dawn, for adults, square",
        {
            "genre": "fantasy",
            "moods": ["epic"],
            "audience": "adults",
            "aspect": "1:1",
            "time_of_day": "dawn",
            "setting": "a rocky island",
        },
    ),
]


def _check(text: str, expected: dict[str, object]) -> None:
    r = read(text)
    for field, want in expected.items():
        if field == "task":
            assert r.intent.task == want, field
        elif field == "genre":
            assert r.intent.genre == want, field
        elif field == "characters":
            got = {c.name: c.description for c in r.characters}
            assert isinstance(want, dict)
            for name, description in want.items():
                assert name in got, (name, got)
                assert got[name] == description, (name, got)
        else:
            assert getattr(r, field) == want, (field, getattr(r, field))


@pytest.mark.parametrize(("text", "expected"), TABLE, ids=[t[:30] for t, _ in TABLE])
def test_the_table_of_requests_is_read(text: str, expected: dict[str, object]) -> None:
    _check(text, expected)


def test_the_audience_is_not_a_character() -> None:
    r = read("给孩子们讲一个小狐狸的故事")
    assert r.audience == "children"
    assert "孩子" not in {c.name for c in r.characters}


def test_a_name_after_its_noun_is_one_character() -> None:
    r = read("做一个关于钟表匠老周的故事")
    assert [(c.name, c.description) for c in r.characters] == [("老周", "钟表匠")]


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("a 90-second film", 90),
        ("two minutes long", 120),
        ("a one-minute clip", 60),
        ("half a minute", 30),
        ("1.5 min", 90),
        ("一分半钟", 90),
        ("半分钟", 30),
        ("两分钟的视频", 120),
        ("45秒", 45),
        ("a film about the 80s", None),
        ("3 hours", 3 * 3600),
    ],
)
def test_lengths(text: str, seconds: float | None) -> None:
    assert read_length(text) == seconds


def test_a_named_mood_turned_down_is_not_a_mood() -> None:
    r = read("a ghost story, but not too scary and a bit funny")
    assert "scary" in r.moods_not and "scary" not in r.moods
    assert "funny" in r.moods


def test_two_frames_and_two_eras_are_both_kept() -> None:
    r = read("medieval knights on a spaceship in the far future, vertical and 16:9")
    assert set(r.aspects_named) == {"9:16", "16:9"}
    assert len(r.eras_named) >= 2


def test_reading_is_deterministic() -> None:
    text = "给孩子们做一个60秒的科幻短片，讲灯塔看守人老周和他的机器人"
    assert read(text) == read(text)


def test_moods_and_festivals_are_not_names() -> None:
    r = read("做一个关于妈妈的温馨视频，母亲节用，一分钟")
    assert [c.name for c in r.characters] == ["妈妈"]
    assert r.moods == ["warm"] and r.length_s == 60.0
