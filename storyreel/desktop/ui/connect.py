"""The first screen: which server, and whether it is up (or being started for you)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from storyreel.desktop.i18n import Translator
from storyreel.desktop.ui.common import describe


class ConnectPage(QWidget):
    """Shows progress while connecting; on failure, the reason and a way to retry."""

    connect_to = Signal(str)

    def __init__(self, t: Translator) -> None:
        super().__init__()
        self._t = t
        self.heading = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
        self.heading.setStyleSheet("font-size: 20px; font-weight: 600;")
        self.message = QLabel(alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)  # indeterminate: we do not know how long a start takes
        self.busy.setMaximumWidth(320)
        self.url_label = QLabel()
        self.url = QLineEdit()
        self.url.setMinimumWidth(320)
        self.url_label.setBuddy(self.url)
        self.retry = QPushButton()
        self.retry.setDefault(True)
        self.retry.clicked.connect(lambda: self.connect_to.emit(self.url.text()))
        self.url.returnPressed.connect(self.retry.click)

        row = QHBoxLayout()
        row.addStretch()
        row.addWidget(self.url_label)
        row.addWidget(self.url)
        row.addWidget(self.retry)
        row.addStretch()
        layout = QVBoxLayout(self)
        layout.addStretch()
        layout.addWidget(self.heading)
        layout.addWidget(self.message)
        layout.addWidget(self.busy, alignment=Qt.AlignmentFlag.AlignCenter)
        layout.addLayout(row)
        layout.addStretch()
        self._state = "connecting"
        self._problem: BaseException | None = None
        t.changed.connect(self.retranslate)
        self.retranslate()

    def connecting(self, url: str) -> None:
        self._show("connecting", url)

    def starting(self, url: str) -> None:
        self._show("starting", url)

    def failed(self, url: str, problem: BaseException) -> None:
        self._problem = problem
        self._show("failed", url)

    def choose(self, url: str) -> None:
        """Ask which server to use (the menu's "Change server")."""
        self._show("choose", url)

    def _show(self, state: str, url: str) -> None:
        self._state = state
        self.url.setText(url)
        self.retranslate()

    def retranslate(self) -> None:
        t, state = self._t, self._state
        url = self.url.text()
        self.heading.setText(t("app.title"))
        asking = state in ("failed", "choose")
        if state == "failed" and self._problem is not None:
            self.message.setText(describe(self._problem, t))  # in the language of the moment
        else:
            self.message.setText(t(f"connect.{state}", url=url))
        self.busy.setVisible(not asking)
        for w in (self.url_label, self.url, self.retry):
            w.setVisible(asking)
        self.url_label.setText(t("connect.server"))
        self.retry.setText(t("connect.retry" if state == "failed" else "connect.go"))
        if asking:
            self.url.setFocus()
