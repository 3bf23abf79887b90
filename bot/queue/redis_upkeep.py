"""What keeps the Redis queue's jobs moving besides enqueue and get: its options, the jobs a
worker holds and their heartbeats, the upkeep loop (due retries into their lanes, the sweep of
jobs whose worker died) and finishing steps that outlast a short Redis outage."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from redis.asyncio.lock import Lock
from redis.exceptions import LockError
from saq.job import Job
from saq.queue.redis import RedisQueue

from bot.queue.base import ReviewJob
from bot.redis_client import UNAVAILABLE, Complaints, cancel_lost, describe

log = logging.getLogger("bot.queue.redis")


@dataclass(frozen=True)
class RedisQueueOptions:
    prefix: str = "review-bot"
    heartbeat_interval: float = 10.0  # a running job's heartbeat
    heartbeat_timeout: int = 60  # no heartbeat this long: the job is stuck (saq Job.heartbeat)
    sweep_interval: int = 15  # how often one of the workers sweeps stuck jobs (a saq lock)
    sweep_abort_wait: float = 1.0  # how long a sweep waits for a stuck job's worker to react
    schedule_interval: float = 1.0  # how often due retries are moved into their lane
    job_timeout: int = 3600  # a backstop: a job running longer is swept even with heartbeats
    max_attempts: int = 10  # saq retries, counting crash recoveries and retry_later together
    idle_wait: float = 1.0  # an idle worker blocks this long on the critical lane between polls
    busy_delay: float = 2.0  # a job whose PR is being reviewed waits this long before the next try
    # Reviews of one installation running at once across all workers (0: no limit); a job over
    # it waits busy_delay (in its lane, as a scheduled job) while other installations' jobs run.
    per_installation: int = 0
    delivery_ttl: int = 3 * 24 * 3600  # GitHub lets a delivery be redelivered for three days
    claim_ttl: int = 60  # a delivery being queued right now; lapses if the receiver dies meanwhile
    head_ttl: int = 24 * 3600
    latest_ttl: int = 7 * 24 * 3600
    finished_ttl: int = 3600  # saq keeps a finished job's record this long
    max_pending: int = 100_000  # jobs waiting in all lanes; past it enqueue raises QueueFull
    settle_timeout: float = 30.0  # done()/retry_later() keep trying this long while Redis is down
    # The intake (redis_intake.py): deliveries appended by receivers and not yet routed by a
    # worker; past intake_max a receiver answers 503. One worker routes at a time, holding a lock
    # that lapses this long after its worker died (another then takes over what it left).
    intake_max: int = 100_000
    intake_lock_timeout: float = 10.0

    @property
    def takeover_bound(self) -> float:
        """About the longest a SIGKILLed worker's job waits before another worker has it."""
        return (
            self.heartbeat_timeout
            + self.sweep_interval
            + self.sweep_abort_wait
            + self.busy_delay
            + self.schedule_interval
            + self.idle_wait
        )


@dataclass
class Held:
    """A job this process took and has not finished: its saq job, its PR's lock, its heartbeat."""

    review: ReviewJob
    lane: RedisQueue
    saq_job: Job
    lock: Lock
    heartbeat: asyncio.Task[None] | None = None
    slot: Lock | None = None  # one of its installation's slots (installation_slots.py), if limited


def pr_name(pr_key: tuple[str, str, int]) -> str:
    owner, repo, number = pr_key
    return f"{owner}/{repo}#{number}"


async def heartbeat(held: Held, options: RedisQueueOptions) -> None:
    """Tell the sweep this job is alive (saq's touched time), and keep the PR's lock, until cancelled."""
    while True:
        await asyncio.sleep(options.heartbeat_interval)
        try:
            await held.lane.update(held.saq_job)
            for what, lock in (("running lock", held.lock), ("installation slot", held.slot)):
                if lock is None:
                    continue
                try:
                    await lock.reacquire()
                except LockError:
                    log.error(
                        "%s: the PR's %s lapsed (no heartbeat for %ss?)",
                        pr_name(held.review.pr_key),
                        what,
                        options.heartbeat_timeout,
                    )
        except UNAVAILABLE as exc:
            log.warning("heartbeat of %s: %s", pr_name(held.review.pr_key), describe(exc))


async def unlock(lock: Lock | None) -> None:
    if lock is None:
        return
    with contextlib.suppress(LockError):  # lapsed: someone else may hold it now, leave it be
        await lock.release()


async def settle(held: Held, what: str, step: Callable[[], Awaitable[None]], timeout: float) -> None:
    """Run a finishing step (safe to repeat), again while Redis is down; past ``timeout`` leave the
    job to the sweep: it has no heartbeat any more, so another worker runs it again."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    delay = 0.1
    while True:
        try:
            await step()
            return
        except UNAVAILABLE as exc:
            if loop.time() + delay > deadline:
                log.error(
                    "%s: could not %s the job (%s); the sweep will hand it out again",
                    pr_name(held.review.pr_key),
                    what,
                    describe(exc),
                )
                return
            await asyncio.sleep(delay)
            delay = min(2.0, delay * 2)


async def run_upkeep(lanes: Mapping[str, RedisQueue], options: RedisQueueOptions) -> None:
    """Move due retries into their lanes and sweep stuck jobs, until cancelled. Every worker runs
    this; saq's locks let one process at a time do each step."""
    loop = asyncio.get_running_loop()
    # Not at once: workers starting together dequeue first. saq's sweep requeues a job it finds
    # between a worker's dequeue and its first status update (the copy is dropped when taken, as
    # it was finished or is running), so fewer sweeps at busy moments mean fewer such copies.
    next_sweep = loop.time() + options.sweep_interval
    complaints = Complaints("queue upkeep")
    while True:
        try:
            for lane in lanes.values():
                await lane.schedule(lock=1)
            if loop.time() >= next_sweep:
                next_sweep = loop.time() + options.sweep_interval
                for lane in lanes.values():
                    swept = await lane.sweep(lock=options.sweep_interval, abort=options.sweep_abort_wait)
                    if swept:
                        log.warning("%s: handed out again, no heartbeat: %s", lane.name, swept)
            complaints.recovered()
        except UNAVAILABLE as exc:
            complaints.failed(exc)
        except Exception:
            log.exception("queue upkeep failed")
        await asyncio.sleep(options.schedule_interval)


async def stop_if_cancelled(job: ReviewJob | None, hand_back: Callable[[ReviewJob], Awaitable[None]]) -> None:
    """Raise CancelledError if this task was asked to stop but the request got lost underneath
    (see bot/redis_client.py), handing back the job it had just taken: a worker being shut down
    must stop all the same."""
    if not cancel_lost():
        return
    if job is not None:
        await hand_back(job)
    raise asyncio.CancelledError
