"""Accounts: register, log in, refresh (rotating), log out, who am I, and API keys."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from storyreel.api import errors
from storyreel.api.deps import CurrentUser, DbDep, StateDep, client_ip, limit_auth
from storyreel.api.idempotency import IdempotencyKey, fingerprint, run_once
from storyreel.auth import accounts, passwords
from storyreel.auth.ratelimit import Limited
from storyreel.auth.tokens import InvalidToken
from storyreel.db.models import ApiKey, User
from storyreel.db.repositories import accounts as repo
from storyreel.db.types import utcnow

router = APIRouter(prefix="/auth", tags=["auth"])

EMAIL = r"^[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{1,63}$"


class RegisterIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(pattern=EMAIL, max_length=320, examples=["ada@example.com"])
    password: str = Field(min_length=passwords.MIN_LENGTH, max_length=passwords.MAX_LENGTH)
    display_name: str = Field("", max_length=100)


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(max_length=320)
    password: str = Field(min_length=1, max_length=passwords.MAX_LENGTH)


class RefreshIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    refresh_token: str = Field(min_length=1, max_length=4096)


class TokenOut(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"
    expires_in: int = Field(description="Seconds the access token is valid.")


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    email: str
    display_name: str
    role: str
    plan: str
    disabled: bool
    created_at: datetime


class ApiKeyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)


class ApiKeyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None


class ApiKeyCreated(ApiKeyOut):
    secret: str | None = Field(
        description="Shown once; send it as `Authorization: Bearer <secret>`. `null` when this "
        "answer replays an earlier request with the same Idempotency-Key: the secret is never "
        "stored, so revoke that key and create another if it was lost."
    )


def _tokens(pair: accounts.TokenPair) -> TokenOut:
    return TokenOut(
        access_token=pair.access_token, refresh_token=pair.refresh_token, expires_in=pair.expires_in
    )


@router.post(
    "/register",
    status_code=201,
    response_model=UserOut,
    dependencies=[Depends(limit_auth)],
)
def register(body: RegisterIn, state: StateDep, db: DbDep) -> User:
    """Create an account (role ``user``, the default plan)."""
    if not state.settings.allow_registration:
        raise errors.Forbidden("registration is closed here; ask an administrator for an account")
    try:
        with db.write() as s:
            return accounts.register(
                s, state.settings, body.email, body.password, body.display_name
            )
    except accounts.EmailTaken as exc:
        raise errors.Conflict(str(exc)) from exc


def _guessing(exc: Limited, what: str) -> errors.TooManyRequests:
    return errors.TooManyRequests(
        f"too many {what}; retry in {exc.retry_after_s} s",
        details={"scope": exc.scope, "limit": exc.limit, "retry_after": exc.retry_after_s},
        headers={"Retry-After": str(exc.retry_after_s)},
    )


@router.post("/login", response_model=TokenOut, dependencies=[Depends(limit_auth)])
def login(body: LoginIn, request: Request, state: StateDep, db: DbDep) -> TokenOut:
    """Trade email and password for an access token and a refresh token. Attempts are limited
    per account and IP, and per account from IPs it never logged in from (429 with
    Retry-After, at most a few minutes; see "Password guessing" in docs/api.md)."""
    email, ip = accounts.normalise_email(body.email), client_ip(request)
    try:
        state.limiter.login_attempt(email, ip)
    except Limited as exc:
        raise _guessing(exc, "login attempts for this account") from exc
    try:
        with db.write() as s:
            user = accounts.authenticate(s, body.email, body.password)
            pair = accounts.issue_tokens(s, state.tokens, user)
    except accounts.BadCredentials as exc:
        raise errors.Unauthorized(str(exc)) from exc
    state.limiter.login_succeeded(email, ip)
    return _tokens(pair)


@router.post("/refresh", response_model=TokenOut, dependencies=[Depends(limit_auth)])
def refresh(body: RefreshIn, state: StateDep, db: DbDep) -> TokenOut:
    """Trade a refresh token for a new pair; the old refresh token stops working."""
    refused: InvalidToken | None = None
    try:
        with db.write() as s:
            try:
                return _tokens(accounts.rotate(s, state.tokens, body.refresh_token))
            except accounts.TokenReuse as exc:
                refused = exc  # leave the block normally: the family's revocation commits
    except InvalidToken as exc:
        refused = exc
    raise errors.Unauthorized(str(refused))


@router.post("/logout", status_code=204, response_class=Response)
def logout(body: RefreshIn, user: CurrentUser, state: StateDep, db: DbDep) -> Response:
    """Revoke the refresh token (and the ones rotated from the same login)."""
    try:
        with db.write() as s:
            accounts.logout(s, state.tokens, body.refresh_token, user)
    except InvalidToken as exc:
        raise errors.Unauthorized(str(exc)) from exc
    return Response(status_code=204)


class PasswordIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: str = Field(min_length=1, max_length=passwords.MAX_LENGTH)
    new_password: str = Field(min_length=passwords.MIN_LENGTH, max_length=passwords.MAX_LENGTH)


@router.post("/password", status_code=204, response_class=Response)
def change_password(body: PasswordIn, user: CurrentUser, state: StateDep, db: DbDep) -> Response:
    """Change your password; every refresh token of the account stops working. Attempts are
    limited per account (429 with Retry-After): a stolen access token cannot be used to guess
    the password."""
    try:
        state.limiter.password_attempt(user.id)
    except Limited as exc:
        raise _guessing(exc, "password change attempts") from exc
    with db.write() as s:
        account = repo.user(s, user.id)
        if account is None or not passwords.verify_password(
            account.password_hash, body.current_password
        ):
            raise errors.Forbidden("the current password is wrong")
        account.password_hash = passwords.hash_password(body.new_password)
        repo.revoke_user_tokens(s, account.id, utcnow())
    state.limiter.password_succeeded(user.id)
    state.access_changed("password changed", user_id=user.id)
    return Response(status_code=204)


@router.get("/me", response_model=UserOut)
async def get_me(user: CurrentUser) -> User:
    return user


class ProfileIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    display_name: str = Field(
        min_length=1, max_length=100, description="The name the studio shows for you."
    )


@router.patch("/me", response_model=UserOut)
def update_me(body: ProfileIn, user: CurrentUser, state: StateDep, db: DbDep) -> UserOut:
    """Change your profile (the display name)."""
    name = body.display_name.strip()
    if not name:
        message = "the display name is empty; write the name the studio should show"
        raise errors.Unprocessable(
            message, errors=[errors.FieldError(field="display_name", message=message)]
        )
    with db.write() as s:
        account = repo.user(s, user.id)
        if account is None:  # deleted since the token was issued
            raise errors.NotFound("no such account")
        account.display_name = name
        s.flush()
        profile = UserOut.model_validate(account)
    state.principals.forget(user.id)  # the next request sees the new name at once
    return profile


@router.post("/api-keys", status_code=201, response_model=ApiKeyCreated)
def create_api_key(
    body: ApiKeyIn, user: CurrentUser, db: DbDep, idempotency_key: IdempotencyKey = None
) -> Response:
    """Create an API key; its secret is in this response only."""

    def create(s: Session) -> ApiKeyCreated:
        key, secret = accounts.create_api_key(s, user, body.name)
        return ApiKeyCreated(**ApiKeyOut.model_validate(key).model_dump(), secret=secret)

    return run_once(
        db,
        user,
        idempotency_key,
        fingerprint("api-keys", body),
        create,
        stored=lambda answer: {**answer, "secret": None},
    )


@router.get("/api-keys", response_model=list[ApiKeyOut])
def list_api_keys(user: CurrentUser, db: DbDep) -> list[ApiKey]:
    with db.read() as s:
        return repo.api_keys(s, user.id)


@router.delete("/api-keys/{key_id}", status_code=204, response_class=Response)
def revoke_api_key(key_id: str, user: CurrentUser, state: StateDep, db: DbDep) -> Response:
    with db.write() as s:
        key = repo.api_key(s, key_id)
        if key is None or key.user_id != user.id or key.revoked_at is not None:
            raise errors.NotFound(f"no API key {key_id}")
        key.revoked_at = utcnow()
        key_hash = key.secret_hash
    # After the commit: a request in between would otherwise remember the key again.
    state.principals.forget(key_hash=key_hash)
    state.access_changed("API key revoked", user_id=user.id)  # sockets opened with it close
    return Response(status_code=204)
