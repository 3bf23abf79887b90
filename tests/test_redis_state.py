"""State shared through a real redis-server, each part seen from two clients (two replicas):
comment dedupe, command rate windows, the PR lock, mutation pacing, installation tokens and
the two-level analysis cache."""

from __future__ import annotations

import asyncio
import json
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from redis.asyncio import Redis
from redis.asyncio.connection import Connection, SSLConnection, UnixDomainSocketConnection
from redis.asyncio.lock import Lock
from redis.exceptions import DataError

from analyzers.cache import MemoryCache, cache_key
from analyzers.cache_redis import TwoLevelCache
from bot.github.client import GitHubClient
from bot.github.redis_throttle import RedisMutationThrottle
from bot.github.redis_tokens import SharedInstallationTokens
from bot.once import InProcessOnce, RedisOnce
from bot.rate_windows import InProcessRateWindows, RedisRateWindows
from bot.redis_client import StateUnavailable, connect, hiredis_packing
from bot.redis_locks import LockTimeout, LockUnavailable, RedisPRLocks
from tests.redis_server import RedisServer, require_redis_server
from tests.scripted_github import FakeClock, ScriptedGitHub, SleepRecorder
from tests.test_auth import APP_ID, FAST, START, TOKENS_PATH, issue

WAIT = 20.0  # a deadline for what should happen at once; never reached when the code works
PR = ("octo", "hello", 1)


@pytest.fixture
async def clients(redis_server: RedisServer) -> AsyncIterator[tuple[Redis, Redis]]:
    """Two separate clients of the same Redis, as two replicas would have."""
    first, second = connect(redis_server.url), connect(redis_server.url)
    yield first, second
    await first.aclose()
    await second.aclose()


async def until(condition: Callable[[], Awaitable[bool]], within: float = WAIT) -> None:
    """Poll ``condition`` with a deadline (no fixed sleeps): fail clearly if it never holds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not await condition():
        if loop.time() > deadline:
            raise AssertionError(f"condition not met within {within:g} s")
        await asyncio.sleep(0.02)


# --- the connection ---------------------------------------------------------------------------
COMMANDS: list[tuple[object, ...]] = [
    ("SET", "k", 1.1),
    ("SET", "k", 0.1 + 0.2),
    ("SET", "k", 10**20),
    ("SET", "k", -3),
    ("SET", "clé", "vàlue \r\n$3"),
    ("SET", b"k", b"\x00\xff" * 40_000),  # above redis-py's chunking size
    ("CONFIG GET", "maxmemory"),  # a command name redis-py splits in two
    (b"CONFIG GET", b"maxmemory"),
    ("EVALSHA", "0" * 40, 2, "a", "b", 1, "x"),
]


@pytest.mark.parametrize("args", COMMANDS)
def test_hiredis_packing_makes_redis_pys_own_bytes(args: tuple[object, ...]) -> None:
    ours, theirs = hiredis_packing(Connection)(), Connection()
    assert b"".join(ours.pack_command(*args)) == b"".join(bytes(p) for p in theirs.pack_command(*args))
    packed = b"".join(bytes(p) for p in theirs.pack_commands(COMMANDS))
    assert b"".join(ours.pack_commands(COMMANDS)) == packed


def test_hiredis_packing_refuses_what_redis_py_refuses() -> None:
    for bad in (None, True, {"a": 1}):
        with pytest.raises(DataError):
            hiredis_packing(Connection)().pack_command("SET", "k", bad)
        with pytest.raises(DataError):
            Connection().pack_command("SET", "k", bad)


def test_every_url_scheme_keeps_its_connection_class() -> None:
    for url, kind in (
        ("redis://127.0.0.1:1/0", Connection),
        ("rediss://127.0.0.1:1/0", SSLConnection),
        ("unix:///tmp/redis.sock", UnixDomainSocketConnection),
    ):
        made = connect(url).connection_pool.connection_class
        assert issubclass(made, kind) and made is not kind
        assert hiredis_packing(made) is made


async def test_a_client_packing_with_hiredis_talks_to_redis(clients: tuple[Redis, Redis]) -> None:
    first, second = clients
    value = "vàlue " * 20_000
    await first.set("packed", value)
    assert await second.get("packed") == value.encode()
    async with first.pipeline(transaction=False) as pipe:
        replies = await pipe.incr("n").incrbyfloat("f", 0.5).execute()
    assert replies == [1, 0.5]


# --- handled comment ids ---------------------------------------------------------------------
async def test_a_comment_is_handled_once_across_replicas(clients: tuple[Redis, Redis]) -> None:
    first, second = (RedisOnce(client, "comments", ttl=1) for client in clients)
    results = await asyncio.gather(*(once.first("issue:42") for once in (first, second) for _ in range(5)))
    assert results.count(True) == 1
    assert await second.first("pull:42")  # another comment (a review comment with the same id)
    await until(lambda: first.first("issue:42"))  # the mark expires with its window


async def test_in_process_dedupe_has_the_same_answers() -> None:
    once = InProcessOnce(ttl=60)
    assert [await once.first("a"), await once.first("a"), await once.first("b")] == [True, False, True]


async def test_dedupe_with_redis_down_refuses_to_guess(redis_server: RedisServer) -> None:
    client = connect(redis_server.url)
    redis_server.stop()
    with pytest.raises(StateUnavailable) as refused:  # a QueueUnavailable: the receiver answers 503
        await RedisOnce(client, "comments").first("issue:1")
    assert "127.0.0.1" not in str(refused.value)
    await client.aclose()


# --- command rate windows --------------------------------------------------------------------
async def test_a_rate_window_is_shared_by_replicas(clients: tuple[Redis, Redis]) -> None:
    first, second = (RedisRateWindows(client, window=0.5) for client in clients)
    answers = [await (first if i % 2 else second).take("octo/hello#1", 3) for i in range(6)]
    assert answers == ["ok", "ok", "ok", "warn", "drop", "drop"]
    assert await first.take("octo/hello#2", 3) == "ok"  # another PR has its own window
    await until(lambda: _is_ok(second.take("octo/hello#1", 3)))  # the window slides on
    # Room was made, so the next refusal is told once again.
    refusal = [answer for _ in range(4) if (answer := await first.take("octo/hello#1", 3)) != "ok"]
    assert refusal[0] == "warn"


async def _is_ok(answer: Awaitable[str]) -> bool:
    return await answer == "ok"


async def test_concurrent_takes_never_exceed_the_limit(clients: tuple[Redis, Redis]) -> None:
    first, second = (RedisRateWindows(client) for client in clients)
    answers = await asyncio.gather(*(w.take("octo/hello#1", 5) for w in (first, second) for _ in range(20)))
    assert answers.count("ok") == 5 and answers.count("warn") == 1


async def test_the_in_process_window_answers_alike() -> None:
    clock = FakeClock()
    windows = InProcessRateWindows(60, clock=clock)
    assert [await windows.take("pr", 2) for _ in range(4)] == ["ok", "ok", "warn", "drop"]
    clock.advance(60)
    assert await windows.take("pr", 2) == "ok"


# --- the PR lock -----------------------------------------------------------------------------
async def test_the_pr_lock_excludes_across_replicas_beyond_its_lease(clients: tuple[Redis, Redis]) -> None:
    first, second = (RedisPRLocks(client, lease=0.6, wait=WAIT, poll=0.02) for client in clients)
    inside: list[str] = []
    release = asyncio.Event()

    async def holder() -> None:
        async with first.hold(PR):
            inside.append("first")
            await release.wait()
            inside.append("first leaves")

    async def waiter() -> None:
        async with second.hold(PR):
            inside.append("second")

    holding = asyncio.create_task(holder())
    await until(lambda: first.locked(PR))
    waiting = asyncio.create_task(waiter())
    done, _ = await asyncio.wait({waiting}, timeout=3 * first.lease)  # three leases: renewed, still held
    assert not done and inside == ["first"]
    release.set()
    await asyncio.wait_for(asyncio.gather(holding, waiting), WAIT)
    assert inside == ["first", "first leaves", "second"]
    assert not await first.locked(PR)


async def test_a_dead_holders_lock_lapses_with_its_lease(clients: tuple[Redis, Redis]) -> None:
    locks = RedisPRLocks(clients[1], wait=WAIT, poll=0.02)
    # A replica that took the lock and died: no renewal and no release, only the lease.
    dead = Lock(clients[0], locks.name(PR), timeout=1.0, thread_local=False)
    assert await dead.acquire(blocking=False)
    async with asyncio.timeout(WAIT):
        async with locks.hold(PR):
            assert await locks.locked(PR)
    assert not await locks.locked(PR)


async def test_waiting_for_the_pr_lock_is_bounded(clients: tuple[Redis, Redis]) -> None:
    first = RedisPRLocks(clients[0], lease=5.0)
    impatient = RedisPRLocks(clients[1], wait=0.3, poll=0.02)
    async with first.hold(PR):
        with pytest.raises(LockTimeout):
            async with impatient.hold(PR):
                pytest.fail("entered a held lock")
    async with impatient.hold(PR):  # free again
        pass


async def test_the_pr_lock_without_redis_is_a_transient_error(redis_server: RedisServer) -> None:
    client = connect(redis_server.url)
    redis_server.stop()
    with pytest.raises(LockUnavailable) as refused:
        async with RedisPRLocks(client).hold(PR):
            pytest.fail("entered without Redis")
    assert isinstance(refused.value, OSError)  # the worker retries OSErrors later
    await client.aclose()


# --- pacing of mutating calls ----------------------------------------------------------------
async def test_pacing_is_shared_per_installation(clients: tuple[Redis, Redis]) -> None:
    sleeps = SleepRecorder()
    first, second = (RedisMutationThrottle(client, 1.0, sleep=sleeps) for client in clients)
    await first.wait(7)
    await second.wait(7)
    await first.wait(7)
    await second.wait(8)  # another installation: its own pace
    # Each call is told to wait for its reserved slot (recorded, not slept): about 1 s and 2 s,
    # less the real time that passed between the calls.
    assert len(sleeps.calls) == 2
    assert 0.5 < sleeps.calls[0] <= 1.0
    assert 1.5 < sleeps.calls[1] <= 2.0


async def test_pacing_falls_back_to_the_process_while_redis_is_down(redis_server: RedisServer) -> None:
    client = connect(redis_server.url)
    sleeps = SleepRecorder()
    throttle = RedisMutationThrottle(client, 1.0, sleep=sleeps)
    redis_server.stop()
    await throttle.wait(7)  # no error: GitHub calls go on, paced in this process
    await throttle.wait(7)
    assert len(sleeps.calls) == 1 and 0.5 < sleeps.calls[0] <= 1.0
    await client.aclose()


# --- installation tokens ---------------------------------------------------------------------
@pytest.fixture
def tokens_for(
    session, github: ScriptedGitHub, clients: tuple[Redis, Redis]
) -> Callable[[int], SharedInstallationTokens]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    clock = FakeClock(START)

    def make(replica: int) -> SharedInstallationTokens:
        client = GitHubClient(session, base_url=github.base_url, retry=FAST, sleep=SleepRecorder())
        return SharedInstallationTokens(client, APP_ID, pem, clients[replica], clock=clock)

    return make


async def test_a_token_is_minted_once_for_all_replicas(
    tokens_for: Callable[[int], SharedInstallationTokens],
    github: ScriptedGitHub,
    clients: tuple[Redis, Redis],
) -> None:
    github.on("POST", TOKENS_PATH.format(7), *issue("ghs_one", "ghs_two", delay=0.05))
    first, second = tokens_for(0), tokens_for(1)
    results = await asyncio.gather(*(t.get(7) for t in (first, second) for _ in range(3)))
    assert results == ["ghs_one"] * 6
    assert len(github.requests) == 1
    stored = await clients[0].get("review-bot:token:7")
    assert stored is not None and b"ghs_one" not in stored  # encrypted at rest
    assert 3300 - 5 <= await clients[0].ttl("review-bot:token:7") <= 3300  # until 5 min before expiry
    assert "ghs_one" not in repr(first)


async def test_a_refused_token_is_replaced_once_for_all_replicas(
    tokens_for: Callable[[int], SharedInstallationTokens], github: ScriptedGitHub
) -> None:
    github.on("POST", TOKENS_PATH.format(7), *issue("ghs_one", "ghs_two", "ghs_three"))
    first, second = tokens_for(0), tokens_for(1)
    assert await first.get(7) == await second.get(7) == "ghs_one"
    assert await first.get(7, refresh=True) == "ghs_two"  # GitHub answered 401 to ghs_one
    assert await second.get(7, refresh=True) == "ghs_two"  # minted by the other replica already
    assert len(github.requests) == 2
    first.invalidate(7)  # the installation changed: forgotten here and in Redis
    await until(lambda: _gone(second, 7))
    second.invalidate(7)
    assert await second.get(7) == "ghs_three"


async def _gone(tokens: SharedInstallationTokens, installation_id: int) -> bool:
    return not await tokens.redis.exists(f"review-bot:token:{installation_id}")


# --- the two-level analysis cache ------------------------------------------------------------
FINDINGS = json.dumps(
    [{"tool": "ruff", "rule_id": "F401", "line": n, "message": "`os` imported but unused"} for n in range(50)]
).encode()


async def test_the_l2_cache_is_shared_compressed_and_counted(clients: tuple[Redis, Redis]) -> None:
    first, second = (TwoLevelCache(client, l1=MemoryCache(maxsize=100)) for client in clients)
    key = cache_key("d" * 64, "ruff", "0.5.0", "config")
    assert await second.get(key) is None
    await first.set(key, FINDINGS)
    assert await second.get(key) == FINDINGS  # from L2: another worker's result
    assert await second.get(key) == FINDINGS  # now from its own L1
    assert await first.get(key) == FINDINGS
    assert (second.stats.misses, second.stats.l2_hits, second.stats.l1_hits) == (1, 1, 1)
    assert first.stats.l1_hits == 1 and second.stats.hit_ratio == pytest.approx(2 / 3)
    stored = await clients[0].get(key)
    assert stored is not None and stored.startswith(b"z")
    assert zlib.decompress(stored[1:]) == FINDINGS
    assert len(stored) * 5 < len(FINDINGS)  # findings JSON compresses well
    assert await clients[0].ttl(key) > 0


async def test_a_bad_or_unreachable_l2_is_a_miss(
    clients: tuple[Redis, Redis], redis_server: RedisServer
) -> None:
    cache = TwoLevelCache(clients[0], l1=MemoryCache(maxsize=10), max_entry_bytes=1000)
    await clients[0].set("corrupt", b"z" + b"not zlib")
    await clients[0].set("bomb", b"z" + zlib.compress(b"\0" * 10_000))  # inflates past the cap
    assert await cache.get("corrupt") is None and await cache.get("bomb") is None
    assert cache.stats.l2_errors == 2 and cache.stats.misses == 2
    redis_server.stop()
    await cache.set("k", b"[]")  # no error: kept in L1 only
    assert await cache.get("k") == b"[]"
    assert await cache.get("other") is None
    assert cache.stats.l2_errors == 4


def test_a_missing_redis_server_skips_here_and_fails_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tests.redis_server.shutil.which", lambda name: None)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="redis-server is not installed"):
        require_redis_server()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI is set"):
        require_redis_server()
