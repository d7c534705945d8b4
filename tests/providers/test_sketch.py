"""The offline sketch image provider, judged on the decoded PNGs it returns."""

from __future__ import annotations

import io

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from PIL import Image

from storyreel.domain.storyboard import Character
from storyreel.media.fonts import FontInfo, subtitle_font
from storyreel.providers.base import ImageResult, ImageSpec, ProviderError
from storyreel.providers.image.sketch import SketchImageGenerator
from storyreel.providers.image.sketching import caption
from storyreel.providers.image.sketching.figures import silhouette
from storyreel.providers.registry import ProviderRegistry
from storyreel.settings import Settings

Pixels = npt.NDArray[np.uint8]

MEI = Character(id="mei", name="Mei", color="#d9534f")
TOM = Character(id="old-tom", name="Old Tom", color="#3b7dd8")
KAI = Character(id="kai", name="凯", color="#e0a800")
PROMPT = "Mei and Old Tom walk along the path"


@pytest.fixture
def sketch(settings: Settings) -> SketchImageGenerator:
    return SketchImageGenerator(settings)


def draw(sketch: SketchImageGenerator, prompt: str = PROMPT, /, **spec: object) -> Pixels:
    spec.setdefault("width", 640)
    spec.setdefault("height", 360)
    result = sketch.generate(prompt, ImageSpec(**spec))  # type: ignore[arg-type]
    return decode(result)


def decode(result: ImageResult) -> Pixels:
    image = Image.open(io.BytesIO(result.data))
    assert image.format == "PNG"
    return np.asarray(image.convert("RGB"))


def exact(pixels: Pixels, hex_colour: str) -> npt.NDArray[np.bool_]:
    """Where the picture is exactly this colour."""
    rgb = tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    found: npt.NDArray[np.bool_] = np.all(pixels == np.asarray(rgb, np.uint8), axis=-1)
    return found


def body_rows(mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.intp]:
    """Rows crossing a figure's body: wider than the colour swatch in its name label."""
    return np.flatnonzero(mask.sum(axis=1) >= 10)


def body_cols(mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.intp]:
    return np.flatnonzero(mask.sum(axis=0) >= 10)


def luminance(pixels: Pixels) -> float:
    return float((pixels.astype(np.float64) @ [0.2126, 0.7152, 0.0722]).mean())


def difference(a: Pixels, b: Pixels) -> float:
    """Mean absolute difference per channel, 0..255."""
    return float(np.abs(a.astype(np.int16) - b.astype(np.int16)).mean())


def caption_rows(pixels: Pixels) -> Pixels:
    """The caption's text rows: inside the motion-safe inset at the top of the frame."""
    return pixels[int(pixels.shape[0] * 0.09) : int(pixels.shape[0] * 0.2)]


def light_ink(pixels: Pixels) -> int:
    """Bright pixels: caption text is near-white on the dark band."""
    return int(((pixels.astype(np.int16).sum(axis=-1)) > 3 * 170).sum())


# --- the provider contract -------------------------------------------------------------------


def test_registered_as_the_default_offline_image_provider(settings: Settings) -> None:
    provider = ProviderRegistry(settings).image()
    assert isinstance(provider, SketchImageGenerator)
    assert provider.name == "sketch"
    assert provider.offline


def test_usage_seed_and_meta(sketch: SketchImageGenerator) -> None:
    spec = ImageSpec(640, 360, seed=42, shot_type="close_up", characters=(MEI,))
    result = sketch.generate("Mei at the harbour at night", spec)
    assert result.seed == 42
    assert result.usage.provider == "sketch"
    assert result.usage.model == "sketch-4"
    assert result.usage.units == {"images": 1}
    assert result.usage.seconds > 0
    assert result.meta["shot_type"] == "close_up"
    assert result.meta["time_of_day"] == "night"


@pytest.mark.parametrize(
    ("width", "height"),
    [(1280, 720), (720, 1280), (512, 512), (4096, 256), (256, 2048), (64, 64), (64, 1024)],
)
def test_frames_have_exactly_the_requested_size(
    sketch: SketchImageGenerator, width: int, height: int
) -> None:
    pixels = draw(sketch, width=width, height=height, shot_type="wide", characters=(MEI, TOM))
    assert pixels.shape == (height, width, 3)
    # Something was drawn: a frame of one flat colour is not a storyboard.
    assert pixels.reshape(-1, 3).std(axis=0).mean() > 10


@hypothesis_settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    width=st.integers(16, 700),
    height=st.integers(16, 700),
    shot=st.sampled_from(["wide", "medium", "close_up", "extreme wide", "detail"]),
    cast=st.integers(0, 5),
    prompt=st.text(max_size=300),
)
def test_any_size_shot_and_text_draws_a_frame(
    sketch: SketchImageGenerator, width: int, height: int, shot: str, cast: int, prompt: str
) -> None:
    people = tuple(Character(id=f"c{i}", name=f"角色{i}", color="#123456") for i in range(cast))
    pixels = draw(sketch, prompt, width=width, height=height, shot_type=shot, characters=people)
    assert pixels.shape == (height, width, 3)


def test_refuses_impossible_sizes_and_unknown_styles(sketch: SketchImageGenerator) -> None:
    with pytest.raises(ProviderError, match="px a side"):
        sketch.generate("x", ImageSpec(8, 720))
    with pytest.raises(ProviderError, match="unknown style"):
        sketch.generate("x", ImageSpec(640, 360, style="vaporwave"))


# --- determinism -----------------------------------------------------------------------------


def test_same_input_gives_the_same_bytes(settings: Settings) -> None:
    spec = ImageSpec(640, 360, seed=7, shot_type="wide", characters=(MEI, TOM), style="anime")
    first = SketchImageGenerator(settings).generate("夜晚的海边，两人并肩走着", spec)
    second = SketchImageGenerator(settings).generate("夜晚的海边，两人并肩走着", spec)
    assert first.data == second.data


def test_seed_changes_details_not_the_composition(sketch: SketchImageGenerator) -> None:
    one = draw(sketch, seed=1, shot_type="wide", characters=(MEI,))
    two = draw(sketch, seed=2, shot_type="wide", characters=(MEI,))
    close_up = draw(sketch, seed=1, shot_type="close_up", characters=(MEI,))
    assert not np.array_equal(one, two)
    assert difference(one, two) < difference(one, close_up) / 2


def test_shot_types_give_substantially_different_frames(sketch: SketchImageGenerator) -> None:
    frames = {
        shot: draw(sketch, shot_type=shot, characters=(MEI, TOM))
        for shot in ("wide", "medium", "close_up")
    }
    assert difference(frames["wide"], frames["medium"]) > 12
    assert difference(frames["wide"], frames["close_up"]) > 12
    assert difference(frames["medium"], frames["close_up"]) > 12


# --- composition and characters --------------------------------------------------------------


def test_a_close_up_fills_the_frame_with_the_character(sketch: SketchImageGenerator) -> None:
    wide = exact(draw(sketch, shot_type="wide", characters=(MEI,)), MEI.color)
    close = exact(draw(sketch, shot_type="close_up", characters=(MEI,)), MEI.color)
    assert wide.sum() > 100  # the figure is there in the wide shot too, only small
    assert close.sum() > 10 * wide.sum()
    # A small full figure in the wide shot; shoulders spanning much of the close-up.
    height, width = wide.shape
    assert np.ptp(body_rows(wide)) < 0.2 * height
    assert np.ptp(body_cols(wide)) < 0.1 * width
    assert np.ptp(body_cols(close)) > 0.25 * width


def test_medium_figures_are_between_wide_and_close_up(sketch: SketchImageGenerator) -> None:
    area = {
        shot: int(exact(draw(sketch, shot_type=shot, characters=(MEI,)), MEI.color).sum())
        for shot in ("wide", "medium", "close_up")
    }
    assert area["wide"] * 4 < area["medium"]


def test_a_character_keeps_its_exact_colour_in_every_shot(sketch: SketchImageGenerator) -> None:
    variations: list[dict[str, object]] = [
        {"shot_type": "wide", "time_of_day": "day", "style": "cinematic"},
        {"shot_type": "medium", "time_of_day": "night", "style": "ink_wash"},
        {"shot_type": "close_up", "time_of_day": "dusk", "style": "comic", "mood": "sad"},
    ]
    for spec in variations:
        pixels = draw(sketch, characters=(MEI, TOM, KAI), **spec)
        for who in (MEI, TOM, KAI) if spec["shot_type"] != "close_up" else (MEI,):
            assert exact(pixels, who.color).sum() > 150, (who.name, spec)


def test_a_character_keeps_its_shape_across_settings(sketch: SketchImageGenerator) -> None:
    def body(prompt: str, who: Character) -> tuple[int, int]:
        """Height and width of the part of the figure in the character's own colour."""
        mask = exact(draw(sketch, prompt, shot_type="wide", characters=(who,)), who.color)
        rows, cols = body_rows(mask), body_cols(mask)
        return int(np.ptp(rows)), int(np.ptp(cols))

    by_the_sea = body("Mei walks on the beach at noon", MEI)
    in_the_city = body("Mei crosses a city street at night", MEI)
    twin = Character(id="mei-2", name="Twin", color=MEI.color)
    assert silhouette(twin.id).build != silhouette(MEI.id).build  # guard: ids chosen to differ
    other = body("Mei walks on the beach at noon", twin)
    # Same character: the same figure, whichever side the light comes from.
    assert abs(by_the_sea[0] - in_the_city[0]) <= 1
    assert abs(by_the_sea[1] - in_the_city[1]) <= 2
    # Another character wearing the same colour is built differently.
    assert abs(other[0] - by_the_sea[0]) > 3 or abs(other[1] - by_the_sea[1]) > 3


def test_without_characters_there_are_no_figures(sketch: SketchImageGenerator) -> None:
    with_cast = draw(sketch, shot_type="medium", characters=(TOM,))
    without = draw(sketch, shot_type="medium")
    assert exact(with_cast, TOM.color).sum() > 1000
    assert exact(without, TOM.color).sum() == 0


# --- light, mood and setting -----------------------------------------------------------------


def test_night_is_darker_than_day(sketch: SketchImageGenerator) -> None:
    day = draw(sketch, "A quiet road", time_of_day="day", characters=(MEI,))
    night = draw(sketch, "A quiet road", time_of_day="night", characters=(MEI,))
    assert luminance(night) < 0.6 * luminance(day)


def test_time_of_day_is_read_from_chinese_and_english_prompts(sketch: SketchImageGenerator) -> None:
    night_zh = draw(sketch, "夜晚，凯走在安静的路上")
    day_zh = draw(sketch, "白天，凯走在安静的路上")
    dusk = sketch.generate("They part ways at sunset", ImageSpec(320, 180))
    dawn = sketch.generate("黎明时分，村庄醒来", ImageSpec(320, 180))
    assert luminance(night_zh) < 0.6 * luminance(day_zh)
    assert dusk.meta["time_of_day"] == "dusk"
    assert dawn.meta["time_of_day"] == "dawn"


def test_dusk_is_warm(sketch: SketchImageGenerator) -> None:
    dusk = draw(sketch, "The open sea", time_of_day="dusk").astype(np.float64)
    day = draw(sketch, "The open sea", time_of_day="day").astype(np.float64)

    def warmth(p: npt.NDArray[np.float64]) -> float:
        return float((p[..., 0] - p[..., 2]).mean())  # red over blue

    assert warmth(dusk) > warmth(day) + 20


def test_a_sad_mood_is_less_saturated_than_a_joyful_one(sketch: SketchImageGenerator) -> None:
    def saturation(pixels: Pixels) -> float:
        p = pixels.astype(np.float64)
        return float((p.max(axis=-1) - p.min(axis=-1)).mean())

    sad = draw(sketch, "A meadow", mood="sad")
    joyful = draw(sketch, "A meadow", mood="joyful")
    assert saturation(sad) < 0.8 * saturation(joyful)


@pytest.mark.parametrize(
    ("prompt", "scenery"),
    [
        ("Waves crash on the ocean shore", "open/water"),
        ("远处是连绵的山峰", "mountains/grass"),
        ("A busy city street", "city/street"),
        ("林中小路", "hills/forest"),
        ("Tom sits in his room", "interior"),
        ("An empty field", "hills/grass"),
    ],
)
def test_setting_words_pick_the_scenery(
    sketch: SketchImageGenerator, prompt: str, scenery: str
) -> None:
    assert sketch.generate(prompt, ImageSpec(320, 180)).meta["scenery"] == scenery


def test_sea_is_blue_and_fields_are_green(sketch: SketchImageGenerator) -> None:
    sea = draw(sketch, "The ocean", style="photoreal").astype(np.float64)
    field = draw(sketch, "A field", style="photoreal").astype(np.float64)
    h = sea.shape[0]
    lower_sea, lower_field = sea[int(h * 0.7) :], field[int(h * 0.7) :]
    assert lower_sea[..., 2].mean() > lower_sea[..., 1].mean()
    assert lower_field[..., 1].mean() > lower_field[..., 2].mean()


# --- caption ---------------------------------------------------------------------------------


def test_the_prompt_is_printed_in_the_top_band(sketch: SketchImageGenerator) -> None:
    printed = caption_rows(draw(sketch, "A long walk home along the river"))
    blank = caption_rows(draw(sketch, " "))
    assert light_ink(printed) > light_ink(blank) + 300


def test_spec_caption_replaces_the_prompt(sketch: SketchImageGenerator) -> None:
    a = caption_rows(draw(sketch, "A walk", caption="Scene 1: the walk home"))
    b = caption_rows(draw(sketch, "A walk", caption="Scene 2: the morning after"))
    assert difference(a, b) > 2


def test_chinese_captions_render_as_glyphs_not_boxes(sketch: SketchImageGenerator) -> None:
    first = caption_rows(draw(sketch, "从前有座山，山里有座庙"))
    second = caption_rows(draw(sketch, "庙里住着老和尚和小和尚"))
    # Missing glyphs would all be the same empty box, leaving the two bands nearly identical.
    changed = np.any(first != second, axis=-1)
    assert changed.sum() > 1500
    assert light_ink(first) > 300


def test_long_captions_wrap_and_end_with_an_ellipsis() -> None:
    font = subtitle_font()
    text = "An old fisherman mends his nets by the harbour while gulls circle overhead. " * 6
    wide = caption.layout(text, "WIDE", 1280, 720, font)
    tall = caption.layout(text, "WIDE", 720, 1280, font)
    assert len(wide.lines) == 2
    assert len(tall.lines) == 3
    assert wide.lines[-1].endswith(caption.ELLIPSIS)
    face = caption.font(font, wide.size)
    assert all(face.getlength(line) <= 1280 - wide.text_x - wide.pad for line in wide.lines)
    chinese = caption.layout("很久很久以前" * 40, "WIDE", 1280, 720, font)
    assert len(chinese.lines) == 2
    assert chinese.lines[-1].endswith(caption.ELLIPSIS)


def test_text_is_drawn_with_the_chinese_face_of_the_collection(
    sketch: SketchImageGenerator, monkeypatch: pytest.MonkeyPatch
) -> None:
    info = subtitle_font()
    # Noto Sans CJK is a collection whose face 0 is Japanese; Chinese text wants the SC face.
    assert (info.family, info.index) == ("Noto Sans CJK SC", 2)
    loaded: list[caption.Font] = []
    load = caption.font

    def spy(font: FontInfo, size: int) -> caption.Font:
        loaded.append(load(font, size))
        return loaded[-1]

    monkeypatch.setattr(caption, "font", spy)
    draw(sketch, "从前有座山", characters=(KAI,))
    assert loaded
    assert {face.getname() for face in loaded} == {(info.family, "Regular")}


def test_caption_text_scales_with_the_frame() -> None:
    font = subtitle_font()
    small = caption.layout("A walk", "WIDE", 640, 360, font)
    large = caption.layout("A walk", "WIDE", 1920, 1080, font)
    assert large.size == pytest.approx(3 * small.size, rel=0.1)


def test_character_names_do_not_choose_the_scenery(sketch: SketchImageGenerator) -> None:
    lin = Character(id="lin", name="林晓", color="#4e79a7")
    spec = ImageSpec(640, 360, shot_type="wide", characters=(lin,))
    result = sketch.generate("林晓守着港口边的灯塔", spec)
    assert result.meta["scenery"].endswith("water")  # a harbour, not the forest in 林
