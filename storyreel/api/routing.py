"""Provider routes as the API takes them: per capability, providers that exist and a strategy.
Used by an account's settings (``PUT /me/routing``) and a project's (``PATCH /projects/{id}``)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from storyreel.api import errors
from storyreel.api.deps import AppState, providers_of
from storyreel.providers.base import CAPABILITIES
from storyreel.settings import RouteSetting


class RoutingIn(BaseModel):
    """A route per capability; a capability left out follows the layer below."""

    model_config = ConfigDict(extra="forbid")

    storyboard: RouteSetting | None = None
    image: RouteSetting | None = None
    voice: RouteSetting | None = None
    motion: RouteSetting | None = None
    music: RouteSetting | None = None


def checked_routing(state: AppState, routing: RoutingIn | None) -> dict[str, Any]:
    """The routes as stored (only what was set), every provider known to this server."""
    if routing is None:
        return {}
    registry = providers_of(state)
    problems = []
    for capability in CAPABILITIES:
        route: RouteSetting | None = getattr(routing, capability)
        for name in (route.providers or []) if route else []:
            if name not in registry.names(capability):
                known = ", ".join(registry.names(capability))
                problems.append(
                    errors.FieldError(
                        field=f"routing.{capability}.providers",
                        message=f"no {capability} provider called {name!r}; available: {known}",
                    )
                )
    if problems:
        raise errors.Unprocessable(problems[0].message, errors=problems)
    return {
        capability: route.model_dump(exclude_none=True)
        for capability in CAPABILITIES
        if (route := getattr(routing, capability)) is not None
        and route.model_dump(exclude_none=True)
    }
