"""The ``ProviderRouter``: which provider serves a call, and what happens when it fails.

Per capability a route names providers in order and a strategy ranks them (``ordered``,
``cost``, ``quality``, ``speed``, ``balanced``). Routes are layered — system settings < the
user's < the project's — each layer setting only what it names. A call goes to the first
provider that is configured, whose circuit is closed and that has room under its own limits;
when it fails with an error that is its own (``ProviderError.fall_over``: an outage, a refused
key, its content policy) the next is tried, and every provider passed over is recorded with the
reason (``Usage.failovers``). Any other error (bad input) is the caller's problem and is raised
at once: another provider would refuse it too. A route whose one provider refused for good
raises that provider's own error, which says what to fix.

State (circuit breakers, limits, observed latency) lives in this process: each API server or
worker protects itself. That is the right scope for concurrency; for rate limits across many
workers, divide the provider's quota by the number of workers.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from storyreel.providers.base import Capability, Health, Provider, ProviderError, Usage
from storyreel.providers.registry import ProviderRegistry
from storyreel.settings import ProviderLimit, RouteSetting, Settings, Strategy

T = TypeVar("T")

#: What one ordinary call of each capability consumes, for ranking by cost and for estimates
#: when nothing better is known (a storyboard of a short story, one picture, a sentence...).
TYPICAL_UNITS: Mapping[Capability, Mapping[str, float]] = {
    "storyboard": {"input_tokens": 3000.0, "output_tokens": 2500.0},
    "image": {"images": 1.0},
    "voice": {"characters": 120.0},
    "motion": {"video_seconds": 5.0},
    "music": {"audio_seconds": 60.0},
}


def estimate_cost(prices: Mapping[str, float], units: Mapping[str, float]) -> float:
    return sum(price * float(units.get(unit, 0.0)) for unit, price in prices.items())


@dataclass(frozen=True)
class Route:
    providers: tuple[str, ...]
    strategy: Strategy = "ordered"


def layered_route(
    capability: Capability, settings: Settings, *layers: Mapping[str, Any] | None
) -> Route:
    """The route for ``capability``: system settings, then each layer (a user's, a project's
    ``routing`` JSON: ``{"image": {"providers": [...], "strategy": "cost"}}``) on top."""
    system = getattr(settings.routes, capability)
    providers = system.providers or [getattr(settings.providers, capability)]
    strategy: Strategy = system.strategy or "ordered"
    for layer in layers:
        raw = (layer or {}).get(capability)
        if not raw:
            continue
        step = RouteSetting.model_validate(raw)
        providers = step.providers or providers
        strategy = step.strategy or strategy
    return Route(tuple(dict.fromkeys(providers)), strategy)


@dataclass(frozen=True)
class CallScope:
    """Whose call this is: the route layers over the system's (the account's, the project's
    ``routing``), a registry built with the account's own provider keys, and a check that may
    refuse a priced call (budgets)."""

    layers: tuple[Mapping[str, Any] | None, ...] = ()
    registry: ProviderRegistry | None = None
    before_paid_call: Callable[[Provider], None] | None = None
    #: Where results of this work are cached (``ResultCache.within``); None: the shared cache.
    cache_root: str | None = None


class NoProviderAvailable(ProviderError):
    """Every provider of a route was passed over or failed; ``failovers`` says why each."""

    def __init__(self, capability: str, failovers: list[dict[str, str]], *, retryable: bool):
        reasons = "; ".join(f"{f['provider']}: {f['reason']}" for f in failovers)
        super().__init__(
            f"no {capability} provider could serve this: {reasons}", retryable=retryable
        )
        self.failovers = failovers


class CircuitOpen(ProviderError):
    def __init__(self, provider: str, seconds_left: float) -> None:
        super().__init__(
            f"{provider} failed repeatedly; skipped for another {seconds_left:.0f} s",
            retryable=True,
        )


# --- circuit breaker ------------------------------------------------------------------------


@dataclass
class CircuitBreaker:
    """Closed → (``threshold`` retryable failures in a row) → open for ``cooldown_s`` →
    half-open: one trial call; its success closes the circuit, its failure opens it again."""

    threshold: int
    cooldown_s: float
    clock: Callable[[], float] = time.monotonic
    failures: int = 0
    opened_at: float | None = None
    trial_running: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def state(self) -> str:
        if self.opened_at is None:
            return "closed"
        return "half_open" if self.clock() - self.opened_at >= self.cooldown_s else "open"

    def acquire(self, name: str) -> None:
        """Raise ``CircuitOpen`` unless a call may go ahead now."""
        with self._lock:
            if self.opened_at is None:
                return
            left = self.cooldown_s - (self.clock() - self.opened_at)
            if left > 0:
                raise CircuitOpen(name, left)
            if self.trial_running:  # half-open: one trial at a time
                raise CircuitOpen(name, 0)
            self.trial_running = True

    def success(self) -> None:
        with self._lock:
            self.failures, self.opened_at, self.trial_running = 0, None, False

    def failure(self) -> None:
        with self._lock:
            self.failures += 1
            if self.trial_running or self.failures >= self.threshold:
                self.opened_at = self.clock()
            self.trial_running = False

    def release(self) -> None:
        """A call that neither succeeded nor failed for the provider's sake (bad input)."""
        with self._lock:
            self.trial_running = False


# --- limits ---------------------------------------------------------------------------------


class LimitBusy(ProviderError):
    def __init__(self, provider: str, what: str, waited_s: float) -> None:
        super().__init__(f"{provider}: {what} still full after {waited_s:g} s", retryable=True)


@dataclass
class ProviderLimiter:
    """A provider's own ceiling: calls in flight (a semaphore) and calls started per minute (a
    token bucket holding at most one minute's worth)."""

    limit: ProviderLimit
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep

    def __post_init__(self) -> None:
        self._slots = (
            threading.BoundedSemaphore(self.limit.concurrency) if self.limit.concurrency else None
        )
        self._lock = threading.Lock()
        rate = self.limit.requests_per_minute
        self._capacity = max(1.0, rate) if rate else 0.0
        self._tokens = self._capacity
        self._refilled = self.clock()

    def enter(self, name: str, max_wait_s: float) -> None:
        deadline = self.clock() + max_wait_s
        if self._slots is not None and not self._slots.acquire(timeout=max_wait_s):
            raise LimitBusy(name, f"all {self.limit.concurrency} concurrent slots", max_wait_s)
        try:
            self._take_token(name, deadline, max_wait_s)
        except BaseException:
            self.leave()
            raise

    def leave(self) -> None:
        if self._slots is not None:
            self._slots.release()

    def _take_token(self, name: str, deadline: float, max_wait_s: float) -> None:
        rate = self.limit.requests_per_minute
        if not rate:
            return
        while True:
            with self._lock:
                now = self.clock()
                self._tokens = min(
                    self._capacity, self._tokens + (now - self._refilled) * rate / 60.0
                )
                self._refilled = now
                if self._tokens >= 1.0:
                    self._tokens -= 1.0
                    return
                wait = (1.0 - self._tokens) * 60.0 / rate
            if now + wait > deadline:
                raise LimitBusy(name, f"the limit of {rate:g} calls a minute", max_wait_s)
            self.sleep(wait)


# --- the router -----------------------------------------------------------------------------


@dataclass
class ProviderStats:
    calls: int = 0
    failures: int = 0
    ewma_seconds: float | None = None  # observed latency of successful calls

    def observe(self, seconds: float) -> None:
        self.ewma_seconds = (
            seconds if self.ewma_seconds is None else 0.8 * self.ewma_seconds + 0.2 * seconds
        )


@dataclass
class Routed(Generic[T]):
    value: T
    provider: Provider
    failovers: list[dict[str, str]]


class ProviderRouter:
    """Picks and calls providers for one process; thread-safe."""

    def __init__(
        self,
        registry: ProviderRegistry,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.registry = registry
        self.settings = registry.settings
        self._clock, self._sleep = clock, sleep
        self._lock = threading.Lock()
        self._breakers: dict[str, CircuitBreaker] = {}
        self._limiters: dict[str, ProviderLimiter] = {}
        self._stats: dict[str, ProviderStats] = {}
        # Registries for accounts with their own provider keys, by a digest of those keys.
        self._scoped: OrderedDict[str, ProviderRegistry] = OrderedDict()

    # -- state per provider --

    def breaker(self, capability: str, name: str) -> CircuitBreaker:
        key = f"{capability}.{name}"
        with self._lock:
            found = self._breakers.get(key)
            if found is None:
                r = self.settings.router
                found = CircuitBreaker(r.failure_threshold, r.cooldown_s, self._clock)
                self._breakers[key] = found
            return found

    def limiter(self, capability: str, name: str) -> ProviderLimiter | None:
        key = f"{capability}.{name}"
        limit = self.settings.router.limits.get(key)
        if limit is None or not (limit.concurrency or limit.requests_per_minute):
            return None
        with self._lock:
            found = self._limiters.get(key)
            if found is None:
                found = ProviderLimiter(limit, self._clock, self._sleep)
                self._limiters[key] = found
            return found

    def stats(self, capability: str, name: str) -> ProviderStats:
        with self._lock:
            return self._stats.setdefault(f"{capability}.{name}", ProviderStats())

    def scoped(self, digest: str, settings: Settings) -> ProviderRegistry:
        """A registry whose providers use ``settings`` (an account's own keys over the
        operator's), kept for the next call of the same account: its HTTP clients stay warm."""
        with self._lock:
            found = self._scoped.get(digest)
            if found is None:
                found = self.registry.scoped(settings)
                self._scoped[digest] = found
                while len(self._scoped) > 64:
                    self._scoped.popitem(last=False)
            self._scoped.move_to_end(digest)
            return found

    # -- choosing --

    def candidates(self, capability: Capability, route: Route) -> list[str]:
        """The route's providers in the order they will be tried."""
        names = list(route.providers)
        fallback = self.settings.router.motion_fallback
        if capability == "motion" and fallback and fallback not in names:
            names.append(fallback)
        if route.strategy == "ordered" or len(names) < 2:
            return names
        keyed = [
            (self._rank(capability, n, route.strategy, names), i, n) for i, n in enumerate(names)
        ]
        keyed.sort()
        return [n for _, _, n in keyed]

    def _rank(
        self, capability: Capability, name: str, strategy: Strategy, names: list[str]
    ) -> float:
        """Lower is tried earlier. Providers that cannot even be built rank last."""
        cls = self.registry.provider_class(capability, name)
        if cls is None:
            return float("inf")
        cost = self.typical_cost(capability, name)
        costs = [self.typical_cost(capability, n) for n in names]
        top = max(costs) or 1.0
        seen = self.stats(capability, name).ewma_seconds
        speed = float(cls.speed)
        if strategy == "cost":
            return cost
        if strategy == "quality":
            return -cls.quality
        if strategy == "speed":
            # What this process has seen beats what the provider claims.
            return seen if seen is not None else 1000.0 / speed
        # balanced: quality and speed (each 0..1) against the relative cost (0..1).
        return -(cls.quality / 5 + speed / 5 - cost / top)

    def typical_cost(self, capability: Capability, name: str) -> float:
        try:
            provider = self.registry.get(capability, name)
        except ProviderError:
            return float("inf")
        return estimate_cost(provider.prices(), TYPICAL_UNITS[capability])

    # -- calling --

    def run(
        self,
        capability: Capability,
        route: Route,
        call: Callable[[Provider], T],
        *,
        cached: Callable[[Provider], T | None] | None = None,
        before_paid_call: Callable[[Provider], None] | None = None,
        registry: ProviderRegistry | None = None,
    ) -> Routed[T]:
        """``call`` the first provider of the route that serves. ``cached`` is asked first for
        each provider (a hit costs nothing and touches no limit); ``before_paid_call`` may refuse
        a priced call (a budget) by raising a non-retryable ``ProviderError``."""
        registry = registry or self.registry
        failovers: list[dict[str, str]] = []
        retryable = False
        last: ProviderError | None = None
        names = self.candidates(capability, route)
        for name in names:
            try:
                provider = registry.get(capability, name)
            except ProviderError as err:  # not configured, unknown, failed to load
                if len(names) == 1:
                    raise  # the one provider asked for: its own message names the setting
                failovers.append({"provider": name, "reason": str(err)})
                continue
            if cached is not None:
                hit = cached(provider)
                if hit is not None:
                    return Routed(hit, provider, failovers)
            if before_paid_call is not None and provider.prices():
                before_paid_call(provider)
            try:
                value = self._guarded(capability, name, provider, call)
            except ProviderError as err:
                if not err.fall_over:
                    raise
                retryable = retryable or err.retryable
                last = err
                failovers.append({"provider": name, "reason": str(err)})
                continue
            return Routed(value, provider, failovers)
        if last is not None and len(failovers) == 1 and not last.retryable:
            raise last  # nothing to fall over to: its own words (the setting, the policy)
        raise NoProviderAvailable(capability, failovers, retryable=retryable)

    def _guarded(
        self, capability: str, name: str, provider: Provider, call: Callable[[Provider], T]
    ) -> T:
        breaker = self.breaker(capability, name)
        breaker.acquire(f"{capability} provider {name!r}")
        limiter = self.limiter(capability, name)
        stats = self.stats(capability, name)
        try:
            if limiter is not None:
                limiter.enter(f"{capability} provider {name!r}", self.settings.router.max_wait_s)
        except ProviderError:
            breaker.release()
            raise
        started = self._clock()
        try:
            value = call(provider)
        except ProviderError as err:
            stats.calls += 1
            if err.retryable:
                stats.failures += 1
                breaker.failure()
            else:
                breaker.release()
            raise
        except BaseException:
            breaker.release()
            raise
        finally:
            if limiter is not None:
                limiter.leave()
        stats.calls += 1
        stats.observe(self._clock() - started)
        breaker.success()
        return value

    def health(self, capability: Capability, name: str) -> Health:
        """The provider's own health check; one that cannot be built or whose check raises
        is unhealthy with the reason, never an exception."""
        try:
            return self.registry.get(capability, name).health()
        except ProviderError as err:
            return Health(False, str(err))
        except Exception as exc:  # a plugin's health check must not break a status page
            return Health(False, f"{type(exc).__name__}: {exc}")

    def status(self, capability: Capability, names: Sequence[str]) -> list[dict[str, Any]]:
        """Breaker state and observed figures per provider, for the admin status page."""
        out = []
        for name in names:
            b, st = self.breaker(capability, name), self.stats(capability, name)
            limit = self.settings.router.limits.get(f"{capability}.{name}")
            out.append(
                {
                    "provider": name,
                    "circuit": b.state,
                    "consecutive_failures": b.failures,
                    "calls": st.calls,
                    "failures": st.failures,
                    "typical_seconds": st.ewma_seconds,
                    "limits": limit.model_dump(exclude_none=True) if limit else {},
                }
            )
        return out


def with_failovers(usage: Usage, failovers: list[dict[str, str]]) -> Usage:
    usage.failovers = [*failovers, *usage.failovers]
    return usage
