"""The event bus by URL: in one process (memory://) and across processes (a real Redis)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
import redis

from storyreel.db.models import Project, User
from storyreel.db.repositories import tasks as repo
from storyreel.tasks.events import ALL_TASKS, Event, event_bus_from_url, project_channel
from storyreel.tasks.model import TaskSpec
from tests.tasks.kit import Kit


@pytest.fixture(params=["memory", "redis"])
def bus_url(request: pytest.FixtureRequest) -> str:
    if request.param == "memory":
        return "memory://"
    url: str = request.getfixturevalue("redis_url")
    return url


def test_events_reach_subscribers_in_order_with_sequence_numbers(bus_url: str) -> None:
    bus = event_bus_from_url(bus_url)
    sub = bus.subscribe("project:p1")
    other = bus.subscribe("project:p2")
    publishers = [
        threading.Thread(
            target=lambda n=n: [bus.publish("project:p1", {"n": n, "i": i}) for i in range(50)]
        )
        for n in range(4)
    ]
    for t in publishers:
        t.start()
    for t in publishers:
        t.join()
    bus.publish("project:p2", {"only": "p2"})
    got = [sub.get(timeout=2) for _ in range(200)]
    assert all(e is not None for e in got)
    assert [e["seq"] for e in got if e] == list(range(1, 201))
    for n in range(4):  # each publisher's own events stay in the order it published them
        assert [e["i"] for e in got if e and e["n"] == n] == list(range(50))
    assert other.get(timeout=2) == {"only": "p2", "seq": 1, "channel": "project:p2"}
    assert sub.get(timeout=0.2) is None
    sub.close()
    other.close()
    bus.close()


def test_an_unknown_events_url_is_refused() -> None:
    with pytest.raises(ValueError, match="memory:// or redis://"):
        event_bus_from_url("kafka://localhost")


# --- replay: a client that reconnects with its last seq gets what it missed --------------------


def test_replay_returns_exactly_the_missed_events_in_order(bus_url: str) -> None:
    bus = event_bus_from_url(bus_url)
    for i in range(1, 8):
        bus.publish("project:p1", {"i": i})
    bus.publish("project:p2", {"i": 100})
    assert bus.last_seq("project:p1") == 7
    assert bus.last_seq("project:p2") == 1
    assert bus.last_seq("project:never") == 0
    assert bus.replay("project:p1", 4) == [
        {"i": i, "seq": i, "channel": "project:p1"} for i in (5, 6, 7)
    ]
    assert [e["i"] for e in bus.replay("project:p1", 0) or []] == list(range(1, 8))
    bus.close()


def test_replay_is_empty_when_the_client_is_up_to_date(bus_url: str) -> None:
    bus = event_bus_from_url(bus_url)
    assert bus.replay("project:p1", 0) == []
    bus.publish("project:p1", {"i": 1})
    assert bus.replay("project:p1", 1) == []
    bus.close()


def test_replay_is_none_when_the_missed_events_are_no_longer_kept(bus_url: str) -> None:
    bus = event_bus_from_url(bus_url, history=3)
    for i in range(1, 6):
        bus.publish("project:p1", {"i": i})
    assert bus.replay("project:p1", 1) is None  # seq 2 was trimmed: resync from the API
    assert bus.replay("project:p1", 0) is None
    assert [e["seq"] for e in bus.replay("project:p1", 2) or []] == [3, 4, 5]
    bus.close()


def test_replay_is_none_when_the_client_saw_a_numbering_this_bus_never_had(bus_url: str) -> None:
    bus = event_bus_from_url(bus_url)  # as after a restart: the client remembers seq 40
    bus.publish("project:p1", {"i": 1})
    assert bus.replay("project:p1", 40) is None
    bus.close()


def test_subscribe_then_replay_resumes_without_a_gap_while_events_keep_coming(
    bus_url: str,
) -> None:
    bus = event_bus_from_url(bus_url)
    for i in range(20):
        bus.publish("project:p1", {"i": i})
    last_seen = 10  # the client's last event before it lost its connection

    def publish() -> None:  # still publishing while the client resumes, never past the history
        for _ in range(300):
            bus.publish("project:p1", {"live": True})
            time.sleep(0.001)

    publisher = threading.Thread(target=publish)
    publisher.start()
    while bus.last_seq("project:p1") < 60:
        time.sleep(0.001)
    sub = bus.subscribe("project:p1")  # the recipe: subscribe, replay, drop duplicates
    missed = bus.replay("project:p1", last_seen)
    assert bus.last_seq("project:p1") < 320, "the publisher finished before the client resumed"
    publisher.join()
    assert missed is not None
    resumed_at = missed[-1]["seq"] if missed else last_seen
    live: list[Event] = []
    while (event := sub.get(timeout=0.5)) is not None:
        if event["seq"] > resumed_at:
            live.append(event)
    seqs = [e["seq"] for e in missed + live]
    assert seqs == list(range(last_seen + 1, bus.last_seq("project:p1") + 1))
    sub.close()
    bus.close()


def test_redis_history_is_shared_by_processes_and_expires(redis_url: str) -> None:
    publisher, reader = event_bus_from_url(redis_url), event_bus_from_url(redis_url)
    publisher.publish("project:p1", {"i": 1, "seq": 99})  # a stray "seq" never wins
    publisher.publish("project:p1", {"i": 2})
    assert reader.replay("project:p1", 0) == [
        {"i": 1, "seq": 1, "channel": "project:p1"},
        {"i": 2, "seq": 2, "channel": "project:p1"},
    ]
    with redis.Redis.from_url(redis_url) as client:
        assert 0 < client.ttl("storyreel:log:project:p1") <= 24 * 3600
        client.delete("storyreel:log:project:p1")  # as if it expired while the client was away
    assert reader.replay("project:p1", 1) is None
    assert reader.replay("project:p1", 2) == []
    publisher.close()
    reader.close()


# --- the firehose: every task event, for server-side consumers --------------------------------


@pytest.fixture
def kit(tmp_path: Path) -> Iterator[Kit]:
    k = Kit(f"sqlite:///{tmp_path / 'storyreel.db'}")
    yield k
    k.close()


def test_the_firehose_carries_every_task_event_even_without_a_project(kit: Kit) -> None:
    with kit.db.session() as s:
        owner = User(email="a@example.com")
        s.add(owner)
    firehose = kit.bus.subscribe(ALL_TASKS)
    kit.kind("step", lambda ctx: {"made": ctx.params["n"]})
    t = kit.submit("step", params={"n": 3}, owner_id=owner.id)
    kit.start()
    kit.wait(t)
    events = []
    while (event := firehose.get(timeout=0.5)) is not None:
        events.append(event)
    assert [e["status"] for e in events] == ["queued", "running", "succeeded"]
    done = events[-1]
    assert done["task_id"] == t and done["project_id"] is None and done["owner_id"] == owner.id
    assert done["result"] == {"made": 3} and done["channel"] == ALL_TASKS
    assert done["updated_at"] == kit.task(t).updated_at.isoformat()
    stamps = [datetime.fromisoformat(e["updated_at"]) for e in events]
    assert stamps == sorted(stamps)
    firehose.close()


def test_a_project_task_event_reaches_its_project_and_the_firehose(kit: Kit) -> None:
    with kit.db.session() as s:
        project = Project(title="t", story="s", style="cinematic")
        s.add(project)
    channel, firehose = kit.bus.subscribe(project_channel(project.id)), kit.bus.subscribe(ALL_TASKS)
    kit.kind("step")
    t = kit.submit("step", project_id=project.id)
    on_channel, on_firehose = channel.get(timeout=2), firehose.get(timeout=2)
    assert on_channel is not None and on_firehose is not None
    assert on_channel["task_id"] == on_firehose["task_id"] == t
    assert (
        on_channel["updated_at"] == on_firehose["updated_at"] == kit.task(t).updated_at.isoformat()
    )
    channel.close()
    firehose.close()


def test_the_firehose_hears_nothing_of_a_rolled_back_transaction(kit: Kit) -> None:
    from storyreel.tasks import service

    kit.kind("step")
    firehose = kit.bus.subscribe(ALL_TASKS)
    with pytest.raises(RuntimeError), kit.db.session() as s:
        service.submit(s, TaskSpec(kind="step"), kit.kinds)
        raise RuntimeError("the request failed after submitting")
    assert firehose.get(timeout=0.3) is None
    with kit.db.session() as s:
        assert repo.count_by_status(s) == {}
    firehose.close()
