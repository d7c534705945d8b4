"""Server secrets: explicit settings win; in the embedded shape they are generated once into
the data directory (mode 0600) so a restart keeps sessions and webhook secrets valid."""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from storyreel.settings import Settings

SECRETS_FILE = "secrets.json"


@dataclass(frozen=True)
class ServerSecrets:
    jwt: bytes
    webhook: bytes


def load_server_secrets(settings: Settings) -> ServerSecrets:
    """Production has both set (the settings refuse to load otherwise)."""
    stored = _stored(settings.data_dir / SECRETS_FILE)
    jwt = settings.jwt_secret.get_secret_value() if settings.jwt_secret else stored["jwt"]
    webhook = (
        settings.webhook_secret.get_secret_value() if settings.webhook_secret else stored["webhook"]
    )
    return ServerSecrets(jwt.encode(), webhook.encode())


def _stored(path: Path) -> dict[str, str]:
    if path.exists():
        data: dict[str, str] = json.loads(path.read_text())
        if {"jwt", "webhook"} <= data.keys():
            return data
    data = {"jwt": secrets.token_hex(32), "webhook": secrets.token_hex(32)}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(data, f)
    try:
        os.link(tmp, path)  # first writer wins when two processes start at once
    except FileExistsError:
        tmp.unlink()
        return _stored(path)
    tmp.unlink()
    return data
