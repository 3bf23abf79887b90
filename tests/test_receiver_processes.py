"""Receivers as `review-bot serve` runs them: on uvloop, and several on one port (SERVER_REUSE_PORT).

Two real `serve` processes share one webhook port over a real redis-server; signed deliveries
sent over fresh connections reach both (each counts its own on its metrics port), every new PR
is queued once, and a redelivery through the shared port queues nothing more. Sharing a port
without Redis is refused at start: two processes with queues of their own would review twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.cli import main
from bot.queue.redis import RedisReviewQueue
from tests.e2e import SECRET
from tests.ghdouble.keys import app_key_pair
from tests.redis_server import RedisServer, free_port
from tests.webhooks import delivery_headers, load_payload

WAIT = 60.0  # a deadline, never reached when the code works


@contextlib.contextmanager
def serve_processes(env: dict[str, str], count: int, tmp_path: Path) -> Iterator[list[tuple[Any, int]]]:
    """``count`` `review-bot serve` processes with the same env; (process, metrics port) each."""
    started: list[tuple[subprocess.Popen[bytes], int]] = []
    try:
        for n in range(count):
            metrics = free_port()
            with (tmp_path / f"serve-{n}.log").open("wb") as log:
                process = subprocess.Popen(
                    [sys.executable, "-c", "from bot.cli import main; raise SystemExit(main())", "serve"],
                    env={**env, "METRICS_PORT": str(metrics)},
                    stdout=subprocess.DEVNULL,
                    stderr=log,
                )
            started.append((process, metrics))
        yield started
    finally:
        for process, _ in started:
            if process.poll() is None:
                process.terminate()
        for process, _ in started:
            try:
                process.wait(timeout=WAIT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


async def until_ready(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + WAIT
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            assert process.poll() is None, log.read_text(errors="replace")[-2000:]
            with contextlib.suppress(aiohttp.ClientError, asyncio.TimeoutError):
                async with session.get(
                    f"http://127.0.0.1:{port}/ready", timeout=aiohttp.ClientTimeout(2)
                ) as r:
                    if r.status == 200:
                        return
            await asyncio.sleep(0.05)
    raise AssertionError(f"not ready: {log.read_text(errors='replace')[-2000:]}")


def delivery(number: int) -> bytes:
    data = load_payload("pull_request", "synchronize")
    data["installation"] = {"id": 7}
    data["pull_request"]["number"] = number
    data["number"] = number
    data["pull_request"]["head"]["sha"] = uuid.uuid4().hex + uuid.uuid4().hex[:8]
    return json.dumps(data).encode()


async def post(session: aiohttp.ClientSession, port: int, body: bytes, delivery_id: str) -> int:
    headers = {**delivery_headers("pull_request", body, SECRET, delivery_id), "Connection": "close"}
    async with session.post(f"http://127.0.0.1:{port}/webhook", data=body, headers=headers) as response:
        return response.status


async def delivered(session: aiohttp.ClientSession, metrics_port: int) -> int:
    async with session.get(f"http://127.0.0.1:{metrics_port}/metrics") as response:
        text = await response.text()
    counts = re.findall(
        r'^review_bot_webhook_deliveries_total\{[^}]*result="accepted"[^}]*\} (\S+)$', text, re.M
    )
    return int(sum(float(c) for c in counts))


async def test_two_receivers_share_one_port_and_queue_each_pr_once(redis_server: RedisServer, tmp_path: Path):
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "GITHUB_APP_ID": "12345",
        "GITHUB_PRIVATE_KEY": app_key_pair().private_pem,
        "GITHUB_WEBHOOK_SECRET": SECRET,
        "GITHUB_API_URL": "http://127.0.0.1:9",  # a receiver never calls GitHub for a push
        "REDIS_URL": redis_server.url,
        "SERVER_REUSE_PORT": "1",
        "PORT": str(port),
        "STATE_DIR": str(tmp_path),
        "LOG_LEVEL": "WARNING",
    }
    with serve_processes(env, 2, tmp_path) as started:
        # Each process's own /ready, on its metrics port: the shared port answers from either.
        for n, (process, metrics) in enumerate(started):
            await until_ready(metrics, process, tmp_path / f"serve-{n}.log")
        # A receiver runs on uvloop (bot/cli.py): its extension module is mapped in the process.
        for process, _ in started:
            assert "uvloop" in Path(f"/proc/{process.pid}/maps").read_text()
        bodies = {f"delivery-{n}": delivery(100 + n) for n in range(40)}
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True)) as session:
            statuses = [await post(session, port, body, delivery_id) for delivery_id, body in bodies.items()]
            assert statuses == [202] * len(bodies)
            # Redeliveries of the same ids, through the same shared port: answered, never queued again.
            again = [await post(session, port, body, delivery_id) for delivery_id, body in bodies.items()]
            assert set(again) == {202}
            per_process = [await delivered(session, metrics) for _, metrics in started]
        # The kernel spread the connections over both processes (80 fresh connections: a split
        # with none on one side would be a shared port not shared).
        assert sum(per_process) == 2 * len(bodies)
        assert min(per_process) > 0, per_process
    queue = RedisReviewQueue.from_url(redis_server.url)
    try:
        # Each delivery waits in the intake once, for a worker to route (bot/delivery.py).
        assert await queue.intake().depth() == len(bodies)
    finally:
        await queue.aclose()


def test_sharing_the_port_without_redis_is_refused(monkeypatch, capsys):
    monkeypatch.setenv("GITHUB_APP_ID", "1")
    monkeypatch.setenv("GITHUB_WEBHOOK_SECRET", "s")
    monkeypatch.setenv("GITHUB_PRIVATE_KEY", app_key_pair().private_pem)
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("SERVER_REUSE_PORT", "yes")
    assert main(["serve"]) == 2
    assert "SERVER_REUSE_PORT needs REDIS_URL" in capsys.readouterr().err


@pytest.mark.parametrize("value", ["maybe", "2", ""])
def test_server_reuse_port_takes_only_a_boolean(monkeypatch, capsys, value):
    from bot.config import ConfigError, Settings

    if not value:  # empty: not set
        assert Settings.from_env({"SERVER_REUSE_PORT": value}).reuse_port is False
        return
    with pytest.raises(ConfigError, match="SERVER_REUSE_PORT must be true or false"):
        Settings.from_env({"SERVER_REUSE_PORT": value})


async def test_serve_moves_the_start_up_heap_out_of_the_collectors_reach(
    redis_server: RedisServer, tmp_path: Path
):
    # A full collection walking the start-up heap stalled every delivery in flight for ~100 ms:
    # `serve` freezes what exists once it listens (bot/web.py), before it waits for a signal.
    import gc

    from bot.web import create_app, serve
    from tests.e2e import bot_settings

    settings = bot_settings("http://127.0.0.1:9")
    settings = replace(settings, redis_url=redis_server.url, state_dir=str(tmp_path))
    gc.unfreeze()
    try:
        running = asyncio.create_task(serve(create_app(settings), settings, "127.0.0.1", free_port()))
        deadline = time.monotonic() + WAIT
        while gc.get_freeze_count() == 0:
            assert not running.done(), running.exception()
            assert time.monotonic() < deadline
            await asyncio.sleep(0.01)
        running.cancel()  # serve's finally cleans its runners up
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(running, WAIT)
    finally:
        gc.unfreeze()
