"""Beings, places and times found in single sentences and whole stories (English and Chinese)."""

from __future__ import annotations

import pytest

from storyreel.domain.entities import extract, find_places, to_ing
from storyreel.domain.names import find_characters
from storyreel.domain.text import split_sentences
from tests.stories import EN1, ZH1

# sentence -> (beings, place phrase, indoor, time of day)
TABLE: list[tuple[str, list[str], str | None, bool | None, str | None]] = [
    (
        "Every night, the old clockmaker worked at the bench in his clock shop.",
        ["the old clockmaker"],
        "the clock shop",
        True,
        "night",
    ),
    ("One winter evening a red fox slipped in.", ["the red fox"], None, None, "dusk"),
    ("The fox ran out into the green hills.", ["the fox"], "the green hills", False, None),
    ("At dawn the old man walked along the beach.", ["the old man"], "the beach", False, "dawn"),
    ("A little girl sat in the kitchen.", ["the little girl"], "the kitchen", True, None),
    ("The boy waited outside the school.", ["the boy"], "the school", False, None),
    ("The children ran into the classroom.", [], "the classroom", True, None),
    ("She lit a candle in the workshop.", [], "the workshop", True, None),
    ("清晨，白鹤落在村口的池塘边。", ["白鹤"], "村口的池塘边", False, "dawn"),
    ("傍晚，妈妈在厨房里做饭。", ["妈妈"], "厨房里", True, "dusk"),
    ("夜里，老人坐在屋里。", ["老人"], "屋里", True, "night"),
    ("一只小狐狸来到山顶上。", ["小狐狸"], "山顶上", False, None),
    ("那座废弃的灯塔前站着一个小女孩。", ["小女孩"], "灯塔前", False, None),
    ("他们走进教室。", [], "教室", True, None),
]


@pytest.mark.parametrize(("sentence", "beings", "place", "indoor", "time"), TABLE)
def test_a_sentence_says_who_where_and_when(
    sentence: str, beings: list[str], place: str | None, indoor: bool | None, time: str | None
) -> None:
    found = extract([sentence], min_mentions=1)
    (facts,) = found.sentences
    assert [found.cast[b].name for b in facts.beings] == beings
    where = facts.place
    assert (where.phrase if where else None) == place
    if where is not None:
        assert where.indoor is indoor
    assert facts.time == time


@pytest.mark.parametrize(
    ("sentence", "spot", "indoor"),
    [
        ("The fox slept by the warm stove.", "the warm stove", True),
        ("Tomas worked at the workbench.", "the workbench", True),
        ("夜里，她把羽毛放在窗台上。", "窗台上", True),
        ("A fox slipped in through the back door.", "the back door", None),
    ],
)
def test_things_in_a_room_are_spots(sentence: str, spot: str, indoor: bool | None) -> None:
    _, found, _ = find_places(sentence)
    assert found is not None
    assert (found.phrase, found.indoor) == (spot, indoor)


def test_a_lamp_or_a_candle_implies_night_and_a_season_opening_jumps_in_time() -> None:
    facts = extract(["She read by the candle.", "In spring, the snow melted."]).sentences
    assert facts[0].implied_night and facts[0].time is None
    assert (facts[1].season, facts[1].time_jump) == ("spring", True)
    assert extract(["冬天的夜里，炉火很暖。"]).sentences[0].season == "winter"


def test_unnamed_beings_recur_by_noun_and_pronoun() -> None:
    sentences = split_sentences(EN1)
    found = extract(sentences)
    assert [(b.name, b.look, b.kind) for b in found.cast] == [
        ("Tomas", "Tomas (an old man)", "person"),
        ("the red fox", "a red fox", "animal"),
    ]
    tomas, fox = 0, 1
    who = [(f.beings, f.subject) for f in found.sentences]
    assert who == [
        ((tomas,), tomas),
        ((), None),  # "its walls": the shop's, nobody's
        ((fox,), fox),
        ((fox, tomas), fox),  # "watched him": Tomas
        ((tomas, fox), tomas),  # "gave it": the fox
        ((fox, tomas), fox),
        ((tomas, fox), tomas),
    ]
    assert found.sentences[2].action == "slipping in through the back door"
    assert found.sentences[3].action == "watching Tomas with bright eyes"


def test_chinese_beings_appositive_names_and_it() -> None:
    found = extract(split_sentences(ZH1))
    assert [(b.name, b.kind, b.gender) for b in found.cast] == [
        ("白鹤", "animal", "it"),
        ("阿月", "person", "she"),
    ]
    assert "white crane" in found.cast[0].look
    assert "小女孩" in found.cast[1].look
    crane, ayue = 0, 1
    assert [f.subject for f in found.sentences] == [crane, ayue, ayue, ayue, ayue]
    # "看它" is the crane; "月光照着它" is the feather put on the sill, not the crane.
    assert found.sentences[2].beings == (ayue, crane)
    assert found.sentences[4].beings == (ayue,)


def test_two_beings_of_one_kind_stay_apart_by_their_looks() -> None:
    found = extract(
        split_sentences(
            "A white rabbit and a black rabbit lived in the meadow. The white rabbit dug. "
            "The black rabbit slept."
        )
    )
    assert [b.name for b in found.cast] == ["the white rabbit", "the black rabbit"]


def test_a_title_joins_its_name_and_laozhou_is_zhou_shifu() -> None:
    found = extract(split_sentences("王老师走进教室。老师笑了。王老师说：“好。”"))
    assert [(b.name, b.mentions) for b in found.cast] == [("王老师", 3)]
    names = find_characters(split_sentences("老周在作坊里。大家看着老周。周师傅笑了。"))
    assert [(f.name, f.aliases) for f in names] == [("老周", ("老周", "周师傅"))]


@pytest.mark.parametrize(
    ("word", "ing"),
    [
        ("slipped", "slipping"),
        ("watched", "watching"),
        ("ran", "running"),
        ("smiled", "smiling"),
        ("carried", "carrying"),
        ("runs", "running"),
        ("opened", "opening"),
        ("red", ""),
        ("was", ""),
    ],
)
def test_verbs_become_ing_forms(word: str, ing: str) -> None:
    assert to_ing(word) == ing
