"""Recurring characters found in English and Chinese stories, without common-word impostors."""

from __future__ import annotations

from pathlib import Path

from storyreel.domain.names import NameMatcher, find_characters
from storyreel.domain.text import split_sentences

FIXTURES = Path(__file__).parent.parent / "fixtures"


def names_in(text: str) -> list[str]:
    return [found.name for found in find_characters(split_sentences(text))]


def test_english_story_characters() -> None:
    sentences = split_sentences((FIXTURES / "story_en.txt").read_text(encoding="utf-8"))[1:]
    found = find_characters(sentences)
    assert [f.name for f in found] == ["Mara", "Captain Ellis"]
    ellis = found[1]
    assert ellis.aliases == ("Ellis",)  # "Ellis" alone also means the captain
    assert ellis.count == 3


def test_chinese_story_characters() -> None:
    sentences = split_sentences((FIXTURES / "story_zh.txt").read_text(encoding="utf-8"))
    assert [f.name for f in find_characters(sentences)] == ["林晓", "小雨", "王老师"]


def test_words_capitalised_only_at_sentence_starts_are_not_names() -> None:
    text = "Suddenly the door opened. Suddenly it shut. Then Tom ran. Then Tom hid. The end."
    assert names_in(text) == ["Tom"]


def test_a_place_is_not_a_character() -> None:
    text = (
        "She flew to Paris. In Paris, Anna met Leo. Paris was cold. Anna and Leo walked in Paris."
    )
    assert names_in(text) == ["Anna", "Leo"]


def test_full_names_and_titles_join_their_short_forms() -> None:
    text = (
        "Mara Vance opened the door. Later Mara smiled. The old man nodded at Vance. "
        "Mara Vance left. Dr. Chen arrived. Dr. Chen sat down, and Chen waved."
    )
    found = find_characters(split_sentences(text))
    assert [(f.name, f.aliases) for f in found] == [
        ("Mara Vance", ("Mara", "Vance")),
        ("Dr. Chen", ("Chen",)),
    ]


def test_chinese_full_names_titles_and_nicknames() -> None:
    assert names_in("王小明走进教室。大家看着王小明。王小明笑了。") == ["王小明"]
    assert names_in("老李笑着说：“来了。”阿福跑过去。老李点点头。阿福说：“好。”") == [
        "老李",
        "阿福",
    ]
    assert names_in("妈妈说：“吃饭了。”我没有动。妈妈说：“快来。”") == ["妈妈"]


def test_common_chinese_words_are_not_names() -> None:
    text = (
        "我们很高兴。他们马上就来。自己的事情自己做。我们知道什么时候走。"
        "周围的树很高。周围的人很多。大家说好。大家说走。一个人，一个梦。"
    )
    assert names_in(text) == []


def test_matcher_finds_mentions_in_order_by_any_alias() -> None:
    found = find_characters(
        split_sentences(
            "Mara Vance ran. Ellis waved at Mara. Captain Ellis laughed. 林晓说。林晓笑。"
        )
    )
    matcher = NameMatcher(found)
    names = [f.name for f in found]
    mentioned = [names[i] for i in matcher.mentions("Ellis saw Vance; 林晓 too. Marathon!")]
    assert mentioned == ["Captain Ellis", "Mara Vance", "林晓"]
    assert matcher.mentions("nobody here") == []
