"""Screenshots of the app's screens, taken offscreen by the journey test.

Each is checked to show something (a blank grab fails the test); with
``STORYREEL_DESKTOP_SCREENSHOTS=docs/images`` they are also written there, as
``desktop-<name>.png`` — how the pictures in docs/desktop.md are made.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QWidget


def distinct_colours(image: QImage, step: int = 7) -> int:
    colours = set()
    for y in range(0, image.height(), step):
        for x in range(0, image.width(), step):
            colours.add(image.pixel(x, y))
    return len(colours)


def screenshot(widget: QWidget, name: str, folder: Path) -> QImage:
    """Grab ``widget`` as it is drawn now; fail when the grab is blank."""
    # Layouts settle in posted events: let a text just changed resize its button first.
    for _ in range(3):
        QApplication.processEvents()
    image = widget.grab().toImage()
    assert not image.isNull() and image.width() > 200, f"{name}: nothing was drawn"
    assert distinct_colours(image) > 8, f"{name}: the grab is (nearly) one colour"
    folder.mkdir(parents=True, exist_ok=True)
    image.save(str(folder / f"desktop-{name}.png"))
    wanted = os.environ.get("STORYREEL_DESKTOP_SCREENSHOTS")
    if wanted:
        Path(wanted).mkdir(parents=True, exist_ok=True)
        image.save(str(Path(wanted) / f"desktop-{name}.png"))
    return image
