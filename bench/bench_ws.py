"""Live sessions under load: N concurrent WebSockets on one node, in sessions of M members.

    python bench/bench_ws.py [--connections 10000] [--members 100] [--rounds 20] [--client-procs 1]

The server is the real app (bot/web.py create_app, memory hub, the REST API's real tokens) in
its own process, plus one bench-only route that publishes an agent message on the app's event
channel, as the agent dialogue does. Clients run in separate processes (aiohttp), each socket
authenticated and joined to one session. Reported:

- memory per connection: the server's RSS after every socket joined, minus its RSS before the
  first connected, divided by the connections (sockets, outboxes, hub membership, aiohttp);
- broadcast latency: one agent message published to one session, until each of its members has
  it (time.time() on both sides; one machine), p50/p99/max over every member of every round;
  then one message to every session at once (all N members).

Raises RLIMIT_NOFILE to its hard limit in every process. Prints one JSON object at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from rawtools import percentile

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def raise_nofile() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- the server process -----------------------------------------------------------------------


async def run_server(port: int, connections: int) -> None:
    from aiohttp import web

    from bot.api.auth import API_AUTH
    from bot.api.keys import new_key
    from bot.api.registry import KEYS
    from bot.config import Settings
    from bot.web import CONTEXT, create_app, start_server

    settings = Settings(workers=0, reconcile_interval=0.0, max_connections=connections + 1000)
    app = create_app(settings)

    async def publish(request: web.Request) -> web.Response:
        body = await request.json()
        events = request.app[CONTEXT].events
        for session in body["sessions"]:  # "bench/s7#1" -> the topic of a review of that PR
            events.publish(
                f"review:{session}@{'0' * 40}",
                {
                    "type": "agent_message",
                    "source": "reviewer",
                    "content": "x" * 200,
                    "round": body["round"],
                    "sent_at": time.time(),
                },
            )
        return web.json_response({"published": len(body["sessions"])})

    app.router.add_post("/bench/publish", publish)
    runner = await start_server(app, settings, "127.0.0.1", port)
    record, _ = new_key("bench", "bench", "read")
    await app[KEYS].add(record)
    token, _ = app[API_AUTH].issue(record)
    print(json.dumps({"token": token}), flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


# -- a client process -------------------------------------------------------------------------


async def run_client(port: int, token: str, sessions: list[str], per_session: int, rounds: int) -> None:
    import aiohttp

    url = f"http://127.0.0.1:{port}/api/v1/ws"
    latencies: dict[str, list[float]] = {}
    closed: dict[str, int] = {}  # close code -> sockets the server closed during the run
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as http:
        sockets: list[aiohttp.ClientWebSocketResponse] = []

        async def member(session: str) -> aiohttp.ClientWebSocketResponse:
            ws = await http.ws_connect(
                url, headers={"Authorization": f"Bearer {token}"}, timeout=aiohttp.ClientWSTimeout(ws_close=5)
            )
            await ws.send_json({"type": "join_session", "session": f"review:{session}"})
            while True:
                message = json.loads((await ws.receive(timeout=120)).data)
                if message["type"] == "joined":
                    return ws

        async def read(ws: aiohttp.ClientWebSocketResponse) -> None:
            async for msg in ws:
                data = json.loads(msg.data)
                if data.get("type") == "event":
                    event = data["event"]
                    latencies.setdefault(str(event.get("round")), []).append(time.time() - event["sent_at"])
            code = str(ws.close_code)
            closed[code] = closed.get(code, 0) + 1

        started = time.monotonic()
        wanted = [s for s in sessions for _ in range(per_session)]
        readers: list[asyncio.Task[None]] = []
        for i in range(0, len(wanted), 250):  # in waves: the listen backlog is finite
            joined = await asyncio.gather(*(member(s) for s in wanted[i : i + 250]))
            sockets += joined
            # Read from the start: aiohttp answers the server's heartbeat pings only while reading.
            readers += [asyncio.create_task(read(ws)) for ws in joined]
        connect_s = time.monotonic() - started
        print(json.dumps({"connected": len(sockets), "connect_s": round(connect_s, 2)}), flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)  # "go"
        print(json.dumps({"latencies": latencies, "closed": closed, "readers": len(readers)}), flush=True)
        for ws in sockets:
            await ws.close()


# -- the driver -------------------------------------------------------------------------------


async def publish_rounds(
    port: int, sessions: list[str], rounds: int, connected: int, rng: random.Random
) -> None:
    """Ask the server to publish: one session per round, then every session at once."""
    import aiohttp

    async with aiohttp.ClientSession() as http:
        url = f"http://127.0.0.1:{port}/bench/publish"
        for i in range(rounds):  # one 100-member session at a time
            await http.post(url, json={"sessions": [rng.choice(sessions)], "round": i})
            await asyncio.sleep(0.2)
        await http.post(url, json={"sessions": sessions, "round": "all"})  # every member at once
        await asyncio.sleep(min(10.0, 1.0 + connected / 2000))  # the clients count what arrived


def summary(values: list[float], expected: int) -> dict[str, float]:
    return {
        "deliveries": len(values),
        "expected": expected,
        "p50_ms": round(percentile(values, 0.50) * 1000, 1),
        "p99_ms": round(percentile(values, 0.99) * 1000, 1),
        "max_ms": round(max(values, default=float("nan")) * 1000, 1),
    }


def drive(args: argparse.Namespace) -> dict[str, Any]:
    port = free_port()
    env = {**os.environ, "API_JWT_SECRET": "bench-secret-" + "x" * 40, "LOG_LEVEL": "WARNING"}
    state = tempfile.mkdtemp(prefix="bench-ws-")
    env["API_KEYS_FILE"] = str(Path(state) / "keys.json")
    env["STATE_DIR"] = state
    server = subprocess.Popen(  # this script, our own arguments
        [
            sys.executable,
            __file__,
            "--role",
            "server",
            "--port",
            str(port),
            "--connections",
            str(args.connections),
        ],
        stdout=subprocess.PIPE,
        env=env,
        text=True,
    )
    clients: list[subprocess.Popen[str]] = []
    try:
        assert server.stdout is not None
        token = json.loads(server.stdout.readline())["token"]
        rss_before = rss_kib(server.pid)
        n_sessions = args.connections // args.members
        sessions = [f"bench/s{i}#1" for i in range(n_sessions)]
        per_proc = [sessions[i :: args.client_procs] for i in range(args.client_procs)]
        for mine in per_proc:
            clients.append(
                subprocess.Popen(
                    [sys.executable, __file__, "--role", "client", "--port", str(port), "--token", token,
                     "--sessions", ",".join(mine), "--members", str(args.members)],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    env=env,
                    text=True,
                )
            )  # fmt: skip
        ready = [json.loads(c.stdout.readline()) for c in clients if c.stdout is not None]
        connected = sum(r["connected"] for r in ready)
        rss_after = rss_kib(server.pid)

        rng = random.Random(1)  # which sessions to publish to
        asyncio.run(publish_rounds(port, sessions, args.rounds, connected, rng))
        single: list[float] = []  # one session's members, round after round
        everyone: list[float] = []  # one message to every session at once
        closed: dict[str, int] = {}
        for client in clients:
            assert client.stdin is not None and client.stdout is not None
            client.stdin.write("go\n")
            client.stdin.flush()
            report = json.loads(client.stdout.readline())
            for code, count in report["closed"].items():
                closed[code] = closed.get(code, 0) + count
            for tag, values in report["latencies"].items():
                (everyone if tag == "all" else single).extend(values)
        return {
            "connections": connected,
            "sessions": n_sessions,
            "members_per_session": args.members,
            "connect_s": max(r["connect_s"] for r in ready),
            "server_rss_before_mib": round(rss_before / 1024, 1),
            "server_rss_after_mib": round(rss_after / 1024, 1),
            "kib_per_connection": round((rss_after - rss_before) / max(1, connected), 1),
            "closed_by_server_during_run": closed,
            "one_session": summary(single, args.rounds * args.members),
            "all_sessions_at_once": summary(everyone, connected),
        }
    finally:
        for proc in [*clients, server]:
            proc.terminate()
        for proc in [*clients, server]:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--role", choices=["driver", "server", "client"], default="driver")
    parser.add_argument("--connections", type=int, default=10_000)
    parser.add_argument("--members", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--client-procs", type=int, default=1)
    parser.add_argument("--port", type=int)
    parser.add_argument("--token")
    parser.add_argument("--sessions")
    args = parser.parse_args()
    raise_nofile()
    if args.role == "server":
        asyncio.run(run_server(args.port, args.connections))
    elif args.role == "client":
        asyncio.run(run_client(args.port, args.token, args.sessions.split(","), args.members, args.rounds))
    else:
        print(json.dumps(drive(args), indent=2))


if __name__ == "__main__":
    main()
