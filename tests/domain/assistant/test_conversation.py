"""Turns of the assistant: the brief built, refined over turns, checked, and the plan."""

from __future__ import annotations

import pytest

from storyreel.domain.assistant.conversation import (
    brief_text,
    plan_aspect,
    plan_length,
    plan_music,
    plan_style,
    reply,
    start,
)
from storyreel.domain.assistant.model import Conversation
from storyreel.domain.assistant.templates import TemplateLibrary

LIB = TemplateLibrary.builtin()


def talk(*messages: str) -> Conversation:
    c = start(messages[0], LIB)
    for m in messages[1:]:
        c = reply(c, m, LIB)
    return c


def fields(c: Conversation, kind: str) -> list[str]:
    return [i.field for i in c.issues if i.kind == kind]


def test_a_first_request_builds_the_brief_and_asks_what_is_missing() -> None:
    c = talk("a 60-second sci-fi short about a lighthouse keeper's robot, warm, for children")
    b = c.brief
    assert (b.task, b.genre, b.language, b.length_s, b.audience) == (
        "video",
        "scifi",
        "en",
        60.0,
        "children",
    )
    lead = [ch for ch in b.characters if ch.role == "lead"]
    assert [ch.name for ch in lead] == ["the robot"]
    assert b.template is not None and (b.template.id, b.template.version) == ("scifi", 1)
    assert fields(c, "missing") == ["goal"]
    assert c.asked == ["goal"]
    assert "What does the lead want" in c.turns[-1].text


def test_refinements_change_the_brief_and_say_what_changed() -> None:
    c = talk(
        "a 60-second sci-fi short about a lighthouse keeper's robot, warm, for children",
        "make it darker",
        "add a cat",
        "call the robot Bolt",
        "30 seconds",
    )
    b = c.brief
    assert b.moods == ["dark"]  # "darker" drops the opposed "warm"
    assert "Bolt" in [ch.name for ch in b.characters]
    assert "the cat" in [ch.name for ch in b.characters]
    assert b.length_s == 30.0
    # Dark for children is a contradiction, asked first; 30 s for three characters is another.
    assert fields(c, "contradiction")[:1] == ["audience"]
    assert "characters" in fields(c, "contradiction")
    assert c.turns[-2].changes == ["length: 30 seconds"]
    c = reply(c, "remove the cat", LIB)
    assert "the cat" not in [ch.name for ch in c.brief.characters]
    assert "Bolt" in [ch.name for ch in c.brief.characters]


def test_a_short_answer_fills_the_question_asked() -> None:
    c = talk("a fairy tale about a brave little fox")
    assert c.asked[0] == "setting"
    c = reply(c, "A snowy forest.", LIB)
    assert c.brief.setting and "forest" in c.brief.setting


def test_chinese_conversation() -> None:
    c = talk(
        "给孩子们做一个60秒的科幻短片，讲灯塔看守人老周和他的机器人，温暖一点",
        "再黑暗一点，加一只猫",
        "机器人叫小铁",
        "竖屏",
        "去掉猫",
    )
    b = c.brief
    assert b.language == "zh"
    names = [ch.name for ch in b.characters]
    assert "小铁" in names and "老周" in names and "猫" not in names
    assert b.moods == ["dark"] and b.aspect == "9:16"
    assert c.turns[-1].text.startswith("已修改：去掉了猫。一部1分钟的科幻短片")
    assert "是改成适合孩子的温和版本" in c.turns[-1].text
    assert c.turns[-2].changes == ["去掉了猫"]


def test_contradictions_in_one_request() -> None:
    c = talk(
        "A horror film for kids with lots of gore, medieval knights in the far future, "
        "vertical and 16:9"
    )
    assert {"aspect", "audience", "era"} <= set(fields(c, "contradiction"))
    assert len(c.asked) == 2  # at most two questions at once


def test_time_travel_joins_two_eras() -> None:
    c = talk("a time travel story: a medieval knight wakes up in the far future")
    assert "era" not in fields(c, "contradiction")


def test_acknowledgements_change_nothing_and_other_wishes_are_kept_as_notes() -> None:
    c = talk("a comedy about two penguins in a zoo who want to escape")
    before = c.brief
    c = reply(c, "ok", LIB)
    assert c.brief == before
    c = reply(c, "and please end with a twist", LIB)
    assert c.brief.notes == ["and please end with a twist"]


def test_a_genre_change_switches_the_template() -> None:
    c = talk("a short film about a baker in a small town", "make it a mystery instead")
    assert c.brief.genre == "mystery"
    assert c.brief.template is not None and c.brief.template.id == "mystery"


def test_plan_fills_what_the_brief_leaves_open() -> None:
    c = talk("a bedtime fable about a fox and a crane")
    b = c.brief
    template = LIB.choose(b.task, b.genre)
    assert plan_length(b, template) == template.default_length_s
    assert plan_style(b, template) == "childrens_book"
    assert plan_aspect(b) == "16:9"
    assert plan_music(b, template) == "calm"  # the fable's warm default
    text = brief_text(b, template)
    assert "Beats:" in text and "1. Once upon a time" in text


@pytest.mark.parametrize("message", ["", "   "])
def test_an_empty_message_is_refused(message: str) -> None:
    with pytest.raises(ValueError, match="empty"):
        start(message, LIB)


def test_the_state_round_trips_through_json() -> None:
    c = talk("给孩子们讲一个狐狸的童话", "在森林里")
    again = Conversation.model_validate_json(c.model_dump_json())
    assert again == c
    assert reply(again, "加一只兔子", LIB) == reply(c, "加一只兔子", LIB)
