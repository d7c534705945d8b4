"""One pub/sub interface chosen by URL: ``memory://`` (one process) or ``redis://`` (a cluster).

Every event carries a per-channel sequence number so a subscriber can tell order and gaps, and
the last ``history`` events of each channel are kept so a subscriber that reconnects can catch up.
"""

from __future__ import annotations

import json
import queue
import threading
import time
from abc import ABC, abstractmethod
from collections import defaultdict, deque
from collections.abc import Iterator
from contextlib import suppress
from typing import Any

Event = dict[str, Any]

ALL_TASKS = "tasks"
"""Every task event, with or without a project: the firehose for server-side consumers."""

DEFAULT_HISTORY = 1000


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

    @abstractmethod
    def replay(self, channel: str, after_seq: int) -> list[Event] | None:
        """The kept events of ``channel`` with seq > ``after_seq``, oldest first.

        ``[]`` when ``after_seq`` is already the newest; ``None`` when some of the events after
        it are no longer kept, or when ``after_seq`` is beyond the newest (the numbering was
        restarted), so the caller must resync its state from the REST API.

        To resume without a gap: ``subscribe`` first, then ``replay``, then drop the live events
        whose seq is <= the last replayed one (or <= ``after_seq`` when nothing was replayed).
        An event published between the two calls then arrives twice, never zero times.
        """

    @abstractmethod
    def last_seq(self, channel: str) -> int:
        """The sequence number of the newest event on ``channel``; 0 when there was none."""

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


def _catch_up(kept: list[Event], newest: int, after_seq: int) -> list[Event] | None:
    """``replay``'s answer from the kept events (contiguous, oldest first) and the newest seq."""
    if after_seq == newest:
        return []
    if after_seq > newest:  # numbered by an earlier bus (a restart, a flushed Redis): resync
        return None
    if not kept or kept[0]["seq"] > max(after_seq, 0) + 1:
        return None
    return [e for e in kept if e["seq"] > after_seq]


def _check_history(history: int) -> int:
    if history < 1:
        raise ValueError(f"history must keep at least one event, not {history}")
    return history


class MemoryEventBus(EventBus):
    def __init__(self, history: int = DEFAULT_HISTORY) -> None:
        self.history = _check_history(history)
        self._lock = threading.Lock()
        self._seq: defaultdict[str, int] = defaultdict(int)
        self._subs: defaultdict[str, list[_QueueSubscription]] = defaultdict(list)
        self._kept: defaultdict[str, deque[Event]] = defaultdict(lambda: deque(maxlen=self.history))

    def publish(self, channel: str, event: Event) -> int:
        # Numbering, history and delivery under one lock: subscribers see seq order, and a
        # subscribe-then-replay sees every event either live or in the history.
        with self._lock:
            self._seq[channel] += 1
            seq = self._seq[channel]
            stamped = {**event, "seq": seq, "channel": channel}
            self._kept[channel].append(stamped)
            for sub in self._subs[channel]:
                sub.queue.put(dict(stamped))
        return seq

    def replay(self, channel: str, after_seq: int) -> list[Event] | None:
        with self._lock:
            kept = [dict(e) for e in self._kept.get(channel, ())]
            newest = self._seq.get(channel, 0)
        return _catch_up(kept, newest, after_seq)

    def last_seq(self, channel: str) -> int:
        with self._lock:
            return self._seq.get(channel, 0)

    def subscribe(self, channel: str) -> Subscription:
        sub = _QueueSubscription(self, channel)
        with self._lock:
            self._subs[channel].append(sub)
        return sub

    def _unsubscribe(self, sub: _QueueSubscription) -> None:
        with self._lock, suppress(ValueError):
            self._subs[sub.channel].remove(sub)


# INCR, log and PUBLISH in one script: no other publisher's event can fall between them, so the
# log is contiguous and in seq order, and nothing is published that a replay could not find.
# The seq is spliced into the JSON (ARGV[1] is an object without "seq") to avoid re-encoding it.
_PUBLISH = """
local seq = redis.call('INCR', KEYS[1])
local data = '{"seq":' .. string.format('%d', seq) .. ',' .. string.sub(ARGV[1], 2)
redis.call('RPUSH', KEYS[2], data)
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[2]), -1)
redis.call('EXPIRE', KEYS[2], ARGV[3])
redis.call('PUBLISH', ARGV[4], data)
return seq
"""

LOG_TTL_S = 24 * 3600  # a client away longer than this resyncs from the REST API anyway


class RedisEventBus(EventBus):
    """Redis pub/sub; sequence numbers come from an INCR per channel, so every process agrees.

    The history lives in a Redis list per channel (``storyreel:log:{channel}``), shared by all
    processes and trimmed to the last ``history`` events.
    """

    def __init__(self, url: str, history: int = DEFAULT_HISTORY) -> None:
        try:
            import redis
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise RuntimeError(
                "STORYREEL_EVENTS_URL is redis:// but the redis package is missing: "
                "pip install 'storyreel[celery]'"
            ) from exc
        self.history = _check_history(history)
        self._redis = redis.Redis.from_url(url)
        self._publish = self._redis.register_script(_PUBLISH)
        self._lock = threading.Lock()

    def publish(self, channel: str, event: Event) -> int:
        body = json.dumps({**{k: v for k, v in event.items() if k != "seq"}, "channel": channel})
        keys = [f"storyreel:seq:{channel}", f"storyreel:log:{channel}"]
        args: list[str | int] = [body, self.history, LOG_TTL_S, f"storyreel:{channel}"]
        with self._lock:  # one publisher per process at a time, as before the log existed
            return int(self._publish(keys=keys, args=args))

    def replay(self, channel: str, after_seq: int) -> list[Event] | None:
        with self._redis.pipeline(transaction=True) as pipe:  # the seq and the log of one moment
            pipe.get(f"storyreel:seq:{channel}")
            pipe.lrange(f"storyreel:log:{channel}", 0, -1)
            newest, raw = pipe.execute()
        return _catch_up([json.loads(r) for r in raw], int(newest or 0), after_seq)

    def last_seq(self, channel: str) -> int:
        return int(self._redis.get(f"storyreel:seq:{channel}") or 0)

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


def event_bus_from_url(url: str, history: int = DEFAULT_HISTORY) -> EventBus:
    if url.startswith("memory://"):
        return MemoryEventBus(history)
    if url.startswith(("redis://", "rediss://")):
        return RedisEventBus(url, history)
    raise ValueError(f"STORYREEL_EVENTS_URL must start with memory:// or redis://, not {url!r}")
