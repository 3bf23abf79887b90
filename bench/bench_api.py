"""REST API latency at a fixed request rate: GET /api/v1/user/profile and GET /api/v1/analyses/{id}.

    python bench/bench_api.py [--rate 1000] [--seconds 6] [--connections 20]

The server is the real app (bot/web.py create_app: every middleware, the API's token check,
key-store lookup, per-minute limit and daily quota on the memory storage) in its own process,
with one finished analysis in the AnalysisService's store. wrk (4.x: no built-in rate) is paced
by a Lua ``delay()`` per connection: after a 2 s warm-up the delay is set so that
connections / (mean latency + delay) is the target rate. wrk runs one thread; it and the server
share the machine's cores. Prints p50/p95/p99 (ms) and the achieved rate per route as JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LUA = """
local pause = tonumber(os.getenv("BENCH_DELAY_MS") or "0")
delay = function() return pause end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"p50_us":%d,"p95_us":%d,"p99_us":%d,"mean_us":%.1f,' ..
    '"socket_errors":%d,"non_2xx":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.mean, e.connect + e.read + e.write + e.timeout, e.status))
end
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def serve(port: int, ready_file: str) -> None:
    """The server process: the real app with very high limits, one stored analysis."""
    from dataclasses import replace
    from datetime import UTC, datetime

    from bot.analysis.models import Analysis, AnalysisRequest
    from bot.analysis.service import ANALYSES, AnalysisService
    from bot.api.keys import new_key
    from bot.api.registry import KEYS
    from bot.api.settings import Tier
    from bot.config import AnalysisSettings, Settings
    from bot.web import create_app, start_server

    settings = Settings(workers=0, reconcile_interval=0.0)
    app = create_app(settings)
    # The limits are counted on every request as usual, only set high enough not to refuse.
    from bot.api.registry import API_SETTINGS, LIMITER

    api = replace(app[API_SETTINGS], tiers={r: Tier(10**9, 10**9) for r in ("read", "analyze", "admin")})
    app[API_SETTINGS] = api
    app[LIMITER].settings = api
    if ANALYSES not in app:  # the analysis service may not be wired into create_app here
        app[ANALYSES] = AnalysisService(AnalysisSettings())
    record, key = new_key("bench", "acme", "read")
    await app[KEYS].add(record)
    analysis = Analysis(
        id="bench0analysis",
        status="done",
        user="bench",
        org="acme",
        created_at=datetime.now(UTC),
        finished_at=datetime.now(UTC),
        request=AnalysisRequest(repository="demo", base="main", head="feature"),
        result={"findings": [{"tool": "ruff", "rule": "F401", "path": "a.py", "line": 1}] * 20},
    )
    await app[ANALYSES].store.put(analysis, sarif={"version": "2.1.0", "runs": []})
    runner = await start_server(app, settings, "127.0.0.1", port)
    await asyncio.to_thread(Path(ready_file).write_text, json.dumps({"key": key, "analysis": analysis.id}))
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


def wrk(
    url: str, token: str, *, seconds: float, connections: int, delay_ms: float, script: str
) -> dict[str, Any]:
    env = {**os.environ, "BENCH_DELAY_MS": str(max(0, round(delay_ms)))}
    command = [
        "/usr/bin/wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "5s",
        "-s", script, "-H", f"Authorization: Bearer {token}", url,
    ]  # fmt: skip
    out = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30, env=env, check=True)
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    result["rate"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(
    url: str, token: str, rate: int, seconds: float, connections: int, script: str, server: int
) -> dict[str, Any]:
    nominal = connections * 1000 / rate
    warm = wrk(url, token, seconds=2, connections=connections, delay_ms=nominal, script=script)
    # A connection's cycle is its delay plus the request's latency. (Many more connections with
    # longer delays fire in step and queue behind each other: 20 measured steadier than 50.)
    delay = nominal - warm["mean_us"] / 1000  # connections / (latency + delay) = rate
    cpu = cpu_seconds(server)
    run = wrk(url, token, seconds=seconds, connections=connections, delay_ms=delay, script=script)
    cpu = cpu_seconds(server) - cpu
    return {
        "target_rate": rate,
        "achieved_rate": round(run["rate"], 1),
        "p50_ms": run["p50_us"] / 1000,
        "p95_ms": run["p95_us"] / 1000,
        "p99_ms": run["p99_us"] / 1000,
        "requests": run["requests"],
        "non_2xx": run["non_2xx"],
        "socket_errors": run["socket_errors"],
        "delay_ms": round(max(0.0, delay)),
        # What the server spent per request, whatever else the machine was doing: at 1,000/s
        # this many ms per request is that many tenths of one core.
        "server_cpu_ms_per_request": round(cpu * 1000 / max(1, run["requests"]), 3),
        "load_average_1m": os.getloadavg()[0],
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rate", type=int, default=1000)
    parser.add_argument("--seconds", type=int, default=6)
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--ready-file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(serve(args.serve, args.ready_file))
        return 0
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="bench-api-") as state:
        ready = Path(state) / "ready.json"
        script = Path(state) / "pace.lua"
        script.write_text(LUA)
        env = {
            **os.environ, "API_JWT_SECRET": "bench-secret-" + "x" * 40, "LOG_LEVEL": "WARNING",
            "API_KEYS_FILE": str(Path(state) / "keys.json"), "STATE_DIR": state, "HISTORY_DB": "off",
        }  # fmt: skip
        env.pop("REDIS_URL", None)
        server = subprocess.Popen(
            [sys.executable, __file__, "--serve", str(port), "--ready-file", str(ready)], env=env, cwd=ROOT
        )
        try:
            deadline = time.monotonic() + 60
            while not ready.exists():
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("the server did not start")
                time.sleep(0.1)
            started = json.loads(ready.read_text())
            base = f"http://127.0.0.1:{port}/api/v1"
            request = urllib.request.Request(  # noqa: S310 - our own local server
                f"{base}/auth/token",
                data=json.dumps({"api_key": started["key"]}).encode(),
                headers={"Content-Type": "application/json"},
            )
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                token = json.loads(response.read())["access_token"]
            report = {
                route: measure(
                    f"{base}{path}", token, args.rate, args.seconds, args.connections, str(script), server.pid
                )
                for route, path in (
                    ("GET /user/profile", "/user/profile"),
                    ("GET /analyses/{id}", f"/analyses/{started['analysis']}"),
                )
            }
        finally:
            server.terminate()
            server.wait(30)
    print(json.dumps({"connections": args.connections, "seconds": args.seconds, "routes": report}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
