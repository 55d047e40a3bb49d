"""Bearer tokens: verified with PyJWT, mapped to a known user by their `sub`."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

import jwt
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from goalpost.config import Settings
from goalpost.models import User
from goalpost.services.errors import Unauthenticated

ASYMMETRIC_ALGORITHMS = ["RS256", "ES256"]


@dataclass(frozen=True)
class Caller:
    """The authenticated user, as a plain value that outlives any session."""

    id: Any
    subject: str
    email: str
    name: str


class TokenVerifier:
    """HS256 with a shared secret in development, JWKS (RS256/ES256) in production."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._jwks = jwt.PyJWKClient(settings.jwks_url) if settings.jwks_url else None

    async def subject_of(self, token: str) -> str:
        claims = await self._claims(token)
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject or len(subject) > 255 or "\x00" in subject:
            raise Unauthenticated("Invalid token: no usable subject.")
        return subject

    async def expires_at(self, token: str) -> float:
        """The token's `exp` (Unix seconds): a WebSocket lives no longer (docs/live.md)."""
        return float((await self._claims(token))["exp"])  # required, and checked, by decode

    async def _claims(self, token: str) -> dict[str, Any]:
        try:
            if self._jwks is not None:
                key = await asyncio.to_thread(self._jwks.get_signing_key_from_jwt, token)
                claims = jwt.decode(
                    token,
                    key.key,
                    algorithms=ASYMMETRIC_ALGORITHMS,
                    issuer=self._settings.jwt_issuer,
                    audience=self._settings.jwt_audience,
                    options={"require": ["exp", "sub", "iss", "aud"]},
                )
            else:
                assert self._settings.jwt_secret is not None
                claims = jwt.decode(
                    token,
                    self._settings.jwt_secret.get_secret_value(),
                    algorithms=["HS256"],
                    issuer=self._settings.jwt_issuer,
                    audience=self._settings.jwt_audience,
                    options={
                        "require": ["exp", "sub"],
                        "verify_aud": bool(self._settings.jwt_audience),
                    },
                )
        except jwt.PyJWTError as exc:
            # The reason (expired, bad signature, ...) is safe to tell; the token is not echoed.
            raise Unauthenticated(f"Invalid token: {exc}") from None
        return claims


def issue_dev_token(settings: Settings, subject: str, ttl_seconds: int | None = None) -> str:
    """Mint an HS256 token for local development and tests."""
    if settings.jwt_secret is None:
        raise RuntimeError("dev tokens need GOALPOST_JWT_SECRET (or GOALPOST_ENV=dev)")
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": subject,
        "iat": now,
        "exp": now + (ttl_seconds or settings.dev_token_ttl_seconds),
    }
    if settings.jwt_issuer:
        claims["iss"] = settings.jwt_issuer
    if settings.jwt_audience:
        claims["aud"] = settings.jwt_audience
    return jwt.encode(claims, settings.jwt_secret.get_secret_value(), algorithm="HS256")


def bearer_token(authorization: str | None) -> str:
    if not authorization:
        raise Unauthenticated("Missing Authorization: Bearer token.")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("Authorization header must be 'Bearer <token>'.")
    return token.strip()


async def authenticate(
    session: AsyncSession, verifier: TokenVerifier, authorization: str | None
) -> Caller:
    subject = await verifier.subject_of(bearer_token(authorization))
    user = (await session.execute(select(User).where(User.subject == subject))).scalar_one_or_none()
    if user is None:
        raise unknown_user()
    return Caller(id=user.id, subject=user.subject, email=user.email, name=user.name)


def unknown_user() -> Unauthenticated:
    """A valid token whose subject no user has (docs/auth.md)."""
    return Unauthenticated("Unknown user.")
