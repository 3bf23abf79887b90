"""The webhook intake on a real redis-server (bot/queue/redis_intake.py, bot/delivery.py): a
receiver appends each delivery once and answers 202 only after; one worker routes at a time, in
the order deliveries were appended; what a dead router read is taken over by the next one; a
delivery that meets a full queue waits and is routed later, in order; an unusable one is
acknowledged and counted, never retried forever; a full intake answers 503."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field, replace
from typing import Any, cast

import pytest
from gidgethub import routing, sansio
from opentelemetry import trace

from bot import delivery as delivery_module
from bot.context import BotContext
from bot.delivery import route_intake
from bot.metrics import Metrics
from bot.queue import QueueFull
from bot.queue.redis import RedisReviewQueue
from bot.queue.redis_intake import IntakeFull, RedisIntake
from bot.web import INTAKE, create_app
from bot.webhook_intake import routing_part
from tests.e2e import SECRET, bot_settings
from tests.redis_server import RedisServer
from tests.test_roles import FAST, until
from tests.webhooks import delivery_headers


@dataclass
class Recorder:
    """A router whose pull_request handler records each head it routes (a real gidgethub Router)."""

    heads: list[str] = field(default_factory=list)
    full_for: int = 0  # the first this many dispatches raise QueueFull, as a full review queue does
    broken: str = ""  # a head whose handler fails (a bug)

    def router(self) -> routing.Router:
        router = routing.Router()

        @router.register("pull_request")
        async def record(event: sansio.Event, ctx: object) -> None:
            if self.full_for > 0:
                self.full_for -= 1
                raise QueueFull("the review queue is full")
            if event.data["pull_request"]["head"]["sha"] == self.broken:
                raise RuntimeError("a bug in a handler")
            self.heads.append(event.data["pull_request"]["head"]["sha"])

        return router


@dataclass
class FakeContext:
    """What route_intake reads of a BotContext: a tracer and the metrics."""

    tracer: Any = field(default_factory=trace.NoOpTracer)
    metrics: Metrics = field(default_factory=Metrics)


def body(number: int, head: str) -> bytes:
    return json.dumps(
        {"action": "synchronize", "pull_request": {"number": number, "head": {"sha": head}},
         "repository": {"full_name": "octo/app"}}
    ).encode()  # fmt: skip


@pytest.fixture
async def intakes(redis_server: RedisServer) -> AsyncIterator[Callable[..., RedisIntake]]:
    """Intakes on the test's Redis, each on a queue (and client) of its own, as replicas are."""
    queues: list[RedisReviewQueue] = []

    def make(**options: object) -> RedisIntake:
        queue = RedisReviewQueue.from_url(redis_server.url, replace(FAST, **options))
        queues.append(queue)
        return queue.intake()

    yield make
    for queue in queues:
        await queue.aclose()


@contextlib.asynccontextmanager
async def routing_worker(
    intake: RedisIntake, recorder: Recorder, ctx: FakeContext, name: str
) -> AsyncIterator[None]:
    stopping = asyncio.Event()
    task = asyncio.create_task(route_intake(cast(BotContext, ctx), recorder.router(), intake, name, stopping))
    try:
        yield
    finally:
        stopping.set()
        await asyncio.wait_for(task, 30)


async def test_a_redelivery_is_appended_once(intakes: Callable[..., RedisIntake]) -> None:
    intake, other = intakes(), intakes()
    assert await intake.append("pull_request", "d-1", body(1, "a" * 40), "")
    assert not await other.append("pull_request", "d-1", body(1, "a" * 40), "")  # another replica
    assert await other.append("pull_request", "d-2", body(1, "b" * 40), "")
    assert await intake.depth() == 2


async def test_a_full_intake_refuses_and_appends_nothing(intakes: Callable[..., RedisIntake]) -> None:
    intake = intakes(intake_max=2)
    for n in range(2):
        assert await intake.append("pull_request", f"d-{n}", body(n, "a" * 40), "")
    with pytest.raises(IntakeFull):
        await intake.append("pull_request", "d-9", body(9, "a" * 40), "")
    assert await intake.depth() == 2
    # Refused, so not remembered: GitHub's redelivery of it goes in once there is room.
    await intake.redis.delete(intake.stream)
    assert await intake.append("pull_request", "d-9", body(9, "a" * 40), "")


async def test_two_workers_route_in_the_order_appended_one_at_a_time(
    intakes: Callable[..., RedisIntake],
) -> None:
    receiver = intakes()
    heads = [f"{n:040x}" for n in range(1, 81)]
    for n, head in enumerate(heads):  # one PR's pushes, each after the other
        assert await receiver.append("pull_request", f"d-{n}", body(7, head), "")
    first, second = Recorder(), Recorder()
    async with (
        routing_worker(intakes(), first, FakeContext(), "w1"),
        routing_worker(intakes(), second, FakeContext(), "w2"),
    ):

        async def routed() -> bool:
            return len(first.heads) + len(second.heads) == len(heads) and await receiver.depth() == 0

        await until(routed)
    assert first.heads == heads or second.heads == heads  # all by one router, in order


async def test_what_a_dead_router_read_is_routed_by_the_next_one_in_order(
    intakes: Callable[..., RedisIntake],
) -> None:
    receiver = intakes()
    heads = [f"{n:040x}" for n in range(1, 11)]
    for n, head in enumerate(heads):
        await receiver.append("pull_request", f"d-{n}", body(7, head), "")
    # A router takes the lock and reads the first half, then dies (no acknowledgement, no release).
    dead = intakes(intake_lock_timeout=1.0)
    assert await dead.router_lock().acquire(blocking=False)
    assert [d.body for d in await dead.read("dead", 5, 0.1)] == [body(7, h) for h in heads[:5]]
    recorder = Recorder()
    async with routing_worker(intakes(intake_lock_timeout=1.0), recorder, FakeContext(), "next"):

        async def routed() -> bool:
            return len(recorder.heads) == len(heads) and await receiver.depth() == 0

        await until(routed)
    assert recorder.heads == heads  # the dead router's five first, then the rest
    assert await receiver.redis.xpending(receiver.stream, "routers") == {
        "pending": 0, "min": None, "max": None, "consumers": []
    }  # fmt: skip


async def test_a_full_queue_keeps_the_delivery_and_its_successors_waiting(
    intakes: Callable[..., RedisIntake], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(delivery_module, "BUSY_WAIT", 0.05)
    receiver = intakes()
    heads = [f"{n:040x}" for n in range(1, 6)]
    for n, head in enumerate(heads):
        await receiver.append("pull_request", f"d-{n}", body(7, head), "")
    recorder, ctx = Recorder(full_for=3), FakeContext()
    async with routing_worker(intakes(), recorder, ctx, "w"):

        async def routed() -> bool:
            return len(recorder.heads) == len(heads) and await receiver.depth() == 0

        await until(routed)
    assert recorder.heads == heads  # retried, and nothing overtook the one that waited
    assert sample(ctx.metrics, "review_bot_webhook_routed_total", result="unavailable") == 3
    assert sample(ctx.metrics, "review_bot_webhook_routed_total", result="accepted") == 5


async def test_an_unusable_delivery_is_acknowledged_and_counted(
    intakes: Callable[..., RedisIntake], caplog: pytest.LogCaptureFixture
) -> None:
    receiver = intakes()
    await receiver.append("pull_request", "d-bad", b'{"action": "synchronize", "n": 1e999}', "")
    await receiver.append("pull_request", "d-ok", body(7, "c" * 40), "")
    await receiver.redis.xadd(receiver.stream, {"something": "else"})  # not a receiver's entry
    recorder, ctx = Recorder(), FakeContext()
    with caplog.at_level(logging.WARNING, logger="bot"):
        async with routing_worker(intakes(), recorder, ctx, "w"):

            async def routed() -> bool:
                return await receiver.depth() == 0

            await until(routed)
    assert recorder.heads == ["c" * 40]
    assert sample(ctx.metrics, "review_bot_webhook_routed_total", result="malformed") == 2
    assert "delivery d-bad (pull_request) not routed: body holds a number out of range" in caplog.text


async def test_a_handler_failure_is_acknowledged_and_a_redelivery_taken_again(
    intakes: Callable[..., RedisIntake], caplog: pytest.LogCaptureFixture
) -> None:
    receiver = intakes()
    await receiver.append("pull_request", "d-bug", body(7, "d" * 40), "")
    await receiver.append("pull_request", "d-next", body(7, "e" * 40), "")
    recorder, ctx = Recorder(broken="d" * 40), FakeContext()
    with caplog.at_level(logging.ERROR, logger="bot"):
        async with routing_worker(intakes(), recorder, ctx, "w"):

            async def routed() -> bool:
                return await receiver.depth() == 0

            await until(routed)
    assert recorder.heads == ["e" * 40]  # the rest of the PR's deliveries went on
    assert "delivery d-bug (pull_request): routing failed" in caplog.text
    assert sample(ctx.metrics, "review_bot_webhook_routed_total", result="http_5xx") == 1
    # As the single process's 500: GitHub's redelivery of it is taken, that of a routed one is not.
    assert await receiver.append("pull_request", "d-bug", body(7, "d" * 40), "")
    assert not await receiver.append("pull_request", "d-next", body(7, "e" * 40), "")


async def test_a_stopping_router_leaves_the_group_and_frees_the_lock(
    intakes: Callable[..., RedisIntake],
) -> None:
    intake = intakes()
    async with routing_worker(intake, Recorder(), FakeContext(), "leaving"):

        async def routing() -> bool:
            return bool(await intake.redis.exists(intake.router_lock().name))

        await until(routing)
    assert not await intake.redis.exists(intake.router_lock().name)
    consumers = await intake.redis.xinfo_consumers(intake.stream, "routers")
    assert [c["name"] for c in consumers] == []


async def test_a_receiver_appends_and_answers_before_any_routing(
    aiohttp_client, redis_server: RedisServer
) -> None:
    settings = replace(bot_settings("http://127.0.0.1:9"), redis_url=redis_server.url)
    queue = RedisReviewQueue.from_url(redis_server.url, replace(FAST, intake_max=1))
    receiver = await aiohttp_client(create_app(settings, queue=queue, role="receiver"))
    intake = receiver.app[INTAKE]

    async def post(data: bytes, delivery: str) -> tuple[int, dict[str, Any]]:
        headers = delivery_headers("pull_request", data, SECRET, delivery)
        response = await receiver.post("/webhook", data=data, headers=headers)
        return response.status, await response.json()

    delivery = str(uuid.uuid4())
    assert await post(body(7, "a" * 40), delivery) == (202, {"accepted": delivery})
    assert await post(body(7, "a" * 40), delivery) == (202, {"accepted": delivery})  # a redelivery
    assert await intake.depth() == 1
    assert sum((await queue.depth()).values()) == 0  # routed by a worker, not here
    ((_, entry),) = await intake.redis.xrange(intake.stream)  # what the handlers read, not 28 KB
    assert entry[b"body"] == routing_part("pull_request", body(7, "a" * 40)) != body(7, "a" * 40)
    # Checked before it is appended: not JSON, or not an object, is the sender's to fix.
    assert (await post(b"{", "d-x"))[0] == 400
    assert (await post(b"[1]", "d-y")) == (400, {"error": "body is not a JSON object"})
    status, answer = await post(b'{"action": 5}', "d-z")
    assert (status, answer) == (400, {"error": "payload field action is invalid: not a string"})
    # Past intake_max (workers down for long): 503, and the delivery is not remembered as seen.
    status, answer = await post(body(8, "b" * 40), "d-full")
    assert status == 503 and "redeliver later" in answer["error"]
    await intake.redis.delete(intake.stream)
    assert (await post(body(8, "b" * 40), "d-full"))[0] == 202
    text = await (await receiver.get("/metrics")).text()
    assert 'review_bot_queue_depth{priority="intake"} 1.0' in text


def sample(metrics: Metrics, name: str, **labels: str) -> float:
    total = 0.0
    for family in metrics.registry.collect():
        for s in family.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                total += s.value
    return total
