"""The player: the project's latest video with its subtitles, and downloads to a folder."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtMultimedia import QAudioOutput, QMediaDevices, QMediaPlayer
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from storyreel.desktop.i18n import Translator
from storyreel.desktop.models import Project, Render
from storyreel.desktop.subtitles import Cue, cue_at
from storyreel.desktop.ui.common import duration_text, shortcut
from storyreel.desktop.ui.video_view import VideoView


class PlayerPage(QWidget):
    back = Signal()
    download = Signal(Path)  # into this folder
    cancel_download = Signal()
    media_failed = Signal(str)  # the player's own words, e.g. an expired link

    def __init__(self, t: Translator) -> None:
        super().__init__()
        self._t = t
        self.project: Project | None = None
        self.current_render: Render | None = None
        self.cues: list[Cue] = []
        self.folder: Path | None = None
        self.player = QMediaPlayer(self)
        # Sound only where there is a device to play it on: without one (a server, a CI box)
        # Qt's FFmpeg backend spins an audio thread that can deadlock the player's stop.
        self.audio: QAudioOutput | None = None
        if not QMediaDevices.defaultAudioOutput().isNull():
            self.audio = QAudioOutput(self)
            self.player.setAudioOutput(self.audio)
        self.video = VideoView()
        self.player.setVideoSink(self.video.sink)
        self.subtitle = QLabel(alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        self.subtitle.setObjectName("subtitle")
        self.subtitle.setMinimumHeight(48)
        self.subtitle.setStyleSheet(
            "background: #141414; color: white; font-size: 18px; padding: 6px;"
        )
        self.back_button = QPushButton()
        self.title = QLabel()
        self.title.setStyleSheet("font-size: 18px; font-weight: 600;")
        self.play_button = QPushButton()
        shortcut(self, "Escape", self.back_button.click)
        shortcut(self, "Space", self.toggle)
        # The renders burn subtitles in; this line below the picture is the SRT, larger and in
        # the window's font, for whoever wants it (on by default, toggled here).
        self.show_subtitles = QCheckBox()
        self.show_subtitles.setChecked(True)
        self.show_subtitles.toggled.connect(self.subtitle.setVisible)
        self.position = QSlider(Qt.Orientation.Horizontal)
        self.time = QLabel("0:00 / 0:00")
        self.download_button = QPushButton()
        self.download_progress = QProgressBar(maximum=100)
        self.download_progress.hide()
        self.download_status = QLabel()
        self.cancel_button = QPushButton()
        self.cancel_button.hide()
        self.open_folder = QPushButton()
        self.open_folder.hide()

        top = QHBoxLayout()
        top.addWidget(self.back_button)
        top.addWidget(self.title, 1)
        controls = QHBoxLayout()
        controls.addWidget(self.play_button)
        controls.addWidget(self.position, 1)
        controls.addWidget(self.time)
        controls.addWidget(self.show_subtitles)
        downloads = QHBoxLayout()
        downloads.addWidget(self.download_button)
        downloads.addWidget(self.download_progress, 1)
        downloads.addWidget(self.download_status)
        downloads.addWidget(self.cancel_button)
        downloads.addWidget(self.open_folder)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.video, 1)
        layout.addWidget(self.subtitle)
        layout.addLayout(controls)
        layout.addLayout(downloads)

        self.back_button.clicked.connect(self._leave)
        self.play_button.clicked.connect(self.toggle)
        self.position.sliderMoved.connect(self.player.setPosition)
        self.player.durationChanged.connect(self._duration)
        self.player.positionChanged.connect(self._position)
        self.player.playbackStateChanged.connect(lambda _state: self.retranslate())
        self.player.errorOccurred.connect(lambda _e, text: self.media_failed.emit(text))
        self.download_button.clicked.connect(self._choose_folder)
        self.cancel_button.clicked.connect(self.cancel_download)
        self.open_folder.clicked.connect(self.show_folder)
        t.changed.connect(self.retranslate)
        self.retranslate()

    def load(self, project: Project, render: Render, video_url: str) -> None:
        self.project, self.current_render, self.cues = project, render, []
        self.subtitle.clear()
        self.video.clear()
        self.download_progress.hide()
        self.download_status.clear()
        self.open_folder.hide()
        self.player.setSource(QUrl(video_url))
        self.retranslate()

    def set_subtitles(self, cues: list[Cue]) -> None:
        self.cues = cues
        self._position(self.player.position())

    def toggle(self) -> None:
        if self.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState:
            self.player.pause()
        else:
            self.player.play()

    def _leave(self) -> None:
        self.player.pause()
        self.back.emit()

    def stop(self) -> None:
        if self.player.source().isEmpty():
            return
        self.player.stop()
        self.player.setSource(QUrl())

    def _duration(self, ms: int) -> None:
        self.position.setRange(0, ms)
        self._position(self.player.position())

    def _position(self, ms: int) -> None:
        if not self.position.isSliderDown():
            self.position.setValue(ms)
        total = self.player.duration() / 1000
        self.time.setText(f"{duration_text(ms / 1000)} / {duration_text(total)}")
        self.subtitle.setText(cue_at(self.cues, ms / 1000))

    # Downloads ---------------------------------------------------------------------------

    def _choose_folder(self) -> None:
        start = str(self.folder or Path.home())
        name = QFileDialog.getExistingDirectory(self, self._t("player.choose_folder"), start)
        if name:
            self.download.emit(Path(name))

    def download_started(self, folder: Path) -> None:
        self.folder = folder
        self.download_button.setEnabled(False)
        self.download_progress.setValue(0)
        self.download_progress.show()
        self.download_status.setText(self._t("player.downloading"))
        self.cancel_button.show()
        self.open_folder.hide()

    def download_advanced(self, done: int, total: int) -> None:
        if total > 0:
            self.download_progress.setValue(min(100, done * 100 // total))

    def download_finished(self, path: Path | None, problem: str = "") -> None:
        self.download_button.setEnabled(True)
        self.cancel_button.hide()
        if path is not None:
            self.download_progress.setValue(100)
            self.download_status.setText(self._t("player.downloaded", name=path.name))
            self.open_folder.show()
            self.open_folder.setFocus()
        else:
            self.download_progress.hide()
            self.download_status.setText(problem)

    def show_folder(self) -> None:
        if self.folder is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.folder)))

    def retranslate(self) -> None:
        t = self._t
        self.back_button.setText(t("nav.back"))
        playing = self.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState
        self.play_button.setText(t("player.pause" if playing else "player.play"))
        self.download_button.setText(t("player.download"))
        self.cancel_button.setText(t("player.cancel"))
        self.show_subtitles.setText(t("player.subtitles"))
        self.open_folder.setText(t("player.open_folder"))
        if self.project is not None and self.current_render is not None:
            r = self.current_render
            quality = t(f"quality.{r.quality}")
            self.title.setText(f"{self.project.title} · {quality} · {r.width}×{r.height}")
