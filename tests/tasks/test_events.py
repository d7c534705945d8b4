"""The event bus by URL: in one process (memory://) and across processes (a real Redis)."""

from __future__ import annotations

import threading

import pytest

from storyreel.tasks.events import event_bus_from_url


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
