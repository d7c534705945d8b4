"""Scene, place, time, mood and dialogue cues in English and Chinese."""

from __future__ import annotations

import pytest

from storyreel.domain import cues


@pytest.mark.parametrize(
    "sentence",
    [
        "The next day the harbor was quiet.",
        "Later that night, she woke.",
        "Meanwhile, Ellis fought the storm.",
        "Years later, the children still tell the story.",
        "At the top of the tower, Mara paused.",
        "When they reached the gate, it was locked.",
        "第二天清晨，海上起了雾。",
        "几年后，小镇修好了灯塔。",
        "林晓回到了家。",
        "“与此同时，”他说。",
    ],
)
def test_scene_transitions(sentence: str) -> None:
    assert cues.is_scene_transition(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Mara smiled at him.",
        "She looked at the sea.",
        "林晓看到了灯塔。",
        "他想了很久，后来才说话。",
    ],
)
def test_not_scene_transitions(sentence: str) -> None:
    assert not cues.is_scene_transition(sentence)


def test_time_and_place_transitions_are_told_apart() -> None:
    assert cues.is_time_transition("Years later, they met.")
    assert not cues.is_time_transition("At the gate, they met.")
    assert cues.is_place_transition("At the gate, they met.")


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("Mara walked down to the pier with a basket of bread.", "the pier"),
        ("He lived at the edge of the harbor, near the sea.", "the edge of the harbor"),
        ("She held it in her hands.", None),
        ('"Meet me at the station," she said.', None),
        ("林晓住在海边的小镇上。", "海边的小镇上"),
        ("王老师在黑板上画了一座灯塔。", "黑板上"),
        ("他们来到那座废弃的灯塔前。", "废弃的灯塔前"),
        ("他正在想心事。", None),
    ],
)
def test_find_place(text: str, place: str | None) -> None:
    assert cues.find_place(text) == place


@pytest.mark.parametrize(
    ("text", "time"),
    [
        ("That night a storm rolled in.", "night"),
        ("The sun rose; it was dawn.", "dawn"),
        ("At dusk the lamps were lit.", "dusk"),
        ("第二天清晨，海上起了雾。", "dawn"),
        ("傍晚，她们回到了小镇。", "dusk"),
        ("那天晚上，林晓睡不着。", "night"),
        ("The next morning was bright.", "day"),
        ('"You saved them last night," he said.', None),
        ("She opened the box.", None),
    ],
)
def test_time_of_day(text: str, time: str | None) -> None:
    assert cues.time_of_day(text) == time


@pytest.mark.parametrize(
    ("text", "mood"),
    [
        ("She cried until the tears ran dry.", "sad"),
        ("Danger! They fled from the storm.", "tense"),
        ("They laughed and danced all night.", "joyful"),
        ("A strange shadow moved in the fog.", "mysterious"),
        ("他们高兴地唱起歌。", "joyful"),
        ("林晓哭了，眼泪掉了下来。", "sad"),
        ("He opened the box.", None),
    ],
)
def test_mood(text: str, mood: str | None) -> None:
    assert cues.mood_of(text) == mood


def test_dialogue_emotion_and_attribution() -> None:
    assert cues.has_dialogue('"Not tonight," she whispered.')
    assert cues.has_dialogue("她问：“你害怕吗？”")
    assert cues.has_dialogue("「走吧。」")
    assert not cues.has_dialogue("She walked home.")
    assert cues.is_emotional("Mara trembled.")
    assert cues.is_emotional("她的心跳得很快。")
    assert not cues.is_emotional("The ship turned.")
    assert cues.is_attribution("Captain Ellis shouted.")
    assert cues.is_attribution("林晓喊道。")
    assert not cues.is_attribution("Captain Ellis shouted at the crew until his voice was gone.")
