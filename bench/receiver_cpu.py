"""The receiver's CPU per delivery, alone, and where it goes (cProfile).

    .venv/bin/python bench/receiver_cpu.py [--deliveries 3000] [--concurrency 10] [--profile out.prof]

The receiver app (create_app, role "receiver", against a throwaway redis-server) runs in a
child process; this one posts signed ``synchronize`` deliveries of distinct PRs (the bodies of
bench_webhook.py --ingest) with a fixed number in flight, and reads the child's CPU time from
/proc before and after. Unlike the wrk run it needs no GitHub double and no workers, and it
counts the receiver alone, so the figure moves little with the machine's load.
``--loop asyncio`` runs it on the standard event loop instead of uvloop (what `serve` uses for a
receiver). ``--tree`` measures another checkout (a copy from before a change) with the same client.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import hashlib
import json
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from multiprocessing import get_context
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent


def receiver(tree: str, redis_url: str, port: int, profile: str, loop: str, conn: Connection) -> None:
    sys.path.insert(0, tree)
    if loop == "uvloop":  # as `review-bot serve` runs a receiver (bot/cli.py)
        import uvloop

        uvloop.run(_receiver(redis_url, port, profile, conn))
    else:
        asyncio.run(_receiver(redis_url, port, profile, conn))


async def _receiver(redis_url: str, port: int, profile: str, conn: Connection) -> None:
    from bot.web import create_app, start_server
    from tests.e2e import bot_settings

    settings = replace(bot_settings("http://127.0.0.1:9"), redis_url=redis_url, workers=0)
    runner = await start_server(create_app(settings, role="receiver"), settings, "127.0.0.1", port)
    conn.send("up")
    loop = asyncio.get_running_loop()
    profiler = cProfile.Profile() if profile else None
    await loop.run_in_executor(None, conn.recv)  # the measured part starts
    if profiler:
        profiler.enable()
    await loop.run_in_executor(None, conn.recv)
    if profiler:
        profiler.disable()
        profiler.dump_stats(profile)
    await runner.cleanup()


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def deliveries(count: int, secret: str) -> list[tuple[bytes, str, str]]:
    from bench_webhook import find_fixture
    from ingest import FAKE_PR_FROM, payload, sign

    base = hashlib.sha1(b"bench base").hexdigest()  # noqa: S324 - a made-up commit id
    data = payload(find_fixture(), FAKE_PR_FROM, "0" * 40, base, "http://127.0.0.1:9/x.git", "synchronize")
    template = json.dumps(data, separators=(",", ":"))
    made = []
    for i in range(count):
        head = hashlib.sha1(f"bench {i}".encode()).hexdigest()  # noqa: S324 - a made-up commit id
        body = template.replace("0" * 40, head).replace(str(FAKE_PR_FROM), str(FAKE_PR_FROM + i)).encode()
        made.append((body, sign(secret, body), str(uuid.uuid4())))
    return made


async def post_all(port: int, items: list[tuple[bytes, str, str]], concurrency: int) -> None:
    gate = asyncio.Semaphore(concurrency)
    async with aiohttp.ClientSession() as session:

        async def post(body: bytes, signature: str, delivery: str) -> None:
            headers = {
                "Content-Type": "application/json",
                "X-GitHub-Event": "pull_request",
                "X-GitHub-Delivery": delivery,
                "X-Hub-Signature-256": signature,
            }
            url = f"http://127.0.0.1:{port}/webhook"
            async with gate, session.post(url, data=body, headers=headers) as r:
                await r.read()
                if r.status != 202:
                    raise SystemExit(f"receiver_cpu: a delivery was answered {r.status}")

        await asyncio.gather(*(post(*item) for item in items))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deliveries", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=10, help="deliveries in flight")
    parser.add_argument("--profile", default="", help="write the receiver's cProfile stats here")
    parser.add_argument(
        "--loop", choices=("uvloop", "asyncio"), default="uvloop", help="the receiver's event loop"
    )
    parser.add_argument("--tree", type=Path, default=ROOT, help="the checkout whose receiver is measured")
    args = parser.parse_args()
    sys.path[:0] = [str(ROOT / "bench"), str(ROOT)]
    from tests.e2e import SECRET

    from rawtools import free_port

    port = free_port()

    def receiver_args(redis_url: str, conn: Connection) -> tuple[object, ...]:
        return (str(args.tree.resolve()), redis_url, port, args.profile, args.loop, conn)

    with child_beside_redis("receiver_cpu", receiver, receiver_args) as (proc, parent, _):
        warm, measured = 300, deliveries(args.deliveries + 300, SECRET)
        asyncio.run(post_all(port, measured[:warm], args.concurrency))  # imports, scripts, pools
        parent.send("go")
        cpu0, wall0 = cpu_seconds(proc.pid), time.monotonic()
        asyncio.run(post_all(port, measured[warm:], args.concurrency))
        wall, cpu = time.monotonic() - wall0, cpu_seconds(proc.pid) - cpu0
        parent.send("stop")
        load = Path("/proc/loadavg").read_text().split()[:3]
        print(
            f"{args.deliveries} deliveries, {args.concurrency} in flight, load {' '.join(load)}: "
            f"receiver {1000 * cpu / args.deliveries:.3f} CPU-ms per delivery, {args.deliveries / wall:.0f}/s"
        )
    return 0


@contextlib.contextmanager
def child_beside_redis(
    name: str, target: Callable[..., None], make_args: Callable[[str, Connection], tuple[object, ...]]
) -> Iterator[tuple[BaseProcess, Connection, str]]:
    """A throwaway redis-server, and ``target`` in a spawned child (its arguments from the Redis
    URL and the child's end of a pipe) once it has sent "up": the child, this end, the URL.
    The child is joined (terminated past 30 s) and Redis stopped afterwards."""
    from rawtools import start_redis

    redis_proc, redis_url = start_redis(Path(tempfile.mkdtemp(prefix=f"{name}-")))
    ctx = get_context("spawn")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=target, args=make_args(redis_url, child))
    proc.start()
    try:
        if not parent.poll(120):
            raise SystemExit(f"{name}: the child process did not start")
        parent.recv()
        yield proc, parent, redis_url
    finally:
        proc.join(30)
        if proc.is_alive():
            proc.terminate()
        redis_proc.terminate()
        redis_proc.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
