"""How many pull_request deliveries per second can the webhook endpoint take in, and how fast does it answer?

Run by hand:  .venv/bin/python bench/bench_webhook.py [--connections 1,16] [--requests 10000] [--seconds 15]

Starts the real app (`bot.web.create_app`) in a child process on 127.0.0.1, with a webhook
secret, an app id, a throwaway RSA key, the real `InProcessQueue` and `workers=0`: every
delivery is verified, parsed, routed and queued, and nothing ever calls GitHub. This process
then posts signed `pull_request` `synchronize` deliveries (the real example payload, with a new
head sha, PR number and delivery id each time so that every one is queued, not deduplicated)
over N concurrent keep-alive connections, for a bounded count and time per round.

Printed per round: deliveries per second accepted (202 and queued), p50/p99/max time to the
acknowledgement as the client sees it. At the end the server reports its queue length, which
must equal the number of accepted deliveries. Loopback only; stops by itself.

Flood mode:  .venv/bin/python bench/bench_webhook.py --flood [--slow-bodies 60] [--slowloris 1100]
             [--seconds 20] [--nofile 1024] [--tree DIR]

Runs `review-bot serve` itself (`python -m bot serve` from DIR, default this checkout, so an older
tree can be measured the same way) under `prlimit --nofile`, then floods it with unauthenticated
clients: bodies that declare 24 MB and arrive slowly, and slow-loris connections that never finish
their headers. Printed: the server's RSS before, at its peak and after, how the slow bodies were
answered, and /health latency (a new connection every 0.25 s) during the flood.

Ingest mode (issue 10's scenario):  .venv/bin/python bench/bench_webhook.py --ingest [--rate 500]
             [--seconds 15] [--wrk-connections 50] [--review-prs 400] [--keep]

wrk posts signed deliveries of distinct PRs at about --rate per second to `review-bot serve`
(REDIS_URL set: it verifies, dedupes and queues into Redis) while two `review-bot worker`
processes keep both cores busy reviewing real PRs against the GitHub double. Printed: the rate
reached, acknowledgement p50/p90/p99/max, errors, and the cores the workers used meanwhile.
bench/ingest.py has the set-up and how the rate is held (wrk has no rate option).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import hmac
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

import aiohttp

from rawtools import percentile

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path("github-webhooks/pull_request/synchronize.json")
FIXTURE_DIRS = (ROOT / "tests/fixtures", Path("/work/shared/fixtures"))
SECRET = "bench-webhook-secret"  # noqa: S105 - a throwaway secret for a loopback benchmark
SHA_MARK = "f" * 40
NUMBER_MARK = 1_987_654_321
SERVER_LIFETIME = 600.0  # the server stops by itself after this long, whatever happens here


def throwaway_key() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


# --- the server, in its own process so that it does not share a core with the load generator


def serve(conn: Connection, private_key: str) -> None:
    asyncio.run(_serve(conn, private_key))


async def _serve(conn: Connection, private_key: str) -> None:
    from aiohttp import web

    from bot.config import Settings
    from bot.queue import InProcessQueue
    from bot.web import create_app

    settings = Settings(app_id="1", private_key=private_key, webhook_secret=SECRET, workers=0)
    queue = InProcessQueue()
    runner = web.AppRunner(create_app(settings, queue=queue), access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        conn.send(port)
        loop = asyncio.get_running_loop()
        # Wait for "stop" without blocking the loop; give up after SERVER_LIFETIME in any case.
        await loop.run_in_executor(None, conn.poll, SERVER_LIFETIME)
        conn.send({"pending": queue.pending_count()})
    finally:
        await runner.cleanup()


# --- the load generator


@dataclass
class Round:
    connections: int
    accepted: int = 0
    rejected: dict[str, int] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    elapsed: float = 0.0


class Deliveries:
    """Signed pull_request deliveries, each with a head sha, PR number and delivery id of its own."""

    def __init__(self, fixture: Path) -> None:
        data = json.loads(fixture.read_bytes())
        data["pull_request"]["head"]["sha"] = SHA_MARK
        data["after"] = SHA_MARK
        data["number"] = data["pull_request"]["number"] = NUMBER_MARK
        self.template = json.dumps(data)
        self.count = 0

    def next(self) -> tuple[bytes, dict[str, str]]:
        self.count += 1
        sha = hashlib.sha1(str(self.count).encode()).hexdigest()  # noqa: S324 - a made-up commit id
        # A new PR number too: a newer head of the same PR would replace the queued one, and the
        # point is to see every accepted delivery waiting in the queue.
        body = self.template.replace(SHA_MARK, sha).replace(str(NUMBER_MARK), str(self.count)).encode()
        signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "GitHub-Hookshot/bench",
            "X-GitHub-Event": "pull_request",
            "X-GitHub-Delivery": str(uuid.uuid4()),
            "X-Hub-Signature-256": signature,
        }
        return body, headers


async def load(url: str, deliveries: Deliveries, connections: int, requests: int, seconds: float) -> Round:
    result = Round(connections=connections)
    connector = aiohttp.TCPConnector(limit=connections)
    timeout = aiohttp.ClientTimeout(total=30)
    deadline = time.perf_counter() + seconds
    remaining = requests

    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

        async def sender() -> None:
            nonlocal remaining
            while remaining > 0 and time.perf_counter() < deadline:
                remaining -= 1
                body, headers = deliveries.next()
                started = time.perf_counter()
                async with session.post(url, data=body, headers=headers) as response:
                    answer = await response.read()
                result.latencies.append(time.perf_counter() - started)
                delivery = headers["X-GitHub-Delivery"]
                if response.status == 202 and json.loads(answer).get("accepted") == delivery:
                    result.accepted += 1
                else:
                    key = f"{response.status} {answer[:80].decode(errors='replace')}"
                    result.rejected[key] = result.rejected.get(key, 0) + 1

        started = time.perf_counter()
        await asyncio.gather(*(sender() for _ in range(connections)))
        result.elapsed = time.perf_counter() - started
    return result


def report(r: Round) -> None:
    ms = [v * 1000 for v in r.latencies]
    print(
        f"{r.connections:>4} conn  {len(r.latencies):>6} sent  {r.accepted:>6} accepted  "
        f"{r.accepted / r.elapsed:8.0f} deliveries/s  "
        f"p50 {statistics.median(ms):6.2f} ms  p99 {percentile(ms, 0.99):6.2f} ms  max {max(ms):7.2f} ms"
    )
    for reason, count in r.rejected.items():
        print(f"      not accepted x{count}: {reason}")


def find_fixture() -> Path:
    for folder in FIXTURE_DIRS:
        if (folder / FIXTURE).is_file():
            return folder / FIXTURE
    raise SystemExit(f"bench_webhook: {FIXTURE} not found under {', '.join(map(str, FIXTURE_DIRS))}")


async def run_rounds(url: str, args: argparse.Namespace, deliveries: Deliveries) -> int:
    """Run the rounds; return how many deliveries were accepted in all (warm-up included)."""
    warm_up = await load(url, deliveries, 4, 200, 10.0)
    for reason, count in warm_up.rejected.items():
        print(f"warm-up: not accepted x{count}: {reason}")
    accepted = warm_up.accepted
    for connections in args.connections:
        r = await load(url, deliveries, connections, args.requests, args.seconds)
        report(r)
        accepted += r.accepted
    return accepted


# --- flood mode: unauthenticated slow clients against `review-bot serve`

FLOOD_BODY = 24 * 1024 * 1024
FLOOD_CHUNK = 64 * 1024


def rss_mib(pid: int) -> tuple[float, float]:
    """The process's resident memory now and at its peak (VmRSS, VmHWM), in MiB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return values.get("VmRSS", 0.0), values.get("VmHWM", 0.0)


def start_serve(tree: Path, port: int, nofile: int) -> subprocess.Popen[bytes]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),  # noqa: S108 - HOME for a child, nothing written
        "GITHUB_APP_ID": "1",
        "GITHUB_PRIVATE_KEY": throwaway_key(),
        "GITHUB_WEBHOOK_SECRET": SECRET,
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(tree),
    }
    argv = ["prlimit", f"--nofile={nofile}", "--", sys.executable, "-m", "bot", "serve"]
    argv += ["--host", "127.0.0.1", "--port", str(port)]
    return subprocess.Popen(argv, cwd=tree, env=env, stdout=subprocess.DEVNULL)


async def slow_body(port: int, n: int, rate: float, deadline: float, answers: dict[str, int]) -> None:
    """Declare a 24 MB body, send all but its last byte at ``rate`` bytes/s, then hold on."""
    head = (
        f"POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {FLOOD_BODY}\r\nX-GitHub-Event: pull_request\r\nX-GitHub-Delivery: flood-{n}\r\n"
        f"X-Hub-Signature-256: sha256={'0' * 64}\r\n\r\n"
    ).encode()
    answer = "no answer"
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError as exc:
        answers[f"connect failed: {type(exc).__name__}"] = (
            answers.get(f"connect failed: {type(exc).__name__}", 0) + 1
        )
        return
    status = asyncio.create_task(reader.readline())
    try:
        writer.write(head)
        sent, chunk = 0, b" " * FLOOD_CHUNK
        while sent < FLOOD_BODY - 1 and time.monotonic() < deadline and not status.done():
            size = min(FLOOD_CHUNK, FLOOD_BODY - 1 - sent)
            writer.write(chunk[:size])
            await writer.drain()
            sent += size
            await asyncio.sleep(size / rate)
        remaining = deadline - time.monotonic()
        if remaining > 0:
            await asyncio.wait([status], timeout=remaining)
    except OSError:
        pass
    if status.done() and not status.cancelled() and status.exception() is None:
        line = status.result().decode(errors="replace").split()
        answer = line[1] if len(line) > 1 else "closed without an answer"
    status.cancel()
    writer.close()
    answers[answer] = answers.get(answer, 0) + 1


async def slowloris(port: int, deadline: float, counts: dict[str, int]) -> None:
    """Open a connection and send request headers a byte a second, never finishing them."""
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        counts["connect failed"] = counts.get("connect failed", 0) + 1
        return
    counts["opened"] = counts.get("opened", 0) + 1
    try:
        writer.write(b"POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        while time.monotonic() < deadline and not reader.at_eof():
            writer.write(b"a")
            await writer.drain()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(reader.read(1), timeout=1.0)
    except OSError:
        pass
    if reader.at_eof():
        counts["closed by the server"] = counts.get("closed by the server", 0) + 1
    writer.close()


async def probe_health(port: int, deadline: float, latencies: list[float], failures: dict[str, int]) -> None:
    timeout = aiohttp.ClientTimeout(total=5)
    while time.monotonic() < deadline:
        started = time.perf_counter()
        try:  # a new connection each time, as a load balancer's health check makes
            async with aiohttp.ClientSession(timeout=timeout) as session:
                async with session.get(f"http://127.0.0.1:{port}/health") as response:
                    await response.read()
                    if response.status == 200:
                        latencies.append(time.perf_counter() - started)
                    else:
                        failures[str(response.status)] = failures.get(str(response.status), 0) + 1
        except (aiohttp.ClientError, TimeoutError) as exc:
            failures[type(exc).__name__] = failures.get(type(exc).__name__, 0) + 1
        await asyncio.sleep(0.25)


async def flood(args: argparse.Namespace, pid: int, port: int) -> None:
    before = rss_mib(pid)[0]
    print(f"server: review-bot serve from {args.tree}, pid {pid}, nofile {args.nofile}")
    print(f"RSS before: {before:7.1f} MiB")
    deadline = time.monotonic() + args.seconds
    rate = FLOOD_BODY / (args.seconds * 0.6)  # most of each body arrives, then the client hangs on
    answers: dict[str, int] = {}
    loris: dict[str, int] = {}
    latencies: list[float] = []
    failures: dict[str, int] = {}
    peak = before

    async def sample() -> None:
        nonlocal peak
        while time.monotonic() < deadline:
            peak = max(peak, rss_mib(pid)[0])
            await asyncio.sleep(0.2)

    tasks = [
        asyncio.create_task(slow_body(port, n, rate, deadline, answers)) for n in range(args.slow_bodies)
    ]
    for start in range(0, args.slowloris, 100):  # a few hundred at a time: the client's own accept queue
        tasks += [
            asyncio.create_task(slowloris(port, deadline, loris))
            for _ in range(start, min(start + 100, args.slowloris))
        ]
        await asyncio.sleep(0.05)
    tasks += [
        asyncio.create_task(probe_health(port, deadline, latencies, failures)),
        asyncio.create_task(sample()),
    ]
    await asyncio.gather(*tasks)
    await asyncio.sleep(3)  # let the server close what the clients left
    after, hwm = rss_mib(pid)
    print(f"RSS peak:   {max(peak, hwm):7.1f} MiB (sampled {peak:.1f}, VmHWM {hwm:.1f})")
    print(f"RSS after:  {after:7.1f} MiB (3 s after the flood)")
    print(
        f"slow 24 MB bodies ({args.slow_bodies}): "
        + ", ".join(f"{k} x{v}" for k, v in sorted(answers.items()))
    )
    print(
        f"slow-loris connections ({args.slowloris}): "
        + ", ".join(f"{k} x{v}" for k, v in sorted(loris.items()))
    )
    if latencies:
        ms = [v * 1000 for v in latencies]
        print(
            f"/health during the flood: {len(ms)} answered, p50 {statistics.median(ms):.1f} ms, "
            f"p99 {percentile(ms, 0.99):.1f} ms, max {max(ms):.1f} ms"
        )
    print("/health failures: " + (", ".join(f"{k} x{v}" for k, v in failures.items()) or "none"))


def run_flood(args: argparse.Namespace) -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = start_serve(args.tree, port, args.nofile)
    try:
        from ingest import wait_ready

        asyncio.run(wait_ready(port, "/health", 60, server))
        asyncio.run(flood(args, server.pid, port))
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--connections",
        type=lambda s: [int(n) for n in s.split(",")],
        default=[1, 16],
        help="comma-separated concurrent connections, one round each (default 1,16)",
    )
    parser.add_argument("--requests", type=int, default=10000, help="deliveries per round at most")
    parser.add_argument("--seconds", type=float, default=15.0, help="seconds per round at most")
    parser.add_argument("--flood", action="store_true", help="flood `review-bot serve` with slow clients")
    parser.add_argument("--slow-bodies", type=int, default=60, help="flood: slow 24 MB bodies")
    parser.add_argument(
        "--slowloris", type=int, default=1100, help="flood: connections never done with headers"
    )
    parser.add_argument("--nofile", type=int, default=1024, help="flood: the server's file descriptor limit")
    parser.add_argument("--tree", type=Path, default=ROOT, help="flood: the checkout whose `bot` is served")
    parser.add_argument("--ingest", action="store_true", help="wrk against serve + Redis, workers busy")
    parser.add_argument("--rate", type=float, default=500.0, help="ingest: deliveries per second asked")
    parser.add_argument("--wrk-connections", type=int, default=50, help="ingest: wrk's connections")
    parser.add_argument(
        "--review-prs",
        type=int,
        default=400,
        help="ingest: PRs reviewed (0: no workers); enough to outlast both runs",
    )
    parser.add_argument("--receivers", type=int, default=1, help="ingest: `serve` processes on one port")
    parser.add_argument("--worker-slots", type=int, default=2, help="ingest: reviews at a time per worker")
    parser.add_argument(
        "--no-floor", dest="floor", action="store_false", help="ingest: skip the bare endpoint's run"
    )
    parser.add_argument("--keep", action="store_true", help="ingest: keep the folder with the logs")
    args = parser.parse_args()
    if args.flood:
        return run_flood(args)
    if args.ingest:
        from ingest import run_ingest

        return run_ingest(args, find_fixture(), SECRET)

    deliveries = Deliveries(find_fixture())
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe()
    server = ctx.Process(target=serve, args=(child, throwaway_key()), daemon=True)
    server.start()
    try:
        if not parent.poll(60):
            raise SystemExit("bench_webhook: the server did not start within 60 s")
        port = parent.recv()
        print(f"server: bot.web.create_app on 127.0.0.1:{port}, workers=0, InProcessQueue (own process)")
        print(
            f"cores: {os.cpu_count()}    payload: {len(deliveries.template)} bytes, pull_request synchronize"
        )
        expected = asyncio.run(run_rounds(f"http://127.0.0.1:{port}/webhook", args, deliveries))
        parent.send("stop")
        state = parent.recv() if parent.poll(30) else {}
        pending = state.get("pending")
        verdict = "as expected" if pending == expected else f"EXPECTED {expected}"
        print(f"queue: {pending} review jobs waiting after {deliveries.count} deliveries ({verdict})")
    finally:
        server.join(timeout=30)
        if server.is_alive():
            server.terminate()
            server.join(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
