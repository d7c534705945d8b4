"""Task kinds: the handler that runs each and its policy (resource class, attempts, timeout)."""

from __future__ import annotations

from dataclasses import dataclass

from storyreel.tasks.context import Handler
from storyreel.tasks.model import Resource

__all__ = ["Handler", "KindPolicy", "KindRegistry", "TaskKind", "UnknownKind"]


@dataclass(frozen=True)
class KindPolicy:
    resource: Resource = "cpu"
    max_attempts: int = 3
    timeout_s: float = 600.0
    # What one run counts against its owner's daily quotas, e.g. (("images", 1),): charged
    # when the task is submitted and each time it is asked to run again.
    quota_units: tuple[tuple[str, int], ...] = ()
    # Kinds of dependency this kind may start before: it waits for their results itself and
    # uses each as it lands (a render encodes a shot as soon as its picture is there). They
    # still fail it when they fail, and still make it run again when they run again.
    starts_before: frozenset[str] = frozenset()


@dataclass(frozen=True)
class TaskKind:
    name: str
    handler: Handler
    policy: KindPolicy


class UnknownKind(LookupError):
    pass


class KindRegistry:
    """Which handler runs a kind. Pipeline handlers register here, bound to their services;
    tests register their own."""

    def __init__(self) -> None:
        self._kinds: dict[str, TaskKind] = {}

    def register(self, name: str, handler: Handler, policy: KindPolicy | None = None) -> None:
        self._kinds[name] = TaskKind(name, handler, policy or KindPolicy())

    def get(self, name: str) -> TaskKind:
        try:
            return self._kinds[name]
        except KeyError:
            raise UnknownKind(f"no handler for task kind {name!r}") from None

    def policy(self, name: str) -> KindPolicy:
        kind = self._kinds.get(name)
        return kind.policy if kind else KindPolicy()

    def names(self) -> list[str]:
        return sorted(self._kinds)
