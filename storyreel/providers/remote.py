"""What network providers share besides ``HttpService``: building one from settings, fetching
result URLs without leaking credentials, waiting for remote jobs, and pricing a call."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Generic, TypeVar
from urllib.parse import urljoin, urlsplit

from pydantic import SecretStr

from storyreel.providers.base import Health, ProviderError
from storyreel.providers.http import HttpService, RetryPolicy, bearer

T = TypeVar("T")
C = TypeVar("C", HttpService, tuple[HttpService, "Downloader"])
Sleep = Callable[[float], None]


@dataclass(frozen=True)
class Transport:
    """How a provider's services retry and wait; tests pass a fast policy and a fake sleep."""

    retry: RetryPolicy = field(default_factory=RetryPolicy)
    sleep: Sleep = time.sleep
    clock: Callable[[], float] = time.monotonic

    def service(
        self,
        name: str,
        base_url: str,
        *,
        timeout_s: float,
        api_key: SecretStr | None = None,
        headers: Mapping[str, str] | None = None,
        kind: type[HttpService] = HttpService,
        auth_hint: str | None = None,
        retry_budget_s: float | None = None,
    ) -> HttpService:
        """A service for ``base_url``; ``auth_hint`` is what a refused key tells the user
        (``Provider.key_advice()``), ``retry_budget_s`` the provider's own backoff budget."""
        key = api_key.get_secret_value() if api_key is not None else None
        retry = (
            self.retry if retry_budget_s is None else replace(self.retry, budget_s=retry_budget_s)
        )
        return kind(
            name=name,
            base_url=base_url,
            headers={**bearer(key), **(headers or {})},
            timeout_s=timeout_s,
            retry=retry,
            sleep=self.sleep,
            auth_hint=auth_hint or "",
        )


class Connection(Generic[C]):
    """A provider's clients (its ``HttpService``, and a ``Downloader`` when it fetches result
    URLs), made by ``connect`` on first use — which runs the provider's ``check()`` — once,
    however many threads ask, and closed with the provider."""

    def __init__(self, connect: Callable[[], C]) -> None:
        self._connect: Callable[[], C] = connect
        self._lock = threading.Lock()
        self._value: C | None = None

    def get(self) -> C:
        with self._lock:
            if self._value is None:
                self._value = self._connect()
            return self._value

    def close(self) -> None:
        with self._lock:
            value, self._value = self._value, None
        for part in value if isinstance(value, tuple) else (value,):
            if part is not None:
                part.close()


def is_local(url: str) -> bool:
    """A server on this machine (Ollama, vLLM, LocalAI...), which usually needs no key."""
    host = (urlsplit(url).hostname or "").lower()
    return host in ("localhost", "::1") or host.startswith("127.")


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    return parts.scheme.lower(), (parts.hostname or "").lower(), parts.port


class Downloader:
    """Fetches files a service points at: through the service itself when the URL is on its
    own origin, otherwise through a bare client, so the API key never goes to a CDN."""

    def __init__(self, service: HttpService, transport: Transport) -> None:
        self.service = service
        self._transport = transport
        self._bare: HttpService | None = None
        self._lock = threading.Lock()

    def get(self, url: str, what: str) -> bytes:
        url = urljoin(self.service.base_url.rstrip("/") + "/", url)
        if _origin(url) == _origin(self.service.base_url):
            response = self.service.request("GET", url, follow_redirects=True)
        else:
            with self._lock:
                if self._bare is None:
                    self._bare = self._transport.service(
                        f"{self.service.name} (download)", url, timeout_s=self.service.timeout_s
                    )
                bare = self._bare
            response = bare.request("GET", url, follow_redirects=True)
        if not response.content:
            raise ProviderError(f"{self.service.name}: {what} at {url} is empty", retryable=True)
        return response.content

    def close(self) -> None:
        if self._bare is not None:
            self._bare.close()


def poll(
    check: Callable[[], T | None],
    *,
    interval_s: float,
    limit_s: float,
    transport: Transport,
    on_timeout: Callable[[float], ProviderError],
) -> T:
    """Call ``check`` until it returns something, every ``interval_s``, for at most ``limit_s``
    (then ``on_timeout(waited)`` is raised)."""
    started = transport.clock()
    while True:
        result = check()
        if result is not None:
            return result
        waited = transport.clock() - started
        if waited >= limit_s:
            raise on_timeout(waited)
        transport.sleep(min(interval_s, max(limit_s - waited, 0.0)))


def path_get(data: Any, path: str) -> Any:
    """``data`` followed along a dotted path (``output.0.url``); None where it does not lead."""
    current = data
    for part in path.split(".") if path else []:
        if isinstance(current, Mapping):
            current = current.get(part)
        elif isinstance(current, list) and part.lstrip("-").isdigit():
            index = int(part)
            current = current[index] if -len(current) <= index < len(current) else None
        else:
            return None
        if current is None:
            return None
    return current


def path_set(data: dict[str, Any], path: str, value: Any) -> None:
    """Set a dotted path in a JSON body, making the objects on the way."""
    *parents, last = path.split(".")
    current = data
    for part in parents:
        child = current.get(part)
        if not isinstance(child, dict):
            child = current[part] = {}
        current = child
    current[last] = value


def service_health(service: Callable[[], HttpService], path: str = "") -> Health:
    """A network provider's health: its service (built on demand, which checks the settings)
    asked for ``path`` once, without retries."""
    try:
        built = service()
    except ProviderError as err:
        return Health(False, str(err))
    return built.probe(path)


def priced(units: dict[str, float], quantity: float, price: float) -> dict[str, float]:
    """``units`` with the call's ``cost`` (``quantity`` × ``price``) added."""
    return {**units, "cost": round(quantity * price, 6)}
