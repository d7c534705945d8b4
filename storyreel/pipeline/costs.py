"""What provider calls cost: spent so far, estimated before work starts, and the budgets that
refuse work which would cost too much.

Every call's cost is recorded on its ``UsageRecord`` (the provider's own figure, or its prices
times the units it used). Budgets come in three kinds, each named in the refusal:

- ``cost_per_day``: an account's spending per UTC day (system < plan < user quota layers);
- ``cost_per_project``: any one project's spending in all (same layers);
- ``project budget``: the limit a project's owner set on it.

They are checked twice: when work is asked for (the API refuses with 402 before anything is
queued, using an estimate) and before each priced provider call (a task stops rather than
overspend when the estimate was low or other work spent the money first).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from storyreel.auth.quotas import effective_limits
from storyreel.db.models import Project, Shot, UsageRecord, User
from storyreel.db.repositories import spending
from storyreel.db.repositories import usage as usage_repo
from storyreel.providers.base import Capability, ProviderError, Usage
from storyreel.providers.registry import ProviderRegistry
from storyreel.providers.router import ProviderRouter, Route, estimate_cost
from storyreel.settings import Settings


def usage_record(
    usage: Usage,
    *,
    capability: str,
    task_id: str | None,
    owner_id: str | None,
    project_id: str | None,
) -> UsageRecord:
    """The row that keeps what one provider call used and cost (nothing, when cached)."""
    return UsageRecord(
        task_id=task_id,
        owner_id=owner_id,
        project_id=project_id,
        capability=capability,
        provider=usage.provider,
        model=usage.model,
        units=dict(usage.units),
        seconds=usage.seconds,
        cost=usage.cost,
        cached=usage.cached,
        failovers=list(usage.failovers),
    )


class BudgetExceeded(ProviderError):
    """Work refused because it would take spending past a budget (API: 402)."""

    def __init__(
        self, budget: str, limit: float, used: float, needed: float, currency: str
    ) -> None:
        self.budget, self.limit, self.used, self.needed = budget, limit, used, needed
        what = {
            "cost_per_day": "the daily budget of your account (cost_per_day)",
            "cost_per_project": "the budget for any one project (cost_per_project)",
            "project_budget": "this project's budget",
        }[budget]
        hint = (
            "raise the project's budget in its settings"
            if budget == "project_budget"
            else "ask an administrator to raise it"
            + (", or wait until it resets at midnight UTC" if budget == "cost_per_day" else "")
        )
        super().__init__(
            f"{what} would be exceeded: {used:.4f} {currency} of {limit:.4f} {currency} spent, "
            f"this needs about {needed:.4f} {currency} more; {hint}",
            retryable=False,
        )


@dataclass(frozen=True)
class BudgetState:
    """The budgets that apply to an account's work on a project, and what was spent."""

    currency: str
    day_limit: float | None
    day_spent: float
    project_limits: tuple[tuple[str, float], ...]  # ("cost_per_project"|"project_budget", limit)
    project_spent: float

    def check(self, needed: float) -> None:
        if needed <= 0:
            return
        if self.day_limit is not None and self.day_spent + needed > self.day_limit + 1e-9:
            raise BudgetExceeded(
                "cost_per_day", self.day_limit, self.day_spent, needed, self.currency
            )
        for name, limit in self.project_limits:
            if self.project_spent + needed > limit + 1e-9:
                raise BudgetExceeded(name, limit, self.project_spent, needed, self.currency)

    def remaining(self) -> float | None:
        left = [self.day_limit - self.day_spent] if self.day_limit is not None else []
        left += [limit - self.project_spent for _, limit in self.project_limits]
        return max(0.0, min(left)) if left else None


def budget_state(
    session: Session, settings: Settings, owner: User, project: Project | None
) -> BudgetState:
    """Administrators have no account budgets (as they have no quotas); a project's own budget
    binds everyone."""
    limits = effective_limits(settings, owner, project)
    exempt = owner.role == "admin"
    day_limit = None if exempt else limits.cost_per_day
    day_spent = (
        spending.spent(session, owner_id=owner.id, since=usage_repo.day_start())
        if day_limit is not None
        else 0.0
    )
    project_limits: list[tuple[str, float]] = []
    if project is not None:
        if limits.cost_per_project is not None and not exempt:
            project_limits.append(("cost_per_project", limits.cost_per_project))
        if project.budget is not None:
            project_limits.append(("project_budget", project.budget))
    project_spent = (
        spending.spent(session, project_id=project.id)
        if project is not None and project_limits
        else 0.0
    )
    return BudgetState(
        settings.currency, day_limit, day_spent, tuple(project_limits), project_spent
    )


# --- estimates ------------------------------------------------------------------------------


@dataclass
class EstimateLine:
    capability: str
    provider: str | None  # None: no configured provider on the route
    count: int
    units: dict[str, float]
    cost: float


@dataclass
class Estimate:
    lines: list[EstimateLine] = field(default_factory=list)

    @property
    def total(self) -> float:
        return round(sum(line.cost for line in self.lines), 6)


def _first_usable(
    router: ProviderRouter, registry: ProviderRegistry, capability: Capability, route: Route
) -> tuple[str | None, dict[str, float]]:
    """The provider the route would try first and its prices (a provider that is not set up
    would be passed over, so it costs nothing)."""
    for name in router.candidates(capability, route):
        try:
            return name, registry.get(capability, name).prices()
        except ProviderError:
            continue
    return None, {}


def estimate(
    router: ProviderRouter,
    registry: ProviderRegistry,
    routes: Mapping[Capability, Route],
    work: Iterable[tuple[Capability, int, dict[str, float]]],
) -> Estimate:
    """Price ``work`` — (capability, how many calls, their units in all) — with the providers
    the routes would use."""
    out = Estimate()
    for capability, count, units in work:
        if count <= 0:
            continue
        name, prices = _first_usable(router, registry, capability, routes[capability])
        out.lines.append(
            EstimateLine(capability, name, count, units, round(estimate_cost(prices, units), 6))
        )
    return out


def missing_work(
    project: Project, shots: list[Shot], *, has_music: bool
) -> list[tuple[Capability, int, dict[str, float]]]:
    """What making the video from where the project stands would ask of providers."""
    if not shots:  # no storyboard yet: judge from the story
        chars = float(len(project.story))
        n = max(1, min(project.max_shots, round(chars / 60)))
        seconds = project.target_seconds or chars / 5
        return [
            (
                "storyboard",
                1,
                {"input_tokens": chars / 2 + 1500, "output_tokens": chars / 1.5 + 500},
            ),
            ("image", n, {"images": float(n)}),
            ("voice", n, {"characters": chars}),
            ("motion", n, {"video_seconds": seconds}),
            ("music", 0 if project.music is None else 1, {"audio_seconds": seconds}),
        ]
    no_image = [s for s in shots if s.image_asset_id is None]
    no_voice = [s for s in shots if s.voice_asset_id is None]
    no_motion = [s for s in shots if s.motion is None and s.clip_asset_id is None]
    seconds = sum(s.voice_seconds or s.duration_hint for s in shots)
    return [
        ("image", len(no_image), {"images": float(len(no_image))}),
        ("voice", len(no_voice), {"characters": float(sum(len(s.narration) for s in no_voice))}),
        (
            "motion",
            len(no_motion),
            {"video_seconds": float(sum(s.voice_seconds or s.duration_hint for s in no_motion))},
        ),
        (
            "music",
            0 if has_music or project.music is None else 1,
            {"audio_seconds": seconds},
        ),
    ]
