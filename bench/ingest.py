"""bench_webhook.py --ingest: webhook acknowledgements under wrk while two workers review.

Not a benchmark itself (bench_webhook.py runs it). The parts, all on 127.0.0.1:

- a throwaway redis-server;
- the GitHub double (tests/ghdouble), in a child process, serving one repository with
  ``--review-prs`` small pull requests (bench_throughput.py's small PR each);
- `review-bot serve` with REDIS_URL (the receiver role: verify, check the JSON, append to the
  intake) and two `review-bot worker` processes (one of them routes the intake into the review
  queue; ``--worker-slots`` reviews at a time each, 2 by default, with no per-installation
  limit: every PR here is of one installation), all three as a user starts them
  (``python -m bot``), against the double;
- first, one signed ``opened`` delivery per real PR: the high lane then holds enough real
  reviews to keep both workers (and so both cores) busy for the whole run;
- then wrk posts pre-signed ``synchronize`` deliveries, each for a PR of its own (a new PR number
  and head sha: every one is verified, parsed and queued, none deduplicated; they wait in the
  normal lane behind the real reviews). wrk cannot sign (its Lua has no HMAC), so the bodies are
  signed here beforehand and read by the script, one per request, never repeated.

The rate: wrk has no rate option (wrk2 has, and is not installed). Each connection waits a
random, exponentially distributed time with mean ``connections / rate`` seconds less 10 ms (room
for the answer itself) before each request (wrk's Lua ``delay()``): Poisson arrivals at about the
rate asked for while answers take about 10 ms or less (a fixed wait would send every connection's
request in the same instant). ``--receivers N`` starts N ``serve`` processes that share the port
(SERVER_REUSE_PORT): the kernel spreads wrk's connections over them.
Latency is wrk's, from each request sent to its answer; as with any closed-loop tool, a stall
delays the requests behind it without counting that wait (no coordinated-omission correction).
The script also writes each answer's send and answer times (CLOCK_MONOTONIC through LuaJIT's
FFI), and bench/machine_speed.py samples the machine's speed in a thread meanwhile: the answers
are then split into those in flight while the machine ran below half speed and the others.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from multiprocessing import get_context
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import aiohttp
import redis
from bench_throughput import build_repo

import machine_speed
from rawtools import free_port, percentile, process_tree_cpu, start_redis

ROOT = Path(__file__).resolve().parent.parent
APP_ID = 12345
INSTALLATION = 1
SLOW_COMMAND_US = 1000  # Redis's SLOWLOG threshold for the receiver's run
LATENCY_ROOM_MS = 10  # the wait before each request leaves this much for the answer itself
FAKE_PR_FROM = 1_000_000  # the wrk deliveries' PR numbers: none of them exists in the double
LUA = r"""
local ffi = require("ffi")  -- wrk's Lua is LuaJIT: CLOCK_MONOTONIC, the clock of bench/machine_speed.py
ffi.cdef[[ typedef struct { long sec; long nsec; } bench_ts; int clock_gettime(int, bench_ts *); ]]
local ts = ffi.new("bench_ts")
local function now() ffi.C.clock_gettime(1, ts); return tonumber(ts.sec) + tonumber(ts.nsec) * 1e-9 end
local sigs, ids, bodies, n, i, wait, sent, times = {}, {}, {}, 0, 0, 100, {}, nil
function init(args)
  wait = tonumber(args[2])
  for line in io.lines(args[1]) do
    local sig, id, body = line:match("^(%S+)\t(%S+)\t(.*)$")
    n = n + 1; sigs[n] = sig; ids[n] = id; bodies[n] = body
  end
  if args[3] then times = io.open(args[3], "w") end  -- each answer's (sent, answered) times
end
-- Exponential waits (mean `wait` ms): arrivals as a Poisson process, as independent senders
-- make them. A fixed wait keeps every connection in lockstep, so all of them arrive in the same
-- millisecond and the last one waits for the whole burst: a queue of the tool's own making.
function setup(thread) math.randomseed(os.time()) end
function delay() return math.floor(-math.log(1 - math.random()) * wait) end
function request()
  i = i + 1
  if i > n then i = 1 end
  if times then sent[ids[i]] = now() end  -- wrk builds each request just before it sends it
  return wrk.format("POST", "/webhook", {
    ["Content-Type"] = "application/json", ["User-Agent"] = "GitHub-Hookshot/bench",
    ["X-GitHub-Event"] = "pull_request", ["X-GitHub-Delivery"] = ids[i],
    ["X-Hub-Signature-256"] = sigs[i]}, bodies[i])
end
function response(status, headers, body)
  if not times then return end
  local id = body:match('"accepted": *"([^"]+)"')
  if id and sent[id] then
    times:write(string.format("%.6f %.6f\n", sent[id], now())); sent[id] = nil
  end
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d " ..
    "connect=%d read=%d write=%d timeout=%d non2xx=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.timeout, e.status))
end
"""


# --- the GitHub double, in its own process --------------------------------------------------------


def double_process(conn: Connection, repo: str, public_pem: str, prs: int, owner: str, name: str) -> None:
    # The double stands in for GitHub's servers, which do not share the bot's cores: it runs at
    # the lowest priority, so what it costs here is not taken from the receiver (its CPU is shown).
    os.nice(19)
    asyncio.run(_double(conn, Path(repo), public_pem, prs, owner, name))


async def _double(conn: Connection, repo: Path, public_pem: str, prs: int, owner: str, name: str) -> None:
    sys.path.insert(0, str(ROOT))
    from tests.ghdouble import GitHubDouble

    double = GitHubDouble(app_id=APP_ID, public_key_pem=public_pem)
    double.add_repo(owner, name, repo)
    double.add_installation(INSTALLATION, repos=[f"{owner}/{name}"])
    heads = {}
    for n in range(prs):
        data = double.add_pull(owner, name, n + 1, base="main", head=f"pr{n}")
        heads[n + 1] = (data["head"]["sha"], data["base"]["sha"])
    real = {head for head, _ in heads.values()}
    await double.start()
    conn.send({"url": double.base_url, "git": double.git_url(owner, name), "heads": heads})
    loop = asyncio.get_running_loop()
    while True:
        command = await loop.run_in_executor(None, conn.recv)
        if command == "stop":
            break
        # Only the real PRs' check runs: a wrk delivery's made-up head gets one too (its review
        # fails at the fetch, in milliseconds), and counting those would hide that the real
        # reviews ran out, leaving the cores idle.
        runs = [r for runs in double.check_runs.values() for r in runs if r["head_sha"] in real]
        conn.send({"completed": sum(r["status"] == "completed" for r in runs), "runs": len(runs)})
    await double.stop()


# --- deliveries -----------------------------------------------------------------------------------


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def payload(fixture: Path, number: int, head: str, base: str, clone_url: str, action: str) -> dict[str, Any]:
    data = json.loads(fixture.read_bytes())
    data["action"] = action
    data["number"] = data["pull_request"]["number"] = number
    data["pull_request"]["head"]["sha"] = head
    data["pull_request"]["base"]["sha"] = base
    data["pull_request"]["draft"] = False
    data["after"] = head
    data["repository"]["clone_url"] = clone_url
    data["installation"] = {"id": INSTALLATION, "node_id": "bench"}
    return data


def write_deliveries(path: Path, fixture: Path, secret: str, count: int, clone_url: str) -> int:
    """``count`` signed synchronize deliveries, one a line (signature, delivery id, body); the
    body's size in bytes."""
    base = hashlib.sha1(b"bench base").hexdigest()  # noqa: S324 - hex, as real ones are (no digit run)
    data = payload(fixture, FAKE_PR_FROM, "0" * 40, base, clone_url, "synchronize")
    template = json.dumps(data, separators=(",", ":"))
    size = 0
    with path.open("w") as out:
        for i in range(count):
            head = hashlib.sha1(f"bench {i}".encode()).hexdigest()  # noqa: S324 - a made-up commit id
            body = template.replace("0" * 40, head).replace(str(FAKE_PR_FROM), str(FAKE_PR_FROM + i))
            size = len(body)
            out.write(f"{sign(secret, body.encode())}\t{uuid.uuid4()}\t{body}\n")
    return size


async def post_opened(port: int, secret: str, bodies: list[bytes]) -> list[int]:
    async with aiohttp.ClientSession() as session:
        statuses = []
        for body in bodies:
            headers = {
                "Content-Type": "application/json",
                "X-GitHub-Event": "pull_request",
                "X-GitHub-Delivery": str(uuid.uuid4()),
                "X-Hub-Signature-256": sign(secret, body),
            }
            async with session.post(f"http://127.0.0.1:{port}/webhook", data=body, headers=headers) as r:
                statuses.append(r.status)
        return statuses


def run_wrk(args: Any, port: int, script: Path, deliveries: Path, wait_ms: int, times: Path) -> WrkRun:
    """One wrk run of the ingest script against ``port``: its RESULT line's figures, each answer's
    (sent, answered) times, and the machine's speed meanwhile (bench/machine_speed.py beside it)."""
    with machine_speed.Probe() as probe:
        wrk = subprocess.run(
            ["wrk", "-t1", f"-c{args.wrk_connections}", f"-d{args.seconds:g}s", "--timeout", "10s",
             "-s", str(script), f"http://127.0.0.1:{port}/webhook", "--", str(deliveries), str(wait_ms),
             str(times)],
            capture_output=True, text=True, timeout=args.seconds + 120, check=False,
        )  # fmt: skip
    found = re.search(r"RESULT (.*)", wrk.stdout)
    if wrk.returncode != 0 or found is None:
        raise SystemExit(f"bench_webhook: wrk failed ({wrk.returncode}): {wrk.stderr[-500:]}")
    figures = {k: int(v) for k, v in (kv.split("=") for kv in found.group(1).split())}
    answers = [(float(a), float(b)) for a, b in (line.split() for line in times.read_text().splitlines())]
    return WrkRun(figures, answers, probe.samples)


@dataclass
class WrkRun:
    figures: dict[str, int]  # wrk's own RESULT line
    answers: list[tuple[float, float]]  # (sent, answered), time.monotonic()
    speed: list[machine_speed.Sample]

    def __getitem__(self, key: str) -> int:
        return self.figures[key]

    def by_machine_speed(self) -> str:
        """The acknowledgements split by whether the machine ran below half speed while they were
        in flight: how much of the tail the host's slow moments make, whatever the bot does."""
        speed = machine_speed.summarize(self.speed)
        episodes = speed.episodes
        slow: list[float] = []
        rest: list[float] = []
        for sent, answered in self.answers:
            hit = any(sent < end and answered > start for start, end in episodes)
            (slow if hit else rest).append(1000 * (answered - sent))

        def figures(latencies: list[float]) -> str:
            if not latencies:
                return "none"
            p50, p99 = percentile(latencies, 0.50), percentile(latencies, 0.99)
            return f"{len(latencies)}, p50 {p50:.2f} ms, p99 {p99:.2f} ms"

        return (
            f"  machine: {speed.line()}\n"
            f"    acks in flight during those moments: {figures(slow)}\n"
            f"    the other acks: {figures(rest)}"
        )


async def wait_ready(port: int, path: str, seconds: float, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + seconds
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise SystemExit(f"bench_webhook: {proc.args!r} exited with {proc.returncode}")
            try:
                async with session.get(f"http://127.0.0.1:{port}{path}") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise SystemExit(f"bench_webhook: nothing answered {path} on port {port}")


# --- the run --------------------------------------------------------------------------------------


def key_pair() -> tuple[str, str]:
    """A throwaway App key: the private PEM for the bot, the public one for the double."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private.decode(), public.decode()


def children_cpu() -> float:
    """CPU seconds of this process's reaped children (wrk, once it has exited)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_ingest(args: Any, fixture: Path, secret: str) -> int:
    private_pem, public_pem = key_pair()
    owner_repo = json.loads(fixture.read_bytes())["repository"]
    owner, name = owner_repo["owner"]["login"], owner_repo["name"]
    tmp = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    procs: list[subprocess.Popen[bytes]] = []
    ctx = get_context("spawn")
    parent, child = ctx.Pipe()
    double = None
    redis_proc = None
    log = None
    try:
        build_repo(tmp / "repo", args.review_prs)
        redis_proc, redis_url = start_redis(tmp)
        double = ctx.Process(
            target=double_process,
            args=(child, str(tmp / "repo"), public_pem, args.review_prs, owner, name),
            daemon=True,
        )
        double.start()
        if not parent.poll(120):
            raise SystemExit("bench_webhook: the GitHub double did not start")
        world = parent.recv()
        config = tmp / "service.yaml"
        config.write_text(
            f"server:\n  workers: {args.worker_slots}\n  reconcile_interval: 0\n"
            # Every PR here is of one installation: without this, two reviews at a time in all
            # (the default per-installation limit), and the workers' slots would sit idle.
            "  per_installation_concurrency: 0\n"
            "rate_limiting:\n  mutation_interval_seconds: 0.02\n"  # GitHub's 1 s pacing: workers idle
        )
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(tmp),
            "GITHUB_APP_ID": str(APP_ID),
            "GITHUB_PRIVATE_KEY": private_pem,
            "GITHUB_WEBHOOK_SECRET": secret,
            "GITHUB_API_URL": world["url"],
            "REDIS_URL": redis_url,
            "REVIEW_BOT_CONFIG": str(config),
            "LOG_LEVEL": "WARNING",
        }
        receiver_port = free_port()
        bot = [sys.executable, "-m", "bot"]
        log = (tmp / "bot.log").open("wb")
        # Several receivers share the port (SO_REUSEPORT): the kernel spreads connections over them.
        for _ in range(args.receivers):
            procs.append(
                subprocess.Popen(
                    [*bot, "serve", "--host", "127.0.0.1", "--port", str(receiver_port)],
                    cwd=ROOT,
                    env={**env, "METRICS_PORT": str(free_port()), "SERVER_REUSE_PORT": "1"},
                    stdout=subprocess.DEVNULL,
                    stderr=log,
                )
            )
        receivers = procs[: args.receivers]
        # --review-prs 0: the receiver alone, no worker and no review (the baseline).
        worker_ports = [free_port(), free_port()] if args.review_prs else []
        for port in worker_ports:
            procs.append(
                subprocess.Popen(
                    [*bot, "worker", "--host", "127.0.0.1", "--port", str(port)],
                    cwd=ROOT,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=log,
                )
            )
        for proc in receivers:
            asyncio.run(wait_ready(receiver_port, "/ready", 60, proc))
        for port, proc in zip(worker_ports, procs[args.receivers :], strict=True):
            asyncio.run(wait_ready(port, "/ready", 60, proc))
        opened = [
            json.dumps(payload(fixture, number, head, base, world["git"], "opened")).encode()
            for number, (head, base) in sorted(world["heads"].items())
        ]
        statuses = asyncio.run(post_opened(receiver_port, secret, opened))
        if opened and set(statuses) != {202}:
            raise SystemExit(f"bench_webhook: the real PRs' deliveries were answered {sorted(set(statuses))}")
        deliveries = tmp / "deliveries.tsv"
        count = int(args.rate * args.seconds * 1.2) + 100
        size = write_deliveries(deliveries, fixture, secret, count, world["git"])
        (tmp / "ingest.lua").write_text(LUA)

        def completed() -> int:
            parent.send("count")
            return int(parent.recv()["completed"])

        deadline = time.monotonic() + 120
        while worker_ports and completed() < 1:  # the workers are reviewing: both cores busy
            if time.monotonic() > deadline:
                raise SystemExit(f"bench_webhook: no review finished; see {tmp / 'bot.log'}")
            time.sleep(0.2)
        # Each connection sends, waits for the answer, then waits `wait_ms` on average: the rate
        # reached is connections / (wait + latency), so the wait leaves room for a 10 ms answer.
        wait_ms = max(1, round(1000 * args.wrk_connections / args.rate - LATENCY_ROOM_MS))
        others = {"the GitHub double": double.pid, "redis-server": redis_proc.pid}
        floor = None
        if args.floor:  # first, the workers reviewing: the same wrk on a bare endpoint
            bare_port = free_port()
            bare = subprocess.Popen(
                [sys.executable, str(Path(__file__).with_name("bare_webhook.py")), str(bare_port), secret],
                stdout=subprocess.DEVNULL, stderr=log,
            )  # fmt: skip
            try:
                asyncio.run(wait_ready(bare_port, "/", 30, bare))
                floor_reviewed0 = completed()
                floor = run_wrk(args, bare_port, tmp / "ingest.lua", deliveries, wait_ms, tmp / "floor.times")
                floor_reviewed = completed() - floor_reviewed0
            finally:
                bare.terminate()
                bare.wait(timeout=30)
        slow_log = redis.Redis.from_url(redis_url)
        slow_log.config_set("slowlog-log-slower-than", SLOW_COMMAND_US)
        slow_log.config_set("slowlog-max-len", 100_000)
        slow_log.slowlog_reset()
        others_cpu0 = {name: process_tree_cpu(pid) for name, pid in others.items() if pid}
        wrk_cpu0 = children_cpu()
        cpu0 = [process_tree_cpu(p.pid) for p in procs]
        intake = "review-bot:intake"  # the receivers' appends, routed by a worker (bot/delivery.py)
        intake0 = slow_log.xlen(intake)
        done0, wall0 = completed(), time.monotonic()
        load0 = Path("/proc/loadavg").read_text().split()[:3]
        r = run_wrk(args, receiver_port, tmp / "ingest.lua", deliveries, wait_ms, tmp / "receiver.times")
        wall = time.monotonic() - wall0
        cpu = [process_tree_cpu(p.pid) - c for p, c in zip(procs, cpu0, strict=True)]
        others_cpu = {name: process_tree_cpu(others[name]) - c for name, c in others_cpu0.items()}
        others_cpu["wrk"] = children_cpu() - wrk_cpu0  # the only child reaped meanwhile
        receiver_cpu = sum(cpu[: args.receivers])
        slow = slow_log.slowlog_get(100_000)
        intake_left = slow_log.xlen(intake)
        slow_log.close()
        done = completed()
        reviewed = done - done0
        rate = r["requests"] / (r["duration_us"] / 1e6)
        print(f"load before: {load0}    cores: {os.cpu_count()}    body: {size} bytes, distinct PRs")
        print(
            f"wrk -t1 -c{args.wrk_connections} -d{args.seconds:g}s, each connection waiting {wait_ms} ms "
            f"before each request (asked: {args.rate:g}/s)"
        )
        print(
            f"  {r['requests']} deliveries in {r['duration_us'] / 1e6:.1f} s = {rate:.0f}/s    "
            f"ack p50 {r['p50_us'] / 1000:.2f} ms  p90 {r['p90_us'] / 1000:.2f} ms  "
            f"p99 {r['p99_us'] / 1000:.2f} ms  max {r['max_us'] / 1000:.1f} ms"
        )
        print(
            f"  errors: non-2xx {r['non2xx']}, connect {r['connect']}, read {r['read']}, "
            f"write {r['write']}, timeout {r['timeout']}"
        )
        print(
            f"meanwhile: {len(worker_ports)} workers used {sum(cpu[args.receivers :]) / wall:.2f} cores "
            f"(their analyzers included) and finished {reviewed} reviews ({args.review_prs - done} still "
            f"waiting); {args.receivers} receiver(s) used {receiver_cpu / wall:.2f} cores"
        )
        print("  and " + ", ".join(f"{name} {c / wall:.2f} cores" for name, c in others_cpu.items()))
        if worker_ports and done >= args.review_prs:
            print(
                f"  WARNING: all {args.review_prs} real reviews were done before the run ended, so the "
                "workers did not keep both cores busy throughout: run again with more --review-prs"
            )
        routed = r["requests"] + intake0 - intake_left
        print(
            f"intake: {intake0} deliveries waiting before, {intake_left} after; the workers routed "
            f"{routed} meanwhile ({routed / wall:.0f}/s)"
        )
        # A command is microseconds inside Redis; one that took milliseconds there was interrupted
        # (descheduled), and holds up every delivery whose commands share its round trip.
        longest = max((entry["duration"] for entry in slow), default=0) / 1000
        print(
            f"redis-server: {len(slow)} commands took over {SLOW_COMMAND_US / 1000:g} ms inside Redis "
            f"(SLOWLOG; longest {longest:.1f} ms)"
        )
        # The figure that holds on a shared machine: latency depends on what else runs, this less.
        per_delivery = 1000 * receiver_cpu / max(1, r["requests"])
        print(f"receiver CPU per delivery: {per_delivery:.3f} ms (its rusage / deliveries)")
        print(r.by_machine_speed())
        if floor is not None:
            print(
                f"floor: a bare aiohttp endpoint (verify + parse, no Redis; bench/bare_webhook.py), the "
                f"same wrk just before ({floor_reviewed} reviews finished meanwhile):\n"
                f"  ack p50 {floor['p50_us'] / 1000:.2f} ms  p90 {floor['p90_us'] / 1000:.2f} ms  "
                f"p99 {floor['p99_us'] / 1000:.2f} ms  max {floor['max_us'] / 1000:.1f} ms    "
                f"receiver / floor: p50 {r['p50_us'] / max(1, floor['p50_us']):.1f}x, "
                f"p99 {r['p99_us'] / max(1, floor['p99_us']):.1f}x"
            )
            print(floor.by_machine_speed())
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if double is not None:
            if double.is_alive():
                parent.send("stop")
            double.join(timeout=30)
            if double.is_alive():
                double.terminate()
        if redis_proc is not None:
            redis_proc.terminate()
            redis_proc.wait(timeout=10)
        if log is not None:
            log.close()
        if args.keep:
            print(f"kept: {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0
