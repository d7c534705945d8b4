"""Indoor scenery: a wall with a window and a door, and a plank floor in perspective."""

from __future__ import annotations

from storyreel.providers.image.sketching.colour import RGB, mix, scale, with_alpha
from storyreel.providers.image.sketching.scenery import Painter
from storyreel.providers.image.sketching.sky import Light, vertical_wash


class InteriorPainter(Painter):
    """Paints a room: the floor line sits where an outdoor horizon would."""

    def paint(self, light: Light) -> None:
        hz = self.f.horizon
        wall = self.tone("#e4d5bb")
        self.pen.image.paste(
            vertical_wash(self.w, max(1, round(hz)), scale(wall, 0.92), wall, self.ss), (0, 0)
        )
        floor_far, floor_near = self.tone("#b98a5e"), self.tone("#7d5434")
        self.pen.image.paste(
            vertical_wash(self.w, self.h - round(hz), floor_far, floor_near, self.ss),
            (0, round(hz)),
        )
        ink = mix(wall, self.look.ink, 0.45)
        # Wainscot and skirting: two lines that turn a colour field into a wall.
        dado = hz - self.v * 0.16
        self.pen.wash.rectangle((0, dado, self.w, hz), fill=with_alpha(scale(wall, 0.8), 90))
        self.pen.line([(0, dado), (self.w, dado)], ink, self.line)
        self.pen.draw.rectangle(
            (0, hz - self.v * 0.025, self.w, hz), fill=mix(floor_near, self.look.ink, 0.2)
        )
        self._planks(hz, floor_near)
        self._window(hz, light)
        self._door(hz)

    def _planks(self, hz: float, floor: RGB) -> None:
        vx, vy = self.w * 0.5, hz - self.v * 0.8
        seam = mix(floor, self.look.ink, 0.35)
        for k in range(-8, 9):
            bx = self.w * 0.5 + k * self.v * 0.22
            # Seams converge on a vanishing point above the floor: the room gets depth.
            t = (hz - vy) / (self.h - vy)
            top = (vx + (bx - vx) * t, hz)
            self.pen.line([top, (bx, self.h)], seam, self.line * 0.6)

    def _window(self, hz: float, light: Light) -> None:
        # Between the caption band and the dado rail, whatever the framing.
        room_top, dado = self.f.top, hz - self.v * 0.16
        wh = max(4.0, min(self.v * 0.4, (dado - room_top) * 0.75))
        ww = min(self.v * 0.42, wh * 1.1)
        x0 = self.w * 0.68 - ww / 2
        y0 = dado - (dado - room_top) * 0.1 - wh
        frame = self.tone("#f4efe6")
        sky = self.look.sky
        outside = vertical_wash(
            round(ww),
            round(wh),
            self.look.tone(sky.top, lit=False),
            self.look.tone(sky.horizon, lit=False),
            self.ss,
        )
        self.pen.image.paste(outside, (round(x0), round(y0)))
        if self.look.time == "night":
            r = ww * 0.1
            mx, my = x0 + ww * 0.7, y0 + wh * 0.3
            self.pen.draw.ellipse((mx - r, my - r, mx + r, my + r), fill=(240, 236, 214))
        bar = max(self.ss * 2.0, self.v * 0.018)
        box = [(x0, y0), (x0 + ww, y0), (x0 + ww, y0 + wh), (x0, y0 + wh)]
        self.pen.line([*box, box[0]], frame, bar)
        self.pen.line([(x0 + ww / 2, y0), (x0 + ww / 2, y0 + wh)], frame, bar * 0.7)
        self.pen.line([(x0, y0 + wh / 2), (x0 + ww, y0 + wh / 2)], frame, bar * 0.7)
        outline = [
            (x0 - bar / 2, y0 - bar / 2),
            (x0 + ww + bar / 2, y0 - bar / 2),
            (x0 + ww + bar / 2, y0 + wh + bar / 2),
            (x0 - bar / 2, y0 + wh + bar / 2),
        ]
        self.pen.line([*outline, outline[0]], self.look.ink, self.line * 0.8)
        # Light falling through the window onto the floor, unless it is night.
        if self.look.time != "night":
            patch = [
                (x0, hz + self.v * 0.04),
                (x0 + ww, hz + self.v * 0.04),
                (x0 + ww * 1.3, hz + self.v * 0.2),
                (x0 - ww * 0.1, hz + self.v * 0.2),
            ]
            self.pen.wash.polygon(patch, fill=(255, 240, 200, 45))

    def _door(self, hz: float) -> None:
        dh = min(self.v * 0.55, (hz - self.f.top) * 0.92)
        dw = dh * 0.44
        x0 = self.w * 0.1
        wood = self.tone("#8a5a36")
        door = [(x0, hz - dh), (x0 + dw, hz - dh), (x0 + dw, hz), (x0, hz)]
        self.pen.shape(door, wood)
        inset = dw * 0.14
        for y0, y1 in ((hz - dh + inset, hz - dh * 0.55), (hz - dh * 0.48, hz - inset)):
            panel = [
                (x0 + inset, y0),
                (x0 + dw - inset, y0),
                (x0 + dw - inset, y1),
                (x0 + inset, y1),
            ]
            self.pen.line([*panel, panel[0]], mix(wood, self.look.ink, 0.4), self.line * 0.6)
        kx, ky, kr = x0 + dw * 0.82, hz - dh * 0.48, dw * 0.04
        self.pen.draw.ellipse((kx - kr, ky - kr, kx + kr, ky + kr), fill=self.tone("#d8b45a"))
