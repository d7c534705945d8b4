"""What the screens share: errors in plain words, statuses, durations, picture helpers."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QKeySequence, QPainter, QPixmap, QShortcut
from PySide6.QtWidgets import QWidget

from storyreel.desktop.errors import (
    ApiError,
    QuotaReached,
    RateLimited,
    ServerStartFailed,
    ServerUnreachable,
    SessionExpired,
)
from storyreel.desktop.i18n import Translator


def describe(exc: BaseException, t: Translator) -> str:
    """One or two sentences for the user; never a traceback."""
    if isinstance(exc, ServerUnreachable):
        return t("error.unreachable", url=exc.url)
    if isinstance(exc, ServerStartFailed):
        return t("error.start_failed", reason=exc.message, log=exc.log)
    if isinstance(exc, SessionExpired):
        return t("error.expired")
    if isinstance(exc, QuotaReached):
        return t("error.quota", message=exc.message)
    if isinstance(exc, RateLimited):
        seconds = exc.retry_after_s
        return t("error.busy", seconds=seconds) if seconds else t("error.busy_now")
    if isinstance(exc, ApiError):
        message = exc.message
        fields = "; ".join(f"{p.field}: {p.message}" for p in exc.field_errors[:3])
        if fields and fields not in message:
            message = f"{message} ({fields})"
        return t("error.refused", message=message)
    if isinstance(exc, InterruptedError):
        return t("error.cancelled")
    if isinstance(exc, OSError):
        return t("error.disk", message=exc.strerror or str(exc))
    return t("error.unexpected", message=str(exc) or type(exc).__name__)


def shortcut(
    page: QWidget, keys: QKeySequence | QKeySequence.StandardKey | str, action: Callable[[], None]
) -> QShortcut:
    """A key for ``action`` while ``page`` (the screen showing) has the focus. Separate from
    the buttons' own ``&`` letters, which setting a button's text would otherwise replace."""
    key = QShortcut(QKeySequence(keys), page)
    key.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    key.activated.connect(action)
    return key


def status_text(status: str, t: Translator) -> str:
    return t(f"status.{status}") if status in STATUSES else status


STATUSES = ("draft", "running", "failed", "done", "blocked", "queued", "succeeded", "cancelled")

STATUS_COLOURS = {"running": "#1677ff", "failed": "#cf1322", "done": "#389e0d", "draft": "#8c8c8c"}


def duration_text(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def placeholder(width: int, height: int, text: str = "") -> QPixmap:
    """A grey card for a picture that is not made (or not loaded) yet."""
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("#e8e8e8"))
    if text:
        painter = QPainter(image)
        painter.setPen(QColor("#8c8c8c"))
        painter.drawText(image.rect(), Qt.AlignmentFlag.AlignCenter, text)
        painter.end()
    return QPixmap.fromImage(image)


def picture(data: bytes, width: int, height: int) -> QPixmap | None:
    """Image bytes scaled to fit ``width`` × ``height`` (None when they are not a picture)."""
    pixmap = QPixmap()
    if not pixmap.loadFromData(data):
        return None
    return pixmap.scaled(
        width,
        height,
        Qt.AspectRatioMode.KeepAspectRatio,
        Qt.TransformationMode.SmoothTransformation,
    )
