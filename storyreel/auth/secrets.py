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


PROVIDER_KEYS_FILE = "provider-keys.secret"


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


def provider_key_secrets(settings: Settings) -> list[str]:
    """The secrets that seal accounts' provider keys, newest first."""
    if settings.provider_keys_secret is not None:
        found = [p.strip() for p in settings.provider_keys_secret.get_secret_value().split(",")]
        return [p for p in found if p]
    return [_stored_one(settings.data_dir / PROVIDER_KEYS_FILE)]


def _stored_one(path: Path) -> str:
    """A secret kept in its own file, created once (the first process to write it wins)."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(secrets.token_hex(32))
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
    return path.read_text().strip()
