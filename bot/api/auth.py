"""JWTs of the REST API: issued for an API key, verified on every request.

The algorithm is fixed by configuration (HS256 with a secret, or RS256 with a key pair) and
pinned on verification, so a token cannot choose its own (``alg: none``, or HS256 signed with
the RS256 public key). ``exp``, ``iat``, ``nbf``, ``aud``, ``iss`` are required and checked; the
token names its API key, and the key must still be active when the token is used.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import jwt
from aiohttp import web

from bot.api.keys import KeyRecord, valid_key_id
from bot.api.principal import ROLES, Principal

log = logging.getLogger(__name__)
Algorithm = Literal["HS256", "RS256"]
MAX_TOKEN_CHARS = 4096  # ours are ~400; anything much longer is not ours and is not parsed
MAX_VERIFIED = 10_000  # verified tokens remembered (about 1 KB each)
REQUIRED_CLAIMS = ["exp", "iat", "nbf", "aud", "iss", "sub", "key", "org", "role"]


class AuthError(Exception):
    """A token is missing, malformed, expired or revoked. The message is safe to show: it
    never holds the token."""


@dataclass(frozen=True)
class JwtConfig:
    algorithm: Algorithm = "HS256"
    secret: str | None = field(default=None, repr=False)  # HS256
    private_key: str | None = field(default=None, repr=False)  # RS256 PEM, to sign
    public_key: str | None = None  # RS256 PEM, to verify
    issuer: str = "review-bot"
    audience: str = "review-bot-api"
    lifetime: int = 24 * 3600
    leeway: int = 30  # seconds of clock skew between replicas

    def signing_key(self) -> str:
        key = self.secret if self.algorithm == "HS256" else self.private_key
        if not key:
            raise AuthError("token signing is not configured")
        return key

    def verifying_key(self) -> str:
        key = self.secret if self.algorithm == "HS256" else self.public_key
        if not key:
            raise AuthError("token verification is not configured")
        return key


KeyLookup = Callable[[str], KeyRecord | None]


class TokenVerifier:
    """Checks tokens; ``lookup`` answers a key id with its record (None: unknown)."""

    def __init__(self, config: JwtConfig, lookup: KeyLookup, *, clock: Callable[[], float] = time.time):
        self.config = config
        self.lookup = lookup
        self.clock = clock
        self._key = config.verifying_key()
        # Tokens already verified: token -> (caller, nbf, exp). A token is reused for every call
        # of a client for hours, and checking its signature and claims again is most of the
        # API's cost per request. The cache holds only the exact string that passed; its time
        # bounds are checked again on every use, and the key's revocation is checked by the
        # caller every time (check_key), so the cache changes nothing a token can do.
        self._verified: dict[str, tuple[Principal, float, float]] = {}

    def issue(self, record: KeyRecord) -> tuple[str, int]:
        """A token for the key of ``record`` and its expiry (seconds since the epoch)."""
        now = int(self.clock())
        expires = now + self.config.lifetime
        claims: dict[str, Any] = {
            "iss": self.config.issuer,
            "aud": self.config.audience,
            "sub": record.user,
            "org": record.org,
            "role": record.role,
            "key": record.key_id,
            "iat": now,
            "nbf": now,
            "exp": expires,
            "jti": secrets.token_hex(8),
        }
        token = jwt.encode(claims, self.config.signing_key(), algorithm=self.config.algorithm)
        return token, expires

    def verify(self, token: str) -> Principal:
        """The caller of ``token``, its key checked against the store as this process last saw
        it (synchronous: the WebSocket's check; the REST API asks the store itself, see
        bot/api/registry.py)."""
        claimed = self.decode(token)
        try:
            record = self.lookup(claimed.key_id)
        except Exception:  # an unreadable key store refuses the token; it never lets it through
            log.warning("the API key store cannot be read", exc_info=True)
            raise AuthError("the token's key cannot be checked now; try again") from None
        return self.check_key(claimed, record)

    def decode(self, token: str) -> Principal:
        """Signature, algorithm and registered claims checked; the key not yet (check_key)."""
        if not token or len(token) > MAX_TOKEN_CHARS:
            raise AuthError("the token is missing or too long")
        known = self._verified.get(token)
        if known is not None:
            principal, not_before, expires = known
            now = self.clock()
            if now >= expires + self.config.leeway:
                del self._verified[token]
                raise AuthError("the token has expired")
            if now < not_before - self.config.leeway:
                raise AuthError("the token is not valid yet")
            return principal
        principal, not_before, expires = self._decode(token)
        if len(self._verified) >= MAX_VERIFIED:
            del self._verified[next(iter(self._verified))]  # the oldest entry
        self._verified[token] = (principal, not_before, expires)
        return principal

    def _decode(self, token: str) -> tuple[Principal, float, float]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise AuthError("the token is malformed") from None
        if header.get("alg") != self.config.algorithm:  # pinned: the token does not pick it
            raise AuthError("the token's algorithm is not accepted")
        try:
            claims = jwt.decode(
                token,
                self._key,
                algorithms=[self.config.algorithm],
                audience=self.config.audience,
                issuer=self.config.issuer,
                leeway=self.config.leeway,
                options={"require": REQUIRED_CLAIMS},
            )
        except jwt.ExpiredSignatureError:
            raise AuthError("the token has expired") from None
        except jwt.ImmatureSignatureError:
            raise AuthError("the token is not valid yet") from None
        except (jwt.InvalidAudienceError, jwt.InvalidIssuerError):
            raise AuthError("the token was not issued for this API") from None
        except jwt.PyJWTError:
            raise AuthError("the token is invalid") from None
        if claims["iat"] > self.clock() + self.config.leeway:
            raise AuthError("the token is not valid yet")
        key_id, user, org, role = claims["key"], claims["sub"], claims["org"], claims["role"]
        if (
            not all(isinstance(v, str) for v in (key_id, user, org))
            or not valid_key_id(key_id)
            or role not in ROLES
        ):
            raise AuthError("the token is invalid")
        return (
            Principal(user=user, org=org, role=role, key_id=key_id),
            float(claims["nbf"]),
            float(claims["exp"]),
        )

    @staticmethod
    def check_key(claimed: Principal, record: KeyRecord | None) -> Principal:
        """``claimed`` if its key is known and active and says the same; AuthError otherwise."""
        if record is None or not record.active:
            raise AuthError("the token's API key was revoked")
        # The store is the authority: a token whose identity differs from its key's is forged.
        if record.principal() != claimed:
            raise AuthError("the token is invalid")
        return claimed


API_AUTH = web.AppKey("api_auth", TokenVerifier)
