"""Beings, places and times found in single sentences and whole stories (English and Chinese)."""

from __future__ import annotations

import pytest

from storyreel.domain.entities import extract, find_places, to_ing
from storyreel.domain.names import find_characters
from storyreel.domain.text import split_sentences
from tests.stories import EN1, EN_KEEPER, ZH1, ZH_KEEPER

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


# --- what a character is: short role phrases, never the sentence that brings it in -----------


def test_an_appositive_says_what_a_named_character_is() -> None:
    found = extract(split_sentences(EN_KEEPER))
    assert [(b.name, b.role, b.description) for b in found.cast] == [
        ("Ada", "lighthouse keeper", "Ada (a lighthouse keeper)"),
        ("Tom", "fisherman", "Tom (a fisherman)"),  # "a fisherman's boat" is his too
    ]
    ada, tom = 0, 1
    assert [f.subject for f in found.sentences][:4] == [ada, None, ada, tom]
    assert found.sentences[1].beings == (tom,)
    assert found.sentences[4].beings == (tom, ada)  # "brought her": the fisherman is no "her"
    assert found.sentences[0].action == "climbing the stairs every evening to light the lamp"


def test_chinese_roles_written_before_a_name() -> None:
    found = extract(split_sentences(ZH_KEEPER))
    assert [(b.name, b.role, b.description) for b in found.cast] == [
        ("阿福", "老渔夫", "阿福 (老渔夫, an old fisherman)"),
        ("老周", "钟表匠", "老周 (钟表匠, a clockmaker)"),
    ]


@pytest.mark.parametrize(
    ("story", "name", "role"),
    [
        ("Tom, an old fisherman, mended his nets. Tom sang.", "Tom", "old fisherman"),
        ("Tomas was an old clockmaker. Tomas slept.", "Tomas", "old clockmaker"),
        ("老周是镇上的木匠。老周笑了。", "老周", "木匠"),
        ("Ada, the lighthouse keeper, lit the lamp. Ada slept.", "Ada", "lighthouse keeper"),
        ("The old clockmaker, Tomas, wound the clocks. He smiled.", "Tomas", "old clockmaker"),
        ("A girl named Rosa came in. Rosa sat by the stove.", "Rosa", "girl"),
        ("The village doctor, Anna, knocked. Anna waited.", "Anna", "village doctor"),
        ("The butcher's boy, Fritz, ran past. Fritz waved.", "Fritz", "butcher's boy"),
        ("镇上的铁匠老李每天都在铺子里打铁。老李笑了。", "老李", "铁匠"),
        ("一天，修鞋匠老王来到村口。老王坐下了。", "老王", "修鞋匠"),
        ("小女孩阿月提着水桶。阿月笑了。", "阿月", "小女孩"),
        ("她的孙子小明在学校里上课。小明跑到河边。", "小明", "孙子"),
    ],
)
def test_role_phrases_in_english_and_chinese(story: str, name: str, role: str) -> None:
    found = extract(split_sentences(story))
    being = next(b for b in found.cast if b.name == name)
    assert being.role == role
    assert role in being.description
    assert len(being.description) <= len(name) + len(role) + 20  # a phrase, not a sentence


@pytest.mark.parametrize(
    ("story", "description"),
    [
        # A state is kept, up to where its clause ends...
        (
            "Mara lived at the edge of the harbor, in a white house. Mara sang.",
            "Mara lived at the edge of the harbor",
        ),
        ("林晓住在海边的小镇上。林晓笑了。", "林晓住在海边的小镇上"),
        # ...an action never is: nothing is better than a sentence to act out in every shot.
        ("Ada climbed the stairs every evening to light the lamp. Ada slept.", ""),
        ("钟声响了，老周连忙点亮了灯。老周笑了。", ""),
        (
            "Far out on the water, Captain Ellis fought the wheel. Ellis shouted.",
            "Captain Ellis (a captain)",
        ),
    ],
)
def test_with_no_role_the_description_is_a_state_or_nothing(story: str, description: str) -> None:
    (being,) = extract(split_sentences(story)).cast
    assert being.description == description


# --- where: the place of each sentence, whoever it is about ----------------------------------


@pytest.mark.parametrize(
    ("sentence", "place", "indoor"),
    [
        ("One stormy night a fisherman's boat drifted toward the rocks.", "the rocks", False),
        # Seen from somewhere is being there; a light swung toward somewhere is not going there.
        (
            "Ada saw it from the lantern room and swung the light toward the harbour.",
            "the lantern room",
            True,
        ),
        ("The seal watched her from the rocks.", "the rocks", False),
        ("He threw a stone into the lake.", None, None),
        ("He carried the cat into the house.", "the house", True),
        ("She came from the village.", None, None),
        ("Tom went home.", "home", None),
        # A possessive says whose the place is; the picture draws the place.
        ("They ate breakfast together in her kitchen.", "the kitchen", True),
        ("阿福的小船被吹到了礁石边。", "礁石边", False),
        ("他们在他的店里吃了早饭。", "店里", True),
        ("王阿姨在自己的厨房里做饭。", "厨房里", True),
    ],
)
def test_places_of_sentences(sentence: str, place: str | None, indoor: bool | None) -> None:
    (facts,) = extract([sentence], min_mentions=1).sentences
    found = facts.place if facts.place and not facts.weak_place else None
    assert (found.phrase if found else None) == place
    if found is not None:
        assert found.indoor is indoor


@pytest.mark.parametrize(
    ("sentence", "spot"),
    [("His wife sat at her desk.", "the desk"), ("她坐在她的书桌前。", "书桌前")],
)
def test_a_possessive_spot_is_the_thing_itself(sentence: str, spot: str) -> None:
    _, found, _ = find_places(sentence)
    assert found is not None and found.phrase == spot


def test_each_sentence_of_the_keeper_story_is_where_it_says() -> None:
    facts = extract(split_sentences(EN_KEEPER)).sentences
    assert [(f.place.phrase if f.place else None) for f in facts] == [
        None,
        "the rocks",
        "the lantern room",
        "the shore",
        "the kitchen",
    ]
    last = facts[-1]
    assert last.place is not None and last.place.indoor is True
    assert (last.time, last.time_jump) == ("day", True)  # "In the morning"
    zh = extract(split_sentences(ZH_KEEPER)).sentences
    assert [(f.place.phrase if f.place else None) for f in zh] == [
        None,
        "礁石边",
        "灯塔上",
        "港口",
        "老周的店里",
    ]
    assert (zh[-1].time, zh[-1].place.indoor if zh[-1].place else None) == ("day", True)


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
