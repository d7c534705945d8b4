"""One pub/sub interface chosen by URL: ``memory://`` (one process) or ``redis://`` (a cluster).

Every event carries a per-channel sequence number so a subscriber can tell order and gaps.
"""

from __future__ import annotations

import json
import queue
import threading
import time
from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Iterator
from contextlib import suppress
from typing import Any

Event = dict[str, Any]


def project_channel(project_id: str) -> str:
    return f"project:{project_id}"


class Subscription(ABC):
    """Events of one channel in publication order; ``get`` waits up to ``timeout`` seconds."""

    @abstractmethod
    def get(self, timeout: float | None = None) -> Event | None: ...

    @abstractmethod
    def close(self) -> None: ...

    def __iter__(self) -> Iterator[Event]:
        while True:
            event = self.get(timeout=None)
            if event is None:
                return
            yield event

    def __enter__(self) -> Subscription:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class EventBus(ABC):
    @abstractmethod
    def publish(self, channel: str, event: Event) -> int:
        """Publish; returns the event's sequence number on its channel."""

    @abstractmethod
    def subscribe(self, channel: str) -> Subscription: ...

    def close(self) -> None:  # noqa: B027 - optional for backends that hold nothing
        pass


class _QueueSubscription(Subscription):
    def __init__(self, bus: MemoryEventBus, channel: str) -> None:
        self.bus, self.channel = bus, channel
        self.queue: queue.Queue[Event | None] = queue.Queue()

    def get(self, timeout: float | None = None) -> Event | None:
        try:
            return self.queue.get(timeout=timeout)
        except queue.Empty:
            return None

    def close(self) -> None:
        self.bus._unsubscribe(self)
        self.queue.put(None)


class MemoryEventBus(EventBus):
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seq: defaultdict[str, int] = defaultdict(int)
        self._subs: defaultdict[str, list[_QueueSubscription]] = defaultdict(list)

    def publish(self, channel: str, event: Event) -> int:
        with self._lock:  # numbering and delivery under one lock: subscribers see seq order
            self._seq[channel] += 1
            seq = self._seq[channel]
            for sub in self._subs[channel]:
                sub.queue.put({**event, "seq": seq, "channel": channel})
        return seq

    def subscribe(self, channel: str) -> Subscription:
        sub = _QueueSubscription(self, channel)
        with self._lock:
            self._subs[channel].append(sub)
        return sub

    def _unsubscribe(self, sub: _QueueSubscription) -> None:
        with self._lock, suppress(ValueError):
            self._subs[sub.channel].remove(sub)


class RedisEventBus(EventBus):
    """Redis pub/sub; sequence numbers come from an INCR per channel, so every process agrees."""

    def __init__(self, url: str) -> None:
        try:
            import redis
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise RuntimeError(
                "STORYREEL_EVENTS_URL is redis:// but the redis package is missing: "
                "pip install 'storyreel[celery]'"
            ) from exc
        self._redis = redis.Redis.from_url(url)
        self._lock = threading.Lock()

    def publish(self, channel: str, event: Event) -> int:
        with self._lock:  # one publisher per process at a time keeps INCR and PUBLISH in order
            seq = int(self._redis.incr(f"storyreel:seq:{channel}"))
            self._redis.publish(
                f"storyreel:{channel}", json.dumps({**event, "seq": seq, "channel": channel})
            )
        return seq

    def subscribe(self, channel: str) -> Subscription:
        return _RedisSubscription(self._redis, channel)

    def close(self) -> None:
        self._redis.close()


class _RedisSubscription(Subscription):
    def __init__(self, client: Any, channel: str) -> None:
        self.pubsub = client.pubsub()
        self.pubsub.subscribe(f"storyreel:{channel}")
        # Return only once Redis confirmed the subscription: events published after
        # subscribe() returns are then never missed.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            message = self.pubsub.get_message(timeout=0.5)
            if message is not None and message.get("type") == "subscribe":
                break

    def get(self, timeout: float | None = None) -> Event | None:
        # get_message also returns None for control traffic (the subscribe confirmation):
        # keep reading until a real message arrives or the time is up.
        deadline = time.monotonic() + (timeout if timeout is not None else 3600.0)
        while (left := deadline - time.monotonic()) > 0:
            message = self.pubsub.get_message(timeout=left)
            if message is not None and message.get("type") == "message":
                event: Event = json.loads(message["data"])
                return event
        return None

    def close(self) -> None:
        self.pubsub.close()


def event_bus_from_url(url: str) -> EventBus:
    if url.startswith("memory://"):
        return MemoryEventBus()
    if url.startswith(("redis://", "rediss://")):
        return RedisEventBus(url)
    raise ValueError(f"STORYREEL_EVENTS_URL must start with memory:// or redis://, not {url!r}")
