"""The review queue on Redis, shared by any number of receivers and workers (saq underneath).

saq has no priorities, so there is one saq queue (a *lane*) per priority, and a worker takes
from the first non-empty lane in :data:`~bot.queue.base.LANES` order. saq gives durable jobs,
unique job keys, scheduled jobs (retries after a delay) and the sweep that hands a stuck job
(no heartbeat) to another worker. On top, a few Redis keys give the review-specific rules:

- ``delivery:<id>`` (SET NX EX): a delivery id is taken once for GitHub's redelivery window;
- ``head:<owner>/<repo>#<n>@<sha>`` (SET NX EX): this head was already queued or reviewed (a
  finished saq key can be enqueued again, so saq alone would review it twice);
- ``latest:<owner>/<repo>#<n>``: the saq id of the PR's newest job. An older waiting job is
  aborted when a newer one arrives, and a job that is not the newest is dropped when a worker
  takes it, so at most one job per PR waits;
- ``running:<owner>/<repo>#<n>``: a redis-py ``Lock`` held by the worker reviewing the PR (one
  running per PR); its timeout is the heartbeat timeout, renewed with each heartbeat, so a dead
  worker's lock lapses on its own;
- ``installation:<id>:slot:<i>``: with ``per_installation`` set, the N redis-py ``Lock`` objects
  of which a running review holds one (installation_slots.py), renewed like the running lock;
- ``claims:pending``: jobs claimed by a receiver and not yet in saq (job id -> expiry), counted
  by the room check so concurrent receivers cannot overfill the queue;
- ``finished:<saq job id>``: the job was done. saq's sweep can requeue a job it catches between a
  worker's dequeue and its first status update, even after that worker finished it; the copy is
  dropped when taken.

A worker that holds a job sends heartbeats (saq ``Job.update`` plus the lock renewal). A job
without a heartbeat for ``heartbeat_timeout`` seconds is requeued by the next sweep, so after a
SIGKILL the job is taken over within ``RedisQueueOptions.takeover_bound`` (heartbeat timeout +
sweep interval + a few seconds: about 80 s with the defaults). A cancelled worker hands its job
back at once (``retry_later(job, 0)``, or ``aclose()``). Options and upkeep: redis_upkeep.py.

A receiver's enqueue is three steps: one script records the delivery, head, room and pointer
claims (redis_claim.py), saq's enqueue queues the job, and the claim is settled; concurrent
deliveries share each step's round trip (redis_batch.py), saq's script included.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid

import orjson
from redis.asyncio import Redis
from redis.asyncio.lock import Lock
from saq.job import Job, Status
from saq.queue.redis import RedisQueue
from saq.utils import now

from bot.queue.base import LANES, QueueFull, QueueUnavailable, ReviewJob
from bot.queue.installation_slots import pause_after, slot_names, take_slot
from bot.queue.redis_batch import MAX_BATCH, BatchedScripts, Batcher
from bot.queue.redis_claim import CLAIM_LUA, CLAIM_SHA, Claim
from bot.queue.redis_intake import RedisIntake
from bot.queue.redis_upkeep import (
    Held,
    RedisQueueOptions,
    heartbeat,
    pr_name,
    run_upkeep,
    settle,
    stop_if_cancelled,
    unlock,
)
from bot.redis_client import UNAVAILABLE, Complaints, cancel_for_sure, connect, describe, reachable

log = logging.getLogger(__name__)

__all__ = ["SAQ_FUNCTION", "RedisQueueOptions", "RedisReviewQueue"]

SAQ_FUNCTION = "review"  # the saq job's function name; saq's own Worker never runs these jobs


def quiet_saq() -> None:
    """saq logs each enqueue and finish at INFO: a second line per delivery beside the handler's
    own "queued" line, costing the receiver more than the rest of its logging. Its warnings and
    errors still show; LOG_LEVEL=DEBUG, or a level set on the "saq" logger, keeps them all."""
    saq_log = logging.getLogger("saq")
    if saq_log.level == logging.NOTSET and not logging.getLogger().isEnabledFor(logging.DEBUG):
        saq_log.setLevel(logging.WARNING)


class RedisReviewQueue:
    """The ReviewQueue protocol on saq: enqueue from receivers, get/done/retry_later from workers."""

    def __init__(
        self, redis: Redis, options: RedisQueueOptions | None = None, *, owns_client: bool = False
    ) -> None:
        self.redis = redis
        self._owns_client = owns_client
        quiet_saq()
        self.options = options or RedisQueueOptions()
        p = self.options.prefix
        self._batch = Batcher(redis)  # a receiver's claims and marks, group-committed (redis_batch.py)
        # saq's scripts (its enqueue among them) share those round trips too.
        scripts = BatchedScripts(self._batch)
        # orjson writes saq's job records several times faster than json (and either reads the
        # other's records). saq lets 20 operations per lane run at once by
        # default: a burst of deliveries beyond that would queue for a second round trip.
        self.lanes = {
            name: RedisQueue(
                scripts,
                name=f"{p}-{name}",
                dump=orjson.dumps,
                load=orjson.loads,
                max_concurrent_ops=MAX_BATCH,
            )
            for name in LANES
        }
        self._held: dict[tuple[str, str, int], Held] = {}
        self._upkeep: asyncio.Task[None] | None = None
        self._complaints = Complaints("review queue")
        self._settle_timeout = self.options.settle_timeout
        self._deferred_in_row = 0  # jobs handed back (PR or installation busy) since one was taken
        # What depth() counts, per lane, and the claims not yet queued: the claim script checks
        # the room with them (redis_claim.py).
        self._claims_key = self._key("claims", "pending")
        self._room_keys = [q.namespace(k) for q in self.lanes.values() for k in ("incomplete", "active")]

    @classmethod
    def from_url(cls, url: str, options: RedisQueueOptions | None = None) -> RedisReviewQueue:
        return cls(connect(url), options, owns_client=True)

    def intake(self) -> RedisIntake:
        """The webhook intake on the same Redis, sharing this queue's round trips (redis_intake.py)."""
        o = self.options
        return RedisIntake(
            self.redis,
            self._batch,
            prefix=o.prefix,
            max_entries=o.intake_max,
            seen_ttl=o.delivery_ttl,
            lock_timeout=o.intake_lock_timeout,
        )

    def __repr__(self) -> str:
        return f"RedisReviewQueue(prefix={self.options.prefix!r}, held={len(self._held)})"

    # --- keys ---------------------------------------------------------------------------------
    def _key(self, kind: str, name: str) -> str:
        return f"{self.options.prefix}:{kind}:{name}"

    def _head_key(self, job: ReviewJob) -> str:
        return self._key("head", f"{pr_name(job.pr_key)}@{job.head_sha}")

    def _saq_key(self, job: ReviewJob) -> str:
        """saq's job key: (repo, PR, head); a person's /review is its own job even for a queued head."""
        key = f"{pr_name(job.pr_key)}@{job.head_sha}"
        if job.requested_by:
            key += f"/review:{job.delivery_id or uuid.uuid4().hex}"
        return key

    def _lane_of_id(self, job_id: str) -> tuple[RedisQueue, str] | None:
        for lane in self.lanes.values():
            prefix = lane.job_id("")
            if job_id.startswith(prefix):
                return lane, job_id[len(prefix) :]
        return None

    # --- receivers ----------------------------------------------------------------------------
    async def enqueue(self, job: ReviewJob) -> bool:
        try:
            return await self._enqueue(job)
        except UNAVAILABLE as exc:
            raise QueueUnavailable(
                f"the review queue cannot reach Redis ({describe(exc)}); nothing was queued"
            ) from None

    async def _enqueue(self, job: ReviewJob) -> bool:
        """Three steps for a new head: the claim script (redis_claim.py), saq's enqueue, the
        delivery's mark; each shares its round trip with other deliveries', and the caller
        waits for the first two only."""
        o, r = self.options, self.redis
        delivery_key = self._key("delivery", job.delivery_id) if job.delivery_id else None
        head_key = self._head_key(job)
        latest_key = self._key("latest", pr_name(job.pr_key))
        lane = self.lanes[job.lane]
        saq_key = self._saq_key(job)
        job_id = lane.job_id(saq_key)
        reply = await self._batch.script(
            CLAIM_SHA,
            CLAIM_LUA,
            keys=[
                delivery_key or head_key,  # not read without a delivery id (ARGV[1] is 0)
                head_key,
                latest_key,
                self._key("finished", job_id),
                self._claims_key,
                *self._room_keys,
            ],
            args=[
                int(delivery_key is not None),
                o.claim_ttl,
                int(bool(job.requested_by)),
                o.head_ttl,
                job_id,
                o.latest_ttl,
                o.max_pending,
                o.delivery_ttl,
            ],
        )
        claim = Claim.of(reply)
        marked, previous = claim.marked_head, claim.previous
        if claim.outcome == "delivery":
            log.info("delivery %s already seen: no second review", job.delivery_id)
            return False
        if claim.outcome == "head":
            log.info("%s#%s at %s already queued or reviewed", job.full_name, job.pr_number, job.head_sha[:7])
            return False
        try:
            if claim.outcome == "full":
                previous = await self._room_for_replacement(latest_key, job_id, previous, claim.waiting)
            saq_job = Job(
                function=SAQ_FUNCTION,
                kwargs={"review": job.to_json()},
                key=saq_key,
                timeout=o.job_timeout,
                heartbeat=o.heartbeat_timeout,
                retries=o.max_attempts,
                ttl=o.finished_ttl,
            )
            queued = await lane.enqueue(saq_job)
            if previous is not None and previous.decode() != job_id:
                await self._supersede(previous.decode(), job)
            # The job is in saq: the delivery can be acknowledged now. Marking it done (for the
            # redelivery window) and dropping the claim go with the next pipeline; until then the
            # "queuing" mark refuses a redelivery as well, and both keys lapse if never sent.
            done: list[tuple[object, ...]] = [("ZREM", self._claims_key, job_id)]
            if delivery_key:
                done.append(("SET", delivery_key, b"done", "EX", o.delivery_ttl))
            self._batch.post(*done)
        except BaseException:
            # Nothing may stay recorded that would refuse this delivery when GitHub sends it again.
            with contextlib.suppress(*UNAVAILABLE):
                undo = [k for k, set_ in ((delivery_key, True), (head_key, marked)) if k and set_]
                async with r.pipeline(transaction=False) as pipe:
                    pipe.zrem(self._claims_key, job_id)
                    if undo:
                        pipe.delete(*undo)
                    await pipe.execute()
            raise
        if queued is None:  # saq already holds this key, queued or running: the same review
            log.info("%s#%s at %s is already queued", job.full_name, job.pr_number, job.head_sha[:7])
            return False
        return True

    async def _room_for_replacement(
        self, latest_key: str, job_id: str, previous: bytes | None, waiting: int
    ) -> bytes | None:
        """The queue is full: only a newer head of a PR whose job still waits may go in (it
        replaces that job, no growth). Then the pointer step the claim script left out; else QueueFull."""
        if previous is not None and (found := self._lane_of_id(previous.decode())) is not None:
            old = await found[0].job(found[1])
            if old is not None and old.status == Status.QUEUED:
                async with self.redis.pipeline(transaction=False) as pipe:
                    pipe.set(latest_key, job_id, ex=self.options.latest_ttl, get=True)
                    pipe.delete(self._key("finished", job_id))
                    previous, _ = await pipe.execute()
                return previous
        raise QueueFull(f"the review queue is full ({waiting} jobs waiting)")

    async def _supersede(self, previous_id: str, newer: ReviewJob) -> None:
        """Abort the PR's older job if it is still waiting; a running one finishes on its own."""
        found = self._lane_of_id(previous_id)
        if found is None:
            return
        lane, key = found
        old = await lane.job(key)
        if old is None or old.status != Status.QUEUED:
            return
        review = ReviewJob.from_json((old.kwargs or {})["review"])
        log.info(
            "%s#%s: %s supersedes queued %s",
            newer.full_name,
            newer.pr_number,
            newer.head_sha[:7],
            review.head_sha[:7],
        )
        await lane.abort(old, "superseded by a newer head")
        # abort() finishes only a job it took off the list; this finishes (and expires) the rest,
        # e.g. one waiting for its retry, and clears the abort mark that would block its key.
        await lane.finish_abort(old)
        if review.head_sha != newer.head_sha:
            await self.redis.delete(self._head_key(review))  # that head may be queued again later

    # --- workers ------------------------------------------------------------------------------
    async def get(self) -> ReviewJob:
        self._start_upkeep()
        backoff = 0.1
        while True:
            await stop_if_cancelled(None, self._hand_back)
            try:
                job = await self._next()
            except UNAVAILABLE as exc:
                self._complaints.failed(exc)
                await asyncio.sleep(backoff)
                backoff = min(5.0, backoff * 2)
                continue
            self._complaints.recovered()
            backoff = 0.1
            await stop_if_cancelled(job, self._hand_back)
            if job is not None:
                self._deferred_in_row = 0
                return job
            if pause := pause_after(self._deferred_in_row, self.options.idle_wait):
                await asyncio.sleep(pause)

    async def _hand_back(self, job: ReviewJob) -> None:
        held = await self._release(job)
        if held is not None:
            held.saq_job.attempts -= 1  # not run: the attempt does not count
            await settle(
                held, "hand back", lambda: self._requeue(held, held.review, 0.0), self._settle_timeout
            )

    async def _next(self) -> ReviewJob | None:
        """The job at the head of the first non-empty lane; else a bounded wait on the first lane.

        The lane lengths are read first (saq's count("queued"), all lanes in one round trip)
        because a BLMOVE on an empty list waits at least one tick of Redis's clock (~100 ms),
        even with a tiny timeout, and most lanes are empty most of the time.
        """
        async with self.redis.pipeline(transaction=False) as pipe:
            for lane in self.lanes.values():
                pipe.llen(lane.namespace("queued"))
            lengths = await pipe.execute()
        waiting = [lane for lane, length in zip(self.lanes.values(), lengths, strict=True) if length]
        lane = waiting[0] if waiting else self.lanes[LANES[0]]
        # Blocks only if the lane was emptied meanwhile, or all were empty: then a new job in the
        # first lane is taken at once, one in another lane on the next pass.
        saq_job = await lane.dequeue(timeout=self.options.idle_wait)
        if saq_job is None:
            self._deferred_in_row = 0
            return None
        return await self._take(lane, saq_job)

    async def _take(self, lane: RedisQueue, saq_job: Job) -> ReviewJob | None:
        """Run the job if its PR is free and it is the PR's newest job; else park or drop it."""
        saq_job.started = now()
        saq_job.attempts += 1
        await lane.update(saq_job, status=Status.ACTIVE)  # as saq's Worker does, before anything else
        review = ReviewJob.from_json((saq_job.kwargs or {})["review"])
        lock = Lock(
            self.redis,
            self._key("running", pr_name(review.pr_key)),
            timeout=self.options.heartbeat_timeout,
            thread_local=False,
        )
        token = f"{saq_job.id}|{uuid.uuid4().hex}"
        if not await lock.acquire(blocking=False, token=token):
            # Another worker reviews this PR: wait (as a scheduled saq job) and try again.
            await self._defer(lane, saq_job, "waiting for the review of this PR that is running")
            return None
        try:
            return await self._hold(lane, saq_job, review, lock, token)
        except asyncio.CancelledError:  # stopped half-way (shutdown): give the job back at once
            with contextlib.suppress(*UNAVAILABLE):
                saq_job.attempts -= 1
                saq_job.retry_delay = 0.0
                await lane.retry(saq_job, "handed back on shutdown")
                await unlock(lock)
            raise

    async def _defer(self, lane: RedisQueue, saq_job: Job, why: str) -> None:
        """Back into its lane after busy_delay, the attempt not counted."""
        saq_job.attempts -= 1
        saq_job.retry_delay = self.options.busy_delay
        await lane.retry(saq_job, why)
        self._deferred_in_row += 1

    async def _hold(
        self, lane: RedisQueue, saq_job: Job, review: ReviewJob, lock: Lock, token: str
    ) -> ReviewJob | None:
        """With the PR's lock taken: hold the job unless it was done already or replaced."""
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.get(self._key("latest", pr_name(review.pr_key)))
            pipe.exists(self._key("finished", saq_job.id))
            latest, finished = await pipe.execute()
        if finished:
            # A second copy of a job already done: saq's sweep can requeue a job it saw between
            # a worker's dequeue and its first status update, even after that worker finished it.
            await lane.finish(saq_job, Status.COMPLETE)
            await unlock(lock)
            return None
        if latest is not None and latest.decode() != saq_job.id and await self.redis.exists(latest):
            log.info(
                "%s#%s at %s: a newer job replaced it",
                review.full_name,
                review.pr_number,
                review.head_sha[:7],
            )
            await lane.finish(saq_job, Status.ABORTED, error="superseded")
            await unlock(lock)
            return None
        slot = None
        if self.options.per_installation > 0:
            names = slot_names(self.options.prefix, review.installation_id, self.options.per_installation)
            slot = await take_slot(self.redis, names, self.options.heartbeat_timeout, token)
            if slot is None:  # as many of its installation's reviews run as may: others go first
                await self._defer(lane, saq_job, "waiting for a slot of its installation")
                await unlock(lock)
                return None
        held = Held(review, lane, saq_job, lock, slot=slot)
        held.heartbeat = asyncio.get_running_loop().create_task(
            heartbeat(held, self.options), name=f"heartbeat {pr_name(review.pr_key)}"
        )
        self._held[review.pr_key] = held
        return review

    async def done(self, job: ReviewJob) -> None:
        held = await self._release(job)
        if held is not None:
            await settle(held, "finish", lambda: self._finish(held), self._settle_timeout)

    async def _finish(self, held: Held) -> None:
        finished = self._key("finished", held.saq_job.id)
        await self.redis.set(finished, b"1", ex=self.options.finished_ttl)
        await held.lane.finish(held.saq_job, Status.COMPLETE)
        await unlock(held.slot)
        await unlock(held.lock)

    async def retry_later(self, job: ReviewJob, delay: float) -> None:
        held = await self._release(job)
        if held is not None:
            again = job.next_attempt()
            await settle(held, "requeue", lambda: self._requeue(held, again, delay), self._settle_timeout)

    async def _requeue(self, held: Held, job: ReviewJob, delay: float) -> None:
        """Back into its lane after ``delay`` (a saq scheduled job); safe to repeat."""
        held.saq_job.kwargs = {"review": job.to_json()}
        held.saq_job.retry_delay = max(0.0, delay)
        await held.lane.retry(held.saq_job, f"retry after {delay:.0f} s")
        await unlock(held.slot)
        await unlock(held.lock)

    async def forget(self, job: ReviewJob) -> None:
        with contextlib.suppress(*UNAVAILABLE):  # the marker expires on its own anyway
            await self.redis.delete(self._head_key(job))

    async def _release(self, job: ReviewJob) -> Held | None:
        """Stop holding the job: its heartbeat ends before anything else writes its record."""
        held = self._held.pop(job.pr_key, None)
        if held is None:
            log.warning("%s#%s: not a job this worker holds", job.full_name, job.pr_number)
            return None
        if held.heartbeat is not None:
            await cancel_for_sure(held.heartbeat)
        return held

    # --- upkeep: due retries into their lanes, stuck jobs swept (bot/queue/redis_upkeep.py) ------
    def _start_upkeep(self) -> None:
        if self._upkeep is None or self._upkeep.done():
            self._upkeep = asyncio.get_running_loop().create_task(
                run_upkeep(self.lanes, self.options), name="queue upkeep"
            )

    # --- metrics, readiness, shutdown ---------------------------------------------------------
    async def depth(self) -> dict[str, int]:
        """Jobs waiting per lane, queued or scheduled (what an autoscaler scales workers on)."""
        async with self.redis.pipeline(transaction=False) as pipe:
            for lane in self.lanes.values():
                pipe.zcard(lane.namespace("incomplete"))
                pipe.llen(lane.namespace("active"))
            counts = await pipe.execute()
        return {name: counts[2 * i] - counts[2 * i + 1] for i, name in enumerate(self.lanes)}

    async def ready(self) -> bool:
        """Redis answers (for /ready)."""
        return await reachable(self.redis)

    def idle(self) -> bool:
        """This process holds no job."""
        return not self._held

    async def aclose(self) -> None:
        """Hand back the jobs still held (queued again at once, the attempt not counted), stop the
        upkeep and close the connections. Cancel the workers first: run_worker hands its job back
        with retry_later(job, 0) when cancelled, so normally nothing is left here."""
        for held in list(self._held.values()):
            log.warning("%s: handed back on shutdown", pr_name(held.review.pr_key))
            await self._hand_back(held.review)
        await self._batch.aclose()  # the last deliveries' done marks sent, its connection closed
        if self._upkeep is not None:
            await cancel_for_sure(self._upkeep)
        if self._owns_client:  # saq's disconnect closes its pubsub and the (shared) client's pool
            for lane in self.lanes.values():
                with contextlib.suppress(*UNAVAILABLE):
                    await lane.disconnect()
            with contextlib.suppress(*UNAVAILABLE):
                await self.redis.aclose()  # the lanes' client is another one on the same pool
