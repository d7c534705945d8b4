"""Providers as users and operators see them: what exists, the routes an account chooses, the
account's own provider keys, a project's cost and budget, and (admins) provider health."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from storyreel.api import errors
from storyreel.api.deps import (
    AdminUser,
    CurrentUser,
    DbDep,
    StateDep,
    owner_of,
    pipeline_of,
    project_for,
    work_estimate,
)
from storyreel.api.routing import RoutingIn, checked_routing
from storyreel.db.models import ProviderKey
from storyreel.db.repositories import accounts as accounts_repo
from storyreel.db.repositories import projects as projects_repo
from storyreel.db.repositories import provider_keys, spending
from storyreel.pipeline import costs, scope
from storyreel.providers.base import CAPABILITIES, Capability
from storyreel.providers.keys import KEY_SLOTS, mask
from storyreel.providers.router import Route

router = APIRouter(tags=["providers"])


# --- what exists ----------------------------------------------------------------------------


class ProviderInfo(BaseModel):
    name: str
    offline: bool = Field(description="Needs no network, GPU or model download.")
    quality: int = Field(ge=1, le=5)
    speed: int = Field(ge=1, le=5)
    configured: bool = Field(description="Set up on this server (keys, paths, URLs).")
    problem: str | None = Field(description="Why it is not set up, naming the setting.")
    prices: dict[str, float] = Field(description="Price per unit of each unit it bills.")


class RouteOut(BaseModel):
    providers: list[str]
    strategy: str


class KeySlotOut(BaseModel):
    slot: str
    label: str


class CatalogOut(BaseModel):
    currency: str
    providers: dict[str, list[ProviderInfo]] = Field(description="By capability.")
    routes: dict[str, RouteOut] = Field(description="The system's routes, by capability.")
    key_slots: list[KeySlotOut] = Field(description="Providers an account may bring a key for.")


def _route_out(route: Route) -> RouteOut:
    return RouteOut(providers=list(route.providers), strategy=route.strategy)


@router.get("/providers", response_model=CatalogOut)
def list_providers(_: CurrentUser, state: StateDep) -> CatalogOut:
    """Every provider this server has, by capability, and whether it is set up."""
    pipeline = pipeline_of(state)
    registry = pipeline.registry
    out: dict[str, list[ProviderInfo]] = {}
    for capability in CAPABILITIES:
        infos = []
        for cls in registry.classes(capability):
            problem, prices = None, {}
            try:
                provider = registry.get(capability, cls.name)
                prices = provider.prices()
            except Exception as exc:  # a plugin's set-up error is shown, never a 500
                problem = str(exc)
            infos.append(
                ProviderInfo(
                    name=cls.name,
                    offline=cls.offline,
                    quality=cls.quality,
                    speed=cls.speed,
                    configured=problem is None,
                    problem=problem,
                    prices=prices,
                )
            )
        out[capability] = infos
    return CatalogOut(
        currency=state.settings.currency,
        providers=out,
        routes={c: _route_out(r) for c, r in scope.routes(pipeline, None, None).items()},
        key_slots=[KeySlotOut(slot=s.name, label=s.label) for s in KEY_SLOTS.values()],
    )


# --- an account's routes --------------------------------------------------------------------


class RoutingOut(BaseModel):
    routing: dict[str, Any] = Field(description="What the account set, by capability.")
    effective: dict[str, RouteOut] = Field(
        description="What its projects use unless a project sets its own."
    )


@router.get("/me/routing", response_model=RoutingOut)
def get_my_routing(user: CurrentUser, state: StateDep) -> RoutingOut:
    routes = scope.routes(pipeline_of(state), user, None)
    return RoutingOut(
        routing=user.routing or {}, effective={c: _route_out(r) for c, r in routes.items()}
    )


@router.put("/me/routing", response_model=RoutingOut)
def set_my_routing(body: RoutingIn, user: CurrentUser, state: StateDep, db: DbDep) -> RoutingOut:
    """Replace the account's routes (``{}`` follows the system's)."""
    routing = checked_routing(state, body)
    with db.write() as s:
        row = accounts_repo.user(s, user.id)
        if row is None:
            raise errors.NotFound("this account no longer exists")
        row.routing = routing
    state.principals.forget(user_id=user.id)  # the next request reads the new routes
    user.routing = routing
    return get_my_routing(user, state)


# --- an account's own keys ------------------------------------------------------------------


class ProviderKeyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    api_key: SecretStr = Field(min_length=8, max_length=1000)


class ProviderKeyOut(BaseModel):
    slot: str
    label: str
    hint: str = Field(description="The key masked (sk-…wxyz); the key itself is never shown.")
    created_at: datetime
    updated_at: datetime


def _key_out(row: ProviderKey) -> ProviderKeyOut:
    return ProviderKeyOut(
        slot=row.slot,
        label=KEY_SLOTS[row.slot].label if row.slot in KEY_SLOTS else row.slot,
        hint=row.hint,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _slot(slot: str) -> str:
    if slot not in KEY_SLOTS:
        raise errors.NotFound(
            f"no provider key slot {slot!r}; one of: {', '.join(sorted(KEY_SLOTS))}"
        )
    return slot


@router.get("/me/provider-keys", response_model=list[ProviderKeyOut])
def list_my_provider_keys(user: CurrentUser, db: DbDep) -> list[ProviderKeyOut]:
    with db.read() as s:
        return [_key_out(r) for r in provider_keys.of_user(s, user.id)]


@router.put("/me/provider-keys/{slot}", response_model=ProviderKeyOut)
def set_my_provider_key(
    slot: str, body: ProviderKeyIn, user: CurrentUser, state: StateDep, db: DbDep
) -> ProviderKeyOut:
    """Store (or replace) the account's own key for a provider; it is used instead of the
    server's for this account's work. It is encrypted at rest and never shown again."""
    _slot(slot)
    plain = body.api_key.get_secret_value().strip()
    if any(c.isspace() for c in plain):
        raise errors.Unprocessable(
            "an API key has no spaces or line breaks; paste the key alone",
            errors=[errors.FieldError(field="api_key", message="contains whitespace")],
        )
    sealed = pipeline_of(state).key_cipher.seal(plain)
    with db.write() as s:
        row = provider_keys.put(s, user.id, slot, sealed=sealed, hint=mask(plain))
        return _key_out(row)


@router.delete("/me/provider-keys/{slot}", status_code=204, response_class=Response)
def delete_my_provider_key(slot: str, user: CurrentUser, db: DbDep) -> Response:
    _slot(slot)
    with db.write() as s:
        if not provider_keys.remove(s, user.id, slot):
            raise errors.NotFound(f"you have no key stored for {slot}")
    return Response(status_code=204)


# --- a project's cost -----------------------------------------------------------------------


class EstimateLineOut(BaseModel):
    capability: str
    provider: str | None = Field(description="Who would do it (null: nobody is set up).")
    count: int = Field(description="Calls: pictures, voices, clips...")
    units: dict[str, float]
    cost: float


class BudgetOut(BaseModel):
    project_budget: float | None = Field(description="The limit the owner set on the project.")
    cost_per_project: float | None = Field(description="The account's limit for any project.")
    cost_per_day: float | None = Field(description="The account's daily limit.")
    spent_today: float = Field(description="What the owner's work cost today (UTC).")
    remaining: float | None = Field(description="What may still be spent (null: no limit).")


class ProjectCostOut(BaseModel):
    currency: str
    spent: float = Field(description="What this project's provider calls have cost so far.")
    spent_by_capability: dict[str, float]
    estimate: float = Field(
        description="What making the video from here would cost: the pictures, voices, clips "
        "and music still missing, priced with the providers the routes would use."
    )
    estimate_lines: list[EstimateLineOut]
    budget: BudgetOut


@router.get("/projects/{project_id}/cost", response_model=ProjectCostOut)
def get_project_cost(
    project_id: str, user: CurrentUser, state: StateDep, db: DbDep
) -> ProjectCostOut:
    """The project's cost so far, an estimate of the work a render would still need, and the
    budgets that apply."""
    from storyreel.auth.quotas import effective_limits
    from storyreel.db.repositories import usage as usage_repo

    with db.read() as s:
        project = project_for(s, user, project_id)
        owner = owner_of(s, project, user)
        shots = projects_repo.shots(s, project.id)
        work = costs.missing_work(project, shots, has_music=projects_repo.has_music(s, project.id))
        estimate = work_estimate(state, owner, project, work)
        limits = effective_limits(state.settings, owner, project)
        state_now = costs.budget_state(s, state.settings, owner, project)
        spent_today = spending.spent(s, owner_id=owner.id, since=usage_repo.day_start())
        return ProjectCostOut(
            currency=state.settings.currency,
            spent=round(spending.spent(s, project_id=project.id), 6),
            spent_by_capability=spending.spent_by_capability(s, project.id),
            estimate=estimate.total,
            estimate_lines=[
                EstimateLineOut(
                    capability=line.capability,
                    provider=line.provider,
                    count=line.count,
                    units=line.units,
                    cost=line.cost,
                )
                for line in estimate.lines
            ],
            budget=BudgetOut(
                project_budget=project.budget,
                cost_per_project=limits.cost_per_project,
                cost_per_day=limits.cost_per_day,
                spent_today=round(spent_today, 6),
                remaining=state_now.remaining(),
            ),
        )


# --- provider health (admins) ---------------------------------------------------------------


class HealthOut(BaseModel):
    ok: bool
    detail: str
    ms: float


class ProviderStatusOut(BaseModel):
    capability: str
    provider: str
    in_route: bool = Field(description="On the system's route for its capability.")
    configured: bool
    problem: str | None
    health: HealthOut | None = Field(description="Only when asked for (probe=true).")
    circuit: str = Field(description="closed, open (skipped for a cool-down) or half_open.")
    consecutive_failures: int
    calls: int = Field(description="Calls this server process made.")
    failures: int
    typical_seconds: float | None
    limits: dict[str, float]


@router.get("/admin/providers", response_model=list[ProviderStatusOut])
def get_provider_status(
    _: AdminUser,
    state: StateDep,
    probe: bool = Query(False, description="Also ask each provider's service if it is up."),
) -> list[ProviderStatusOut]:
    """Every provider's set-up, circuit breaker and figures in this process; with
    ``probe=true`` each one's health check too (network providers are asked, in parallel)."""
    pipeline = pipeline_of(state)
    router_ = pipeline.router
    routes = scope.routes(pipeline, None, None)
    pairs: list[tuple[Capability, str]] = [
        (c, n) for c in CAPABILITIES for n in pipeline.registry.names(c)
    ]
    healths: dict[tuple[str, str], Any] = {}
    if probe and pairs:
        with ThreadPoolExecutor(max_workers=min(8, len(pairs))) as pool:
            found = pool.map(lambda p: router_.health(*p), pairs)
            healths = dict(zip(pairs, found, strict=True))
    out = []
    for capability, name in pairs:
        problem = None
        try:
            pipeline.registry.get(capability, name)
        except Exception as exc:
            problem = str(exc)
        figures = router_.status(capability, [name])[0]
        h = healths.get((capability, name))
        out.append(
            ProviderStatusOut(
                capability=capability,
                provider=name,
                in_route=name in router_.candidates(capability, routes[capability]),
                configured=problem is None,
                problem=problem,
                health=HealthOut(ok=h.ok, detail=h.detail, ms=round(h.seconds * 1000, 1))
                if h is not None
                else None,
                circuit=figures["circuit"],
                consecutive_failures=figures["consecutive_failures"],
                calls=figures["calls"],
                failures=figures["failures"],
                typical_seconds=figures["typical_seconds"],
                limits=figures["limits"],
            )
        )
    return out
