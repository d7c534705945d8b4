"""The projects grid: posters, titles, status and duration; open one, or make a new one."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QIcon, QKeySequence, QPixmap
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from storyreel.desktop.i18n import Translator
from storyreel.desktop.models import ProjectSummary
from storyreel.desktop.ui.common import duration_text, placeholder, shortcut, status_text

POSTER = QSize(240, 135)
ID_ROLE = Qt.ItemDataRole.UserRole


class ProjectsPage(QWidget):
    """Emits ``open_project(id)``, ``new_project()`` and ``refresh()``; the window loads."""

    open_project = Signal(str)
    new_project = Signal()
    refresh = Signal()

    def __init__(self, t: Translator) -> None:
        super().__init__()
        self._t = t
        self.projects: list[ProjectSummary] = []
        self._posters: dict[str, QPixmap] = {}  # by asset id: a new render has a new poster
        self.heading = QLabel()
        self.heading.setStyleSheet("font-size: 18px; font-weight: 600;")
        self.user = QLabel()
        self.new_button = QPushButton()
        self.refresh_button = QPushButton()
        shortcut(self, QKeySequence.StandardKey.New, self.new_button.click)
        shortcut(self, QKeySequence.StandardKey.Refresh, self.refresh_button.click)
        self.empty = QLabel(alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        self.grid = QListWidget()
        self.grid.setObjectName("projects")
        self.grid.setViewMode(QListView.ViewMode.IconMode)
        self.grid.setResizeMode(QListView.ResizeMode.Adjust)
        self.grid.setMovement(QListView.Movement.Static)
        self.grid.setIconSize(POSTER)
        self.grid.setGridSize(QSize(POSTER.width() + 24, POSTER.height() + 64))
        self.grid.setWordWrap(True)
        self.grid.setSpacing(8)
        self.grid.itemActivated.connect(self._activated)  # Enter or double-click

        top = QHBoxLayout()
        top.addWidget(self.heading)
        top.addStretch()
        top.addWidget(self.user)
        top.addWidget(self.refresh_button)
        top.addWidget(self.new_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.empty)
        layout.addWidget(self.grid, 1)

        self.new_button.clicked.connect(self.new_project)
        self.refresh_button.clicked.connect(self.refresh)
        # Many events arrive at once while projects run: one reload for a burst of them.
        self.reload_soon = QTimer(self, singleShot=True, interval=400)
        self.reload_soon.timeout.connect(self.refresh)
        t.changed.connect(self.retranslate)
        self.retranslate()

    def show_projects(self, projects: list[ProjectSummary]) -> None:
        current = self.grid.currentItem()
        selected = current.data(ID_ROLE) if current is not None else None
        self.projects = projects
        self.grid.clear()
        for p in projects:
            item = QListWidgetItem(self._icon(p), self._label(p))
            item.setData(ID_ROLE, p.id)
            item.setToolTip(p.title)
            self.grid.addItem(item)
            if p.id == selected:
                self.grid.setCurrentItem(item)
        if self.grid.currentItem() is None and projects:
            self.grid.setCurrentRow(0)
        self.empty.setVisible(not projects)
        self.grid.setVisible(bool(projects))

    def poster_loaded(self, asset_id: str, pixmap: QPixmap) -> None:
        self._posters[asset_id] = pixmap
        for row, p in enumerate(self.projects):
            if p.poster is not None and p.poster.id == asset_id:
                item = self.grid.item(row)
                if item is not None:
                    item.setIcon(QIcon(pixmap))

    def missing_posters(self) -> list[tuple[str, str]]:
        """(asset id, url) of the posters not loaded yet."""
        return [
            (p.poster.id, p.poster.url)
            for p in self.projects
            if p.poster is not None and p.poster.id not in self._posters
        ]

    def running(self) -> list[str]:
        return [p.id for p in self.projects if p.status == "running"]

    def _icon(self, p: ProjectSummary) -> QIcon:
        if p.poster is not None and p.poster.id in self._posters:
            return QIcon(self._posters[p.poster.id])
        return QIcon(placeholder(POSTER.width(), POSTER.height(), p.title[:24]))

    def _label(self, p: ProjectSummary) -> str:
        status = status_text(p.status, self._t)
        return f"{p.title}\n{status} · {duration_text(p.duration)}"

    def _activated(self, item: QListWidgetItem) -> None:
        self.open_project.emit(str(item.data(ID_ROLE)))

    def set_user(self, name: str) -> None:
        self.user.setText(name)

    def retranslate(self) -> None:
        t = self._t
        self.heading.setText(t("projects.heading"))
        self.new_button.setText(t("projects.new"))
        self.new_button.setToolTip(QKeySequence(QKeySequence.StandardKey.New).toString())
        self.refresh_button.setText(t("projects.refresh"))
        self.empty.setText(t("projects.empty"))
        for row, p in enumerate(self.projects):
            item = self.grid.item(row)
            if item is not None:
                item.setText(self._label(p))
