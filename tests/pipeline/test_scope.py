"""Whose work a provider call is: the account's routes and own keys, and the budget check a
task makes before each priced call (the last line of defence when an estimate was low)."""

from __future__ import annotations

from pathlib import Path

import pytest

from storyreel.db import migrate
from storyreel.db.models import Project, ProviderKey, UsageRecord, User
from storyreel.db.session import Database
from storyreel.pipeline.context import PipelineContext
from storyreel.pipeline.costs import BudgetExceeded
from storyreel.pipeline.scope import account_scope
from storyreel.providers.keys import mask
from storyreel.providers.router import Route
from storyreel.settings import Settings


@pytest.fixture
def world(tmp_path: Path) -> tuple[PipelineContext, Database]:
    settings = Settings(
        data_dir=tmp_path / "data",
        openai_image={"api_key": "sk-operator", "price_per_image": 0.04},
    )
    db = Database(settings.database)
    migrate.upgrade(db)
    return PipelineContext.create(settings), db


def _people(db: Database, **user: object) -> tuple[str, str]:
    with db.session() as s:
        owner = User(email="a@example.com", password_hash="x", **user)
        s.add(owner)
        s.flush()
        project = Project(owner_id=owner.id, title="t", story="s", style="comic")
        s.add(project)
        s.flush()
        return owner.id, project.id


def _spend(db: Database, owner_id: str, project_id: str | None, amount: float) -> None:
    with db.session() as s:
        s.add(
            UsageRecord(
                owner_id=owner_id,
                project_id=project_id,
                capability="image",
                provider="openai",
                model="m",
                cost=amount,
            )
        )


def test_a_task_stops_before_a_priced_call_that_passes_the_daily_budget(
    world: tuple[PipelineContext, Database],
) -> None:
    ctx, db = world
    owner_id, project_id = _people(db, quotas={"cost_per_day": 0.05})
    with db.session() as s:
        scope = account_scope(ctx, db, s, owner_id, s.get(Project, project_id))
    paid = ctx.registry.image("openai")
    assert scope.before_paid_call is not None
    scope.before_paid_call(paid)  # nothing spent yet: 0.04 fits
    _spend(db, owner_id, None, 0.04)  # another task (not even this project) spent meanwhile
    with pytest.raises(BudgetExceeded, match="cost_per_day") as refused:
        scope.before_paid_call(paid)
    assert not refused.value.retryable


def test_a_project_budget_binds_admins_too(world: tuple[PipelineContext, Database]) -> None:
    ctx, db = world
    owner_id, project_id = _people(db, role="admin", quotas={"cost_per_day": 0.0})
    with db.session() as s:
        s.get(Project, project_id).budget = 0.05  # type: ignore[union-attr]
    with db.session() as s:
        scope = account_scope(ctx, db, s, owner_id, s.get(Project, project_id))
    assert scope.before_paid_call is not None
    scope.before_paid_call(ctx.registry.image("openai"))  # admins have no daily budget
    _spend(db, owner_id, project_id, 0.03)
    with pytest.raises(BudgetExceeded, match="this project's budget"):
        scope.before_paid_call(ctx.registry.image("openai"))


def test_own_keys_and_routes_shape_the_scope(world: tuple[PipelineContext, Database]) -> None:
    ctx, db = world
    owner_id, project_id = _people(db, routing={"image": {"providers": ["openai", "sketch"]}})
    with db.session() as s:
        s.add(
            ProviderKey(
                user_id=owner_id,
                slot="openai_image",
                sealed=ctx.key_cipher.seal("sk-own-key-9876"),
                hint=mask("sk-own-key-9876"),
            )
        )
        s.add(ProviderKey(user_id=owner_id, slot="llm", sealed="not a token", hint="…"))
    with db.session() as s:
        scope = account_scope(ctx, db, s, owner_id, s.get(Project, project_id))
    assert scope.layers[0] == {"image": {"providers": ["openai", "sketch"]}}
    assert scope.registry is not None
    own = scope.registry.image("openai").settings.openai_image.api_key
    assert own is not None and own.get_secret_value() == "sk-own-key-9876"
    # The unreadable llm key is left out: the operator's settings serve.
    assert scope.registry.settings.llm == ctx.settings.llm
    # The system registry is untouched.
    system = ctx.registry.image("openai").settings.openai_image.api_key
    assert system is not None and system.get_secret_value() == "sk-operator"
    assert ctx.router.candidates("image", Route(("openai", "sketch"))) == ["openai", "sketch"]
