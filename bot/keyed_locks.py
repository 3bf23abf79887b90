"""One asyncio lock per key (a PR, an installation), kept only while someone holds or awaits it.

A cache of locks (LRU or TTL) bounds memory by evicting entries, and an evicted lock may be
held: the next caller then gets a fresh lock for the same key and two coroutines are "inside"
at once. Here an entry counts its holders and waiters and is removed when the last one leaves,
so the map is bounded by concurrency (never by how many keys were ever seen) and a held lock
is never replaced.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Hashable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from typing import Protocol


class PRLock(Protocol):
    """One lock per pull request, held around every read-modify-write of the PR's state.

    ``hold(key)`` gives an async context manager entered once the caller holds ``key``'s lock and
    leaving it on exit, whether the block ends, raises or is cancelled. It is not re-entrant: a
    holder must not ask for the same key again. The key is ``(owner, repo, number)``, lower case.
    In one process: :class:`KeyedLocks`. When replicas share work, a Redis lock (redis-py's
    ``Lock`` with a timeout, so that a replica dying inside cannot block the PR for good) gives
    the same method; nothing else of the lock is used.
    """

    def hold(self, key: Hashable) -> AbstractAsyncContextManager[None]: ...


@dataclass
class _Entry:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0  # holders and waiters


class KeyedLocks:
    """``async with locks.hold(key):`` serialises the callers of one key."""

    def __init__(self) -> None:
        self._entries: dict[Hashable, _Entry] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def locked(self, key: Hashable) -> bool:
        entry = self._entries.get(key)
        return entry is not None and entry.lock.locked()

    def waiters(self, key: Hashable) -> int:
        """How many callers wait for ``key``'s lock (not counting its holder): for tests and metrics."""
        entry = self._entries.get(key)
        if entry is None:
            return 0
        return entry.users - (1 if entry.lock.locked() else 0)

    @asynccontextmanager
    async def hold(self, key: Hashable) -> AsyncIterator[None]:
        entry = self._entries.get(key)
        if entry is None:
            entry = self._entries[key] = _Entry()
        entry.users += 1  # counted before awaiting, so a waiter keeps the entry alive
        try:
            async with entry.lock:
                yield
        finally:
            entry.users -= 1
            if entry.users == 0 and self._entries.get(key) is entry:
                del self._entries[key]
