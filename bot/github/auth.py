"""Authenticating as the GitHub App: app JWTs and cached installation access tokens."""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import jwt
from cachetools import TLRUCache
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from bot.github.client import GitHubClient, TokenProvider
from bot.keyed_locks import KeyedLocks

log = logging.getLogger(__name__)

# GitHub advises backdating iat against clock drift and caps exp at 10 minutes after the real now.
JWT_BACKDATE_SECONDS = 60
JWT_LIFETIME_SECONDS = 540
# Refresh this long before expires_at so a token never expires in the middle of a review.
REFRESH_MARGIN_SECONDS = 300.0
MAX_CACHED_INSTALLATIONS = 10_000


class AppAuthError(Exception):
    """The app could not authenticate; the message never carries a key or a token."""


def make_app_jwt(app_id: str | int, private_key_pem: str, *, now: float | None = None) -> str:
    """Sign the app's RS256 JWT ourselves, because gidgethub's get_jwt does not backdate iat."""
    issued = int(time.time() if now is None else now)
    claims = {"iat": issued - JWT_BACKDATE_SECONDS, "exp": issued + JWT_LIFETIME_SECONDS, "iss": str(app_id)}
    try:
        return jwt.encode(claims, _signing_key(private_key_pem), algorithm="RS256")
    except (ValueError, TypeError, UnsupportedAlgorithm, jwt.PyJWTError) as exc:
        # The underlying message may quote key material; say only what kind of failure it was.
        raise AppAuthError(
            f"cannot sign the app JWT with the configured private key ({type(exc).__name__})"
        ) from None


@functools.lru_cache(maxsize=4)
def _signing_key(private_key_pem: str) -> RSAPrivateKey:
    """The parsed key, once per process: parsing checks the RSA key (~50 ms of CPU on the event
    loop), signing with it takes well under 1 ms. Failures are not cached."""
    key = load_pem_private_key(private_key_pem.encode(), password=None)
    if not isinstance(key, RSAPrivateKey):  # GitHub Apps sign with RS256 only
        raise TypeError("the App's private key is not an RSA key")
    return key


@dataclass(frozen=True)
class _Token:
    """An installation token and when GitHub says it expires (epoch seconds)."""

    value: str = field(repr=False)
    expires_at: float


class InstallationTokens:
    """Installation access tokens, fetched once and reused until shortly before they expire."""

    def __init__(
        self,
        client: GitHubClient,
        app_id: str | int,
        private_key_pem: str,
        *,
        refresh_margin: float = REFRESH_MARGIN_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._client = client
        self._app_id = str(app_id)
        self._private_key_pem = private_key_pem
        self._refresh_margin = refresh_margin
        # TLRUCache (not TTLCache) because each token has its own expires_at; the wall clock is
        # the right timer because expires_at is an absolute UTC time from GitHub.
        self._tokens: TLRUCache[int, _Token] = TLRUCache(
            maxsize=MAX_CACHED_INSTALLATIONS, ttu=self._usable_until, timer=clock
        )
        # One fetch per installation at a time; an entry lives only while a fetch is held or awaited,
        # so a stream of distinct installation ids leaves nothing behind.
        self._locks = KeyedLocks()
        # Bumped by invalidate(): a fetch that started before it must not repopulate the cache.
        self._epoch = 0

    def __repr__(self) -> str:
        return f"InstallationTokens(app_id={self._app_id!r}, cached={len(self._tokens)})"

    def _usable_until(self, _key: int, token: _Token, _now: float) -> float:
        """The cache drops a token refresh_margin seconds before GitHub would reject it."""
        return token.expires_at - self._refresh_margin

    async def get(self, installation_id: int, *, refresh: bool = False) -> str:
        """A valid token for the installation; concurrent callers share one request to GitHub."""
        seen = self._tokens.get(installation_id)
        if seen is not None and not refresh:
            return seen.value
        async with self._locks.hold(installation_id):
            current = self._tokens.get(installation_id)
            # After a refresh request, a token someone else fetched while we waited is already new.
            if current is not None and (not refresh or current is not seen):
                return current.value
            epoch = self._epoch
            token = await self._fetch(installation_id)
            if epoch == self._epoch:
                self._tokens[installation_id] = token
            return token.value

    def invalidate(self, installation_id: int | None = None) -> None:
        """Forget cached tokens (all when None), e.g. after installation or repository changes."""
        self._epoch += 1
        if installation_id is None:
            self._tokens.clear()
        else:
            self._tokens.pop(installation_id, None)

    def provider(self, installation_id: int) -> TokenProvider:
        """The callable GitHubClient wants: provider(refresh) -> token."""

        async def token(refresh: bool) -> str:
            return await self.get(installation_id, refresh=refresh)

        return token

    def client_for(self, installation_id: int) -> GitHubClient:
        """A client acting as the installation, throttled per installation, sharing session and breaker."""
        return self._client.derive(
            token_provider=self.provider(installation_id), throttle_key=installation_id
        )

    def app_client(self) -> GitHubClient:
        """A client acting as the app itself (e.g. /app/installations), with a freshly signed JWT."""
        return self._client.derive(jwt=make_app_jwt(self._app_id, self._private_key_pem))

    async def _fetch(self, installation_id: int) -> _Token:
        """Exchange a fresh app JWT for an installation token."""
        data = await self._client.post(
            "/app/installations/{installation_id}/access_tokens",
            {"installation_id": installation_id},
            data=b"",
            jwt=make_app_jwt(self._app_id, self._private_key_pem),
        )
        token = _parse_token(data)
        if token is None:
            raise AppAuthError(f"GitHub returned no usable token for installation {installation_id}")
        log.info(
            "obtained a token for installation %s, expiring at %s",
            installation_id,
            datetime.fromtimestamp(token.expires_at).astimezone().isoformat(timespec="seconds"),
        )
        return token


def _parse_token(data: object) -> _Token | None:
    """Read {token, expires_at} from GitHub's answer without ever echoing it."""
    if not isinstance(data, dict):
        return None
    value, expires_at = data.get("token"), data.get("expires_at")
    if not isinstance(value, str) or not value or not isinstance(expires_at, str):
        return None
    try:
        expires = datetime.fromisoformat(expires_at.replace("Z", "+00:00"))
    except ValueError:
        return None
    if expires.tzinfo is None:
        return None
    return _Token(value, expires.timestamp())
