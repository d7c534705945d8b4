"""JWTs: HS256 fixed on the server (a token's own ``alg`` header is never trusted), ``exp``,
``iat``, ``sub``, ``typ`` and ``jti`` required. Access tokens are short-lived; refresh tokens
are recorded so they can rotate, be revoked, and betray reuse."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

import jwt

from storyreel.db.types import new_id, utcnow

ALGORITHM = "HS256"
ISSUER = "storyreel"
TokenType = Literal["access", "refresh"]
_VERIFIED_MAX = 10_000


class InvalidToken(ValueError):
    """The token is malformed, forged, expired or of the wrong type."""


@dataclass(frozen=True)
class Claims:
    user_id: str
    token_type: TokenType
    jti: str
    family: str | None
    expires_at: datetime


class TokenCodec:
    def __init__(self, key: bytes, access_ttl_s: int, refresh_ttl_s: int) -> None:
        self._key = key
        self._verified: dict[str, Claims] = {}
        self.access_ttl = timedelta(seconds=access_ttl_s)
        self.refresh_ttl = timedelta(seconds=refresh_ttl_s)

    def issue(
        self, user_id: str, token_type: TokenType, *, jti: str | None = None, family: str = ""
    ) -> tuple[str, Claims]:
        now = utcnow()
        expires = now + (self.access_ttl if token_type == "access" else self.refresh_ttl)
        claims: dict[str, Any] = {
            "sub": user_id,
            "typ": token_type,
            "jti": jti or new_id(),
            "iat": int(now.timestamp()),
            "exp": int(expires.timestamp()),
            "iss": ISSUER,
        }
        if family:
            claims["fam"] = family
        token = jwt.encode(claims, self._key, algorithm=ALGORITHM)
        return token, Claims(user_id, token_type, claims["jti"], family or None, expires)

    def decode(self, token: str, expected: TokenType) -> Claims:
        # A token already verified is not verified again until it expires: status polls send
        # the same token many times a second. The cache holds only tokens that passed.
        cached = self._verified.get(token)
        if cached is not None and cached.token_type == expected:
            if cached.expires_at > utcnow():
                return cached
            self._verified.pop(token, None)
        claims = self._decode(token, expected)
        if len(self._verified) >= _VERIFIED_MAX:
            self._verified.clear()
        self._verified[token] = claims
        return claims

    def _decode(self, token: str, expected: TokenType) -> Claims:
        try:
            claims = jwt.decode(
                token,
                self._key,
                algorithms=[ALGORITHM],
                issuer=ISSUER,
                options={"require": ["exp", "iat", "sub", "jti", "iss"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise InvalidToken("the token has expired; log in again or refresh it") from exc
        except jwt.PyJWTError as exc:
            raise InvalidToken(f"the token is not valid: {exc}") from exc
        if claims.get("typ") != expected:
            raise InvalidToken(f"this is not an {expected} token")
        if not isinstance(claims["sub"], str):
            raise InvalidToken("the token is not valid: bad subject")
        return Claims(
            claims["sub"],
            expected,
            str(claims["jti"]),
            claims.get("fam"),
            datetime.fromtimestamp(claims["exp"], tz=utcnow().tzinfo),
        )
