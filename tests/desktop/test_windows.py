"""The windows against a real server: remembered sessions, the keyboard, errors in words,
the local server started for you, and an ended session sending you back to sign in."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from keyring.backends import fail
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication

from storyreel.desktop.client import ApiClient
from storyreel.desktop.errors import SessionExpired
from storyreel.desktop.session import SessionStore
from storyreel.desktop.ui.main_window import MainWindow
from tests.desktop.conftest import PASSWORD, MemoryKeyring, new_email
from tests.desktop.proxy import CuttableProxy
from tests.desktop.screens import screenshot
from tests.services import HOST, free_port


def on_sign_in(qtbot: Any, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.signin_page, timeout=30_000)


def sign_in(qtbot: Any, window: MainWindow, email: str, password: str) -> None:
    on_sign_in(qtbot, window)
    window.signin_page.email.setText(email)
    window.signin_page.password.setText(password)
    with qtbot.waitSignal(window.signed_in, timeout=20_000):
        window.signin_page.submit.click()


def test_a_remembered_session_signs_you_in_without_asking(
    qtbot: Any,
    make_window: Any,
    server: str,
    account: tuple[str, str],
    memory_keyring: MemoryKeyring,
) -> None:
    first: MainWindow = make_window(server)
    sign_in(qtbot, first, *account)
    assert first.signin_page.keyring_note.text().startswith("You stay signed in")
    (kept,) = memory_keyring.passwords.values()
    assert account[0] in kept and account[1] not in kept  # the refresh token, never the password
    first.close()

    again: MainWindow = make_window(server)
    with qtbot.waitSignal(again.signed_in, timeout=20_000):
        pass
    assert again.stack.currentWidget() is again.projects_page
    assert again.client is not None and again.client.user is not None
    assert again.client.user.email == account[0]

    again.sign_out_action.trigger()
    on_sign_in(qtbot, again)
    qtbot.waitUntil(lambda: not memory_keyring.passwords, timeout=10_000)


def test_without_a_keyring_the_app_says_you_will_sign_in_again(
    qtbot: Any, make_window: Any, server: str
) -> None:
    window: MainWindow = make_window(server, store=SessionStore(fail.Keyring()))
    on_sign_in(qtbot, window)
    assert "no keyring" in window.signin_page.keyring_note.text()


def test_signing_in_with_the_keyboard_alone(
    qtbot: Any, make_window: Any, server: str, account: tuple[str, str]
) -> None:
    window: MainWindow = make_window(server)
    on_sign_in(qtbot, window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)  # shortcuts need it
    page = window.signin_page
    qtbot.waitUntil(lambda: page.email.hasFocus())
    qtbot.keyClicks(page.email, account[0])
    qtbot.keyClick(page.email, Qt.Key.Key_Tab)
    assert page.password.hasFocus()
    qtbot.keyClicks(page.password, "wrong password!")
    qtbot.keyClick(page.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.notice.isVisible(), timeout=10_000)
    assert "wrong email or password" in page.notice.text()
    page.password.clear()
    qtbot.keyClicks(page.password, account[1])
    with qtbot.waitSignal(window.signed_in, timeout=20_000):
        qtbot.keyClick(page.password, Qt.Key.Key_Return)
    # Ctrl+N opens the new-project dialog; Escape closes it.
    qtbot.keyClick(window.projects_page.grid, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.new_dialog is not None and window.new_dialog.isVisible())
    dialog = window.new_dialog
    assert dialog is not None and dialog.story.hasFocus()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_a_dropped_document_becomes_the_story(
    qtbot: Any, make_window: Any, server: str, account: tuple[str, str], tmp_path: Path
) -> None:
    window: MainWindow = make_window(server)
    sign_in(qtbot, window, *account)
    window.projects_page.new_button.click()
    qtbot.waitUntil(lambda: window.new_dialog is not None and window.new_dialog.isVisible())
    dialog = window.new_dialog
    assert dialog is not None
    document = tmp_path / "harbour.md"
    document.write_text("# The Harbour\n\nRain fell on the harbour.\n")
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(document))])
    drop = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        data,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    dialog.story.dropEvent(drop)
    assert dialog.document == document and not dialog.story.isEnabled()
    assert "harbour.md" in dialog.document_label.text()
    assert dialog.request().document == document
    dialog.clear_document.click()
    assert dialog.document is None and dialog.story.isEnabled()
    dialog.buttons.accepted.emit()  # nothing pasted, nothing dropped: said, and kept open
    assert dialog.isVisible() and "Paste a story" in dialog.problem.text()


def test_a_server_that_goes_down_is_told_in_plain_words(
    qtbot: Any, make_window: Any, server: str, account: tuple[str, str]
) -> None:
    proxy = CuttableProxy(urlsplit(server).port or 80)
    proxy.start()
    try:
        window: MainWindow = make_window(proxy.url)
        sign_in(qtbot, window, *account)
        proxy.cut()
        window.projects_page.refresh_button.click()
        qtbot.waitUntil(lambda: window.banner_box.isVisible(), timeout=20_000)
        assert "does not answer" in window.banner.text() and proxy.url in window.banner.text()
        assert window.stack.currentWidget() is window.projects_page  # still signed in
        proxy.restore()
        window.projects_page.refresh_button.click()
        qtbot.waitUntil(lambda: not window.banner_box.isVisible(), timeout=20_000)
    finally:
        proxy.cut()


def test_a_dead_remote_server_is_not_started_and_can_be_retried(
    qtbot: Any, make_window: Any, tmp_path: Path
) -> None:
    url = f"http://{HOST}:{free_port()}"
    window: MainWindow = make_window(url, auto_start=False)
    page = window.connect_page
    qtbot.waitUntil(lambda: page.retry.isVisible(), timeout=20_000)
    assert "does not answer" in page.message.text() and window.local_server is None
    screenshot(window, "connect", tmp_path)
    window.set_language("zh")
    assert page.retry.text().startswith("重试") and "没有应答" in page.message.text()
    page.retry.click()
    qtbot.waitUntil(lambda: page.retry.isVisible(), timeout=20_000)


@pytest.mark.slow
def test_the_local_server_is_started_for_you_and_an_ended_session_asks_you_to_sign_in(
    qtbot: Any, make_window: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in [n for n in __import__("os").environ if n.startswith("STORYREEL_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("STORYREEL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("STORYREEL_ADMIN_PASSWORD", "desktop admin password")
    # Access tokens within the refresh margin: every call refreshes, so a spent refresh token
    # shows at the next call (as an expired session would, minutes later).
    monkeypatch.setenv("STORYREEL_ACCESS_TOKEN_TTL_S", "30")
    url = f"http://{HOST}:{free_port()}"
    window: MainWindow = make_window(url, auto_start=True)
    qtbot.waitUntil(lambda: "starting the local one" in window.connect_page.message.text())
    # migrate + serve: seconds, or a minute on a loaded 2-core machine.
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.signin_page, timeout=120_000)
    local = window.local_server
    assert local is not None and local.running

    email = new_email()
    ApiClient(url).register(email, PASSWORD)
    sign_in(qtbot, window, email, PASSWORD)
    assert window.client is not None and window.client.refresh_token is not None
    # Another program uses the window's refresh token. The window may have rotated it already
    # (each of its calls refreshes here): then this is a reuse and the server revokes the whole
    # session; else the window's own token is now the spent one. Either way, it has ended.
    with contextlib.suppress(SessionExpired):
        ApiClient(url).resume(window.client.refresh_token)
    window.projects_page.refresh_button.click()
    on_sign_in(qtbot, window)
    assert "session has expired" in window.signin_page.notice.text()
    assert window.signin_page.email.text() == email

    window.shutdown()
    assert not local.running and window.local_server is None
