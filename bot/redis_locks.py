"""The per-PR state lock (bot.keyed_locks.PRLock) shared by replicas: a redis-py ``Lock`` per PR.

The lock has a lease (its Redis timeout), renewed while the holder's block runs, so a replica that
dies inside lets go within one lease instead of blocking the PR for good, and a long block (a big
summary edit behind GitHub's pacing) never loses the lock half-way. Waiting is bounded too: past
``wait`` seconds :class:`LockTimeout` is raised rather than queueing forever behind a stuck holder.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Hashable
from contextlib import asynccontextmanager

from redis.asyncio import Redis
from redis.asyncio.lock import Lock
from redis.exceptions import LockError

from bot.redis_client import UNAVAILABLE, cancel_for_sure, cancel_lost, describe

log = logging.getLogger(__name__)

DEFAULT_LEASE = 30.0
DEFAULT_WAIT = 60.0


class LockUnavailable(ConnectionError):
    """Redis cannot be reached to take the lock. A ConnectionError (an OSError): the worker's
    transient failures, so the job is retried later, as for any network trouble."""


class LockTimeout(TimeoutError):
    """Someone else held the PR's lock for longer than the caller may wait."""


def lock_name(key: Hashable) -> str:
    """``owner/repo#number`` for the PR key ``(owner, repo, number)``; any other key by its parts."""
    if isinstance(key, tuple) and len(key) == 3:
        owner, repo, number = key
        return f"{owner}/{repo}#{number}"
    if isinstance(key, tuple):
        return "\x1f".join(str(part) for part in key)
    return str(key)


class RedisPRLocks:
    """``async with locks.hold(pr_key):`` excludes every other holder of the PR, in any process."""

    def __init__(
        self,
        redis: Redis,
        *,
        prefix: str = "review-bot",
        lease: float = DEFAULT_LEASE,
        wait: float = DEFAULT_WAIT,
        poll: float = 0.05,
    ) -> None:
        self.redis = redis
        self.lease = lease
        self.wait = wait
        self.poll = poll
        self._prefix = f"{prefix}:pr-lock:"

    def name(self, key: Hashable) -> str:
        return self._prefix + lock_name(key)

    @asynccontextmanager
    async def hold(self, key: Hashable) -> AsyncIterator[None]:
        lock = Lock(
            self.redis,
            self.name(key),
            timeout=self.lease,
            sleep=self.poll,
            blocking=True,
            blocking_timeout=self.wait,
            thread_local=False,  # one asyncio thread, many holders: the token is per Lock object
        )
        try:
            acquired = await lock.acquire()
        except UNAVAILABLE as exc:
            raise LockUnavailable(
                f"cannot lock {lock_name(key)}: Redis is unreachable ({describe(exc)})"
            ) from None
        if not acquired:
            raise LockTimeout(f"{lock_name(key)} stayed locked for more than {self.wait:g} s")
        renewing = asyncio.get_running_loop().create_task(
            self._renew(lock, key), name=f"lease {lock_name(key)}"
        )
        try:
            if cancel_lost():  # cancelled while waiting (bot/redis_client.py): do not enter
                raise asyncio.CancelledError
            yield
        finally:
            await cancel_for_sure(renewing)
            with contextlib.suppress(LockError, *UNAVAILABLE):  # lapsed or Redis gone: the lease ends it
                await lock.release()

    async def _renew(self, lock: Lock, key: Hashable) -> None:
        """Reset the lease every third of it, for as long as the block runs."""
        while True:
            await asyncio.sleep(self.lease / 3)
            try:
                await lock.reacquire()
            except LockError:
                log.error(
                    "the lock of %s lapsed while held (no renewal for %.0f s)", lock_name(key), self.lease
                )
                return
            except UNAVAILABLE as exc:
                log.warning("cannot renew the lock of %s: %s", lock_name(key), describe(exc))

    async def locked(self, key: Hashable) -> bool:
        """Someone holds the PR's lock (for tests and diagnostics)."""
        return bool(await self.redis.exists(self.name(key)))
