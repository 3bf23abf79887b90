"""Installation tokens shared by every replica through Redis: one mint per installation per hour.

Each process keeps its own short-lived copy (InstallationTokens' cache); behind it, Redis holds
each installation's token until five minutes before it expires. A replica that finds none takes
the installation's mint lock (a redis-py ``Lock``), looks again (another replica may have just
minted one) and only then asks GitHub. Tokens are stored encrypted (Fernet, with a key derived
from the App's private key, which every replica has and Redis never sees), and never logged.
While Redis is down each process mints for itself, as without Redis.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
import time
from collections.abc import Callable

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from redis.asyncio import Redis
from redis.asyncio.lock import Lock
from redis.exceptions import LockError

from bot.github.auth import REFRESH_MARGIN_SECONDS, InstallationTokens, _Token
from bot.github.client import GitHubClient
from bot.redis_client import UNAVAILABLE, Complaints

log = logging.getLogger(__name__)

MINT_WAIT = 30.0  # how long a replica waits for another one's mint before minting itself


def token_cipher(private_key_pem: str, app_id: str) -> Fernet:
    """The key that encrypts cached tokens: derived from the App's private key, never stored."""
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"review-bot installation tokens v1", info=app_id.encode()
    ).derive(private_key_pem.encode())
    return Fernet(base64.urlsafe_b64encode(key))


class SharedInstallationTokens(InstallationTokens):
    """InstallationTokens whose tokens are minted once for all replicas and cached in Redis."""

    def __init__(
        self,
        client: GitHubClient,
        app_id: str | int,
        private_key_pem: str,
        redis: Redis,
        *,
        prefix: str = "review-bot",
        refresh_margin: float = REFRESH_MARGIN_SECONDS,
        clock: Callable[[], float] = time.time,
        mint_wait: float = MINT_WAIT,
    ) -> None:
        super().__init__(client, app_id, private_key_pem, refresh_margin=refresh_margin, clock=clock)
        self.redis = redis
        self.mint_wait = mint_wait
        self._clock = clock
        self._cipher = token_cipher(private_key_pem, str(app_id))
        self._prefix = prefix
        self._complaints = Complaints("installation tokens")
        self._pending: set[asyncio.Task[None]] = set()

    def __repr__(self) -> str:
        return f"SharedInstallationTokens(app_id={self._app_id!r}, cached={len(self._tokens)})"

    def _key(self, installation_id: int) -> str:
        return f"{self._prefix}:token:{installation_id}"

    async def get(self, installation_id: int, *, refresh: bool = False) -> str:
        seen = self._tokens.get(installation_id)
        if seen is not None and not refresh:
            return seen.value
        async with self._locks.hold(installation_id):  # one fetch per installation in this process
            current = self._tokens.get(installation_id)
            if current is not None and (not refresh or current is not seen):
                return current.value
            epoch = self._epoch
            # After a 401 the token we had is the one GitHub refused: never take it from Redis again.
            refused = seen.value if refresh and seen is not None else None
            try:
                token = await self._shared(installation_id, refused, refresh)
                self._complaints.recovered()
            except UNAVAILABLE as exc:
                self._complaints.failed(exc)
                token = await self._fetch(installation_id)
            if epoch == self._epoch:
                self._tokens[installation_id] = token
            return token.value

    async def _shared(self, installation_id: int, refused: str | None, refresh: bool) -> _Token:
        usable = await self._load(installation_id, refused, refresh)
        if usable is not None:
            return usable
        lock = Lock(
            self.redis,
            f"{self._prefix}:token-mint:{installation_id}",
            timeout=self.mint_wait,
            blocking_timeout=self.mint_wait,
            sleep=0.05,
            thread_local=False,
        )
        held = await lock.acquire()  # not acquired in time: mint anyway, a second token is harmless
        try:
            usable = await self._load(installation_id, refused, refresh)  # minted while we waited?
            if usable is not None:
                return usable
            token = await self._fetch(installation_id)
            await self._store(installation_id, token)
            return token
        finally:
            if held:
                with contextlib.suppress(LockError, *UNAVAILABLE):
                    await lock.release()

    async def _load(self, installation_id: int, refused: str | None, refresh: bool) -> _Token | None:
        raw = await self.redis.get(self._key(installation_id))
        if raw is None:
            return None
        try:
            data = json.loads(self._cipher.decrypt(raw))
            token = _Token(str(data["token"]), float(data["expires_at"]))
        except (InvalidToken, ValueError, KeyError, TypeError):  # another key (a rotated App key): ignore
            return None
        if token.value == refused or (refresh and refused is None):
            return None
        if token.expires_at - self._refresh_margin <= self._clock():
            return None
        return token

    async def _store(self, installation_id: int, token: _Token) -> None:
        ttl = int(token.expires_at - self._refresh_margin - self._clock())
        if ttl <= 0:
            return
        sealed = self._cipher.encrypt(
            json.dumps({"token": token.value, "expires_at": token.expires_at}).encode()
        )
        await self.redis.set(self._key(installation_id), sealed, ex=ttl)

    def invalidate(self, installation_id: int | None = None) -> None:
        """Forget the tokens here and, in the background, in Redis (the call stays synchronous)."""
        super().invalidate(installation_id)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no loop (a synchronous caller): the entries expire within the hour
            return
        task = loop.create_task(self.forget_shared(installation_id))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def forget_shared(self, installation_id: int | None = None) -> None:
        """Delete the cached token of one installation (all when None) from Redis."""
        try:
            if installation_id is not None:
                await self.redis.delete(self._key(installation_id))
                return
            async for key in self.redis.scan_iter(match=f"{self._prefix}:token:*", count=500):
                await self.redis.delete(key)
        except UNAVAILABLE as exc:  # the entries expire on their own within the hour
            self._complaints.failed(exc)
