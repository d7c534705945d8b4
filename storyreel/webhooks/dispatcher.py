"""The webhook dispatcher: a service the API process runs beside its requests.

Two threads. The *listener* follows the task firehose (``ALL_TASKS`` on the event bus) and
turns each finished task into delivery rows for its owner's matching active webhooks. The
*sender* claims due rows from ``webhook_deliveries`` (the durable queue), sends each with
``sender.send`` outside any transaction, and records the outcome. Several API processes can
run one each on the same database: the unique (webhook, event id) queues an event once, the
claim (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, the write lock on SQLite) sends it once, and a
claim is a lease, so a crashed process's claims are sent again when their lease runs out.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from typing import Any

from storyreel.db.repositories import webhooks as repo
from storyreel.db.session import Database
from storyreel.db.types import utcnow
from storyreel.settings import Settings
from storyreel.tasks.events import ALL_TASKS, Event, EventBus, MemoryEventBus, Subscription
from storyreel.webhooks import sender, service
from storyreel.webhooks.signing import webhook_secret

log = logging.getLogger(__name__)


def _retry_delay(failures: int) -> float:
    """Wait after consecutive failures: 1 s, doubling, at most 30 s."""
    return float(min(30, 2 ** (failures - 1)))


class WebhookDispatcher:
    """``backoff(attempt)`` is the wait after failed attempt ``attempt`` (production:
    ``sender.backoff_s``); tests pass short delays."""

    def __init__(
        self,
        db: Database,
        bus: EventBus,
        settings: Settings,
        server_key: bytes,
        *,
        backoff: service.Backoff = sender.backoff_s,
        max_attempts: int = sender.MAX_ATTEMPTS,
        timeout_s: float = 10.0,
        lease_s: float | None = None,
        poll_s: float = 1.0,
    ) -> None:
        self.db, self.bus, self.settings, self.server_key = db, bus, settings, server_key
        self.backoff = backoff
        self.max_attempts = max_attempts
        self.timeout_s = timeout_s
        # A send ends within its timeout (redirects included); the lease leaves ample slack.
        self.lease_s = lease_s if lease_s is not None else max(60.0, 3 * timeout_s)
        self.poll_s = poll_s
        self.policy = service.address_policy(settings)
        self._stopping = threading.Event()
        self._wake = threading.Event()
        self._threads: list[threading.Thread] = []
        self._subscription: Subscription | None = None
        self._last_seq: int | None = None  # the newest task event handled

    # --- lifecycle -----------------------------------------------------------------------------

    def start(self) -> None:
        self._stopping.clear()
        try:
            self._subscribe()
        except Exception as exc:  # the bus (Redis) may come up later: the listener retries
            log.warning("webhook listener cannot subscribe to task events yet: %s", exc)
        for name, target in (("webhook-listener", self._listen), ("webhook-sender", self._send)):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def _subscribe(self) -> Subscription:
        # The first time, the newest seq first, then subscribe: an event published in between
        # shows up as a gap in the numbering, which the listener fills from the bus's history.
        if self._last_seq is None:
            self._last_seq = self.bus.last_seq(ALL_TASKS)
        self._subscription = self.bus.subscribe(ALL_TASKS)
        return self._subscription

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        subscription = self._subscription
        if isinstance(self.bus, MemoryEventBus) and subscription is not None:
            # An in-process subscription may be closed from here, which wakes the listener at
            # once; a Redis one is left to the listener, which notices within its poll.
            self._close(subscription)
        for thread in self._threads:
            thread.join(timeout=self.timeout_s + 5)
        self._threads.clear()

    def wake(self) -> None:
        """Look for due deliveries now (one was just queued)."""
        self._wake.set()

    def alive(self) -> bool:
        return bool(self._threads) and all(t.is_alive() for t in self._threads)

    # --- listener: task events → delivery rows ------------------------------------------------

    def _listen(self) -> None:
        sub = self._subscription
        failures = 0
        while not self._stopping.is_set():
            try:
                if sub is None:  # after an error: subscribe again and catch up
                    sub = self._subscribe()
                    self._catch_up(None)
                event = sub.get(timeout=0.5)
                if event is not None:
                    self._catch_up(event)
                failures = 0
            except Exception:
                failures += 1
                log.exception("webhook listener failed (%d in a row); resubscribing", failures)
                if sub is not None:
                    self._close(sub)
                sub = None
                self._stopping.wait(_retry_delay(failures))
        if sub is not None:
            self._close(sub)

    @staticmethod
    def _close(sub: Subscription) -> None:
        try:
            sub.close()
        except Exception:
            log.exception("closing the webhook listener's subscription failed")

    def _catch_up(self, live: Event | None) -> None:
        """Handle ``live`` in sequence, first filling any gap before it from the history."""
        last = self._last_seq or 0
        seq = live.get("seq") if live is not None else None
        if isinstance(seq, int) and seq <= last:
            if self.bus.last_seq(ALL_TASKS) >= last:
                return  # already handled from the history
            # The numbering started again (a Redis that lost its data): follow the new one.
            log.warning("task event numbering restarted at %s (was %s)", seq, last)
            last = self._last_seq = seq - 1
        if live is None or not isinstance(seq, int) or seq > last + 1:
            missed = self.bus.replay(ALL_TASKS, last)
            if missed is None:
                log.warning("task events after seq %s are no longer kept; webhooks miss them", last)
                missed = []
            for event in missed:
                if event.get("seq") == seq:
                    break
                self._handle(event)
                self._last_seq = int(event["seq"])
        if live is not None:
            self._handle(live)
            if isinstance(seq, int):
                self._last_seq = seq

    def _handle(self, event: Mapping[str, Any]) -> None:
        owner_id = event.get("owner_id")
        if not owner_id or not service.event_types(event):
            return
        # Read first: most task owners have no webhooks, and reads take no write lock.
        with self.db.reading() as s:
            wanted = service.matches(repo.active_for_owner(s, str(owner_id)), event)
        if not wanted:
            return
        with self.db.session() as s:
            webhooks = {w.id for w in repo.active_for_owner(s, str(owner_id))}
            pairs = [(w, t) for w, t in wanted if w.id in webhooks]
            queued = service.queue_task_event(s, pairs, event, utcnow())
        if queued:
            self.wake()

    # --- sender: due rows → HTTP ---------------------------------------------------------------

    def _send(self) -> None:
        failures = 0
        while not self._stopping.is_set():
            try:
                self.deliver_due()
                delay = self._idle_delay()
                failures = 0
            except Exception:  # the database may be away for a while: keep trying, slower
                failures += 1
                log.exception("webhook sender failed (%d in a row); trying again", failures)
                delay = _retry_delay(failures)
            self._wake.wait(delay)
            self._wake.clear()

    def _idle_delay(self) -> float:
        with self.db.reading() as s:
            due = repo.earliest_pending(s)
        if due is None:
            return self.poll_s
        return min(self.poll_s, max(0.01, (due - utcnow()).total_seconds()))

    def deliver_due(self) -> int:
        """Send every delivery that is due now, one at a time; returns how many were sent."""
        sent = 0
        while not self._stopping.is_set():
            with self.db.session() as s:
                claim = service.claim_next(s, utcnow(), self.lease_s, self.max_attempts)
            if claim is None:
                return sent
            result = sender.send(
                claim.url,
                claim.event_type,
                claim.payload,
                webhook_secret(self.server_key, claim.webhook_id),
                self.policy,
                delivery_id=claim.delivery_id,
                timeout_s=self.timeout_s,
                created_at=claim.created_at.timestamp(),
            )
            with self.db.session() as s:
                kept = service.record(s, claim, result, utcnow(), self.backoff, self.max_attempts)
            if not kept:
                log.warning(
                    "webhook delivery %s: the claim expired before attempt %d was recorded",
                    claim.delivery_id,
                    claim.attempt,
                )
            sent += 1
        return sent
