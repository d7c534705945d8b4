"""The API client against a real server: accounts, refresh rotation, errors, and the live
events' reconnect and catch-up through a network outage."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from storyreel.desktop.client import ApiClient
from storyreel.desktop.errors import ApiError, ServerUnreachable, SessionExpired
from storyreel.desktop.live import LiveEvents, Notice, Resync
from storyreel.desktop.models import NewProject, TaskEvent, Tokens
from tests.desktop.conftest import PASSWORD
from tests.desktop.proxy import CuttableProxy
from tests.services import HOST, free_port

STORY = "Lin opened the door. Rain fell on the quiet harbour."


def wait_for(what: str, check: object, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(check) and check():
            return
        time.sleep(0.1)
    raise AssertionError(f"not seen within {timeout:g} s: {what}")


@pytest.fixture
def client(server: str, account: tuple[str, str]) -> Iterator[ApiClient]:
    api = ApiClient(server)
    api.login(*account)
    yield api
    api.close()


def test_signing_in_and_resuming_rotates_the_refresh_token(
    server: str, account: tuple[str, str]
) -> None:
    sessions: list[Tokens | None] = []
    first = ApiClient(server, on_session=sessions.append)
    user = first.login(*account)
    assert user.email == account[0] and first.signed_in
    saved = first.refresh_token
    assert saved is not None and sessions[-1] is not None
    # A new run of the app, from the remembered refresh token:
    again = ApiClient(server, on_session=sessions.append)
    assert again.resume(saved).email == account[0]
    assert again.refresh_token != saved and sessions[-1] is not None
    # The old refresh token is spent; using it again is refused as an expired session.
    third = ApiClient(server, on_session=sessions.append)
    with pytest.raises(SessionExpired):
        third.resume(saved)
    assert sessions[-1] is None and not third.signed_in


def test_wrong_password_and_duplicate_accounts_carry_the_servers_words(
    server: str, account: tuple[str, str]
) -> None:
    api = ApiClient(server)
    with pytest.raises(ApiError) as wrong:
        api.login(account[0], "not the password at all")
    assert wrong.value.status == 401 and "wrong email or password" in wrong.value.message
    with pytest.raises(ApiError) as taken:
        api.register(account[0], PASSWORD)
    assert taken.value.status == 409


def test_calls_without_a_session_and_to_a_dead_server_fail_in_words() -> None:
    with pytest.raises(SessionExpired):
        ApiClient("http://127.0.0.1:9").projects()
    dead = ApiClient(f"http://{HOST}:{free_port()}")
    with pytest.raises(ServerUnreachable) as down:
        dead.login("a@example.com", "password password")
    assert down.value.url == dead.base_url and not dead.ready()


def test_a_document_makes_a_project_and_a_bad_request_names_the_problem(
    client: ApiClient, tmp_path: Path
) -> None:
    story = tmp_path / "harbour.md"
    story.write_text(f"# The Harbour\n\n{STORY}\n")
    project = client.create_project(
        NewProject(document=story, quality="preview", music="none", max_shots=2)
    )
    assert project.title and project.status in ("running", "draft", "done")
    with pytest.raises(ApiError) as refused:
        client.create_project(NewProject(story="x", style="no-such-style"))
    assert refused.value.status in (400, 422) and "style" in refused.value.message.lower()


def test_a_cancelled_download_leaves_no_file(client: ApiClient, tmp_path: Path) -> None:
    voices = client.voices()  # a voice's sample: a file to download without making a project
    sample = f"/api/v1/voices/{voices[0].id}/sample"
    with pytest.raises(InterruptedError):
        client.download(sample, tmp_path, "sample.wav", cancelled=lambda: True)
    assert list(tmp_path.iterdir()) == []
    done = client.download(sample, tmp_path, "sample.wav")
    assert done.stat().st_size > 1000 and list(tmp_path.iterdir()) == [done]


@pytest.mark.slow
def test_live_events_catch_up_after_a_network_outage(client: ApiClient, server: str) -> None:
    """Events published while the connection is down arrive after it comes back, once each
    and in order — the studio's reconnect with ``after_seq``."""
    proxy = CuttableProxy(urlsplit(server).port or 80)
    proxy.start()
    notices: list[Notice] = []
    states: list[bool] = []
    lock = threading.Lock()

    def notice(n: Notice) -> None:
        with lock:
            notices.append(n)

    via_proxy = ApiClient(proxy.url)
    live = LiveEvents(
        via_proxy.ws_url, client.access_token, on_notice=notice, on_status=states.append
    )
    project = client.create_project(
        NewProject(story=STORY, quality="preview", music="none", max_shots=2)
    )
    live.start()
    live.follow(project.id)
    try:
        wait_for("the live connection", lambda: live.connected, 30)
        # An event proves the subscription is in place (it follows from the moment it was
        # made: what finished before is in the REST answer, not replayed).
        wait_for("a first event", lambda: any(isinstance(n, TaskEvent) for n in notices), 60)
        wait_for("the first shot's voice", lambda: _voice_done(client, project.id), 120)
        before = len(notices)

        proxy.cut()
        wait_for("the app to notice the outage", lambda: not live.connected, 10)
        shot = client.project(project.id).shots[0]
        task = client.remake(project.id, shot.id, "voice")  # work while the app is cut off
        wait_for(
            "the new voice made while cut off",
            lambda: client.project(project.id).shots[0].tasks["voice"].status == "succeeded",
            120,
        )
        assert len(notices) == before  # nothing could arrive meanwhile
        proxy.restore()
        wait_for(
            "the missed voice events after reconnecting",
            lambda: any(
                isinstance(n, TaskEvent) and n.task_id == task.id and n.status == "succeeded"
                for n in list(notices)
            ),
            30,
        )
    finally:
        live.stop()
        proxy.cut()
    events = [n for n in notices if isinstance(n, TaskEvent)]
    seqs = [e.seq for e in events]
    assert all(s is not None for s in seqs)
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)  # in order, none twice
    assert not [n for n in notices if isinstance(n, Resync)]  # caught up, no refetch needed
    assert proxy.connections >= 2 and states[:3] == [True, False, True]


def _voice_done(client: ApiClient, project_id: str) -> bool:
    shots = client.project(project_id).shots
    return (
        bool(shots)
        and "voice" in shots[0].tasks
        and shots[0].tasks["voice"].status == ("succeeded")
    )
