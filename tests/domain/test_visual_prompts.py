"""Each shot's picture prompt in the form and language its model family reads, with a negative
prompt only where the family takes one, and a score that says what is missing."""

from __future__ import annotations

import re

import pytest

from storyreel.domain.storyboard import Character, Shot, Storyboard
from storyreel.domain.visual_prompts import build_visual_prompt, estimate_tokens
from storyreel.domain.visual_words import FAMILIES

CJK = re.compile(r"[\u3400-\u9fff]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")

# What the offline writer makes of an English and a Chinese story (the rules writer).
EN = Storyboard(
    title="The fox",
    language="en",
    style="watercolor",
    characters=[
        Character(
            id="red-fox",
            name="the red fox",
            description="a red fox. A red fox lived at the edge of a snowy forest.",
        ),
        Character(id="old-owl", name="the old owl", description="an old owl. It met the fox."),
    ],
    shots=[
        Shot(
            id="dusk",
            narration="One evening at dusk, the fox met an old owl on a pine branch.",
            visual_prompt="watercolor painting, soft washes, paper texture, gentle light. Wide "
            "establishing shot of the edge of a snowy forest, with a red fox and an old owl. "
            "One evening at dusk, the fox met an old owl on a pine branch. Exterior, dusk, "
            "golden hour light, calm, peaceful atmosphere.",
            negative_prompt="blurry, low quality, watermark, hard edges, photograph",
            shot_type="wide",
            camera_motion="pan_left",
            characters=["red-fox", "old-owl"],
            setting="the edge of a snowy forest",
            mood="calm",
            time_of_day="dusk",
        ),
    ],
)
ZH = Storyboard(
    title="白鹤",
    language="zh",
    style="watercolor",
    characters=[
        Character(id="crane", name="白鹤", description="白鹤 (a white crane). 一只白鹤住在湖边。"),
        Character(id="fox", name="小狐狸", description="小狐狸 (a small fox). 白鹤遇见了小狐狸。"),
        Character(id="li", name="李明", description="a thin young scholar in a faded blue robe"),
    ],
    shots=[
        Shot(
            id="lake",
            narration="一天傍晚，白鹤遇见了一只小狐狸。",
            visual_prompt="watercolor painting, soft washes, paper texture, gentle light. Wide "
            "establishing shot of 湖边 (lakeshore), with 白鹤 (a white crane) and 小狐狸 (a "
            "small fox). 一天傍晚，白鹤遇见了一只小狐狸。 Exterior, dusk, golden hour light, "
            "calm, peaceful atmosphere.",
            negative_prompt="blurry, low quality, watermark",
            shot_type="wide",
            camera_motion="zoom_in",
            characters=["crane", "fox"],
            setting="湖边",
            mood="calm",
            time_of_day="dusk",
        ),
        # An LLM's storyboard of a Chinese story: English visuals, a Chinese name in them.
        Shot(
            id="flute",
            narration="李明吹笛。",
            visual_prompt="Close-up of 李明 playing his flute on a rock by the river.",
            shot_type="close_up",
            characters=["li"],
            setting="rocky riverbank",
            time_of_day="night",
        ),
    ],
)

SHOTS = [(EN, "dusk"), (ZH, "lake"), (ZH, "flute")]
# Words each prompt must carry: its subject, setting, time of day and framing.
EXPECTED = {
    ("dusk", "en"): ["red fox", "snowy forest", "dusk", "wide"],
    ("lake", "en"): ["white crane", "lakeshore", "dusk", "wide"],
    ("lake", "zh"): ["白鹤", "湖边", "黄昏", "远景"],
    ("flute", "en"): ["young scholar", "riverbank", "night", "close-up"],
}


@pytest.mark.parametrize("family", ["sd", "sdxl", "flux", "dalle", "qwen"])
@pytest.mark.parametrize(("board", "shot_id"), SHOTS, ids=[s for _, s in SHOTS])
def test_every_family_gets_one_language_and_the_shots_essentials(
    board: Storyboard, shot_id: str, family: str
) -> None:
    shot = next(s for s in board.shots if s.id == shot_id)
    prompt = build_visual_prompt(board, shot, family)
    if family != "qwen":
        assert prompt.language == "en"
    if prompt.language == "en":
        assert not CJK.search(prompt.text), prompt.text
        assert not CJK.search(prompt.negative)
    else:
        assert not LATIN_WORD.search(prompt.text), prompt.text
    for word in EXPECTED[(shot_id, prompt.language)]:
        assert word in prompt.text.lower(), (word, prompt.text)
    assert "mixed_languages" not in {i.code for i in prompt.issues}


@pytest.mark.parametrize("family", ["sd", "sdxl"])
def test_sd_families_get_tags_within_clip_and_a_negative_prompt(family: str) -> None:
    prompt = build_visual_prompt(EN, EN.shots[0], family)
    tags = prompt.text.split(", ")
    assert tags[:2] == ["masterpiece", "best quality"]
    assert "red fox" in tags and "dusk" in tags and "wide shot" in tags
    assert "watercolor painting" in tags
    assert "." not in prompt.text  # tags, not sentences
    assert estimate_tokens(prompt.text) <= 75
    assert "watermark" in prompt.negative and "hard edges" in prompt.negative


@pytest.mark.parametrize("family", ["flux", "dalle", "qwen"])
def test_sentence_families_get_prose_and_no_negative_prompt(family: str) -> None:
    prompt = build_visual_prompt(EN, EN.shots[0], family)
    assert prompt.text.startswith("Wide establishing shot of the edge of a snowy forest")
    assert prompt.text.endswith(".") and prompt.text.count(". ") >= 3
    assert "A watercolor painting" in prompt.text
    assert prompt.negative == ""
    # DALL·E's API takes no negative prompt: what to avoid is said in the prose.
    assert ("Avoid " in prompt.text) is (family == "dalle")


def test_qwen_speaks_chinese_for_a_chinese_shot_and_english_for_english_visuals() -> None:
    lake = build_visual_prompt(ZH, ZH.shots[0], "qwen")
    assert lake.language == "zh"
    assert "一天傍晚，白鹤遇见了一只小狐狸。" in lake.text  # the narration is the intent
    assert lake.score == 100
    flute = build_visual_prompt(ZH, ZH.shots[1], "qwen")
    assert flute.language == "en"
    assert "李明" not in flute.text and "young scholar playing his flute" in flute.text


def test_chinese_without_a_gloss_is_left_out_and_costs_points() -> None:
    prompt = build_visual_prompt(ZH, ZH.shots[0], "flux")
    assert "遇见" not in prompt.text
    (issue,) = [i for i in prompt.issues if i.code == "untranslated_text"]
    assert "一天傍晚" in issue.message
    assert prompt.score == 100 - issue.points


def test_the_score_names_what_is_missing() -> None:
    bare = Storyboard(
        title="t",
        language="en",
        style="cinematic",
        characters=[Character(id="mara", name="Mara")],
        shots=[Shot(id="a", narration="n", visual_prompt="Mara waits.", characters=["mara"])],
    )
    prompt = build_visual_prompt(bare, bare.shots[0], "sdxl")
    codes = {i.code: i.points for i in prompt.issues}
    assert codes == {"missing_setting": 15, "missing_time_of_day": 10, "undescribed_character": 10}
    assert prompt.score == 65
    assert "Mara" in next(i.message for i in prompt.issues if i.code == "undescribed_character")
    report = prompt.report()
    assert report["prompt_score"] == 65 and report["prompt_family"] == "sdxl"
    assert {r["code"] for r in report["prompt_reasons"]} == set(codes)


def test_a_shot_with_nothing_to_draw_is_missing_its_subject() -> None:
    board = Storyboard(
        title="t",
        language="zh",
        style="cinematic",
        shots=[Shot(id="a", narration="n", visual_prompt="他想了很久。")],
    )
    codes = {i.code for i in build_visual_prompt(board, board.shots[0], "sdxl").issues}
    assert {"missing_subject", "untranslated_text"} <= codes


def test_a_prompt_past_clips_budget_is_trimmed_then_marked_too_long() -> None:
    things = "boats nets gulls ropes crates lanterns sails barrels anchors masts flags crabs"
    long = ", ".join(f"weathered {thing} along the old stone quay" for thing in things.split())
    board = Storyboard(
        title="t",
        language="en",
        style="cinematic",
        shots=[
            Shot(
                id="a",
                narration="n",
                visual_prompt=f"A harbour. {long}.",
                setting="harbour",
                time_of_day="day",
                mood="calm",
                camera_motion="zoom_in",
            )
        ],
    )
    prompt = build_visual_prompt(board, board.shots[0], "sd")
    codes = {i.code for i in prompt.issues}
    assert "trimmed" in codes
    assert "centered composition" not in prompt.text  # the most expendable went first
    budget = FAMILIES["sd"].token_budget
    assert budget is not None
    assert ("too_long" in codes) is (estimate_tokens(prompt.text) > budget)


def test_plain_keeps_the_storyboards_own_prompt() -> None:
    prompt = build_visual_prompt(ZH, ZH.shots[0], "plain")
    assert prompt.text.startswith(ZH.shots[0].visual_prompt.rstrip("."))
    assert "白鹤: 白鹤 (a white crane)" in prompt.text
    assert prompt.negative == ZH.shots[0].negative_prompt
