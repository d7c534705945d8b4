"""Word tables for image prompts: how each model family is asked, and the words for shot types,
times of day, moods, camera moves and styles in English tags, English sentences and Chinese.

One table per rule, read by ``storyreel.domain.visual_prompts`` (and, through the task result,
by the API and the studio): changing how a family is prompted starts here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

#: How an image model wants to be asked. "plain" is the storyboard's own prompt, unchanged (the
#: offline sketch prints it as its caption).
PromptFamily = Literal["plain", "sd", "sdxl", "flux", "dalle", "qwen"]
PROMPT_FAMILIES: tuple[str, ...] = PromptFamily.__args__  # type: ignore[attr-defined]
PromptLanguage = Literal["en", "zh"]


@dataclass(frozen=True)
class FamilyRules:
    """How one family is prompted."""

    form: Literal["plain", "tags", "sentences"]
    #: Languages its text encoder reads, the preferred first.
    languages: tuple[PromptLanguage, ...]
    #: Whether it takes a negative prompt (classifier-free guidance against it).
    negative: bool
    #: Roughly how many tokens it reads; past that the text is cut off or ignored.
    token_budget: int | None
    #: What the budget is, for the score's reason.
    encoder: str = ""
    quality_tags: tuple[str, ...] = ()
    #: Fold the negative prompt into the prose as "Avoid ..." (APIs with no negative field
    #: whose model reads instructions).
    avoid_in_prose: bool = False


FAMILIES: dict[str, FamilyRules] = {
    "plain": FamilyRules("plain", ("zh", "en"), True, None),
    # CLIP ViT-L (and OpenCLIP bigG for SDXL) read 77 tokens: 75 besides start and end.
    "sd": FamilyRules(
        "tags", ("en",), True, 75, "CLIP's 77 tokens", ("masterpiece", "best quality")
    ),
    "sdxl": FamilyRules(
        "tags", ("en",), True, 75, "CLIP's 77 tokens", ("masterpiece", "best quality")
    ),
    # T5-XXL: FLUX.1-schnell reads 256 tokens (dev 512).
    "flux": FamilyRules("sentences", ("en",), False, 256, "T5's 256 tokens (FLUX.1-schnell)"),
    # dall-e-3 takes 4,000 characters (about 1,000 tokens); gpt-image-1 more.
    "dalle": FamilyRules(
        "sentences", ("en",), False, 1000, "DALL·E 3's 4,000 characters", avoid_in_prose=True
    ),
    # Qwen2.5-VL reads both languages; the prompt is kept well under its context.
    "qwen": FamilyRules("sentences", ("zh", "en"), False, 512, "about 512 tokens"),
}


@dataclass(frozen=True)
class Words:
    """One idea as an SD tag, an English phrase for sentences, and Chinese."""

    tag: str
    en: str
    zh: str


SHOT_WORDS: dict[str, Words] = {
    "wide": Words("wide shot", "Wide establishing shot", "远景"),
    "medium": Words("medium shot", "Medium shot", "中景"),
    "close_up": Words("close-up", "Close-up", "特写"),
}

#: Times of day: the storyboard's values (dawn, day, dusk, night) and common synonyms, English
#: and Chinese, mapped to one of those four.
TIME_ALIASES: dict[str, str] = {
    "dawn": "dawn",
    "sunrise": "dawn",
    "morning": "dawn",
    "early morning": "dawn",
    "day": "day",
    "daytime": "day",
    "noon": "day",
    "midday": "day",
    "afternoon": "day",
    "dusk": "dusk",
    "sunset": "dusk",
    "evening": "dusk",
    "twilight": "dusk",
    "night": "night",
    "midnight": "night",
    "nighttime": "night",
    "黎明": "dawn",
    "清晨": "dawn",
    "早晨": "dawn",
    "早上": "dawn",
    "日出": "dawn",
    "白天": "day",
    "中午": "day",
    "下午": "day",
    "正午": "day",
    "傍晚": "dusk",
    "黄昏": "dusk",
    "日落": "dusk",
    "夜晚": "night",
    "夜里": "night",
    "晚上": "night",
    "深夜": "night",
    "半夜": "night",
    "夜": "night",
}
TIME_WORDS: dict[str, Words] = {
    "dawn": Words("dawn", "at dawn, in soft early light", "黎明时分，晨光熹微"),
    "day": Words("daytime", "in bright daylight", "白天，阳光明亮"),
    "dusk": Words("dusk", "at dusk, in golden hour light", "黄昏时分，夕阳余晖"),
    "night": Words("night", "at night, under moonlight", "夜晚，月光下"),
}
SEASON_WORDS: dict[str, Words] = {
    "spring": Words("spring", "in spring", "春天"),
    "summer": Words("summer", "in summer", "夏天"),
    "autumn": Words("autumn", "in autumn", "秋天"),
    "winter": Words("winter", "in winter", "冬天"),
}
MOOD_WORDS: dict[str, Words] = {
    "calm": Words("peaceful atmosphere", "The atmosphere is calm and peaceful.", "氛围宁静祥和。"),
    "tense": Words(
        "tense atmosphere", "The atmosphere is tense and dramatic.", "氛围紧张，富有戏剧性。"
    ),
    "joyful": Words("joyful atmosphere", "The atmosphere is joyful and warm.", "氛围欢快温暖。"),
    "sad": Words(
        "melancholy atmosphere", "The atmosphere is melancholy and somber.", "氛围忧伤低沉。"
    ),
    "epic": Words("epic atmosphere", "The atmosphere is epic and grand.", "氛围宏大壮阔。"),
    "mysterious": Words(
        "mysterious atmosphere", "The atmosphere is mysterious and moody.", "氛围神秘幽深。"
    ),
}
#: What a camera move over the still asks of its composition.
MOTION_WORDS: dict[str, Words] = {
    "zoom_in": Words(
        "centered composition",
        "The main subject is centred, with room around it for a slow push in.",
        "主体居中，四周留有推镜的空间。",
    ),
    "zoom_out": Words(
        "detailed surroundings",
        "The surroundings are detailed out to the edges for a slow pull back.",
        "画面四周细节丰富，便于镜头缓缓拉远。",
    ),
    "pan_left": Words(
        "panoramic composition",
        "The composition extends sideways for a slow pan.",
        "横向延展的构图，便于镜头平移。",
    ),
    "pan_right": Words(
        "panoramic composition",
        "The composition extends sideways for a slow pan.",
        "横向延展的构图，便于镜头平移。",
    ),
    "pan_up": Words(
        "vertical composition",
        "The composition has detail from top to bottom for a slow tilt.",
        "纵向延展的构图，便于镜头上下移动。",
    ),
    "pan_down": Words(
        "vertical composition",
        "The composition has detail from top to bottom for a slow tilt.",
        "纵向延展的构图，便于镜头上下移动。",
    ),
}

#: Each style preset (``storyreel.domain.styles``) as a sentence in English and in Chinese; its
#: tags are the preset's ``prompt_prefix``.
STYLE_SENTENCES: dict[str, tuple[str, str]] = {
    "cinematic": (
        "A cinematic film still with dramatic lighting and a shallow depth of field, on 35mm.",
        "电影剧照风格，戏剧性的光影，浅景深，35毫米胶片质感。",
    ),
    "anime": (
        "An anime-style illustration with clean cel shading, vibrant colors and a detailed "
        "background.",
        "日系动漫风格插画，干净的赛璐璐上色，色彩鲜明，背景细致。",
    ),
    "watercolor": (
        "A watercolor painting with soft washes, visible paper texture and gentle light.",
        "水彩画，柔和的晕染，纸张纹理，光线温柔。",
    ),
    "ink_wash": (
        "A Chinese ink wash painting in sumi-e style on rice paper, with generous empty space.",
        "中国水墨画，墨色浓淡相宜，宣纸质感，大片留白。",
    ),
    "comic": (
        "A comic book illustration with bold ink outlines, halftone shading and dynamic poses.",
        "美式漫画风格，粗犷的墨线，网点阴影，动感的姿势。",
    ),
    "photoreal": (
        "A photorealistic 50mm photograph in natural light, with high detail.",
        "写实摄影，50毫米镜头，自然光线，细节丰富。",
    ),
    "xianxia": (
        "A xianxia fantasy illustration with floating mountains, flowing silk robes and an "
        "ethereal glow.",
        "仙侠奇幻风格，悬浮的山峰，飘逸的丝绸长袍，空灵的光晕。",
    ),
    "childrens_book": (
        "A children's book illustration in gouache and crayon, warm and friendly.",
        "童书绘本插画，水粉与蜡笔，温暖友善。",
    ),
}

#: Phrases the storyboard writers put in a visual prompt's closing "atmosphere" sentence
#: ("Exterior, dusk, golden hour light, calm, peaceful atmosphere."): the prompt builders say
#: the same from the shot's fields, so such a sentence is not part of the shot's intent.
ATMOSPHERE_PHRASES = frozenset(
    [
        "interior",
        "exterior",
        "dawn light",
        "daylight",
        "dusk",
        "golden hour light",
        "night",
        "moonlight",
        "dawn light through the windows",
        "daylight through the windows",
        "evening light through the windows",
        "warm lamplight",
        "calm",
        "tense",
        "joyful",
        "melancholy",
        "epic",
        "mysterious",
        *SEASON_WORDS,
    ]
)
