"""The video picture: frames from a ``QVideoSink`` painted as images, letterboxed.

Painting the frames ourselves (rather than with ``QVideoWidget``, which hands them to the
GPU) draws the same on every platform, Qt's offscreen one included — so the tests see what
the player shows, and screenshots have the picture in them.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent
from PySide6.QtMultimedia import QVideoFrame, QVideoSink
from PySide6.QtWidgets import QSizePolicy, QWidget


class VideoView(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.sink = QVideoSink(self)
        self.sink.videoFrameChanged.connect(self.show_frame)
        self.frame: QImage | None = None
        self.frames_shown = 0
        self.setMinimumSize(480, 270)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def show_frame(self, frame: QVideoFrame) -> None:
        image = frame.toImage()
        if image.isNull():
            return
        self.frame = image
        self.frames_shown += 1
        self.update()

    def clear(self) -> None:
        self.frame = None
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#000000"))
        if self.frame is not None:
            size = self.frame.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRect(0, 0, size.width(), size.height())
            target.moveCenter(self.rect().center())
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawImage(target, self.frame)
        painter.end()
