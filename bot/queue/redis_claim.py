"""The receiver's claim on Redis, one round trip: what enqueue checks and records before saq's own
enqueue, as one Lua script (redis-py ``register_script``), so that it is atomic across replicas
and costs one round trip instead of seven.

In order, stopping at the first refusal:

1. the delivery id, ``SET NX EX claim_ttl`` ("queuing"; the caller turns it into "done" with the
   redelivery window once the job is queued, so a receiver dying meanwhile blocks nothing long);
2. the head marker, ``SET NX EX head_ttl`` (a person's /review sets it unconditionally); a head
   already seen marks the delivery done: the same review, nothing to redo;
3. the room check: the jobs waiting in all lanes (saq's ``incomplete`` minus ``active``, as
   ``RedisReviewQueue.depth`` counts them) plus the claims of other deliveries not yet queued
   (the ``claims`` sorted set: job id -> expiry), against ``max_pending``. Counting those makes
   the cap hold when many deliveries are claimed before any is queued (concurrent receivers,
   or one receiver's batch): never more than ``max_pending`` jobs wait. A claim whose job saq
   already holds (its job key exists: queued, so counted in its lane, or already finished) is
   not counted, so the check stays exact while the claim's removal waits to ride in a later
   pipeline (the caller does not wait for it). The one inexact case, a head queued again while
   its finished job is still kept, can let one job too many in during a race. A claim whose
   receiver died lapses after ``claim_ttl``. Full: the
   delivery and head claims stay (the caller undoes them unless the job replaces its PR's
   waiting one) and nothing else is written;
4. the job's claim added, the PR's ``latest`` pointer swapped to the new job id (``SET ...
   GET``), and the new id's ``finished`` mark cleared (the same saq key queued anew).

It touches only the bot's own keys and reads saq's two per-lane counters; the job itself is
queued with saq's API.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

CLAIM_LUA = """
if ARGV[1] == '1' and not redis.call('SET', KEYS[1], 'queuing', 'NX', 'EX', ARGV[2]) then
  return {'delivery', 0, 0}
end
local marked = 0
if ARGV[3] == '1' then
  redis.call('SET', KEYS[2], '1', 'EX', ARGV[4])
elseif redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[4]) then
  marked = 1
else
  if ARGV[1] == '1' then redis.call('SET', KEYS[1], 'done', 'EX', ARGV[8]) end
  return {'head', 0, 0}
end
local now = tonumber(redis.call('TIME')[1])
redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', now)
local waiting = 0
for _, claim in ipairs(redis.call('ZRANGE', KEYS[5], 0, -1)) do
  if redis.call('EXISTS', claim) == 0 then waiting = waiting + 1 end
end
for i = 6, #KEYS, 2 do
  waiting = waiting + redis.call('ZCARD', KEYS[i]) - redis.call('LLEN', KEYS[i + 1])
end
if waiting >= tonumber(ARGV[7]) then
  return {'full', marked, waiting, redis.call('GET', KEYS[3])}
end
redis.call('ZADD', KEYS[5], now + tonumber(ARGV[2]), ARGV[5])
local previous = redis.call('SET', KEYS[3], ARGV[5], 'EX', ARGV[6], 'GET')
redis.call('DEL', KEYS[4])
return {'ok', marked, waiting, previous}
"""
CLAIM_SHA = hashlib.sha1(CLAIM_LUA.encode()).hexdigest()  # noqa: S324 - Redis names scripts by SHA-1


@dataclass(frozen=True)
class Claim:
    """The script's answer: ``outcome`` is "ok", "full", "delivery" (seen) or "head" (seen)."""

    outcome: str
    marked_head: bool  # this call set the head marker (undo it if the job is not queued after all)
    waiting: int
    previous: bytes | None  # the PR's latest job id before this one ("ok"), or now ("full")

    @classmethod
    def of(cls, reply: list[object]) -> Claim:
        outcome, marked, waiting = reply[0], reply[1], reply[2]
        previous = reply[3] if len(reply) > 3 else None  # a Lua false (nil) may end the reply
        assert isinstance(outcome, bytes) and isinstance(marked, int) and isinstance(waiting, int)  # noqa: S101
        return cls(outcome.decode(), bool(marked), waiting, previous if isinstance(previous, bytes) else None)
