"""The storyboard: a card per shot — picture, narration, prompt — edited in place, with live
progress per shot, re-makes of one picture or voice, and preview/final renders."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QPixmap
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from storyreel.desktop.i18n import Translator
from storyreel.desktop.models import Project, Shot, TaskEvent, TaskState
from storyreel.desktop.ui.common import STATUS_COLOURS, placeholder, shortcut, status_text

PICTURE_W, PICTURE_H = 256, 144
SHOT_KINDS = ("image", "voice", "motion")


class _Step(QWidget):
    """One step of a shot (picture, voice, motion): its status and progress."""

    def __init__(self) -> None:
        super().__init__()
        self.label = QLabel()
        self.bar = QProgressBar(maximum=100, textVisible=False)
        self.bar.setFixedHeight(6)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        self.status = ""

    def show_state(self, name: str, status: str, progress: float, t: Translator) -> None:
        self.status = status
        self.label.setText(f"{name}: {status_text(status, t)}")
        self.bar.setValue(100 if status == "succeeded" else int(progress))
        self.bar.setVisible(status in ("queued", "running", "blocked"))


class ShotCard(QFrame):
    save = Signal(str, str, str)  # shot id, narration, prompt
    remake = Signal(str, str)  # shot id, "image" | "voice"

    def __init__(self, shot: Shot, t: Translator, writable: bool) -> None:
        super().__init__()
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setObjectName(f"shot-{shot.position + 1}")
        self._t = t
        self.shot = shot
        self.picture = QLabel()
        self.picture.setFixedSize(PICTURE_W, PICTURE_H)
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.picture_id: str | None = None
        self.heading = QLabel()
        self.heading.setStyleSheet("font-weight: 600;")
        self.narration_label = QLabel()
        self.narration = QPlainTextEdit(shot.narration)
        self.narration.setObjectName("narration")
        self.narration.setTabChangesFocus(True)  # Tab moves on, as in a form
        self.narration.setFixedHeight(64)
        self.prompt_label = QLabel()
        self.prompt = QPlainTextEdit(shot.visual_prompt)
        self.prompt.setObjectName("prompt")
        self.prompt.setTabChangesFocus(True)
        self.prompt.setFixedHeight(64)
        self.narration_label.setBuddy(self.narration)
        self.prompt_label.setBuddy(self.prompt)
        self.save_button = QPushButton()
        self.remake_picture = QPushButton()
        self.remake_voice = QPushButton()
        self.steps = {kind: _Step() for kind in SHOT_KINDS}

        text = QVBoxLayout()
        text.addWidget(self.heading)
        text.addWidget(self.narration_label)
        text.addWidget(self.narration)
        text.addWidget(self.prompt_label)
        text.addWidget(self.prompt)
        buttons = QHBoxLayout()
        for b in (self.save_button, self.remake_picture, self.remake_voice):
            buttons.addWidget(b)
        buttons.addStretch()
        text.addLayout(buttons)
        steps = QHBoxLayout()
        for step in self.steps.values():
            steps.addWidget(step)
        text.addLayout(steps)
        layout = QHBoxLayout(self)
        layout.addWidget(self.picture, alignment=Qt.AlignmentFlag.AlignTop)
        layout.addLayout(text, 1)

        self.narration.textChanged.connect(self._edited)
        self.prompt.textChanged.connect(self._edited)
        self.save_button.clicked.connect(self.submit)
        self.remake_picture.clicked.connect(lambda: self.remake.emit(self.shot.id, "image"))
        self.remake_voice.clicked.connect(lambda: self.remake.emit(self.shot.id, "voice"))
        for w in (self.narration, self.prompt):
            w.setReadOnly(not writable)
        for b in (self.save_button, self.remake_picture, self.remake_voice):
            b.setVisible(writable)
        self.picture.setPixmap(placeholder(PICTURE_W, PICTURE_H, "…"))
        self.update_shot(shot)

    @property
    def dirty(self) -> bool:
        return (
            self.narration.toPlainText() != self.shot.narration
            or self.prompt.toPlainText() != self.shot.visual_prompt
        )

    def submit(self) -> None:
        if self.dirty:
            self.save_button.setEnabled(False)
            self.save.emit(self.shot.id, self.narration.toPlainText(), self.prompt.toPlainText())

    def update_shot(self, shot: Shot) -> None:
        """New data from the server; text being edited (unsaved) is left alone."""
        was_dirty = self.dirty
        self.shot = shot
        if not was_dirty:
            texts = ((self.narration, shot.narration), (self.prompt, shot.visual_prompt))
            for edit, value in texts:
                if edit.toPlainText() != value:
                    edit.setPlainText(value)
        for kind, step in self.steps.items():
            state = shot.tasks.get(kind)
            step.setVisible(state is not None)
            if state is not None:
                step.show_state(self._t(f"step.{kind}"), state.status, state.progress, self._t)
        self.retranslate()

    def task_event(self, event: TaskEvent) -> None:
        step = self.steps.get(event.kind)
        if step is not None:
            step.setVisible(True)
            step.show_state(self._t(f"step.{event.kind}"), event.status, event.progress, self._t)

    def show_picture(self, asset_id: str, pixmap: QPixmap) -> None:
        self.picture_id = asset_id
        self.picture.setPixmap(pixmap)

    def _edited(self) -> None:
        self.save_button.setEnabled(self.dirty)

    def retranslate(self) -> None:
        t, shot = self._t, self.shot
        seconds = f" · {shot.voice_seconds:.1f} s" if shot.voice_seconds else ""
        self.heading.setText(t("shot.heading", n=shot.position + 1) + seconds)
        self.narration_label.setText(t("shot.narration"))
        self.prompt_label.setText(t("shot.prompt"))
        self.save_button.setText(t("shot.save"))
        self.save_button.setEnabled(self.dirty)
        self.remake_picture.setText(t("shot.remake_picture"))
        self.remake_voice.setText(t("shot.remake_voice"))
        for kind, step in self.steps.items():
            state = shot.tasks.get(kind)
            if state is not None and step.status == state.status:
                step.show_state(t(f"step.{kind}"), state.status, state.progress, t)


def overall_progress(project: Project) -> int:
    """Percent of the current tasks done (a task part-way counts by its progress)."""
    states: list[TaskState] = list(project.tasks.values())
    for shot in project.shots:
        states.extend(shot.tasks.values())
    if not states:
        return 0
    done = sum(100.0 if s.status == "succeeded" else s.progress for s in states)
    return int(done / len(states))


class StoryboardPage(QWidget):
    back = Signal()
    play = Signal()
    render_requested = Signal(str)  # "preview" | "final"
    save_shot = Signal(str, str, str)
    remake = Signal(str, str)

    def __init__(self, t: Translator) -> None:
        super().__init__()
        self._t = t
        self.project: Project | None = None
        self.cards: dict[str, ShotCard] = {}
        self.back_button = QPushButton()
        self.title = QLabel()
        self.title.setStyleSheet("font-size: 18px; font-weight: 600;")
        self.status = QLabel()
        self.progress = QProgressBar(maximum=100)
        self.progress.setMaximumWidth(220)
        self.render_preview = QPushButton()
        self.render_final = QPushButton()
        self.play_button = QPushButton()
        shortcut(self, "Escape", self.back_button.click)
        shortcut(self, "Ctrl+P", self.play_button.click)
        self.empty = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
        self.list = QWidget()
        self.list_layout = QGridLayout(self.list)
        self.list_layout.setAlignment(Qt.AlignmentFlag.AlignTop)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.list)

        top = QHBoxLayout()
        top.addWidget(self.back_button)
        top.addWidget(self.title, 1)
        top.addWidget(self.status)
        top.addWidget(self.progress)
        top.addWidget(self.render_preview)
        top.addWidget(self.render_final)
        top.addWidget(self.play_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.empty)
        layout.addWidget(scroll, 1)

        self.back_button.clicked.connect(self.back)
        self.play_button.clicked.connect(self.play)
        self.render_preview.clicked.connect(lambda: self.render_requested.emit("preview"))
        self.render_final.clicked.connect(lambda: self.render_requested.emit("final"))
        shortcut(self, QKeySequence.StandardKey.Save, self._save_focused)
        t.changed.connect(self.retranslate)
        self.retranslate()

    def show_project(self, project: Project) -> None:
        same = self.project is not None and self.project.id == project.id
        if not same or [s.id for s in project.shots] != list(self.cards):
            self._rebuild(project)
        else:
            for shot in project.shots:
                self.cards[shot.id].update_shot(shot)
        self.project = project
        self.retranslate()

    def _rebuild(self, project: Project) -> None:
        old = {sid: card for sid, card in self.cards.items()}
        for card in old.values():
            self.list_layout.removeWidget(card)
            card.deleteLater()
        self.cards = {}
        for row, shot in enumerate(project.shots):
            card = ShotCard(shot, self._t, project.writable)
            card.save.connect(self.save_shot)
            card.remake.connect(self.remake)
            self.list_layout.addWidget(card, row, 0)
            self.cards[shot.id] = card

    def shot_saved(self, shot: Shot) -> None:
        card = self.cards.get(shot.id)
        if card is not None:
            card.shot = shot
            card.update_shot(shot)

    def task_event(self, event: TaskEvent) -> None:
        card = self.cards.get(event.shot_id or "")
        if card is not None:
            card.task_event(event)

    def missing_pictures(self) -> list[tuple[str, str, str]]:
        """(shot id, asset id, url) of pictures newer than what the cards show."""
        return [
            (sid, card.shot.image.id, card.shot.image.url)
            for sid, card in self.cards.items()
            if card.shot.image is not None and card.picture_id != card.shot.image.id
        ]

    def picture_loaded(self, shot_id: str, asset_id: str, pixmap: QPixmap) -> None:
        card = self.cards.get(shot_id)
        if card is not None:
            card.show_picture(asset_id, pixmap)

    def _save_focused(self) -> None:
        focus = QApplication.focusWidget()
        for card in self.cards.values():
            if focus is not None and card.isAncestorOf(focus):
                card.submit()

    def retranslate(self) -> None:
        t, p = self._t, self.project
        self.back_button.setText(t("nav.back"))
        self.render_preview.setText(t("storyboard.render_preview"))
        self.render_final.setText(t("storyboard.render_final"))
        self.play_button.setText(t("storyboard.play"))
        self.empty.setText(t("storyboard.empty"))
        if p is None:
            return
        self.title.setText(p.title)
        self.status.setText(status_text(p.status, t))
        self.status.setStyleSheet(f"color: {STATUS_COLOURS.get(p.status, '#000')};")
        self.progress.setValue(overall_progress(p))
        self.progress.setVisible(p.status == "running")
        self.empty.setVisible(not p.shots)
        has_video = p.latest_render is not None and p.latest_render.video is not None
        self.play_button.setEnabled(has_video)
        for b in (self.render_preview, self.render_final):
            b.setVisible(p.writable)
            b.setEnabled(bool(p.shots))
        for card in self.cards.values():
            card.retranslate()
