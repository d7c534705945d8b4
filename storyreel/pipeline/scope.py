"""Whose work a call is: the routes an account and its project chose, the account's own
provider keys, and its budgets — gathered into the ``CallScope`` the router takes."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from storyreel.db.models import Project, User
from storyreel.db.repositories import accounts as accounts_repo
from storyreel.db.repositories import projects as projects_repo
from storyreel.db.repositories import provider_keys
from storyreel.db.session import Database
from storyreel.domain.blob_keys import project_cache_prefix
from storyreel.pipeline.context import PipelineContext
from storyreel.pipeline.costs import budget_state
from storyreel.providers.base import CAPABILITIES, Capability, Provider
from storyreel.providers.keys import KeyUnreadable, keys_digest, settings_with_keys
from storyreel.providers.router import TYPICAL_UNITS, CallScope, Route, estimate_cost, layered_route

log = logging.getLogger(__name__)


def own_keys(ctx: PipelineContext, session: Session, user_id: str) -> dict[str, str]:
    """The account's stored provider keys, decrypted; one that cannot be read is left out (and
    logged) so the operator's key serves instead of the call failing."""
    found: dict[str, str] = {}
    for row in provider_keys.of_user(session, user_id):
        try:
            found[row.slot] = ctx.key_cipher.open(row.sealed)
        except KeyUnreadable:
            log.warning("provider key %s of user %s is unreadable; ignoring it", row.slot, user_id)
    return found


def layers(owner: User | None, project: Project | None) -> tuple[Mapping[str, Any] | None, ...]:
    return (owner.routing if owner else None, project.routing if project else None)


def routes(
    ctx: PipelineContext, owner: User | None, project: Project | None
) -> dict[Capability, Route]:
    return {c: layered_route(c, ctx.settings, *layers(owner, project)) for c in CAPABILITIES}


def account_scope(
    ctx: PipelineContext,
    db: Database,
    session: Session,
    owner_id: str | None,
    project: Project | None = None,
) -> CallScope:
    """The scope for work of ``owner_id`` (on ``project``, if any), read in ``session``."""
    owner = accounts_repo.user(session, owner_id) if owner_id else None
    cache_root = project_cache_prefix(project.id) if project is not None else None
    if owner is None:  # work of the CLI or a project without an owner: the system's choices
        return CallScope(layers=layers(None, project), cache_root=cache_root)
    keys = own_keys(ctx, session, owner.id)
    registry = (
        ctx.router.scoped(keys_digest(keys), settings_with_keys(ctx.settings, keys))
        if keys
        else None
    )
    user_id, project_id = owner.id, project.id if project is not None else None

    def within_budget(provider: Provider) -> None:
        # Read afresh: other tasks of the account may have spent since this one started.
        with db.session() as s:
            fresh_owner = accounts_repo.user(s, user_id)
            fresh_project = projects_repo.get(s, project_id) if project_id else None
            if fresh_owner is None:
                return
            state = budget_state(s, ctx.settings, fresh_owner, fresh_project)
        state.check(estimate_cost(provider.prices(), TYPICAL_UNITS[provider.capability]))

    return CallScope(
        layers=layers(owner, project),
        registry=registry,
        before_paid_call=within_budget,
        cache_root=cache_root,
    )
