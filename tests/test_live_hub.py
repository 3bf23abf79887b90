"""The hubs on their own: members joining while events are published get each event exactly
once and in order (memory, and Redis with a real redis-server); bounded buffers and sessions;
oversized events cut; the channel's tap never fails a publish; session names."""

from __future__ import annotations

import asyncio
import json
import random
from typing import Any

import pytest

from bot.events import EventChannel
from bot.live.hub import MAX_EVENT_CHARS, BadEventId, MemoryHub, encode_event
from bot.live.redis_hub import RedisHub
from bot.live.sessions import parse_session, session_of_topic
from bot.redis_client import connect
from tests.redis_server import RedisServer, redis_server  # noqa: F401 - a fixture

SESSION = "review:octo-org/hello#1"


class Collector:
    def __init__(self) -> None:
        self.frames: list[dict[str, Any]] = []

    def deliver(self, frame: str) -> None:
        self.frames.append(json.loads(frame))

    def events(self) -> list[dict[str, Any]]:
        return [f for f in self.frames if f["type"] == "event"]


def test_session_names_are_canonical_and_strict() -> None:
    assert parse_session("Review:Octo-Org/Hello.World#12").name == "review:octo-org/hello.world#12"  # type: ignore[union-attr]
    for bad in (
        "review:a/b#0",
        "review:a/b",
        "review:-a/b#1",
        "review:a/b/c#1",
        "analysis:../x",
        "x" * 300,
        "cli",
    ):
        assert parse_session(bad) is None, bad
    assert session_of_topic("review:Octo/Hello#3@" + "a" * 40) == (
        "review:octo/hello#3",
        {"head_sha": "a" * 40},
    )
    assert session_of_topic("analysis:abc123") == ("analysis:abc123", {})
    assert session_of_topic("cli") == (None, {})


def test_big_events_are_cut_to_the_bound() -> None:
    text = encode_event({"type": "agent_message", "content": "x" * 1_000_000})
    assert len(text) <= MAX_EVENT_CHARS and json.loads(text)["truncated"] is True
    many = encode_event({"type": "finding", **{f"k{i}": "y" * 5000 for i in range(100)}})
    assert len(many) <= MAX_EVENT_CHARS and json.loads(many) == {"type": "finding", "truncated": True}
    assert json.loads(encode_event({"type": "x", "when": object}))["type"] == "x"  # never raises


def test_a_failing_tap_never_fails_a_publish() -> None:
    channel = EventChannel()
    seen: list[str] = []

    def broken(topic: str, event: dict[str, Any]) -> None:
        raise RuntimeError("bug")

    channel.add_tap(broken)
    remove = channel.add_tap(lambda topic, event: seen.append(topic))
    channel.publish("review:a/b#1@" + "0" * 40, {"type": "x"})
    remove()
    channel.publish("analysis:x", {"type": "y"})
    assert seen == ["review:a/b#1@" + "0" * 40]


async def test_memory_hub_bounds_its_buffers_and_sessions() -> None:
    hub = MemoryHub(replay=10, max_sessions=5)
    watcher = Collector()
    await hub.join("analysis:kept", watcher)
    for i in range(20):
        await hub.publish(f"analysis:s{i}", {"type": "x", "i": i})
        await hub.publish("analysis:kept", {"type": "x", "i": i})
    assert hub.session_count() <= 5 + 1  # the watched session is never evicted
    late = Collector()
    await hub.join("analysis:kept", late)
    assert [e["event"]["i"] for e in late.events()] == list(range(10, 20))
    assert late.frames[-1]["truncated"] is True
    assert len(watcher.events()) == 20
    with pytest.raises(BadEventId):
        await hub.join("analysis:kept", Collector(), "1-0")


async def exactly_once(hub: MemoryHub | RedisHub, publish_count: int = 300, members: int = 12) -> None:
    """Members join at random moments (half resuming from an id they saw) while events are
    published: each gets every event after its start exactly once, in order."""
    published: list[str] = []

    async def publisher() -> None:
        for i in range(publish_count):
            event_id = await hub.publish(SESSION, {"type": "x", "i": i})
            assert event_id is not None
            published.append(event_id)
            if i % 7 == 0:
                await asyncio.sleep(0)

    rng = random.Random(13)
    collectors: list[tuple[Collector, int]] = []

    async def joiner() -> None:
        await asyncio.sleep(rng.random() * 0.05)
        collector = Collector()
        resume_at = len(published) // 2 if published and rng.random() < 0.5 else None
        last = published[resume_at - 1] if resume_at else None
        await hub.join(SESSION, collector, last)
        collectors.append((collector, resume_at or 0))

    await asyncio.gather(publisher(), *(joiner() for _ in range(members)))
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 30
    while any(len(c.events()) + start < publish_count for c, start in collectors):
        assert loop.time() < deadline, [len(c.events()) for c, _ in collectors]
        await asyncio.sleep(0.02)
    for collector, start in collectors:
        got = [e["event"]["i"] for e in collector.events()]
        assert got == list(range(got[0], publish_count)), got[:20]
        assert got[0] <= start or start == 0
        assert [e["id"] for e in collector.events()] == published[got[0] :]


async def test_memory_hub_delivers_each_event_exactly_once() -> None:
    await exactly_once(MemoryHub(replay=1000))


async def test_redis_hub_delivers_each_event_exactly_once(redis_server: RedisServer) -> None:  # noqa: F811
    redis = connect(redis_server.url)
    hub = RedisHub(redis, replay=1000, block_ms=200)
    try:
        await exactly_once(hub)
    finally:
        await hub.aclose()
        await redis.aclose()


async def test_redis_hub_ignores_a_made_up_future_id(redis_server: RedisServer) -> None:  # noqa: F811
    redis = connect(redis_server.url)
    hub = RedisHub(redis, block_ms=200)
    try:
        await hub.publish(SESSION, {"type": "x", "i": 0})
        liar, honest = Collector(), Collector()
        await hub.join(SESSION, liar, "99999999999999-0")
        await hub.join(SESSION, honest)
        await hub.publish(SESSION, {"type": "x", "i": 1})
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 30
        while len(honest.events()) < 2:
            assert loop.time() < deadline
            await asyncio.sleep(0.02)
        assert [e["event"]["i"] for e in honest.events()] == [0, 1]
    finally:
        await hub.aclose()
        await redis.aclose()
