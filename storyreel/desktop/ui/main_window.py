"""The main window: connects to the server, signs in, and moves between the screens.

It owns the session (``ApiClient``), the live events (``LiveEvents``) and the thread pool
(``Jobs``); the pages only show data and emit what the user asked for.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, QStandardPaths, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence, QPaintEvent, QPixmap
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from storyreel.desktop import server
from storyreel.desktop.errors import (
    ApiError,
    DesktopError,
    ServerUnreachable,
    SessionExpired,
)
from storyreel.desktop.i18n import LANGUAGES, Language, Translator
from storyreel.desktop.jobs import Jobs
from storyreel.desktop.live import LiveEvents, Notice, Resync
from storyreel.desktop.models import (
    NewProject,
    Project,
    ProjectSummary,
    Shot,
    Style,
    TaskEvent,
    Tokens,
    User,
    Voice,
)
from storyreel.desktop.subtitles import Cue, parse_srt
from storyreel.desktop.ui.common import describe, picture
from storyreel.desktop.ui.connect import ConnectPage
from storyreel.desktop.ui.new_project import NewProjectDialog
from storyreel.desktop.ui.projects import POSTER, ProjectsPage
from storyreel.desktop.ui.signin import SignInPage
from storyreel.desktop.ui.storyboard import PICTURE_H, PICTURE_W, StoryboardPage
from storyreel.desktop.urls import file_name, normalise_url

if TYPE_CHECKING:
    from storyreel.desktop.client import ApiClient
    from storyreel.desktop.models import Render
    from storyreel.desktop.session import SessionStore
    from storyreel.desktop.ui.player import PlayerPage

log = logging.getLogger(__name__)

POLL_MS = 2_500  # how often to poll while live events are down (the studio's POLL_MS)
RELOAD_MS = 300  # a burst of events becomes one reload


class _LiveBridge(QObject):
    """Carries the live thread's callbacks to the GUI thread (queued signals)."""

    notice = Signal(object)
    status = Signal(bool)
    expired = Signal(str)


class MainWindow(QMainWindow):
    first_shown = Signal()
    signed_in = Signal()  # for the tests: a session began

    def __init__(
        self,
        *,
        settings: QSettings,
        store: SessionStore | None = None,
        server_url: str | None = None,
        auto_start: bool = True,
        language: Language | None = None,
        log_dir: Path | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings
        saved_language = str(settings.value("language", "") or "")
        chosen: Language | None = language
        if chosen is None and saved_language in LANGUAGES:
            chosen = "zh" if saved_language == "zh" else "en"
        self.t = Translator(chosen, self)
        self.jobs = Jobs(self)
        self._store = store
        self.auto_start = auto_start
        self.server_url = normalise_url(
            server_url or str(settings.value("server", "") or "") or server.default_url()
        )
        self.log_dir = log_dir or Path(
            QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppLocalDataLocation)
            or Path.home() / ".storyreel-desktop"
        )
        self.client: ApiClient | None = None
        self.local_server: server.LocalServer | None = None
        self.live: LiveEvents | None = None
        self.live_connected = False
        self.follows: Counter[str] = Counter()
        self.current_project: str | None = None
        self.styles: list[Style] | None = None
        self.voices: list[Voice] = []
        self.new_dialog: NewProjectDialog | None = None
        self._email = ""
        self._shown = False
        self._closed = False
        self._player_page: PlayerPage | None = None
        self._cancel_download = threading.Event()  # set from the GUI, read by the download

        self.bridge = _LiveBridge(self)
        self.bridge.notice.connect(self._notice)
        self.bridge.status.connect(self._live_status)
        self.bridge.expired.connect(lambda _reason: self._session_expired())

        self.connect_page = ConnectPage(self.t)
        self.signin_page = SignInPage(self.t)
        self.projects_page = ProjectsPage(self.t)
        self.storyboard_page = StoryboardPage(self.t)
        self.stack = QStackedWidget()
        for page in (self.connect_page, self.signin_page, self.projects_page, self.storyboard_page):
            self.stack.addWidget(page)

        self.banner = QLabel(wordWrap=True)
        self.banner.setObjectName("error-banner")
        self.banner_close = QPushButton("×")
        self.banner_close.setFixedWidth(28)
        self.banner_box = QFrame()
        self.banner_box.setStyleSheet(
            "QFrame { background: #fff1f0; border: 1px solid #ffa39e; } QLabel { border: 0; }"
        )
        row = QHBoxLayout(self.banner_box)
        row.addWidget(self.banner, 1)
        row.addWidget(self.banner_close)
        self.banner_box.hide()
        self.banner_close.clicked.connect(self.banner_box.hide)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addWidget(self.banner_box)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self.resize(1100, 760)

        self.reload_project_soon = QTimer(self, singleShot=True, interval=RELOAD_MS)
        self.reload_project_soon.timeout.connect(self.load_project)
        self.poll = QTimer(self, interval=POLL_MS)
        self.poll.timeout.connect(self._poll)

        self._menus()
        self._wire_pages()
        self.t.changed.connect(self.retranslate)
        self.retranslate()

    # Set-up ------------------------------------------------------------------------------

    def _menus(self) -> None:
        bar = self.menuBar()
        self.app_menu = bar.addMenu("")
        self.change_server_action = QAction(self)
        self.change_server_action.triggered.connect(self.choose_server)
        self.sign_out_action = QAction(self)
        self.sign_out_action.triggered.connect(self.sign_out)
        self.quit_action = QAction(self)
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self.quit_action.triggered.connect(self.close)
        for action in (self.change_server_action, self.sign_out_action, self.quit_action):
            self.app_menu.addAction(action)
        self.language_menu = bar.addMenu("")
        group = QActionGroup(self)
        self.language_actions: dict[str, QAction] = {}
        for language, label in (("en", "English"), ("zh", "中文")):
            action = QAction(label, self, checkable=True)
            action.setChecked(self.t.language == language)
            action.triggered.connect(lambda _=False, lang=language: self.set_language(lang))
            group.addAction(action)
            self.language_menu.addAction(action)
            self.language_actions[language] = action

    def _wire_pages(self) -> None:
        self.connect_page.connect_to.connect(self.connect_server)
        self.signin_page.sign_in.connect(self.sign_in)
        self.signin_page.sign_up.connect(self.sign_up)
        self.signin_page.change_server.connect(self.change_server_action.trigger)
        self.projects_page.open_project.connect(self.open_project)
        self.projects_page.new_project.connect(self.new_project)
        self.projects_page.refresh.connect(self.load_projects)
        self.storyboard_page.back.connect(self.show_projects)
        self.storyboard_page.save_shot.connect(self.save_shot)
        self.storyboard_page.remake.connect(self.remake)
        self.storyboard_page.render_requested.connect(self.start_render)
        self.storyboard_page.play.connect(self.play)

    @property
    def store(self) -> SessionStore:
        """The keyring, found on first use: looking for a backend takes a moment that the
        first window should not wait for."""
        if self._store is None:
            from storyreel.desktop.session import SessionStore

            self._store = SessionStore()
            if not self._store.persistent:
                log.info("no keyring backend: sessions are not remembered")
        return self._store

    def choose_server(self) -> None:
        self.connect_page.choose(self.server_url)
        self._show(self.connect_page)

    def set_language(self, language: Language) -> None:
        self.t.set_language(language)
        self.settings.setValue("language", language)
        self.settings.sync()
        self.language_actions[language].setChecked(True)

    def retranslate(self) -> None:
        t = self.t
        self.setWindowTitle(f"{t('app.title')} — {self.server_url}")
        self.app_menu.setTitle(t("menu.app"))
        self.language_menu.setTitle(t("menu.language"))
        self.change_server_action.setText(t("menu.change_server"))
        self.sign_out_action.setText(t("menu.sign_out"))
        self.quit_action.setText(t("menu.quit"))
        self.menuBar().updateGeometry()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._shown:
            self._shown = True
            self.first_shown.emit()

    def _show(self, page: QWidget) -> None:
        self.stack.setCurrentWidget(page)
        self.statusBar().clearMessage()  # a note about the last screen would mislead here
        focus = QApplication.focusWidget()
        if focus is None or not page.isAncestorOf(focus):
            # The screen's keys (Ctrl+N, Escape, Space…) work while the focus is in it.
            page.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            page.setFocus()

    def show_error(self, exc: BaseException) -> None:
        """Errors in plain words; an expired session goes back to the sign-in screen."""
        if isinstance(exc, SessionExpired):
            self._session_expired()
            return
        self.banner.setText(describe(exc, self.t))
        self.banner_box.show()

    def _note(self, key: str) -> None:
        self.statusBar().showMessage(self.t(key), 6000)

    # Connecting and signing in -----------------------------------------------------------

    def start(self) -> None:
        self.connect_server(self.server_url)

    def connect_server(self, url: str) -> None:
        url = normalise_url(url or server.default_url())
        self._end_session()
        self.server_url = url
        self.settings.setValue("server", url)
        self.settings.sync()  # written now: the app may be closed before Qt gets round to it
        self.retranslate()
        self.banner_box.hide()
        self.connect_page.connecting(url)
        self._show(self.connect_page)

        def reach() -> server.LocalServer | None:
            if server.answers(url):
                return None
            if not (self.auto_start and server.is_local(url)):
                raise ServerUnreachable(url)
            self.jobs.call_soon(lambda: self.connect_page.starting(url))
            local = server.LocalServer(url, self.log_dir)
            self.local_server = local  # now: closing the app meanwhile stops it
            local.start()
            return local

        def reached(_local: server.LocalServer | None) -> None:
            self._connected(url)

        def unreachable(exc: Exception) -> None:
            self.connect_page.failed(url, exc)

        self.jobs.run(reach, reached, unreachable)

    def _connected(self, url: str) -> None:
        # Imported once connected: httpx takes a while to load, the first window need not wait.
        from storyreel.desktop.client import ApiClient

        if self.client is not None:
            self.client.close()
        client = ApiClient(url, on_session=functools.partial(self._session_changed, url))
        self.client = client
        saved = self.store.load(url)
        if saved is None:
            self._sign_in_screen()
            return
        self._email = saved.email

        def resume_failed(exc: Exception) -> None:
            key = "signin.expired" if isinstance(exc, SessionExpired) else None
            notice = self.t(key) if key else describe(exc, self.t)
            self._sign_in_screen(notice)

        self.jobs.run(lambda: client.resume(saved.refresh_token), self._signed_in, resume_failed)

    def _session_changed(self, url: str, tokens: Tokens | None) -> None:
        """From the client (any thread): keep the newest refresh token, or forget it."""
        from storyreel.desktop.session import SavedSession

        if tokens is None:
            self.store.forget(url)
        else:
            self.store.save(url, SavedSession(self._email, tokens.refresh_token))

    def _sign_in_screen(self, notice: str = "") -> None:
        self.signin_page.prepare(self.server_url, self.store.persistent, self._email, notice)
        self._show(self.signin_page)

    def sign_in(self, email: str, password: str) -> None:
        client = self.client
        if client is None:
            return
        self._email = email
        self.jobs.run(lambda: client.login(email, password), self._signed_in, self._refused)

    def sign_up(self, email: str, password: str, name: str) -> None:
        client = self.client
        if client is None:
            return
        self._email = email

        def create() -> User:
            client.register(email, password, name)
            return client.login(email, password)

        self.jobs.run(create, self._signed_in, self._refused)

    def _refused(self, exc: Exception) -> None:
        # At sign-in a 401 means a wrong password, not an expired session: the server's words.
        if isinstance(exc, ApiError) and exc.status in (401, 403, 409, 422):
            self.signin_page.show_problem(self.t("signin.refused", message=exc.message))
        else:
            self.signin_page.show_problem(describe(exc, self.t))

    def _signed_in(self, user: User) -> None:
        self.projects_page.set_user(user.display_name or user.email)
        self._start_live()
        self.show_projects()
        self.signed_in.emit()

    def sign_out(self) -> None:
        client = self.client
        self._end_session()
        if client is not None:
            self.jobs.run(client.logout, lambda _: None, lambda exc: log.info("logout: %s", exc))
            self._sign_in_screen()

    def _session_expired(self) -> None:
        if self.client is not None:
            self.client.end()
        self._end_session()
        self._sign_in_screen(self.t("error.expired"))

    def _end_session(self) -> None:
        """Stop following anything; the client stays for signing in again."""
        if self.live is not None:
            self.live.stop(timeout=0.5)
            self.live = None
        self.live_connected = False
        self.follows.clear()
        self.current_project = None
        self.poll.stop()
        if self._player_page is not None:
            self._player_page.stop()

    # Live events -------------------------------------------------------------------------

    def _start_live(self) -> None:
        client = self.client
        if client is None:
            return
        self.live = LiveEvents(
            client.ws_url,
            client.access_token,
            on_notice=self.bridge.notice.emit,
            on_status=self.bridge.status.emit,
            on_expired=self.bridge.expired.emit,
        )
        self.live.start()
        for project_id in self.follows:
            self.live.follow(project_id)
        self.poll.start()

    def follow(self, project_id: str) -> None:
        self.follows[project_id] += 1
        if self.follows[project_id] == 1 and self.live is not None:
            self.live.follow(project_id)

    def unfollow(self, project_id: str) -> None:
        if self.follows[project_id] <= 0:
            return
        self.follows[project_id] -= 1
        if self.follows[project_id] == 0:
            del self.follows[project_id]
            if self.live is not None:
                self.live.unfollow(project_id)

    def _notice(self, notice: Notice) -> None:
        project_id = notice.project_id
        if project_id is not None and project_id == self.current_project:
            if isinstance(notice, TaskEvent):
                self.storyboard_page.task_event(notice)
            self.reload_project_soon.start()
        if self.stack.currentWidget() is self.projects_page and (
            isinstance(notice, Resync) or notice.status in ("succeeded", "failed", "cancelled")
        ):
            self.projects_page.reload_soon.start()

    def _live_status(self, connected: bool) -> None:
        self.live_connected = connected
        if not connected and self.follows:
            self._note("live.paused")

    def _poll(self) -> None:
        """While live events are down, refresh what is running (as the studio does)."""
        if self.live_connected or self.client is None:
            return
        page = self.stack.currentWidget()
        project = self.storyboard_page.project
        if page is self.storyboard_page and project is not None and project.status == "running":
            self.load_project()
        elif page is self.projects_page and self.projects_page.running():
            self.load_projects()

    # Projects ----------------------------------------------------------------------------

    def show_projects(self) -> None:
        if self.current_project is not None:
            self.unfollow(self.current_project)
            self.current_project = None
        self._show(self.projects_page)
        self.load_projects()

    def load_projects(self) -> None:
        client = self.client
        if client is None or not client.signed_in:
            return
        self.jobs.run(client.projects, self._projects_loaded, self.show_error)

    def _projects_loaded(self, projects: list[ProjectSummary]) -> None:
        self.banner_box.hide()  # whatever went wrong before has passed
        before = set(self.projects_page.running())
        self.projects_page.show_projects(projects)
        now = set(self.projects_page.running())
        for pid in now - before:
            self.follow(pid)
        for pid in before - now:
            self.unfollow(pid)
        for asset_id, url in self.projects_page.missing_posters():
            show = functools.partial(self.projects_page.poster_loaded, asset_id)
            self._load_picture(url, show, POSTER.width(), POSTER.height())

    def _load_picture(
        self, url: str, show: Callable[[QPixmap], None], width: int, height: int
    ) -> None:
        client = self.client
        if client is None:
            return

        def loaded(data: bytes) -> None:
            pixmap = picture(data, width, height)
            if pixmap is not None:
                show(pixmap)

        # A picture that fails to load keeps its placeholder; the next reload tries again.
        self.jobs.run(lambda: client.fetch(url), loaded, lambda exc: log.info("picture: %s", exc))

    def new_project(self) -> None:
        client = self.client
        if client is None:
            return
        if self.styles is not None:
            self._open_new_dialog()
            return

        def catalogs() -> tuple[list[Style], list[Voice]]:
            styles = client.styles()
            try:
                voices = client.voices()
            except ApiError:
                voices = []  # the speech provider is down: "auto" still works
            return styles, voices

        def loaded(found: tuple[list[Style], list[Voice]]) -> None:
            self.styles, self.voices = found
            self._open_new_dialog()

        self.jobs.run(catalogs, loaded, self.show_error)

    def _open_new_dialog(self) -> None:
        if self.new_dialog is not None:
            self.new_dialog.deleteLater()  # the last one, closed: one dialog at a time
        dialog = NewProjectDialog(self.t, self.styles or [], self.voices, self)
        dialog.submitted.connect(self.create_project)
        self.new_dialog = dialog
        dialog.open()

    def create_project(self, request: NewProject) -> None:
        client, dialog = self.client, self.new_dialog
        if client is None:
            return

        def made(project: Project) -> None:
            if dialog is not None:
                dialog.accept()
            self.open_project(project.id)

        def refused(exc: Exception) -> None:
            if isinstance(exc, SessionExpired) or dialog is None:
                self.show_error(exc)
            else:
                dialog.refused(describe(exc, self.t))

        self.jobs.run(lambda: client.create_project(request), made, refused)

    # One project: the storyboard ---------------------------------------------------------

    def open_project(self, project_id: str) -> None:
        if self.current_project != project_id:
            if self.current_project is not None:
                self.unfollow(self.current_project)
            self.current_project = project_id
            self.follow(project_id)
        self.banner_box.hide()
        self._show(self.storyboard_page)
        self.load_project()

    def load_project(self) -> None:
        client, project_id = self.client, self.current_project
        if client is None or project_id is None:
            return
        self.jobs.run(lambda: client.project(project_id), self._project_loaded, self.show_error)

    def _project_loaded(self, project: Project) -> None:
        if project.id != self.current_project:
            return  # the user moved on while it loaded
        self.banner_box.hide()
        self.storyboard_page.show_project(project)
        for shot_id, asset_id, url in self.storyboard_page.missing_pictures():
            show = functools.partial(self.storyboard_page.picture_loaded, shot_id, asset_id)
            self._load_picture(url, show, PICTURE_W, PICTURE_H)

    def save_shot(self, shot_id: str, narration: str, prompt: str) -> None:
        client, project_id = self.client, self.current_project
        if client is None or project_id is None:
            return

        def saved(shot: Shot) -> None:
            self.storyboard_page.shot_saved(shot)
            self._note("shot.saved")
            self.reload_project_soon.start()

        def failed(exc: Exception) -> None:
            card = self.storyboard_page.cards.get(shot_id)
            if card is not None:
                card.save_button.setEnabled(True)
            self.show_error(exc)

        self.jobs.run(
            lambda: client.update_shot(
                project_id, shot_id, narration=narration, visual_prompt=prompt
            ),
            saved,
            failed,
        )

    def remake(self, shot_id: str, what: str) -> None:
        client, project_id = self.client, self.current_project
        if client is None or project_id is None:
            return

        def started(_task: object) -> None:
            self._note(f"shot.remaking_{what}")
            self.reload_project_soon.start()

        self.jobs.run(lambda: client.remake(project_id, shot_id, what), started, self.show_error)

    def start_render(self, quality: str) -> None:
        client, project_id = self.client, self.current_project
        if client is None or project_id is None:
            return

        def started(_task: object) -> None:
            self._note("storyboard.rendering")
            self.reload_project_soon.start()

        self.jobs.run(lambda: client.render(project_id, quality), started, self.show_error)

    # The player and downloads ------------------------------------------------------------

    def player_page(self) -> PlayerPage:
        """Made on first use: QtMultimedia takes a while to load, not worth it at start-up."""
        if self._player_page is None:
            from storyreel.desktop.ui.player import PlayerPage

            page = PlayerPage(self.t)
            page.back.connect(lambda: self._show(self.storyboard_page))
            page.download.connect(self.download)
            page.cancel_download.connect(self._cancel_download.set)
            page.media_failed.connect(self._media_failed)
            self.stack.addWidget(page)
            self._player_page = page
        return self._player_page

    def play(self) -> None:
        client, project = self.client, self.storyboard_page.project
        if client is None or project is None:
            return
        render = project.latest_render
        if render is None or render.video is None:
            return
        page = self.player_page()
        page.load(project, render, client.absolute(render.video.url))
        srt = render.srt
        if srt is not None:

            def subtitles() -> list[Cue]:
                return parse_srt(client.fetch(srt.url).decode("utf-8", "replace"))

            self.jobs.run(subtitles, page.set_subtitles, self.show_error)
        self._show(page)
        page.play_button.setFocus()
        page.player.play()

    def _media_failed(self, text: str) -> None:
        self.show_error(DesktopError(self.t("player.failed", message=text)))

    def download(self, folder: Path) -> None:
        client, page = self.client, self.player_page()
        project, render = page.project, page.current_render
        if client is None or project is None or render is None or render.video is None:
            return
        page.download_started(folder)
        self._cancel_download.clear()
        self.jobs.run(
            lambda: self._download(client, page, project, render, folder),
            page.download_finished,
            lambda exc: page.download_finished(None, describe(exc, self.t)),
        )

    def _download(
        self, client: ApiClient, page: PlayerPage, project: Project, render: Render, folder: Path
    ) -> Path:
        """On a worker thread: the video, then its subtitles beside it."""
        assert render.video is not None
        shown = [-1]

        def progress(done: int, total: int) -> None:
            percent = done * 100 // total if total else 0
            if percent != shown[0]:  # at most a hundred updates, not one per chunk
                shown[0] = percent
                self.jobs.call_soon(lambda: page.download_advanced(done, total))

        cancelled = self._cancel_download.is_set
        name = file_name(render.video.url, f"{project.title}.mp4")
        video = client.download(render.video.url, folder, name, progress, cancelled)
        if render.srt is not None:
            srt_name = file_name(render.srt.url, f"{video.stem}.srt")
            client.download(render.srt.url, folder, srt_name, cancelled=cancelled)
        return video

    # Closing -----------------------------------------------------------------------------

    def shutdown(self) -> None:
        """Stop live events and a server this app started (or is starting), then wait for the
        calls in flight (they end quickly with it gone)."""
        if self._closed:
            return  # closing the window after an explicit shutdown (or the other way round)
        self._closed = True
        self._end_session()
        if self.local_server is not None:
            self.local_server.stop()
            self.local_server = None
        self.jobs.wait(10_000)
        if self.client is not None:
            self.client.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)
