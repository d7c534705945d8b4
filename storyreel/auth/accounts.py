"""Account operations: register, log in, rotate and revoke refresh tokens, API keys, and the
first admin. Callers own the transaction."""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storyreel.auth import passwords
from storyreel.auth.tokens import InvalidToken, TokenCodec
from storyreel.db.models import ApiKey, RefreshToken, User
from storyreel.db.repositories import accounts as repo
from storyreel.db.types import new_id, utcnow
from storyreel.settings import Settings

log = logging.getLogger(__name__)

ROLES = ("admin", "user", "viewer", "guest")
API_KEY_PREFIX = "sr_"


class AccountError(ValueError):
    """A request about an account that cannot be done; the message says why."""


class EmailTaken(AccountError):
    pass


class BadCredentials(AccountError):
    pass


class TokenReuse(InvalidToken):
    """A rotated-away refresh token came back; its family is revoked (commit, then refuse)."""


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int


def normalise_email(email: str) -> str:
    return email.strip().lower()


def register(
    session: Session, settings: Settings, email: str, password: str, display_name: str = ""
) -> User:
    email = normalise_email(email)
    if repo.user_by_email(session, email) is not None:
        raise EmailTaken(f"an account with {email} already exists; log in instead")
    user = User(
        email=email,
        password_hash=passwords.hash_password(password),
        display_name=display_name or email.split("@")[0],
        role="user",
        plan=settings.default_plan,
    )
    try:
        with session.begin_nested():
            session.add(user)
    except IntegrityError as exc:  # a concurrent registration with the same email won
        raise EmailTaken(f"an account with {email} already exists; log in instead") from exc
    return user


def authenticate(session: Session, email: str, password: str) -> User:
    user = repo.user_by_email(session, normalise_email(email))
    if user is None:
        passwords.verify_password(passwords.DUMMY_HASH, password)
        raise BadCredentials("wrong email or password")
    if not passwords.verify_password(user.password_hash, password):
        raise BadCredentials("wrong email or password")
    if user.disabled:
        raise BadCredentials("this account is disabled; ask an administrator")
    if user.password_hash and passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    return user


def issue_tokens(session: Session, codec: TokenCodec, user: User, family: str = "") -> TokenPair:
    family = family or new_id()
    access, _ = codec.issue(user.id, "access")
    refresh, claims = codec.issue(user.id, "refresh", family=family)
    session.add(
        RefreshToken(id=claims.jti, user_id=user.id, family_id=family, expires_at=claims.expires_at)
    )
    return TokenPair(access, refresh, int(codec.access_ttl.total_seconds()))


def rotate(session: Session, codec: TokenCodec, refresh_token: str) -> TokenPair:
    """Trade a refresh token for a new pair. A token used twice means it leaked: the whole
    family is revoked, so the thief and the owner both have to log in again."""
    claims = codec.decode(refresh_token, "refresh")
    row = repo.refresh_token(session, claims.jti, lock=True)
    if row is None or row.user_id != claims.user_id:
        raise InvalidToken("this refresh token is unknown; log in again")
    if row.revoked_at is not None:
        repo.revoke_family(session, row.family_id, utcnow())
        log.warning("refresh token reuse for user %s; family revoked", row.user_id)
        raise TokenReuse("this refresh token was already used or revoked; log in again")
    user = repo.user(session, row.user_id)
    if user is None or user.disabled:
        raise InvalidToken("this account is disabled or gone")
    row.revoked_at = utcnow()
    return issue_tokens(session, codec, user, family=row.family_id)


def logout(session: Session, codec: TokenCodec, refresh_token: str, user: User) -> None:
    claims = codec.decode(refresh_token, "refresh")
    row = repo.refresh_token(session, claims.jti, lock=True)
    if row is None or row.user_id != user.id:
        raise InvalidToken("this refresh token is not one of yours")
    repo.revoke_family(session, row.family_id, utcnow())


def hash_api_key(secret: str) -> str:
    # The secret has 256 random bits, so a fast hash is enough (nothing to brute-force).
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_key(session: Session, user: User, name: str) -> tuple[ApiKey, str]:
    secret = API_KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(user_id=user.id, name=name, prefix=secret[:10], secret_hash=hash_api_key(secret))
    session.add(key)
    session.flush()
    return key, secret


def user_for_api_key(session: Session, secret: str) -> User | None:
    key = repo.api_key_by_hash(session, hash_api_key(secret))
    if key is None or key.revoked_at is not None:
        return None
    return repo.user(session, key.user_id)


def ensure_admin(session: Session, settings: Settings) -> str | None:
    """On an empty database make the first admin; returns a generated password to print once
    (``None`` when the settings gave one or accounts already exist)."""
    if repo.count_users(session) > 0:
        return None
    generated = None
    if settings.admin_password is not None:
        password = settings.admin_password.get_secret_value()
    else:
        password = generated = secrets.token_urlsafe(12)
    email = normalise_email(settings.admin_email or "admin@storyreel.local")
    session.add(
        User(
            email=email,
            password_hash=passwords.hash_password(password),
            display_name="admin",
            role="admin",
            plan=settings.default_plan,
        )
    )
    session.flush()
    return generated
