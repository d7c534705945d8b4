"""English and Chinese: the system's language by default, switchable while the app runs.

The words live in ``messages.py`` (one table per language, the same keys in each: a test holds
them to that). Windows call ``translator("key", name=value)`` and re-read their words when
``changed`` fires, so switching needs no restart.
"""

from __future__ import annotations

from typing import Any, Literal

from PySide6.QtCore import QLocale, QObject, Signal

from storyreel.desktop.messages import MESSAGES

Language = Literal["en", "zh"]
LANGUAGES: tuple[Language, ...] = ("en", "zh")


def system_language() -> Language:
    """Chinese when the system speaks it (any script or region), else English."""
    return "zh" if QLocale.system().language() == QLocale.Language.Chinese else "en"


class Translator(QObject):
    changed = Signal()

    def __init__(self, language: Language | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._language: Language = language or system_language()

    @property
    def language(self) -> Language:
        return self._language

    def set_language(self, language: Language) -> None:
        if language != self._language:
            self._language = language
            self.changed.emit()

    def __call__(self, key: str, **values: Any) -> str:
        table = MESSAGES[self._language]
        text = table.get(key) or MESSAGES["en"][key]  # a missing key is a bug: KeyError
        return text.format(**values) if values else text
