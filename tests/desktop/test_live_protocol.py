"""The live protocol frame by frame: the studio's subscribe, catch-up, dedupe and backoff."""

from __future__ import annotations

import json
from typing import Any

from storyreel.desktop.live import (
    CLOSE_EXPIRED,
    CLOSE_UNAUTHORIZED,
    FIRST_BACKOFF_S,
    MAX_BACKOFF_S,
    LiveProtocol,
    Resync,
)
from storyreel.desktop.models import TaskEvent


def task(seq: int, project: str = "p1", status: str = "running") -> str:
    return json.dumps(
        {
            "type": "task",
            "seq": seq,
            "task_id": f"t{seq}",
            "kind": "image",
            "project_id": project,
            "shot_id": "s1",
            "status": status,
            "progress": 50,
        }
    )


def frame(**fields: Any) -> str:
    return json.dumps(fields)


def seqs(notices: list[Any]) -> list[int | None]:
    return [n.seq for n in notices if isinstance(n, TaskEvent)]


def test_it_authenticates_in_the_first_frame_and_subscribes_once_ready() -> None:
    live = LiveProtocol()
    assert live.follow("p1") == []  # not connected yet: nothing to send
    assert live.opened("tok") == [{"type": "auth", "token": "tok"}]
    sent, _ = live.receive(frame(type="ready", user_id="u", expires_in=900))
    assert sent == [{"type": "subscribe", "project_id": "p1"}]  # no after_seq: from now on
    assert live.follow("p2") == [{"type": "subscribe", "project_id": "p2"}]
    assert live.follow("p2") == []  # already followed


def test_after_a_reconnect_it_resumes_after_the_last_event_seen() -> None:
    live = LiveProtocol()
    live.follow("p1")
    live.receive(frame(type="ready"))
    live.receive(frame(type="subscribed", project_id="p1", last_seq=4))
    _, notices = live.receive(task(5))
    assert seqs(notices) == [5]
    assert live.closed(1006) == FIRST_BACKOFF_S
    sent, _ = live.receive(frame(type="ready"))
    assert sent == [{"type": "subscribe", "project_id": "p1", "after_seq": 5}]


def test_replayed_events_already_seen_are_dropped_and_new_ones_pass_once() -> None:
    live = LiveProtocol()
    live.follow("p1")
    live.receive(frame(type="ready"))
    live.receive(frame(type="subscribed", project_id="p1", last_seq=0))
    delivered: list[Any] = []
    for seq in (1, 2, 3, 2, 3, 4, 4, 5):  # a replay overlapping live events
        delivered += live.receive(task(seq))[1]
    assert seqs(delivered) == [1, 2, 3, 4, 5]


def test_a_later_subscribed_frame_does_not_move_the_cursor_back() -> None:
    live = LiveProtocol()
    live.follow("p1")
    live.receive(frame(type="ready"))
    live.receive(task(7))
    live.receive(frame(type="subscribed", project_id="p1", last_seq=3))
    assert seqs(live.receive(task(6))[1]) == []  # 6 is older than what was seen


def test_events_of_projects_not_followed_are_ignored() -> None:
    live = LiveProtocol()
    live.follow("p1")
    live.receive(frame(type="ready"))
    assert live.receive(task(1, project="other"))[1] == []
    live.unfollow("p1")
    assert live.receive(task(2))[1] == []


def test_resync_and_revoked_access_ask_the_views_to_refetch() -> None:
    live = LiveProtocol()
    live.follow("p1")
    live.follow("p2")
    live.receive(frame(type="ready"))
    assert live.receive(frame(type="resync", project_id="p1"))[1] == [Resync("p1")]
    revoked = frame(type="unsubscribed", project_id="p2", reason="access_revoked")
    assert live.receive(revoked)[1] == [Resync("p2")]
    live.closed(1006)
    sent, _ = live.receive(frame(type="ready"))
    assert [f["project_id"] for f in sent] == ["p1"]  # p2 is not asked for again


def test_reconnects_back_off_to_a_ceiling_and_reset_once_connected() -> None:
    live = LiveProtocol()
    delays = [live.closed(1006) for _ in range(8)]
    assert delays[:4] == [0.5, 1.0, 2.0, 4.0] and max(d or 0 for d in delays) == MAX_BACKOFF_S
    live.receive(frame(type="ready"))
    assert live.closed(1006) == FIRST_BACKOFF_S


def test_lifetime_reached_reconnects_at_once_and_unauthorized_stops() -> None:
    live = LiveProtocol()
    assert live.closed(CLOSE_EXPIRED) == 0.0
    assert live.closed(CLOSE_UNAUTHORIZED) is None


def test_frames_that_are_not_json_objects_are_ignored() -> None:
    live = LiveProtocol()
    live.follow("p1")
    assert live.receive("not json") == ([], [])
    assert live.receive("[1, 2]") == ([], [])
    assert live.receive(frame(type="task", seq=1)) == ([], [])  # no task fields
