"""The offline image provider: a storyboard artist's frame for every shot, drawn with Pillow.

No network, GPU or model: composition follows the shot type, colours follow the style, the time
of day and the mood, characters are simple figures that keep their colour and silhouette from
shot to shot, and the shot's prompt is printed in a band at the top. Same prompt, spec and seed
give byte-identical PNGs.

What is drawn is what the shot says: a character whose name or description names an animal
("the small red fox", "白鹤 (a white crane)") is drawn as that animal (``sketching.beings``,
``sketching.creatures``), people as people; a setting the story's lexicon places indoors ("the
clock shop", "厨房") is a furnished room (``sketching.interior``), lamp-lit by night; outdoors is
a landscape under the time of day's sky.
"""

from __future__ import annotations

import hashlib
import io
import random
import time
from dataclasses import dataclass, replace
from typing import Any, ClassVar

from PIL import Image

from storyreel.domain.styles import UnknownStyle, get_style
from storyreel.media.fonts import FontInfo, subtitle_font
from storyreel.providers.base import ImageGenerator, ImageResult, ImageSpec, ProviderError, Usage
from storyreel.providers.image.sketching import caption, paper
from storyreel.providers.image.sketching.beings import Being, identify
from storyreel.providers.image.sketching.colour import hex_rgb
from storyreel.providers.image.sketching.creatures import CreatureArtist, Pose, model_of, pose
from storyreel.providers.image.sketching.figures import FigureArtist
from storyreel.providers.image.sketching.framing import (
    Framing,
    Placement,
    ShotKind,
    frame,
    shot_kind,
)
from storyreel.providers.image.sketching.interior import InteriorPainter, lamp_lit
from storyreel.providers.image.sketching.landscape import LandscapePainter
from storyreel.providers.image.sketching.look import Look, mood, time_of_day
from storyreel.providers.image.sketching.pen import Pen
from storyreel.providers.image.sketching.scenery import Scenery, scenery
from storyreel.providers.image.sketching.sky import Light, SkyPainter, place_light

# Part of every cache key: bump it whenever a change alters the pictures drawn.
MODEL = "sketch-4"
MIN_SIDE, MAX_SIDE = 16, 8192

_TAGS: dict[ShotKind, str] = {"wide": "WIDE", "medium": "MEDIUM", "close_up": "CLOSE-UP"}


def _seed(*parts: object) -> int:
    """A stable seed from any values (Python's ``hash`` of a str changes between processes)."""
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big")


def _supersampling(width: int, height: int) -> int:
    """Draw small frames at 3x and HD at 2x for smooth edges; 4K-class frames at 1x for memory."""
    pixels = width * height
    return 3 if pixels <= 160_000 else 2 if pixels <= 2_100_000 else 1


#: A child stands this much shorter than an adult in wide and medium shots.
CHILD_HEIGHT = 0.78


@dataclass(frozen=True)
class Figure:
    """One placed character and what it is drawn as (``pose``: where an animal stands)."""

    placement: Placement
    being: Being
    pose: Pose | None = None

    @property
    def label_at(self) -> tuple[float, float] | None:
        return self.pose.label if self.pose is not None else None


@dataclass(frozen=True)
class Sketch:
    """A drawn frame and what was decided while drawing it."""

    image: Image.Image
    shot: ShotKind
    look: Look
    scenery: Scenery
    figures: tuple[Figure, ...] = ()

    @property
    def lamp(self) -> bool:
        """Whether a lamp lights the room (indoors, by night or at dusk)."""
        return self.scenery.indoor and lamp_lit(self.look)


def cast(framing: Framing, width: int, height: int, top: float) -> tuple[Figure, ...]:
    """What each character the layout placed is drawn as: a person in its slot (a child a
    little shorter), or an animal scaled to its species and stood in that slot."""
    beings = [identify(p.character) for p in framing.placements]
    alone = all(b.animal for b in beings)  # no person to be measured against
    figures: list[Figure] = []
    for p, being in zip(framing.placements, beings, strict=True):
        if being.species is not None:
            model = model_of(being.species)
            count = len(framing.placements)
            where = pose(model, being.species, p, framing.shot, (width, height, top), count, alone)
            figures.append(Figure(p, being, where))
        elif being.child and framing.shot != "close_up":
            figures.append(Figure(replace(p, height=p.height * CHILD_HEIGHT), being))
        else:
            figures.append(Figure(p, being))
    return tuple(figures)


def _background(
    look: Look, framing: Framing, where: Scenery, light: Light, rng: random.Random, ss: int
) -> Image.Image:
    """Sky, distance, ground and details at the supersampled size."""
    image = Image.new("RGB", (framing.width, framing.height))
    line = max(ss * 1.0, min(framing.width, framing.height) * 0.0032 * look.style.line_weight)
    pen = Pen(image, ink=look.ink, width=line, rng=rng)
    if where.indoor:
        InteriorPainter(pen, look, framing, rng, ss).paint(light, where)
        return image
    sky = SkyPainter(pen, look, rng, ss)
    world = LandscapePainter(pen, look, framing, rng, ss)
    sky.paint(framing.width, framing.horizon, framing.top, light)
    world.far(where.far, light)
    world.ground(where.near, light)
    if where.near == "forest":
        world.trees()
    if look.mood == "mysterious":
        sky.mist(framing.width, framing.horizon, framing.height)
    return image


def _figures(
    base: Image.Image,
    look: Look,
    framing: Framing,
    figures: tuple[Figure, ...],
    light: Light,
    rng: random.Random,
    ss: int,
) -> None:
    """Draw the cast on a transparent layer and lay it over the finished background.

    The layer goes on after the paper grain and vignette, so every fully covered pixel of a
    character's body (a person's clothes, an animal's collar) keeps that character's exact
    colour in every shot.
    """
    if not figures:
        return
    layer = Image.new("RGBA", (framing.width, framing.height), (0, 0, 0, 0))
    unit = min(framing.width, framing.height) * 0.0032 * look.style.line_weight
    for f in sorted(figures, key=lambda f: f.pose.ground if f.pose else f.placement.feet):
        p = f.placement
        if f.pose is not None and f.being.species is not None:
            size = f.pose.scale * 0.5  # about the animal's own height in pixels
            width = max(ss * 0.8, min(unit * 1.8, size * 0.016 * look.style.line_weight))
            pen = Pen(layer, ink=look.ink, width=width, rng=rng)
            artist = CreatureArtist(pen, look, ss)
            colours = artist.colours(f.being, f.being.species, hex_rgb(p.character.color))
            artist.draw(model_of(f.being.species), f.pose, colours)
            continue
        width = max(ss * 0.8, min(unit * 1.8, p.height * 0.012 * look.style.line_weight))
        pen = Pen(layer, ink=look.ink, width=width, rng=rng)
        FigureArtist(pen, look, light_from_right=light.from_right(framing.width), ss=ss).draw(p)
    box = layer.getbbox()
    if box is None:
        return
    # Only the covered region is reduced and pasted: most of the layer is empty.
    x0, y0 = box[0] // ss * ss, box[1] // ss * ss
    x1 = min(framing.width, -(-box[2] // ss) * ss)
    y1 = min(framing.height, -(-box[3] // ss) * ss)
    part = layer.crop((x0, y0, x1, y1))
    if ss > 1:
        part = part.reduce(ss)
    base.paste(part, (x0 // ss, y0 // ss), part)


def _labels(
    image: Image.Image,
    framing: Framing,
    figures: tuple[Figure, ...],
    cap: caption.Caption,
    ss: int,
    font: FontInfo,
) -> None:
    size = max(9, round(cap.size * 0.66))
    for f in figures:
        p = f.placement
        hx, hy = p.head_centre
        r = p.head_radius
        # Under the feet when the whole figure shows, else on the chest like a name badge.
        y = p.feet + p.height * 0.07 if framing.shot == "wide" else hy + r * 2.7
        if f.label_at is not None:
            hx, y = f.label_at
        y = min(y / ss, image.height * 0.9)
        name = p.character.name if len(p.character.name) <= 18 else p.character.name[:17] + "…"
        caption.draw_label(image, name, hex_rgb(p.character.color), (hx / ss, y), size, font)


def draw_frame(prompt: str, spec: ImageSpec, font: FontInfo) -> Sketch:
    """Draw the whole frame for ``prompt`` (pure: no I/O besides reading the font)."""
    try:
        style = get_style(spec.style)
    except UnknownStyle as err:
        raise ProviderError(str(err)) from err
    context = (spec.setting, prompt)
    look = Look(style, time_of_day(spec.time_of_day, *context), mood(spec.mood, *context))
    shot = shot_kind(spec.shot_type)
    # Names are not places: 林晓 must not plant a forest (林), nor 江雪 a river and snow.
    unnamed = prompt
    for character in spec.characters:
        unnamed = unnamed.replace(character.name, " ")
    where = scenery(spec.setting, unnamed)
    w, h = spec.width, spec.height
    ss = _supersampling(w, h)
    cap = caption.layout(spec.caption or prompt, _TAGS[shot], w, h, font)
    framing = frame(shot, w * ss, h * ss, cap.height * ss, spec.characters)
    figures = cast(framing, w * ss, h * ss, cap.height * ss)
    # Scenery is seeded by the setting, so shots in one place share their hills and skyline.
    rng = random.Random(_seed(spec.seed, spec.setting or prompt, where))
    light = place_light(look, framing.width, framing.horizon, cap.height * ss, rng)
    image = _background(look, framing, where, light, rng, ss)
    if ss > 1:
        image = image.reduce(ss)
    image = paper.soften(image, framing.blur * min(w, h))
    image = paper.vignette(image, framing.vignette)
    image = paper.texture(image, _seed(spec.seed, "paper") % 2**32)
    _figures(image, look, framing, figures, light, random.Random(_seed(spec.seed, "figures")), ss)
    _labels(image, framing, figures, cap, ss, font)
    caption.draw_caption(image, cap, look, font)
    caption.draw_border(image, look)
    return Sketch(image, shot, look, where, figures)


class SketchImageGenerator(ImageGenerator):
    """Storyboard sketches: instant, free and offline; the default image provider."""

    name: ClassVar[str] = "sketch"
    quality: ClassVar[int] = 1
    speed: ClassVar[int] = 5
    offline: ClassVar[bool] = True

    @property
    def model(self) -> str:
        return MODEL

    def generate(self, prompt: str, spec: ImageSpec) -> ImageResult:
        if not (MIN_SIDE <= spec.width <= MAX_SIDE and MIN_SIDE <= spec.height <= MAX_SIDE):
            raise ProviderError(
                f"sketch frames must be {MIN_SIDE}-{MAX_SIDE} px a side, "
                f"not {spec.width}x{spec.height}"
            )
        started = time.perf_counter()
        font = subtitle_font(self.settings.subtitle_font_file)
        drawn = draw_frame(prompt, spec, font)
        buffer = io.BytesIO()
        # zlib's run-length strategy: the fastest here and, on these flat-shaded frames, also
        # the smallest (measured against levels 1-6 of the default strategy).
        drawn.image.save(buffer, "PNG", compress_level=3, compress_type=3)
        where = drawn.scenery
        meta: dict[str, Any] = {
            "shot_type": drawn.shot,
            "time_of_day": drawn.look.time,
            "mood": drawn.look.mood,
            "style": drawn.look.style.name,
            "scenery": "interior" if where.indoor else f"{where.far}/{where.near}",
            # What each character was drawn as: "person", or the animal ("fox", "crane").
            "figures": [f.being.noun if f.being.animal else "person" for f in drawn.figures],
        }
        if where.indoor:
            meta["room"] = where.room
        usage = Usage(
            provider=self.name,
            model=MODEL,
            seconds=time.perf_counter() - started,
            units={"images": 1},
        )
        return ImageResult(data=buffer.getvalue(), seed=spec.seed, usage=usage, meta=meta)
