"""New project: paste a story or drop a document, then style, aspect, voice and length."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from storyreel.desktop.i18n import Translator
from storyreel.desktop.models import NewProject, Style, Voice

DOCUMENTS = (".txt", ".md", ".markdown", ".docx", ".pdf", ".epub", ".html", ".htm")
ASPECTS = ("16:9", "9:16", "1:1")


def _dropped_file(event: QDragEnterEvent | QDropEvent) -> Path | None:
    urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
    files = [Path(u.toLocalFile()) for u in urls if u.isLocalFile()]
    return files[0] if len(files) == 1 and files[0].suffix.lower() in DOCUMENTS else None


class StoryEdit(QPlainTextEdit):
    """The story box: type or paste text, or drop one document on it."""

    document_dropped = Signal(Path)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if _dropped_file(event) is not None:
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event: QDragEnterEvent) -> None:  # type: ignore[override]
        if _dropped_file(event) is not None:
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        path = _dropped_file(event)
        if path is not None:
            event.acceptProposedAction()
            self.document_dropped.emit(path)
        else:
            super().dropEvent(event)


class NewProjectDialog(QDialog):
    """Emits ``submitted`` and stays open until the window says the project was made
    (``accept``) or why not (``refused``)."""

    submitted = Signal(NewProject)

    def __init__(
        self, t: Translator, styles: list[Style], voices: list[Voice], parent: QWidget | None
    ) -> None:
        super().__init__(parent)
        self._t = t
        self.document: Path | None = None
        self.title_edit = QLineEdit()
        self.story = StoryEdit()
        self.story.setObjectName("story")
        self.story.setMinimumSize(520, 200)
        self.story.document_dropped.connect(self.use_document)
        self.document_label = QLabel()
        self.choose = QPushButton()
        self.choose.clicked.connect(self._choose_document)
        self.clear_document = QPushButton()
        self.clear_document.clicked.connect(lambda: self.use_document(None))
        self.style_box = QComboBox()
        for s in styles:
            self.style_box.addItem(s.label_zh if t.language == "zh" else s.label, s.id)
            if s.default:
                self.style_box.setCurrentIndex(self.style_box.count() - 1)
        self.aspect = QComboBox()
        for a in ASPECTS:
            self.aspect.addItem(a, a)
        self.voice = QComboBox()
        self.voice.addItem(t("new.voice_auto"), "auto")
        for v in voices:
            self.voice.addItem(v.label, v.id)
        self.length = QSpinBox(minimum=0, maximum=1200, singleStep=10)
        self.length.setSpecialValueText(t("new.length_auto"))
        self.length.setSuffix(" s")
        self.quality = QComboBox()
        self.quality.addItem(t("new.quality_final"), "final")
        self.quality.addItem(t("new.quality_preview"), "preview")
        self.problem = QLabel(wordWrap=True)
        self.problem.setStyleSheet("color: #cf1322;")
        self.problem.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(t("new.make"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(t("new.cancel"))
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)

        doc_row = QHBoxLayout()
        doc_row.addWidget(self.document_label, 1)
        doc_row.addWidget(self.choose)
        doc_row.addWidget(self.clear_document)
        form = QFormLayout()
        form.addRow(t("new.title"), self.title_edit)
        form.addRow(t("new.story"), self.story)
        form.addRow("", doc_row)
        form.addRow(t("new.style"), self.style_box)
        form.addRow(t("new.aspect"), self.aspect)
        form.addRow(t("new.voice"), self.voice)
        form.addRow(t("new.length"), self.length)
        form.addRow(t("new.quality"), self.quality)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.setWindowTitle(t("new.heading"))
        self.choose.setText(t("new.choose"))
        self.clear_document.setText(t("new.clear_document"))
        self.setAcceptDrops(True)
        self.use_document(None)
        self.story.setFocus()

    def use_document(self, path: Path | None) -> None:
        """Make the project from this document instead of the text box (None: the text)."""
        self.document = path
        self.story.setEnabled(path is None)
        self.clear_document.setVisible(path is not None)
        text = self._t("new.document", name=path.name) if path else self._t("new.drop_hint")
        self.document_label.setText(text)

    def _choose_document(self) -> None:
        pattern = " ".join(f"*{s}" for s in DOCUMENTS)
        name, _ = QFileDialog.getOpenFileName(
            self, self._t("new.choose"), "", f"{self._t('new.documents')} ({pattern})"
        )
        if name:
            self.use_document(Path(name))

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if _dropped_file(event) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        path = _dropped_file(event)
        if path is not None:
            event.acceptProposedAction()
            self.use_document(path)

    def request(self) -> NewProject:
        return NewProject(
            story=self.story.toPlainText(),
            document=self.document,
            title=self.title_edit.text(),
            style=str(self.style_box.currentData() or "cinematic"),
            aspect=self.aspect.currentData(),
            voice=str(self.voice.currentData()),
            target_seconds=float(self.length.value()) or None,
            quality=self.quality.currentData(),
        )

    def _accept(self) -> None:
        if self.document is None and not self.story.toPlainText().strip():
            self.refused(self._t("new.empty"))
            return
        self.problem.hide()
        self.buttons.setEnabled(False)
        self.submitted.emit(self.request())

    def refused(self, message: str) -> None:
        self.problem.setText(message)
        self.problem.show()
        self.buttons.setEnabled(True)
