"""GitHub App authentication: the App's JWT and installation tokens."""

from __future__ import annotations

import secrets
import time
from typing import Any

import jwt

CLOCK_DRIFT = 60  # seconds GitHub tolerates for ``iat`` in the future
MAX_JWT_LIFETIME = 600


class JWTRejected(Exception):
    pass


def verify_app_jwt(token: str, public_key_pem: str, app_id: int, now: float | None = None) -> dict[str, Any]:
    """Check an App JWT the way GitHub does; raises ``JWTRejected`` with the reason."""
    now = time.time() if now is None else now
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            public_key_pem,
            algorithms=["RS256"],
            options={
                "verify_exp": False,
                "verify_iat": False,
                "verify_nbf": False,
                "require": ["iat", "exp", "iss"],
            },
        )
    except jwt.PyJWTError as exc:
        raise JWTRejected(f"A JSON web token could not be decoded ({type(exc).__name__})") from exc
    if str(claims["iss"]) != str(app_id):
        raise JWTRejected("A JSON web token could not be decoded (iss does not match the App)")
    iat, exp = claims["iat"], claims["exp"]
    if not isinstance(iat, int | float) or not isinstance(exp, int | float):
        raise JWTRejected("A JSON web token could not be decoded (iat/exp are not numbers)")
    if iat > now + CLOCK_DRIFT:
        raise JWTRejected("'Issued at' claim ('iat') must be an Integer representing a time in the past.")
    if exp <= now:
        raise JWTRejected("'Expiration time' claim ('exp') is too far in the future or has passed.")
    if exp - iat > MAX_JWT_LIFETIME:
        raise JWTRejected("'Expiration time' claim ('exp') is too far in the future.")
    return claims


def parse_authorization(header: str | None) -> tuple[str, str] | None:
    """("bearer"|"token", credential) from an Authorization header."""
    if not header:
        return None
    scheme, _, credential = header.strip().partition(" ")
    scheme = scheme.lower()
    if scheme not in ("bearer", "token") or not credential.strip():
        return None
    return scheme, credential.strip()


def new_installation_token() -> str:
    return "ghs_" + secrets.token_urlsafe(27).replace("-", "A").replace("_", "b")[:36]
