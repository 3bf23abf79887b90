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
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import multiprocessing
import os
import statistics
import sys
import time
import uuid
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

import aiohttp

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


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


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
    args = parser.parse_args()

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
