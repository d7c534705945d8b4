"""The sketch draws what the shot says: animals as animals, rooms as rooms, night as night.

Judged mostly on what the provider decided (``draw_frame``'s ``Sketch``: its figures, scenery
and look, and the animal models), with a few pixel checks for light and colour.
"""

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
from storyreel.media.fonts import subtitle_font
from storyreel.providers.base import ImageSpec
from storyreel.providers.image.sketch import Sketch, SketchImageGenerator, draw_frame
from storyreel.providers.image.sketching.beings import SPECIES, identify
from storyreel.providers.image.sketching.creatures import model_of
from storyreel.settings import Settings

Pixels = npt.NDArray[np.uint8]

# As the offline writer names and describes them (storyreel.providers.llm.rules).
FOX = Character(id="small-red-fox", name="the small red fox", description="a small red fox",
                color="#4e79a7")  # fmt: skip
CRANE = Character(id="crane", name="白鹤", description="白鹤 (a white crane)", color="#e15759")
TOMAS = Character(id="tomas", name="Tomas", description="Tomas (an old man)", color="#3b7dd8")
GIRL = Character(id="little-girl", name="the little girl", description="a little girl",
                 color="#59a14f")  # fmt: skip


def frame(prompt: str, **spec: object) -> Sketch:
    spec.setdefault("width", 640)
    spec.setdefault("height", 360)
    return draw_frame(prompt, ImageSpec(**spec), subtitle_font())  # type: ignore[arg-type]


def pixels(sketch: SketchImageGenerator, prompt: str, **spec: object) -> Pixels:
    spec.setdefault("width", 640)
    spec.setdefault("height", 360)
    result = sketch.generate(prompt, ImageSpec(**spec))  # type: ignore[arg-type]
    return np.asarray(Image.open(io.BytesIO(result.data)).convert("RGB"))


def exact(image: Pixels, hex_colour: str) -> int:
    rgb = tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return int(np.all(image == np.asarray(rgb, np.uint8), axis=-1).sum())


@pytest.fixture
def sketch(settings: Settings) -> SketchImageGenerator:
    return SketchImageGenerator(settings)


# --- who is what -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "description", "plan", "noun"),
    [
        ("the small red fox", "a small red fox", "quadruped", "fox"),
        ("白鹤", "白鹤 (a white crane)", "bird", "crane"),
        ("小狐狸", "", "quadruped", "fox"),
        ("Rex", "Rex, a shaggy brown dog.", "quadruped", "dog"),
        ("Rusty", "A cunning ginger cat with green eyes.", "quadruped", "cat"),
        ("阿黄", "阿黄是一只小黄狗。", "quadruped", "dog"),
        ("the crow", "", "bird", "crow"),
        ("Mr Fox", "", "quadruped", "fox"),
        ("Tomas", "Tomas (an old man)", "person", "man"),
        ("Mei", "", "person", ""),
        # Someone else's animal, a surname or a given name is no animal.
        ("Lily", "Lily and her dog Rex walked to the park.", "person", ""),
        ("Ichabod Crane", "a lanky schoolteacher", "person", ""),
        ("马丽", "", "person", ""),
        ("李小龙", "", "person", ""),
    ],
)
def test_characters_are_recognised_by_their_nouns(
    name: str, description: str, plan: str, noun: str
) -> None:
    being = identify(Character(id="x", name=name, description=description))
    assert (being.plan, being.noun) == (plan, noun)


def test_colour_words_choose_the_coat() -> None:
    red_fox = identify(FOX)
    white_crane = identify(CRANE)
    black_cat = identify(Character(id="c", name="the black cat", description="a black cat"))
    assert red_fox.coat[0] > red_fox.coat[2] + 80  # russet, not blue
    assert min(white_crane.coat) > 220
    assert max(black_cat.coat) < 60


def test_children_are_people_drawn_shorter() -> None:
    girl = identify(GIRL)
    assert girl.plan == "person" and girl.child
    drawn = frame("The little girl and Tomas", shot_type="wide", characters=(GIRL, TOMAS))
    girl_fig, tomas_fig = drawn.figures
    assert girl_fig.placement.height < 0.85 * tomas_fig.placement.height


# --- animals ---------------------------------------------------------------------------------


def test_a_fox_shot_draws_a_four_legged_animal_with_ears_and_a_tail() -> None:
    for shot in ("wide", "medium", "close_up"):
        drawn = frame("A small red fox crept through the forest", shot_type=shot,
                      characters=(FOX,), setting="the forest", time_of_day="dusk")  # fmt: skip
        (fox,) = drawn.figures
        assert fox.being.plan == "quadruped" and fox.being.noun == "fox"
        assert fox.pose is not None  # placed as an animal, not as a person's figure
    assert fox.being.species is not None
    model = model_of(fox.being.species)
    assert model.count("leg") == 4
    assert model.count("ear") >= 2
    assert model.count("tail") >= 1
    assert model.count("snout") == 1


def test_a_crane_is_a_bird_with_a_beak_and_two_legs() -> None:
    (crane,) = frame("一只白鹤落在池塘边", characters=(CRANE,)).figures
    assert crane.being.plan == "bird"
    assert crane.being.species is not None
    model = model_of(crane.being.species)
    assert model.count("beak") == 1 and model.count("leg") == 2 and model.count("neck") == 1


def test_people_are_still_people(sketch: SketchImageGenerator) -> None:
    spec = ImageSpec(320, 180, shot_type="wide", characters=(TOMAS, FOX, CRANE))
    result = sketch.generate("Tomas, a fox and a crane", spec)
    assert result.meta["figures"] == ["person", "fox", "crane"]


def test_an_animal_is_small_beside_a_person_in_a_wide_shot() -> None:
    drawn = frame("Tomas and the fox", shot_type="wide", characters=(TOMAS, FOX))
    tomas, fox = drawn.figures
    assert fox.pose is not None and fox.being.species is not None
    *_, bottom, top = model_of(fox.being.species).bounds
    fox_height = (top - bottom) * fox.pose.scale
    assert fox_height < 0.6 * tomas.placement.height


@pytest.mark.parametrize("shot", ["wide", "medium", "close_up"])
def test_an_animal_keeps_its_exact_colour_in_every_shot(
    sketch: SketchImageGenerator, shot: str
) -> None:
    # The collar carries the character's colour, whatever the light.
    for time in ("day", "night"):
        image = pixels(sketch, "The fox", shot_type=shot, characters=(FOX,), time_of_day=time)
        assert exact(image, FOX.color) > 20, (shot, time)


def test_an_animal_keeps_its_shape_from_shot_to_shot() -> None:
    at_dusk = frame("The fox", shot_type="wide", characters=(FOX,), time_of_day="dusk")
    at_noon = frame("The fox on the beach", shot_type="wide", characters=(FOX,))
    assert at_dusk.figures[0].pose == at_noon.figures[0].pose


# --- inside and outside, day and night -------------------------------------------------------


def test_an_indoor_night_shot_is_a_lamp_lit_room() -> None:
    drawn = frame("Tomas wound the tall clock", shot_type="wide", characters=(TOMAS,),
                  setting="the clock shop", time_of_day="night")  # fmt: skip
    assert drawn.scenery.indoor
    assert drawn.scenery.room == "shop" and drawn.scenery.clocks
    assert drawn.look.time == "night"
    assert drawn.lamp


def test_a_clock_shop_at_night_from_words_alone() -> None:
    drawn = frame("a clock shop at night")
    assert drawn.scenery.indoor and drawn.look.time == "night" and drawn.lamp


@pytest.mark.parametrize(
    ("setting", "prompt", "indoor", "room"),
    [
        ("the kitchen", "", True, "kitchen"),
        ("厨房", "", True, "kitchen"),
        ("钟表店", "", True, "shop"),
        ("the bedroom", "", True, "bedroom"),
        ("", "Wide shot of the cottage. Interior, daylight through the windows.", True, "room"),
        ("the dark forest", "", False, ""),
        ("村口的池塘边", "", False, ""),
        ("in front of the shop", "", False, ""),
        ("", "Tom walks past the shop. Exterior, dusk.", False, ""),
    ],
)
def test_the_setting_chooses_inside_or_out(
    setting: str, prompt: str, indoor: bool, room: str
) -> None:
    drawn = frame(prompt or "x", setting=setting)
    assert drawn.scenery.indoor is indoor
    if indoor:
        assert drawn.scenery.room == room


def test_a_room_by_night_is_darker_and_warmer_than_by_day(sketch: SketchImageGenerator) -> None:
    def lum(p: Pixels) -> float:
        return float((p.astype(np.float64) @ [0.2126, 0.7152, 0.0722]).mean())

    room = {"setting": "the kitchen", "shot_type": "wide"}
    day = pixels(sketch, "The kitchen", time_of_day="day", **room)
    night = pixels(sketch, "The kitchen", time_of_day="night", **room)
    assert lum(night) < 0.8 * lum(day)
    # Lamplight: the walls (below the caption band) lean red, not night blue.
    wall = night[int(night.shape[0] * 0.3) : int(night.shape[0] * 0.55)].astype(np.float64)
    assert wall[..., 0].mean() > wall[..., 2].mean() + 25


def test_night_outdoors_keeps_its_moonlit_sky(sketch: SketchImageGenerator) -> None:
    drawn = frame("The fox in the forest", setting="the forest", time_of_day="night")
    assert not drawn.scenery.indoor and not drawn.lamp
    sky = pixels(sketch, "The forest", setting="the forest", time_of_day="night")
    top = sky[int(sky.shape[0] * 0.3) : int(sky.shape[0] * 0.45)].astype(np.float64)
    assert top[..., 2].mean() > top[..., 0].mean()  # blue night, not lamplight


# --- determinism -----------------------------------------------------------------------------


def test_animals_and_rooms_are_drawn_byte_for_byte_the_same(settings: Settings) -> None:
    specs = [
        ImageSpec(
            640,
            360,
            seed=3,
            shot_type="medium",
            characters=(FOX, TOMAS),
            setting="the clock shop",
            time_of_day="night",
        ),
        ImageSpec(
            480,
            480,
            seed=5,
            shot_type="wide",
            characters=(CRANE, GIRL),
            setting="村口的池塘边",
            time_of_day="dusk",
            style="ink_wash",
        ),
    ]
    for spec in specs:
        first = SketchImageGenerator(settings).generate("A shot", spec)
        second = SketchImageGenerator(settings).generate("A shot", spec)
        assert first.data == second.data


@pytest.mark.parametrize(("width", "height"), [(16, 16), (64, 1024), (1024, 64), (720, 1280)])
def test_animals_and_rooms_fit_any_frame(
    sketch: SketchImageGenerator, width: int, height: int
) -> None:
    cast = (FOX, CRANE, TOMAS, GIRL)
    for shot in ("wide", "medium", "close_up"):
        image = pixels(sketch, "x", width=width, height=height, shot_type=shot,
                       characters=cast, setting="the kitchen", time_of_day="night")  # fmt: skip
        assert image.shape == (height, width, 3)


@hypothesis_settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    width=st.integers(16, 500),
    height=st.integers(16, 500),
    shot=st.sampled_from(["wide", "medium", "close_up"]),
    animals=st.lists(st.sampled_from(sorted(SPECIES)), max_size=4),
    setting=st.sampled_from(["the kitchen", "the clock shop", "the bedroom", "厨房", "the forest"]),
    time=st.sampled_from(["day", "dusk", "night", "dawn"]),
)
def test_any_animals_in_any_room_draw_a_frame(
    sketch: SketchImageGenerator,
    width: int,
    height: int,
    shot: str,
    animals: list[str],
    setting: str,
    time: str,
) -> None:
    cast = tuple(Character(id=f"a{i}", name=f"the {a}") for i, a in enumerate(animals))
    image = pixels(sketch, "x", width=width, height=height, shot_type=shot, characters=cast,
                   setting=setting, time_of_day=time)  # fmt: skip
    assert image.shape == (height, width, 3)
