"""Style presets: one look shared by every provider (prompt words, palette, typography)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class StylePreset(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    label: str
    label_zh: str
    description: str
    description_zh: str
    prompt_prefix: str = Field(description="Prepended to every visual prompt.")
    negative_prompt: str
    palette: tuple[str, ...] = Field(description="Hex colours, darkest to lightest.")
    typography: str = Field(description="A hint for on-screen text: family, weight, feel.")
    line_weight: float = Field(1.0, description="Sketch line thickness multiplier.")


_COMMON_NEGATIVE = "blurry, low quality, watermark, text artifacts, deformed hands, extra limbs"

STYLES: dict[str, StylePreset] = {
    s.name: s
    for s in (
        StylePreset(
            name="cinematic",
            label="Cinematic",
            label_zh="电影感",
            description="Film lighting, shallow depth of field, anamorphic framing.",
            description_zh="电影级光影，浅景深，宽银幕构图。",
            prompt_prefix="cinematic film still, dramatic lighting, shallow depth of field, 35mm",
            negative_prompt=f"{_COMMON_NEGATIVE}, cartoon, flat colors",
            palette=("#0b1320", "#1f3b4d", "#5b7a8c", "#c9a66b", "#f2e3c6"),
            typography="condensed sans serif, wide letter spacing, understated",
        ),
        StylePreset(
            name="anime",
            label="Anime",
            label_zh="日系动漫",
            description="Clean cel shading, bright skies, expressive characters.",
            description_zh="干净的赛璐璐上色，明亮的天空，表情丰富的角色。",
            prompt_prefix="anime style, cel shading, vibrant colors, detailed background",
            negative_prompt=f"{_COMMON_NEGATIVE}, photorealistic, 3d render",
            palette=("#1b1f3b", "#3d5a98", "#6fa8dc", "#ffd966", "#fff5e1"),
            typography="rounded bold sans serif",
            line_weight=1.2,
        ),
        StylePreset(
            name="watercolor",
            label="Watercolor",
            label_zh="水彩",
            description="Soft washes, paper texture, bleeding edges.",
            description_zh="柔和的晕染，纸张纹理，边缘自然渗化。",
            prompt_prefix="watercolor painting, soft washes, paper texture, gentle light",
            negative_prompt=f"{_COMMON_NEGATIVE}, hard edges, photograph",
            palette=("#33415c", "#5c7aa6", "#8fb8de", "#e8c4b8", "#fbf6ee"),
            typography="light humanist serif, italic accents",
            line_weight=0.8,
        ),
        StylePreset(
            name="ink_wash",
            label="Ink wash (水墨)",
            label_zh="水墨",
            description="Chinese ink painting: black ink, rice paper, empty space.",
            description_zh="中国水墨：墨色浓淡，宣纸质感，大片留白。",
            prompt_prefix="Chinese ink wash painting, sumi-e, rice paper, negative space",
            negative_prompt=f"{_COMMON_NEGATIVE}, saturated colors, photograph",
            palette=("#111111", "#3a3a3a", "#7a7a7a", "#b8b2a6", "#f1ece1"),
            typography="brush calligraphy, vertical where possible",
            line_weight=1.4,
        ),
        StylePreset(
            name="comic",
            label="Comic",
            label_zh="美漫",
            description="Bold ink outlines, halftone shading, punchy colours.",
            description_zh="粗犷的墨线，网点阴影，浓烈的色彩。",
            prompt_prefix="comic book art, bold ink outlines, halftone shading, dynamic pose",
            negative_prompt=f"{_COMMON_NEGATIVE}, photorealistic, muted colors",
            palette=("#1a1a2e", "#e94560", "#0f3460", "#f5c518", "#fdfdfd"),
            typography="heavy all-caps comic lettering",
            line_weight=1.6,
        ),
        StylePreset(
            name="photoreal",
            label="Photoreal",
            label_zh="写实摄影",
            description="Natural light, true-to-life detail, documentary feel.",
            description_zh="自然光线，逼真细节，纪实质感。",
            prompt_prefix="photorealistic, natural light, high detail, 50mm photograph",
            negative_prompt=f"{_COMMON_NEGATIVE}, illustration, painting, cartoon",
            palette=("#1c1c1c", "#4a4e4d", "#8a8f8c", "#c8b89a", "#efe9e1"),
            typography="neutral grotesque sans serif",
            line_weight=0.9,
        ),
        StylePreset(
            name="xianxia",
            label="Xianxia (仙侠)",
            label_zh="仙侠",
            description="Immortal heroes, floating peaks, flowing robes, glowing qi.",
            description_zh="仙人侠客，悬浮山峰，飘逸长袍，灵气流光。",
            prompt_prefix="xianxia fantasy, floating mountains, flowing silk robes, ethereal glow",
            negative_prompt=f"{_COMMON_NEGATIVE}, modern city, guns",
            palette=("#14213d", "#3c5a7d", "#7fb3c8", "#e0c097", "#f8f4ec"),
            typography="elegant Song-style serif with gold accents",
            line_weight=1.1,
        ),
        StylePreset(
            name="childrens_book",
            label="Children's book",
            label_zh="童书绘本",
            description="Warm crayon and gouache, round shapes, friendly faces.",
            description_zh="温暖的蜡笔与水粉，圆润造型，友善的面孔。",
            prompt_prefix="children's book illustration, gouache and crayon, warm and friendly",
            negative_prompt=f"{_COMMON_NEGATIVE}, scary, dark, realistic",
            palette=("#2d3047", "#419d78", "#e0a458", "#ffdbb5", "#fff8f0"),
            typography="rounded hand-lettered sans serif",
            line_weight=1.3,
        ),
    )
}

DEFAULT_STYLE = "cinematic"


class UnknownStyle(ValueError):
    """A style name that is not a preset; ``field`` is the input that names a style."""

    field = "style"

    def __init__(self, name: str) -> None:
        super().__init__(f"unknown style {name!r}; choose one of: {', '.join(STYLES)}")


def get_style(name: str) -> StylePreset:
    """The preset called ``name`` (also accepts 'ink-wash' for 'ink_wash')."""
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    aliases = {"水墨": "ink_wash", "仙侠": "xianxia", "children": "childrens_book"}
    key = aliases.get(key, key)
    if key not in STYLES:
        raise UnknownStyle(name)
    return STYLES[key]
