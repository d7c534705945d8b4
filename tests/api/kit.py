"""An API test kit: a real app on a migrated SQLite (or PostgreSQL) database, driven through
Starlette's TestClient, and accounts made through the API itself."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import jwt
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from storyreel.api.app import create_app
from storyreel.db import migrate
from storyreel.db.models import Asset, Render, User
from storyreel.db.repositories import accounts as accounts_repo
from storyreel.db.session import Database
from storyreel.settings import Settings

ADMIN_EMAIL = "admin@example.com"
ADMIN_PASSWORD = "admin-password-1"
PASSWORD = "correct horse battery"

_emails = itertools.count(1)


def api_settings(settings: Settings, **overrides: Any) -> Settings:
    """Test settings: a known admin, loopback webhooks allowed (the receivers run on
    127.0.0.1) and rate limits high enough that only the rate-limit tests meet them."""
    values: dict[str, Any] = {
        "admin_email": ADMIN_EMAIL,
        "admin_password": ADMIN_PASSWORD,
        "webhook_allow_loopback": True,
        "rate_limits": {
            "per_user": "100000/minute",
            "per_ip": "100000/minute",
            "auth_per_ip": "100000/minute",
            "samples_per_user": "100000/minute",
        },
    }
    values.update(overrides)
    return settings.model_copy(update=Settings(**{**settings.model_dump(), **values}).__dict__)


@dataclass
class Account:
    email: str
    user_id: str
    token: str
    refresh_token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class Api:
    client: TestClient
    settings: Settings
    _accounts: dict[str, Account] = field(default_factory=dict)

    def login(self, email: str, password: str = PASSWORD) -> Account:
        r = self.client.post("/api/v1/auth/login", json={"email": email, "password": password})
        assert r.status_code == 200, r.text
        body = r.json()
        # The account id is the token's subject (no extra request: rate-limit tests count them).
        claims = jwt.decode(body["access_token"], options={"verify_signature": False})
        return Account(email, claims["sub"], body["access_token"], body["refresh_token"])

    def register(self, name: str | None = None, *, role: str | None = None) -> Account:
        """A new account (made through the API); ``role`` is then set in the database, as an
        admin would."""
        email = f"{name or 'user'}{next(_emails)}@example.com"
        r = self.client.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD})
        assert r.status_code == 201, r.text
        if role is not None:
            self.set_user(r.json()["id"], role=role)
        return self.login(email)

    def admin(self) -> Account:
        return self.login(ADMIN_EMAIL, ADMIN_PASSWORD)

    def set_user(self, user_id: str, **fields: Any) -> None:
        db = Database(self.settings.database)
        try:
            with db.session() as s:
                user = accounts_repo.user(s, user_id)
                assert isinstance(user, User)
                for name, value in fields.items():
                    setattr(user, name, value)
        finally:
            db.dispose()
        # The API remembers accounts for a few seconds; an admin's change makes it forget.
        self.client.app.state.storyreel.principals.forget(user_id)  # type: ignore[attr-defined]


@contextmanager
def running_api(
    settings: Settings,
    *,
    run_workers: bool = True,
    peer: tuple[str, int] = ("testclient", 50000),
    **overrides: Any,
) -> Iterator[Api]:
    """``run_workers=False``: tasks are recorded but nothing runs them. ``peer``: the TCP
    address requests come from (a proxy's, for the trusted-proxy tests)."""
    settings = api_settings(settings, **overrides)
    db = Database(settings.database)
    migrate.upgrade(db)
    db.dispose()
    app = create_app(settings, run_workers=run_workers)
    with TestClient(app, client=peer) as client:
        yield Api(client, settings)


def add_render(
    s: Session,
    project_id: str,
    owner_id: str,
    *,
    quality: str = "final",
    duration: float = 12.5,
    created_at: datetime | None = None,
) -> Render:
    """A finished render row and its (placeholder) video asset, for tests that count renders
    without rendering anything."""
    video = Asset(
        owner_id=owner_id,
        project_id=project_id,
        kind="video",
        blob_key="v.mp4",
        mime="video/mp4",
        size=1,
        sha256="0" * 64,
    )
    s.add(video)
    s.flush()
    render = Render(
        project_id=project_id,
        quality=quality,
        video_asset_id=video.id,
        duration=duration,
        width=640,
        height=360,
        size_bytes=1,
        **({"created_at": created_at} if created_at is not None else {}),
    )
    s.add(render)
    return render
