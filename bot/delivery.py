"""Routing one verified delivery through the handlers, and the workers' loop over the intake.

``route`` is what happens to a delivery once its signature is checked: the body parsed (the
JSON limits of webhook_intake.py), the handlers of its event run (payload models, dedupe, the
review lanes, slash-commands). The single process runs it before it answers; with REDIS_URL a
receiver only appends the delivery to the intake (bot/queue/redis_intake.py) and each worker
runs ``route_intake`` beside its reviews: read, route, acknowledge.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gidgethub import routing, sansio
from redis.exceptions import LockError

from bot.context import BotContext
from bot.github.payloads import PayloadError
from bot.observability import bind_log_context, log_context, parent_context
from bot.queue import QueueFull, QueueUnavailable
from bot.redis_client import UNAVAILABLE, Complaints
from bot.webhook_intake import ACTION_NOT_A_STRING, IntakeError, load_payload

if TYPE_CHECKING:
    from bot.queue.redis_intake import Delivery, RedisIntake

log = logging.getLogger(__name__)

READ_COUNT = 32  # deliveries a worker takes from the intake at a time
READ_BLOCK = 1.0  # seconds a read waits for one; also how long a stopping worker may take to notice
BUSY_WAIT = 2.0  # after a full queue or an unreachable Redis, before the next read
STANDBY_WAIT = 1.0  # a worker that is not the router tries for the router's lock this often


@dataclass(frozen=True)
class Routed:
    """What became of a delivery, as the single process answers it: 202 (queued, or nothing to
    do), 200 (a ping), 400 (a payload the handlers cannot use), 503 (try again later)."""

    status: int
    message: str = ""
    retry_after: int | None = None

    @property
    def again(self) -> bool:
        return self.status == 503


async def route(
    router: routing.Router, ctx: BotContext, event_name: str, delivery_id: str, body: bytes | bytearray
) -> Routed:
    """Parse the verified ``body`` and run its event's handlers."""
    data = parse_delivery(body)
    if isinstance(data, Routed):
        return data
    return await dispatch(router, ctx, event_name, delivery_id, data)


def parse_delivery(body: bytes | bytearray) -> dict[str, object] | Routed:
    """The payload, or the 400 that says why it cannot be routed."""
    try:
        data = load_payload(body)
    except IntakeError as exc:
        return Routed(exc.status, exc.message)
    if not isinstance(data.get("action", ""), str):
        return Routed(400, ACTION_NOT_A_STRING)
    return data


async def dispatch(
    router: routing.Router, ctx: BotContext, event_name: str, delivery_id: str, data: dict[str, object]
) -> Routed:
    """Run the handlers of one parsed delivery."""
    bind_log_context(**subject_of(data))
    event = sansio.Event(data, event=event_name, delivery_id=delivery_id)
    try:
        await router.dispatch(event, ctx)
    except PayloadError as exc:
        log.warning("delivery %s (%s): %s", delivery_id, event_name, exc)
        return Routed(400, str(exc))
    except QueueFull as exc:  # nothing was recorded: a redelivery of this id is taken later
        return Routed(503, f"{exc}; redeliver later", retry_after=60)
    except QueueUnavailable as exc:  # Redis is down (the queue or shared state): never 202-and-lose
        log.warning("delivery %s (%s): %s", delivery_id, event_name, exc)
        return Routed(503, "the review queue is unavailable; redeliver later", retry_after=30)
    if event_name == "ping":
        return Routed(200, "pong")
    return Routed(202)


def subject_of(data: dict[str, object]) -> dict[str, object]:
    """The repository and PR a payload is about, for the log lines of its delivery."""
    repository = data.get("repository")
    repository = repository if isinstance(repository, dict) else {}
    owner, name = repository.get("owner"), repository.get("name")
    login = owner.get("login") if isinstance(owner, dict) else None
    # owner/name, not full_name: a receiver sends the workers only what the payload models read
    repo = f"{login}/{name}" if isinstance(login, str) and isinstance(name, str) else None
    number = None
    for key in ("pull_request", "issue"):
        item = data.get(key)
        if isinstance(item, dict) and isinstance(item.get("number"), int):
            number = item["number"]
            break
    return {"repo": repo, "pr": number}


# --- the workers' side of the intake -------------------------------------------------------------


async def route_intake(
    ctx: BotContext, router: routing.Router, intake: RedisIntake, consumer: str, stopping: asyncio.Event
) -> None:
    """Until ``stopping`` is set: become the intake's router (its lock), take over what a former
    router left, then route deliveries in order and acknowledge each once routed, or once found
    unusable (400, logged and counted). One that meets a full queue or no Redis stays pending
    with the deliveries of its PR after it, and is routed again after a pause."""
    complaints = Complaints("webhook intake")
    lock = intake.router_lock()
    holding, renewed = False, 0.0
    try:
        while not stopping.is_set():
            try:
                if not holding:
                    holding = await lock.acquire(blocking=False)
                    if not holding:  # another worker routes: stand by
                        complaints.recovered()
                        await _pause(stopping, STANDBY_WAIT)
                        continue
                    await intake.take_over(consumer)
                    renewed = time.monotonic()
                elif time.monotonic() - renewed > intake.lock_timeout / 3:
                    await lock.reacquire()
                    renewed = time.monotonic()
                batch = await intake.read(consumer, READ_COUNT, READ_BLOCK)
                complaints.recovered()
            except LockError:  # the lock lapsed (a stall longer than its timeout): stand by
                holding = False
                continue
            except UNAVAILABLE as exc:
                complaints.failed(exc)
                await _pause(stopping, BUSY_WAIT)
                continue
            routed, failed, busy = await route_batch(ctx, router, batch)
            try:
                await intake.done(routed, forget=failed)
            except UNAVAILABLE as exc:  # routed again later: the dedupe keys refuse a second job
                complaints.failed(exc)
            if busy:
                await _pause(stopping, BUSY_WAIT)
    finally:
        with contextlib.suppress(LockError, *UNAVAILABLE):
            if holding:
                await lock.release()
            await intake.leave(consumer)


async def route_batch(
    ctx: BotContext, router: routing.Router, batch: list[Delivery]
) -> tuple[list[bytes], list[str], bool]:
    """Route ``batch``: the deliveries of one PR (or one repository's other events) one after
    the other, in order, and the PRs side by side. The entries routed, the delivery ids a
    handler failed on, and whether a PR's deliveries stopped at a full queue or an unreachable
    Redis (the rest of them wait)."""
    failed: list[str] = []  # the delivery ids a handler failed on (the single process's 500)
    groups: dict[tuple[object, object], list[Delivery]] = {}
    parsed: dict[bytes, dict[str, object] | Routed] = {}
    for delivery in batch:
        data = parse_delivery(delivery.body) if delivery.event else Routed(400, "not a delivery")
        parsed[delivery.entry_id] = data
        subject = subject_of(data) if isinstance(data, dict) else {}
        groups.setdefault((subject.get("repo"), subject.get("pr")), []).append(delivery)

    async def in_order(deliveries: list[Delivery]) -> tuple[list[bytes], bool]:
        done: list[bytes] = []
        for delivery in deliveries:
            outcome = await route_entry(ctx, router, delivery, parsed[delivery.entry_id])
            if outcome.again:
                return done, True
            if outcome.status >= 500:
                failed.append(delivery.delivery_id)
            done.append(delivery.entry_id)
        return done, False

    results = await asyncio.gather(*(in_order(group) for group in groups.values()))
    return [entry for done, _ in results for entry in done], failed, any(busy for _, busy in results)


async def route_entry(
    ctx: BotContext, router: routing.Router, delivery: Delivery, data: dict[str, object] | Routed
) -> Routed:
    """Route one intake entry in a span joined to the receiver's, and count what became of it."""
    attributes = {"github.event": delivery.event[:100], "github.delivery": delivery.delivery_id[:100]}
    parent = parent_context(delivery.traceparent)
    # The delivery's log fields (those its handlers bind too) and its span end with it.
    with (
        log_context(delivery_id=delivery.delivery_id, event=delivery.event),
        ctx.tracer.start_as_current_span("webhook route", context=parent, attributes=attributes),
    ):
        if isinstance(data, Routed):
            outcome = data
        else:
            try:
                outcome = await dispatch(router, ctx, delivery.event, delivery.delivery_id, data)
            except Exception:
                # A handler's bug: the single process would answer 500. Routing it again would
                # fail again, so it is logged and acknowledged.
                log.exception("delivery %s (%s): routing failed", delivery.delivery_id, delivery.event)
                outcome = Routed(500, "routing failed")
        if outcome.status == 400:
            log.warning(
                "delivery %s (%s) not routed: %s", delivery.delivery_id, delivery.event, outcome.message
            )
    ctx.metrics.count_routed(delivery.event, outcome.status)
    return outcome


async def _pause(stopping: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stopping.wait(), timeout=seconds)
