"""What every endpoint is given: the platform (and the parts of it routers use), units of work,
the current user, the object lookups that enforce who may see what, and whose quotas, budget and
priority work counts against (CONVENTIONS.md, rule 3).

Endpoints open their unit of work themselves (``with db.write() as s:``) rather than through a
yield-dependency: FastAPI may enter and leave a sync dependency on different threads, and the
SQLite write lock must be released by the thread that took it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated

import structlog
from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from storyreel.api import errors
from storyreel.api.access import AccessWatch, announce
from storyreel.api.principals import Principals
from storyreel.auth import accounts, policy, quotas
from storyreel.auth.ratelimit import Limited, RateLimiter
from storyreel.auth.secrets import ServerSecrets
from storyreel.auth.tokens import InvalidToken, TokenCodec
from storyreel.db.models import Project, Shot, Task, User
from storyreel.db.repositories import accounts as accounts_repo
from storyreel.db.repositories import projects as projects_repo
from storyreel.db.repositories import tasks as tasks_repo
from storyreel.db.types import utcnow
from storyreel.pipeline import costs, scope
from storyreel.pipeline.context import PipelineContext
from storyreel.pipeline.engine import Platform
from storyreel.pipeline.project import storyboard_pending
from storyreel.providers.base import Capability
from storyreel.providers.registry import ProviderRegistry
from storyreel.settings import Settings
from storyreel.storage.base import BlobStore
from storyreel.tasks.kinds import KindRegistry


@dataclass
class AppState:
    """Everything the app wires once at start-up (``create_app``)."""

    settings: Settings
    platform: Platform
    store: BlobStore
    secrets: ServerSecrets
    tokens: TokenCodec
    limiter: RateLimiter
    access: AccessWatch
    principals: Principals

    def access_changed(
        self, reason: str, *, user_id: str | None = None, project_id: str | None = None
    ) -> None:
        """After a commit that may take access away: every API process's open WebSockets
        re-check (``api/access.py``), and this process forgets the account at once."""
        announce(self.platform.bus, self.principals, reason, user_id=user_id, project_id=project_id)


# Cheap dependencies are ``async``: a sync one would cost a thread hop per request.


def kinds_of(state: AppState) -> KindRegistry:
    return state.platform.kinds


def pipeline_of(state: AppState) -> PipelineContext:
    """The providers, blob store and result cache the pipeline's steps use."""
    return state.platform.pipeline


def providers_of(state: AppState) -> ProviderRegistry:
    return pipeline_of(state).registry


def priority_of(state: AppState, user: User) -> int:
    """The queue priority of ``user``'s plan."""
    return quotas.priority_for(state.settings, user)


async def app_state(request: Request) -> AppState:
    state: AppState = request.app.state.storyreel
    return state


StateDep = Annotated[AppState, Depends(app_state)]


class UnitOfWork:
    def __init__(self, platform: Platform) -> None:
        self.platform = platform

    @property
    def local(self) -> bool:
        """The database is a file of this process (SQLite): reads cost no network."""
        return self.platform.db.backend == "sqlite"

    @contextmanager
    def write(self) -> Iterator[Session]:
        """Commits when the block ends; tasks reach the executor only after that commit."""
        with self.platform.db.session() as s:
            yield s

    @contextmanager
    def read(self, *, snapshot: bool = True) -> Iterator[Session]:
        """``snapshot=False``: one statement, no transaction around it (the fastest read)."""
        with self.platform.db.reading(snapshot=snapshot) as s:
            yield s


async def unit_of_work(state: StateDep) -> UnitOfWork:
    return UnitOfWork(state.platform)


DbDep = Annotated[UnitOfWork, Depends(unit_of_work)]

_bearer = HTTPBearer(auto_error=False, description="An access token or an API key (sr_…).")
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="An API key (sr_…).")


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _limit(limiter: RateLimiter, scope: str, identity: str) -> None:
    try:
        limiter.hit(scope, identity)
    except Limited as exc:
        raise errors.TooManyRequests(
            f"too many requests ({exc.limit} per {scope}); retry in {exc.retry_after_s} s",
            details={"scope": exc.scope, "limit": exc.limit, "retry_after": exc.retry_after_s},
            headers={"Retry-After": str(exc.retry_after_s)},
        ) from exc


async def limit_ip(request: Request, state: StateDep) -> None:
    """For endpoints without an account (signed downloads): the per-IP limit alone."""
    _limit(state.limiter, "ip", client_ip(request))


async def limit_auth(request: Request, state: StateDep) -> None:
    """Logins and registrations: a tighter per-IP limit against password guessing."""
    _limit(state.limiter, "auth", client_ip(request))


def _load_principal(token: str, state: AppState) -> User:
    """The account a token or API key stands for (a database read; run in a thread)."""
    if token.startswith(accounts.API_KEY_PREFIX):
        key_hash = accounts.hash_api_key(token)
        with state.platform.db.reading() as s:
            user = accounts.user_for_api_key(s, token)
        if user is None:
            raise errors.Unauthorized("this API key is unknown or revoked")
        # Reached at most once per cache period per key, so "last used" costs no write per
        # request; the stamp is kept to the minute.
        with state.platform.db.session() as w:
            accounts_repo.mark_api_key_used(w, key_hash, utcnow(), every_s=60.0)
        state.principals.remember(user, key_hash)
        return user
    with state.platform.db.reading() as s:
        user = accounts_repo.user(s, _claims(token, state))
    if user is None:
        raise errors.Unauthorized("the account of this token no longer exists")
    state.principals.remember(user)
    return user


def _claims(token: str, state: AppState) -> str:
    try:
        return state.tokens.decode(token, "access").user_id
    except InvalidToken as exc:
        raise errors.Unauthorized(str(exc)) from exc


async def authenticate(token: str, state: AppState) -> User:
    if token.startswith(accounts.API_KEY_PREFIX):
        owner = state.principals.key_owner(accounts.hash_api_key(token))
        user = state.principals.user(owner) if owner else None
    else:
        user = state.principals.user(_claims(token, state))
    if user is None:
        user = await run_in_threadpool(_load_principal, token, state)
    if user.disabled:
        raise errors.Unauthorized("this account is disabled; ask an administrator")
    return user


async def current_user(
    request: Request,
    state: StateDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    api_key: Annotated[str | None, Depends(_api_key)],
) -> User:
    _limit(state.limiter, "ip", client_ip(request))
    token = bearer.credentials if bearer is not None else api_key
    if not token:
        raise errors.Unauthorized()
    user = await authenticate(token, state)
    _limit(state.limiter, "user", user.id)
    structlog.contextvars.bind_contextvars(user_id=user.id)
    return user


CurrentUser = Annotated[User, Depends(current_user)]


async def limit_samples(state: StateDep, user: CurrentUser) -> None:
    """Voice samples are synthesised in the API process: a per-user limit of their own."""
    _limit(state.limiter, "sample", user.id)


async def admin_user(user: CurrentUser) -> User:
    if user.role != "admin":
        raise errors.Forbidden("only administrators may do this")
    return user


AdminUser = Annotated[User, Depends(admin_user)]


async def creator(user: CurrentUser) -> User:
    """Users who may create things (viewers only read)."""
    if not policy.can_create(user):
        raise errors.Forbidden("viewer accounts can read shared projects but not create anything")
    return user


Creator = Annotated[User, Depends(creator)]


# Object lookups: an id the user may not see answers 404, exactly like an id that does not
# exist, so ids cannot be probed. Seeing but not changing answers 403.


def project_for(s: Session, user: User, project_id: str, *, write: bool = False) -> Project:
    project = projects_repo.get(s, project_id)
    access = policy.project_access(s, user, project) if project is not None else None
    if project is None or access is None:
        raise errors.NotFound(f"no project {project_id}")
    if write and access != "write":
        raise errors.Forbidden("this project is shared with you read-only")
    return project


def shot_for(
    s: Session, user: User, project_id: str, shot_id: str, *, write: bool = False
) -> tuple[Project, Shot]:
    project = project_for(s, user, project_id, write=write)
    shot = projects_repo.shot(s, shot_id)
    if shot is None or shot.project_id != project.id:
        raise errors.NotFound(f"no shot {shot_id} in project {project_id}")
    return project, shot


def task_for(s: Session, user: User, task_id: str, *, write: bool = False) -> Task:
    task = tasks_repo.get(s, task_id)
    if task is None:
        raise errors.NotFound(f"no task {task_id}")
    if task.project_id is not None:
        try:
            project_for(s, user, task.project_id, write=write)
        except errors.NotFound:
            raise errors.NotFound(f"no task {task_id}") from None
    elif task.owner_id != user.id and user.role != "admin":
        raise errors.NotFound(f"no task {task_id}")
    return task


def owner_of(s: Session, project: Project, user: User) -> User:
    """Whose quotas and plan priority the project's work counts against: its owner's."""
    if project.owner_id is None or project.owner_id == user.id:
        return user
    return accounts_repo.user(s, project.owner_id) or user


def refuse_while_writing(s: Session, project: Project) -> None:
    """Edits to shots or characters would be replaced by the storyboard being written."""
    if storyboard_pending(s, project):
        raise errors.Conflict(
            "the storyboard is still being written and will replace the shots and characters; "
            "wait for it to finish"
        )


@contextmanager
def quota_error() -> Iterator[None]:
    try:
        yield
    except quotas.QuotaExceeded as exc:
        wait = max(1, int((exc.resets_at - utcnow()).total_seconds()))
        raise errors.TooManyRequests(
            str(exc),
            details={
                "quota": exc.quota,
                "limit": exc.limit,
                "used": exc.used,
                "resets_at": exc.resets_at.isoformat(),
            },
            headers={"Retry-After": str(wait)},
        ) from exc


def within_quota(s: Session, state: AppState, user: User, project: Project | None) -> None:
    """Call after a change that re-runs counted work: a 429 (and a rollback) if it went over."""
    with quota_error():
        quotas.check_within(s, state.settings, user, project)


# What a request over ``max_duration_s`` names and what its sender can change.
_DURATION_ADVICE = {
    "target_seconds": ("target_seconds {value:g}", "ask for a shorter film or a higher plan"),
    "shots": (
        "the shots add up to {value:g} s, which",
        "shorten or remove shots, or ask for a higher plan",
    ),
    "scenes": (
        "the scenes add up to about {value:g} s, which",
        "use fewer or shorter scenes, or ask for a higher plan",
    ),
}


def _over_limit(
    exc: quotas.OverLimit, duration_field: str, resolution_field: str
) -> errors.ApiError:
    """A per-video limit as a 422 that says the limit and what to change."""
    if exc.quota == "max_duration_s":
        field = duration_field
        what, change = _DURATION_ADVICE.get(
            field, (f"{field} {{value:g}}", "ask for a shorter video or a higher plan")
        )
        message = (
            f"{what.format(value=exc.value)} is over this account's {exc.limit:g} s per video; "
            f"{change}"
        )
    else:
        field = resolution_field
        message = (
            f"the picture would be {exc.value:g} px on its shorter side, over this account's "
            f"{exc.limit:g} px per video; choose a smaller {field} or ask for a higher plan"
        )
    return errors.Unprocessable(
        message,
        errors=[errors.FieldError(field=field, message=message)],
        details={"quota": exc.quota, "limit": exc.limit, "value": exc.value},
    )


def check_quota(
    s: Session,
    state: AppState,
    user: User,
    project: Project | None = None,
    *,
    duration_field: str = "target_seconds",
    resolution_field: str = "aspect",
    **amounts: float | int | None,
) -> None:
    """``quotas.check`` as an API error: 422 naming ``duration_field`` or
    ``resolution_field`` when one video is over a per-video limit; 429 naming the daily quota
    and when it resets; then the budgets for the same work (402 naming the budget)."""
    try:
        with quota_error():
            quotas.check(s, state.settings, user, project, **amounts)  # type: ignore[arg-type]
    except quotas.OverLimit as exc:
        raise _over_limit(exc, duration_field, resolution_field) from exc
    images, videos = int(amounts.get("images") or 0), int(amounts.get("videos") or 0)
    if videos and project is not None:
        shots = projects_repo.shots(s, project.id)
        work = costs.missing_work(project, shots, has_music=projects_repo.has_music(s, project.id))
    else:
        work = [("image", images, {"images": float(images)})] if images else []
    check_budget(s, state, user, project, work)


def check_budget(
    s: Session,
    state: AppState,
    owner: User,
    project: Project | None,
    work: list[tuple[Capability, int, dict[str, float]]],
) -> costs.Estimate:
    """Refuse ``work`` with 402 when its estimated cost would take spending past a budget."""
    estimate = work_estimate(state, owner, project, work)
    check_spending(s, state, owner, project, estimate.total)
    return estimate


def check_spending(
    s: Session, state: AppState, owner: User, project: Project | None, needed: float
) -> None:
    """Refuse with 402 when spending ``needed`` more would take the owner (or the project)
    past a budget."""
    try:
        costs.budget_state(s, state.settings, owner, project).check(needed)
    except costs.BudgetExceeded as exc:
        raise errors.PaymentRequired(
            str(exc),
            details={
                "budget": exc.budget,
                "limit": exc.limit,
                "spent": exc.used,
                "needed": exc.needed,
                "currency": state.settings.currency,
            },
        ) from exc


def work_estimate(
    state: AppState,
    owner: User | None,
    project: Project | None,
    work: list[tuple[Capability, int, dict[str, float]]],
) -> costs.Estimate:
    """``work`` priced with the providers the owner's and project's routes would use."""
    pipeline = state.platform.pipeline
    return costs.estimate(
        pipeline.router, pipeline.registry, scope.routes(pipeline, owner, project), work
    )
