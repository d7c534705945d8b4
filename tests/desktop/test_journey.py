"""The whole journey in the app, against a real server: sign up, make a short project with
live progress, edit a shot, render again, play the video with its subtitles, download it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from PySide6.QtMultimedia import QMediaPlayer

from storyreel.desktop.live import Resync
from storyreel.desktop.models import Project, TaskEvent
from storyreel.desktop.ui.main_window import MainWindow
from tests.desktop.conftest import PASSWORD, new_email
from tests.desktop.screens import screenshot

STORY = (
    "Mira climbed the old lighthouse at dusk. "
    "She lit the lamp, and far away a small boat turned toward the light."
)
NEW_NARRATION = "Mira climbed the lighthouse stairs, counting every step."


def project_of(window: MainWindow) -> Project:
    project = window.storyboard_page.project
    assert project is not None
    return project


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_sign_up_make_edit_render_play_and_download(
    qtbot: Any, make_window: Any, server: str, tmp_path: Path
) -> None:
    shots = tmp_path / "screens"
    window: MainWindow = make_window(server)
    notices: list[Any] = []
    window.bridge.notice.connect(notices.append)

    # Sign up: the sign-in screen, switched to "create an account".
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.signin_page, timeout=20_000)
    page = window.signin_page
    page.switch.click()
    assert page.name.isVisible()
    email = new_email()
    page.email.setText(email)
    page.password.setText(PASSWORD)
    page.name.setText("Ada")
    screenshot(window, "signup", shots)
    with qtbot.waitSignal(window.signed_in, timeout=20_000):
        page.submit.click()
    assert window.stack.currentWidget() is window.projects_page
    assert window.client is not None and window.client.user is not None
    assert window.client.user.email == email
    qtbot.waitUntil(lambda: window.projects_page.empty.isVisible(), timeout=10_000)

    # A short project from pasted text: preview quality, no music, two shots at most.
    window.projects_page.new_button.click()
    qtbot.waitUntil(lambda: window.new_dialog is not None and window.new_dialog.isVisible())
    dialog = window.new_dialog
    assert dialog is not None
    dialog.title_edit.setText("The Lamp")
    dialog.story.setPlainText(STORY)
    dialog.quality.setCurrentIndex(dialog.quality.findData("preview"))
    dialog.length.setValue(10)
    assert [dialog.aspect.itemData(i) for i in range(dialog.aspect.count())] == [
        "16:9",
        "9:16",
        "1:1",
    ]
    assert dialog.style_box.count() >= 8 and dialog.voice.itemData(0) == "auto"
    screenshot(dialog, "new-project", shots)
    dialog.buttons.accepted.emit()
    qtbot.waitUntil(lambda: window.storyboard_page.project is not None, timeout=30_000)
    assert not dialog.isVisible()
    project_id = project_of(window).id
    assert window.current_project == project_id

    # Live progress: task events for this project arrive over the WebSocket while it is made.
    qtbot.waitUntil(lambda: project_of(window).status == "done", timeout=300_000)
    events = [n for n in notices if isinstance(n, TaskEvent) and n.project_id == project_id]
    # Following starts once the project exists (events from then on, as in the studio): the
    # first steps may be done before that; the render comes after.
    assert "render" in {e.kind for e in events}
    seqs = [e.seq for e in events]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)  # in order, none twice
    project = project_of(window)
    assert project.latest_render is not None and project.latest_render.quality == "preview"
    first_render = project.latest_render.id
    cards = window.storyboard_page.cards
    assert len(cards) == len(project.shots) >= 1
    qtbot.waitUntil(
        lambda: all(card.picture_id is not None for card in cards.values()), timeout=20_000
    )
    assert window.storyboard_page.play_button.isEnabled()

    # Edit the first shot's narration in place and save it.
    card = cards[project.shots[0].id]
    card.narration.setPlainText(NEW_NARRATION)
    assert card.save_button.isEnabled()
    screenshot(window, "storyboard", shots)
    card.save_button.click()
    qtbot.waitUntil(lambda: project_of(window).shots[0].narration == NEW_NARRATION, timeout=20_000)
    qtbot.waitUntil(lambda: not card.save_button.isEnabled(), timeout=5_000)

    # Re-make the last shot's picture: a new task for it, followed live to the end.
    last = cards[project.shots[-1].id]
    old_task = last.shot.tasks["image"].id
    last.remake_picture.click()
    qtbot.waitUntil(
        lambda: (
            project_of(window).shots[-1].tasks["image"].id != old_task
            and project_of(window).shots[-1].tasks["image"].status == "succeeded"
        ),
        timeout=120_000,
    )
    assert last.steps["image"].status == "succeeded"
    new_task = project_of(window).shots[-1].tasks["image"].id
    assert any(
        isinstance(n, TaskEvent) and n.task_id == new_task and n.status == "succeeded"
        for n in notices
    )  # the shot's progress came over the WebSocket

    # Render again: only what the edits feed is redone, then a new preview.
    window.storyboard_page.render_preview.click()
    qtbot.waitUntil(
        lambda: (
            project_of(window).status == "done"
            and project_of(window).latest_render is not None
            and project_of(window).latest_render.id != first_render  # type: ignore[union-attr]
        ),
        timeout=300_000,
    )
    render = project_of(window).latest_render
    assert render is not None and render.video is not None and render.srt is not None

    # Play it: the player loads the video and shows the new narration as a subtitle.
    window.storyboard_page.play_button.click()
    player_page = window.player_page()
    assert window.stack.currentWidget() is player_page
    player = player_page.player
    qtbot.waitUntil(lambda: player.duration() > 0, timeout=30_000)
    assert abs(player.duration() / 1000 - render.duration) < 1.0
    assert player.mediaStatus() in (
        QMediaPlayer.MediaStatus.LoadedMedia,
        QMediaPlayer.MediaStatus.BufferingMedia,
        QMediaPlayer.MediaStatus.BufferedMedia,
        QMediaPlayer.MediaStatus.EndOfMedia,
    )
    qtbot.waitUntil(lambda: len(player_page.cues) > 0, timeout=10_000)
    assert any(NEW_NARRATION.split(",")[0] in c.text.replace("\n", " ") for c in player_page.cues)
    qtbot.waitUntil(lambda: player_page.video.frames_shown > 0, timeout=20_000)
    player.pause()
    player.setPosition(int(player_page.cues[0].start * 1000 + 300))
    qtbot.waitUntil(lambda: player_page.subtitle.text() != "", timeout=10_000)
    player_page.show_subtitles.click()
    assert not player_page.subtitle.isVisible()
    player_page.show_subtitles.click()
    assert player_page.subtitle.isVisible()
    frame = player_page.video.frame
    assert frame is not None and (frame.width(), frame.height()) == (render.width, render.height)

    # Download to a folder: the video (and its subtitles) with the sizes the server has.
    folder = tmp_path / "downloads"
    folder.mkdir()
    player_page.download.emit(folder)
    qtbot.waitUntil(lambda: player_page.open_folder.isVisible(), timeout=60_000)
    videos = list(folder.glob("*.mp4"))
    assert len(videos) == 1 and videos[0].stat().st_size == render.video.size
    assert player_page.download_progress.value() == 100
    subtitles = list(folder.glob("*.srt"))
    assert len(subtitles) == 1 and NEW_NARRATION.split(",")[0] in subtitles[0].read_text()
    assert not list(folder.glob(".*.part"))
    screenshot(window, "player", shots)

    # Back to the grid: the project with its poster, status and duration; then in Chinese.
    player_page.back_button.click()
    window.storyboard_page.back_button.click()
    grid = window.projects_page.grid
    qtbot.waitUntil(lambda: grid.count() == 1, timeout=10_000)
    qtbot.waitUntil(lambda: not window.projects_page.missing_posters(), timeout=20_000)
    label = grid.item(0).text()
    assert "The Lamp" in label and "Done" in label and ":" in label.split("·")[1]
    screenshot(window, "projects", shots)
    window.set_language("zh")
    assert "完成" in grid.item(0).text()
    assert window.projects_page.new_button.text().startswith("新建项目")
    screenshot(window, "projects-zh", shots)
    # No resync was needed: the connection stayed up the whole time.
    assert not [n for n in notices if isinstance(n, Resync)]
    # The server saw the edit: the REST answer matches what the window shows.
    answer = httpx.get(
        f"{server}/api/v1/projects/{project_id}",
        headers={"Authorization": f"Bearer {window.client.access_token()}"},
        timeout=10,
    )
    assert answer.json()["shots"][0]["narration"] == NEW_NARRATION
