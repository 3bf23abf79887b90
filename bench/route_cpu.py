"""A worker's CPU per delivery it routes from the intake, and how fast it routes them.

    .venv/bin/python bench/route_cpu.py [--deliveries 3000] [--batch 32]

With REDIS_URL a receiver only appends each verified delivery to the intake; a worker routes
it (bot/delivery.py: parse, payload models, the review queue's claim and enqueue). This starts
a worker app (create_app, role "worker", no review slots, so nothing but routing runs in it)
in a child process against a throwaway redis-server, appends signed ``synchronize`` deliveries
of distinct PRs (the bodies of bench_webhook.py --ingest) as a receiver does, and reads the
child's CPU time from /proc until the intake is empty. ``--batch`` is the router's read size
(bot/delivery.py's READ_COUNT). bench/receiver_cpu.py measures the receiver's side.

It also prints the Redis memory one waiting delivery takes (entry and redelivery mark, from
``used_memory``), for what receivers append (``routing_part``) and for the whole body, under a
prefix no worker reads: what a full intake (``intake_max`` deliveries) would hold.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from dataclasses import replace
from multiprocessing.connection import Connection
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def worker(redis_url: str, batch: int, conn: Connection) -> None:
    sys.path.insert(0, str(ROOT))
    asyncio.run(_worker(redis_url, batch, conn))  # a worker's loop (bot/cli.py runs it so)


async def _worker(redis_url: str, batch: int, conn: Connection) -> None:
    from aiohttp import web

    from bot import delivery
    from bot.web import create_app
    from tests.e2e import bot_settings

    delivery.READ_COUNT = batch
    base = bot_settings("http://127.0.0.1:9")
    settings = replace(base, redis_url=redis_url, workers=0, reconcile_interval=0)
    runner = web.AppRunner(create_app(settings, role="worker"))
    await runner.setup()  # starts the router (bot/web.py's intake_ctx)
    conn.send("up")
    await asyncio.get_running_loop().run_in_executor(None, conn.recv)
    await runner.cleanup()


async def append_all(redis_url: str, count: int, *, prefix: str = "review-bot", whole: bool = False) -> float:
    """Append ``count`` deliveries as receivers do (what the handlers read of each, or the whole
    body, concurrently, group-committed); the seconds taken."""
    from receiver_cpu import deliveries

    from bot.queue.redis import RedisReviewQueue
    from bot.queue.redis_upkeep import RedisQueueOptions
    from bot.webhook_intake import routing_part
    from tests.e2e import SECRET

    queue = RedisReviewQueue.from_url(redis_url, RedisQueueOptions(prefix=prefix))
    intake = queue.intake()
    items = deliveries(count, SECRET)
    started = time.monotonic()
    for start in range(0, count, 100):  # 100 in flight, as busy receivers would have
        chunk = items[start : start + 100]
        parts = [body if whole else routing_part("pull_request", body) for body, _, _ in chunk]
        await asyncio.gather(
            *(
                intake.append("pull_request", d, part, "")
                for part, (_, _, d) in zip(parts, chunk, strict=True)
            )
        )
    took = time.monotonic() - started
    await queue.aclose()
    return took


async def memory_per_entry(redis_url: str, count: int, *, whole: bool) -> float:
    """Redis bytes per waiting delivery, appended under a prefix no worker reads, then deleted."""
    import redis.asyncio as redis

    client = redis.Redis.from_url(redis_url)
    try:
        before = (await client.info("memory"))["used_memory"]
        await append_all(redis_url, count, prefix="unread", whole=whole)
        after = (await client.info("memory"))["used_memory"]
        await client.delete("unread:intake", *[key async for key in client.scan_iter("unread:*", count=1000)])
        return (after - before) / count
    finally:
        await client.aclose()


async def wait_empty(redis_url: str, deadline: float) -> None:
    import redis.asyncio as redis

    client = redis.Redis.from_url(redis_url)
    try:
        while await client.xlen("review-bot:intake") > 0:
            if time.monotonic() > deadline:
                raise SystemExit("route_cpu: the intake was not routed in time")
            await asyncio.sleep(0.02)
    finally:
        await client.aclose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deliveries", type=int, default=3000)
    parser.add_argument("--batch", type=int, default=32, help="deliveries the router reads at a time")
    args = parser.parse_args()
    sys.path[:0] = [str(ROOT / "bench"), str(ROOT)]
    from receiver_cpu import child_beside_redis, cpu_seconds

    def worker_args(redis_url: str, conn: Connection) -> tuple[object, ...]:
        return (redis_url, args.batch, conn)

    with child_beside_redis("route_cpu", worker, worker_args) as (proc, parent, redis_url):
        asyncio.run(append_all(redis_url, 200))  # warm: imports, scripts, connections
        asyncio.run(wait_empty(redis_url, time.monotonic() + 120))
        cpu0, wall0 = cpu_seconds(proc.pid), time.monotonic()
        appending = asyncio.run(append_all(redis_url, args.deliveries))
        asyncio.run(wait_empty(redis_url, time.monotonic() + 600))
        wall, cpu = time.monotonic() - wall0, cpu_seconds(proc.pid) - cpu0
        load = Path("/proc/loadavg").read_text().split()[:3]
        print(
            f"{args.deliveries} deliveries appended in {appending:.2f} s, "
            f"routed by one worker in {wall:.2f} s "
            f"({args.deliveries / wall:.0f}/s), read {args.batch} at a time, load {' '.join(load)}: "
            f"{1000 * cpu / args.deliveries:.3f} CPU-ms per delivery routed"
        )
        parent.send("stop")
        part = asyncio.run(memory_per_entry(redis_url, 2000, whole=False))
        whole = asyncio.run(memory_per_entry(redis_url, 2000, whole=True))
        print(
            f"Redis memory per waiting delivery (entry + redelivery mark): {part / 1024:.2f} KiB as "
            f"appended (what the handlers read), {whole / 1024:.2f} KiB with the whole body; "
            f"a full intake of 100,000: {part * 1e5 / 2**20:.0f} MiB, against {whole * 1e5 / 2**20:.0f} MiB"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
