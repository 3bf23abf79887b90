"""Issue 8, class 6: an unauthenticated client cannot exhaust /webhook's memory or connections.

The server runs as `review-bot serve` runs it (bot.web.start_server: the body budget, the read
deadline, the keep-alive timeout and the connection cap), on loopback, with small limits so that
each attack is cheap. Raw sockets play the attacker: they declare bodies and send them slowly,
or never finish their request headers. Waiting is by polling with a deadline.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import aiohttp
import pytest

from bot.config import Settings
from bot.web import BUDGET, QUEUE, create_app, start_server
from tests.ghdouble.keys import app_key_pair
from tests.webhooks import FIXTURES, delivery_headers

SECRET = "webhook-secret-for-flood-tests"
MIB = 1024 * 1024
ROOT = Path(__file__).resolve().parents[2]
SETTINGS = Settings(
    app_id="1",
    private_key="unused",
    webhook_secret=SECRET,
    workers=0,
    webhook_max_bodies=4,
    webhook_max_bytes=8 * MIB,
    webhook_read_timeout=1.0,
    keepalive_timeout=1.0,
    max_connections=20,
)


async def running(settings: Settings) -> AsyncIterator[tuple[object, int]]:
    app = create_app(settings)
    runner = await start_server(app, settings, "127.0.0.1", 0)
    try:
        yield app, runner.addresses[0][1]
    finally:
        await runner.cleanup()


@pytest.fixture
async def server() -> AsyncIterator[tuple[object, int]]:
    async for started in running(SETTINGS):
        yield started


def request_head(length: int | None, *, signature: str | None = None) -> bytes:
    lines = [
        "POST /webhook HTTP/1.1",
        "Host: 127.0.0.1",
        "Content-Type: application/json",
        "X-GitHub-Event: pull_request",
        "X-GitHub-Delivery: flood",
        f"X-Hub-Signature-256: {signature or 'sha256=' + '0' * 64}",
        f"Content-Length: {length}" if length is not None else "Transfer-Encoding: chunked",
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


async def open_body(port: int, declared: int, sent: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A client that declares ``declared`` bytes, sends ``sent`` of them and then waits."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(request_head(declared) + b" " * sent)
    with contextlib.suppress(ConnectionError):
        await writer.drain()
    return reader, writer


async def status_of(reader: asyncio.StreamReader, deadline: float = 15.0) -> int | None:
    """The status the server answered with, or None if it closed without answering."""
    line = await asyncio.wait_for(reader.readline(), deadline)
    return int(line.split()[1]) if line.startswith(b"HTTP/1.1 ") else None


async def closed_by_server(reader: asyncio.StreamReader, deadline: float = 15.0) -> bool:
    """Poll until the server closes the connection (or the deadline passes)."""
    end = time.monotonic() + deadline
    with contextlib.suppress(ConnectionError):
        while time.monotonic() < end:
            try:
                if await asyncio.wait_for(reader.read(65536), 0.5) == b"":
                    return True
            except TimeoutError:
                continue
    return reader.at_eof()


async def test_bodies_beyond_the_budget_get_503_with_retry_after_and_nothing_is_read(server) -> None:
    app, port = server
    holders = [await open_body(port, 3 * MIB, 1024) for _ in range(2)]  # 6 MiB of 8 reserved
    for _ in range(50):  # poll: both holders have been admitted
        if app[BUDGET].bodies == 2:
            break
        await asyncio.sleep(0.02)
    assert app[BUDGET].bodies == 2
    assert app[BUDGET].bytes == 6 * MIB
    reader, writer = await open_body(port, 3 * MIB, 0)
    assert await status_of(reader) == 503
    head = await reader.readuntil(b"\r\n\r\n")
    assert b"Retry-After: 5" in head
    assert await closed_by_server(reader)
    writer.close()
    for holder_reader, holder_writer in holders:  # the read deadline ends the slow ones
        assert await status_of(holder_reader) == 408
        holder_writer.close()
    assert (app[BUDGET].bodies, app[BUDGET].bytes) == (0, 0)
    assert app[QUEUE].pending_count() == 0


async def test_more_bodies_than_the_count_cap_get_503(server) -> None:
    app, port = server
    clients = [await open_body(port, 1000, 10) for _ in range(SETTINGS.webhook_max_bodies + 3)]
    statuses = [await status_of(reader) for reader, _ in clients]
    for _, writer in clients:
        writer.close()
    assert statuses.count(503) == 3
    assert statuses.count(408) == SETTINGS.webhook_max_bodies
    assert (app[BUDGET].bodies, app[BUDGET].bytes) == (0, 0)


async def test_a_body_without_length_is_counted_as_it_arrives(server) -> None:
    app, port = server
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(request_head(None))
    chunk = b"x" * MIB
    status = asyncio.create_task(status_of(reader))
    with contextlib.suppress(ConnectionError):
        for _ in range(12):  # 12 MiB against an 8 MiB budget
            if status.done():
                break
            writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            await writer.drain()
    assert await status == 503
    writer.close()
    assert app[BUDGET].bytes == 0


async def test_a_slow_valid_delivery_gets_408_and_is_not_queued(server) -> None:
    app, port = server
    body = (FIXTURES / "pull_request" / "opened.json").read_bytes()
    signature = delivery_headers("pull_request", body, SECRET)["X-Hub-Signature-256"]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(request_head(len(body), signature=signature) + body[: len(body) // 2])
    await writer.drain()
    assert await status_of(reader) == 408
    writer.close()
    assert app[QUEUE].pending_count() == 0


async def test_unfinished_request_headers_are_closed_by_the_keepalive_timeout(server) -> None:
    _, port = server
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
    await writer.drain()
    assert await closed_by_server(reader)
    writer.close()


async def test_health_answers_while_slow_connections_hold_every_slot(server) -> None:
    _, port = server
    loris = []
    for _ in range(SETTINGS.max_connections * 2):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        loris.append((reader, writer))
    async with aiohttp.ClientSession() as session:
        async with session.get(f"http://127.0.0.1:{port}/health") as response:
            assert response.status == 200
    # The oldest were closed to make room; the newest may still be open.
    assert await closed_by_server(loris[0][0])
    for _, writer in loris:
        writer.close()


async def test_a_compressed_body_is_never_inflated(server) -> None:
    """GitHub does not compress deliveries: 20 KB of gzip must not become 20 MB in the server."""
    app, port = server
    body = gzip.compress(b'{"a": "' + b"0" * (20 * MIB) + b'"}')
    headers = delivery_headers("pull_request", body, SECRET) | {"Content-Encoding": "gzip"}
    async with aiohttp.ClientSession(auto_decompress=False) as session:
        async with session.post(f"http://127.0.0.1:{port}/webhook", data=body, headers=headers) as response:
            assert response.status == 400
            assert "UTF-8" in (await response.json())["error"]
    assert app[QUEUE].pending_count() == 0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def rss_kib(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise AssertionError(f"{key} not in /proc/{pid}/status")


async def test_review_bot_serve_holds_no_more_than_its_budget_under_slow_24_mb_bodies(tmp_path) -> None:
    """The real `review-bot serve`: ten slow 24 MB bodies, of which the 64 MiB budget admits two."""
    config = tmp_path / "service.yml"
    config.write_text("server:\n  webhook_read_timeout: 3\n")
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "GITHUB_APP_ID": "1",
        "GITHUB_PRIVATE_KEY": app_key_pair().private_pem,
        "GITHUB_WEBHOOK_SECRET": SECRET,
        "REVIEW_BOT_CONFIG": str(config),
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    port = free_port()
    argv = [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(port)]
    proc = await asyncio.create_subprocess_exec(
        *argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        async with aiohttp.ClientSession() as session:
            for _ in range(300):  # poll until it answers
                with contextlib.suppress(aiohttp.ClientError):
                    async with session.get(f"http://127.0.0.1:{port}/health") as response:
                        if response.status == 200:
                            break
                await asyncio.sleep(0.1)
        baseline = rss_kib(proc.pid, "VmRSS")
        clients = [await open_body(port, 24 * MIB, 0) for _ in range(10)]
        statuses = []
        for reader, writer in clients:
            status = asyncio.create_task(status_of(reader))
            # A body refused at its headers (503) is answered at once: read that answer before
            # writing more, or the bytes sent after it make the server's kernel reset the
            # connection and the reset can reach this client before the status line does.
            await asyncio.wait({status}, timeout=1.0)
            with contextlib.suppress(ConnectionError):
                for _ in range(23):  # all but the last MiB, then hang on
                    if status.done():
                        break
                    writer.write(b" " * MIB)
                    await writer.drain()
            statuses.append(await status)
            writer.close()
        peak = rss_kib(proc.pid, "VmHWM")
        assert sorted(statuses) == [408] * 2 + [503] * 8
        # Before the budget this held 10 x 23 MiB; now at most the 64 MiB budget plus slack.
        assert (peak - baseline) / 1024 < 64 + 32, (baseline, peak)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(proc.wait(), 30)
        except TimeoutError:
            proc.kill()
            await proc.wait()
    stderr = await proc.stderr.read() if proc.stderr else b""
    assert proc.returncode == 0, stderr.decode()[-2000:]


def test_service_yaml_sets_the_limits(tmp_path) -> None:
    config = tmp_path / "service.yml"
    config.write_text(
        "server:\n  webhook_max_bodies: 8\n  webhook_max_bytes: 1048576\n  webhook_read_timeout: 2\n"
        "  keepalive_timeout: 5\n  max_connections: 100\n"
    )
    settings = Settings().with_yaml(config)
    assert settings == replace(
        Settings(),
        webhook_max_bodies=8,
        webhook_max_bytes=MIB,
        webhook_read_timeout=2.0,
        keepalive_timeout=5.0,
        max_connections=100,
    )
