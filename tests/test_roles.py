"""The two roles on a real redis-server: receivers (verify, dedupe, enqueue) and workers (review),
against the GitHub double. Redeliveries to different receivers still give one review per head;
Redis down means 503 (never 202-and-lose) and /ready says so; "Re-run" on the check re-reviews."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.cli import main
from bot.demo import BASE_FILES, HEAD_FILES
from bot.queue.redis import RedisQueueOptions, RedisReviewQueue
from bot.redis_client import cancel_for_sure
from bot.web import CONTEXT, POOL, QUEUE, Role, create_app
from tests.e2e import (
    FAST_RETRY,
    INSTALLATION,
    NUMBER,
    OWNER,
    REPO,
    SECRET,
    bot_settings,
    pull_request_payload,
)
from tests.ghdouble import GitHubDouble, commit, make_repo
from tests.ghdouble.keys import app_key_pair
from tests.redis_server import RedisServer, free_port
from tests.test_commands import issue_comment
from tests.webhooks import delivery_headers, load_payload

WAIT = 120.0  # a deadline, never reached when the code works
FAST = RedisQueueOptions(
    prefix="roles",
    heartbeat_interval=0.2,
    heartbeat_timeout=2,
    sweep_interval=60,
    schedule_interval=0.1,
    idle_wait=0.2,
    busy_delay=0.2,
    settle_timeout=5.0,
)


async def until(predicate: Callable[[], Awaitable[bool]], timeout: float = WAIT) -> None:
    """Poll an async condition with a deadline (no fixed sleeps)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await predicate():
        if loop.time() > deadline:
            raise AssertionError(f"condition not met within {timeout:g} s")
        await asyncio.sleep(0.05)


@dataclass
class Cluster:
    github: GitHubDouble
    redis: RedisServer
    github_repo: Path
    receivers: list[TestClient]
    workers: list[TestClient]

    @property
    def key(self) -> tuple[str, str, int]:
        return (OWNER, REPO, NUMBER)

    def pull_payload(self, action: str) -> dict[str, Any]:
        return pull_request_payload(self.github, action)

    def rerun_payload(self) -> dict[str, Any]:
        """GitHub's check_run.rerequested fixture, pointed at the double's PR and our App."""
        data = load_payload("check_run", "rerequested")
        pull = self.github.pulls[OWNER.lower(), REPO.lower(), NUMBER].data
        repo = {"id": 1, "url": "https://api.github.com/repos/x/y", "name": REPO}
        data["check_run"]["head_sha"] = pull["head"]["sha"]
        data["check_run"]["app"]["id"] = int(bot_settings("x").app_id or 0)
        data["check_run"]["pull_requests"] = [
            {
                "url": "https://api.github.com/repos/x/y/pulls/2",
                "id": 1,
                "number": NUMBER,
                "head": {"ref": "feature", "sha": pull["head"]["sha"], "repo": repo},
                "base": {"ref": "main", "sha": pull["base"]["sha"], "repo": repo},
            }
        ]
        data["repository"] = self.pull_payload("opened")["repository"]
        data["installation"] = {"id": INSTALLATION, "node_id": "x"}
        return data

    async def deliver(self, receiver: int, event: str, payload: dict[str, Any], delivery: str = "") -> int:
        body = json.dumps(payload).encode()
        headers = delivery_headers(event, body, SECRET, delivery or str(uuid.uuid4()))
        response = await self.receivers[receiver].post("/webhook", data=body, headers=headers)
        if response.status == 503:
            assert response.headers.get("Retry-After")
        return response.status

    def reviews(self) -> list[dict[str, Any]]:
        return self.github.reviews.get(self.key, [])

    def summaries(self) -> list[dict[str, Any]]:
        return [c for c in self.github.issue_comments.get(self.key, []) if "review-bot:summary" in c["body"]]

    def check_runs(self) -> list[dict[str, Any]]:
        return self.github.check_runs.get((OWNER, REPO), [])

    async def settled(self) -> bool:
        """Nothing waiting in any lane and no worker holding a job."""
        queues = [w.app[QUEUE] for w in self.workers]
        assert all(isinstance(q, RedisReviewQueue) for q in queues)
        depth = await queues[0].depth()  # type: ignore[attr-defined]
        return not any(depth.values()) and all(q.idle() for q in queues)  # type: ignore[attr-defined]

    async def wait_for(self, check_runs: int) -> None:
        async def done() -> bool:
            completed = [r for r in self.check_runs() if r["status"] == "completed"]
            return len(completed) >= check_runs and await self.settled()

        await until(done)


@pytest.fixture
def demo_repo(tmp_path: Path) -> Path:
    path = make_repo(tmp_path / "hello", BASE_FILES)
    commit(path, HEAD_FILES, branch="feature", message="introduce problems")
    return path


@pytest.fixture
async def cluster(aiohttp_client, github_double: GitHubDouble, demo_repo: Path, redis_server) -> Cluster:
    github_double.add_repo(OWNER, REPO, demo_repo)
    github_double.add_installation(INSTALLATION, repos=[f"{OWNER}/{REPO}"])
    github_double.add_pull(OWNER, REPO, NUMBER, base="main", head="feature")
    settings = replace(bot_settings(github_double.base_url), redis_url=redis_server.url, shutdown_grace=5.0)

    async def start(role: Role, workers: int) -> TestClient:
        queue = RedisReviewQueue.from_url(redis_server.url, FAST)
        app = create_app(replace(settings, workers=workers), queue=queue, retry=FAST_RETRY, role=role)
        return await aiohttp_client(app)

    receivers = [await start("receiver", 0), await start("receiver", 0)]
    workers = [await start("worker", 1), await start("worker", 1)]
    return Cluster(github_double, redis_server, demo_repo, receivers, workers)


async def test_redeliveries_to_different_receivers_give_one_review_per_head(cluster: Cluster):
    payload = cluster.pull_payload("opened")
    deliveries = [str(uuid.uuid4()) for _ in range(10)]
    for delivery in deliveries:  # each delivery goes to one receiver, its redelivery to the other
        assert await cluster.deliver(0, "pull_request", payload, delivery) == 202
        assert await cluster.deliver(1, "pull_request", payload, delivery) == 202
    for receiver in (0, 1):  # same head, new deliveries
        assert await cluster.deliver(receiver, "pull_request", cluster.pull_payload("reopened")) == 202
    await cluster.wait_for(check_runs=1)
    assert len(cluster.reviews()) == 1
    assert len(cluster.summaries()) == 1
    assert len(cluster.check_runs()) == 1

    commit(cluster.github_repo, {"README.md": "pushed\n"}, branch="feature", message="push")
    head = cluster.github.update_pull(OWNER, REPO, NUMBER)["head"]["sha"]
    pushed = cluster.pull_payload("synchronize")
    for delivery in deliveries[:3]:  # old ids again, now for the new head: still refused
        assert await cluster.deliver(1, "pull_request", pushed, delivery) == 202
    for _ in range(3):
        delivery = str(uuid.uuid4())
        assert await cluster.deliver(1, "pull_request", pushed, delivery) == 202
        assert await cluster.deliver(0, "pull_request", pushed, delivery) == 202
    await cluster.wait_for(check_runs=2)
    assert [r["head_sha"] for r in cluster.check_runs()].count(head) == 1  # one review per head
    assert len(cluster.summaries()) == 1


async def test_redis_down_answers_503_and_ready_says_why_then_resumes(cluster: Cluster):
    for client in cluster.receivers + cluster.workers:
        assert (await client.get("/ready")).status == 200
    cluster.redis.stop()
    assert await cluster.deliver(0, "pull_request", cluster.pull_payload("opened")) == 503
    assert await cluster.deliver(1, "pull_request", cluster.pull_payload("opened")) == 503
    for client in (cluster.receivers[0], cluster.workers[0]):
        response = await client.get("/ready")
        assert response.status == 503
        assert "Redis is unreachable" in (await response.json())["reasons"]
    assert cluster.check_runs() == []

    cluster.redis.start()
    assert await cluster.deliver(1, "pull_request", cluster.pull_payload("opened")) == 202
    await cluster.wait_for(check_runs=1)
    assert len(cluster.reviews()) == 1
    assert (await cluster.receivers[0].get("/ready")).status == 200


async def test_check_run_rerequested_reviews_the_head_again(cluster: Cluster):
    assert await cluster.deliver(0, "pull_request", cluster.pull_payload("opened")) == 202
    await cluster.wait_for(check_runs=1)
    rerun = cluster.rerun_payload()
    delivery = str(uuid.uuid4())
    assert await cluster.deliver(1, "check_run", rerun, delivery) == 202
    assert await cluster.deliver(0, "check_run", rerun, delivery) == 202  # redelivered: still one re-run
    await cluster.wait_for(check_runs=2)
    assert len(cluster.check_runs()) == 2  # a second full review, although this head was reviewed
    assert len(cluster.summaries()) == 1


async def test_worker_serves_only_health_and_ready(cluster: Cluster):
    worker = cluster.workers[0]
    assert (await worker.get("/health")).status == 200
    assert (await worker.get("/ready")).status == 200
    assert (await worker.post("/webhook", data=b"{}")).status in (404, 405)


async def busy_worker(cluster: Cluster) -> TestClient:
    """The worker holding the job right now."""
    [busy] = [w for w in cluster.workers if not w.app[QUEUE].idle()]  # type: ignore[attr-defined]
    return busy


async def test_shutdown_past_the_grace_period_hands_the_review_back(cluster: Cluster):
    hold = cluster.github.hold_next("GET", r"/pulls/\d+/files")  # a read: no effect left behind
    try:
        assert await cluster.deliver(0, "pull_request", cluster.pull_payload("opened")) == 202
        await asyncio.wait_for(hold.arrived.wait(), WAIT)
        busy = await busy_worker(cluster)
        busy.app[POOL].grace = 0.2  # the review is stuck past it: cancelled and handed back
        await busy.close()  # SIGTERM's path: the app's cleanup
        assert busy.app[POOL].stopping.is_set()
        assert all(t.done() for t in busy.app[POOL].tasks.values())
    finally:
        hold.release()
    cluster.workers.remove(busy)
    await cluster.wait_for(check_runs=1)  # the other worker took the job over at once
    assert len(cluster.reviews()) == 1
    assert [r["status"] for r in cluster.check_runs()] == ["completed"]


async def test_shutdown_lets_a_running_review_finish_within_the_grace_period(cluster: Cluster):
    hold = cluster.github.hold_next("GET", r"/pulls/\d+/files")
    assert await cluster.deliver(0, "pull_request", cluster.pull_payload("opened")) == 202
    await asyncio.wait_for(hold.arrived.wait(), WAIT)
    busy = await busy_worker(cluster)
    closing = asyncio.ensure_future(busy.close())
    await until(lambda: _true(busy.app[POOL].stopping.is_set()))
    hold.release()  # the review goes on while the worker is stopping
    await asyncio.wait_for(closing, WAIT)
    assert len(cluster.reviews()) == 1  # finished by the stopping worker itself, not handed back
    cluster.workers.remove(busy)
    await cluster.wait_for(check_runs=1)
    assert len(cluster.reviews()) == 1


async def _true(value: bool) -> bool:
    return value


async def test_ready_is_503_when_the_workers_are_not_running(cluster: Cluster):
    worker = cluster.workers[0]
    for task in worker.app[POOL].tasks.values():
        await cancel_for_sure(task)
    response = await worker.get("/ready")
    assert response.status == 503
    assert (await response.json())["reasons"] == ["the review workers are not running"]


async def test_a_comment_redelivered_to_another_receiver_runs_once(cluster: Cluster):
    cluster.github.permissions[OWNER, REPO, "alice"] = "write"
    assert await cluster.deliver(0, "pull_request", cluster.pull_payload("opened")) == 202
    await cluster.wait_for(check_runs=1)
    comment = issue_comment(cluster, "/review", "alice")  # type: ignore[arg-type]
    assert await cluster.deliver(0, "issue_comment", comment) == 202
    assert await cluster.deliver(1, "issue_comment", comment) == 202  # a new delivery id, same comment
    await cluster.wait_for(check_runs=2)
    receivers = [r.app[CONTEXT] for r in cluster.receivers]
    await until(lambda: _true(all(ctx.background_idle() for ctx in receivers)))
    await cluster.wait_for(check_runs=2)
    assert len(cluster.check_runs()) == 2  # the first review and one /review, not two
    reacted = f"/issues/comments/{comment['comment']['id']}/reactions"
    posts = [p for m, p, _ in cluster.github.requests if m == "POST" and p.endswith(reacted)]
    assert len(posts) == 2  # the command ran once: one 👀 and one 👍, on one receiver


def test_worker_without_redis_exits_2(monkeypatch, capsys):
    monkeypatch.setenv("GITHUB_APP_ID", "1")
    monkeypatch.setenv("GITHUB_WEBHOOK_SECRET", "s")
    monkeypatch.setenv("GITHUB_PRIVATE_KEY", app_key_pair().private_pem)
    monkeypatch.delenv("REDIS_URL", raising=False)
    assert main(["worker"]) == 2
    assert "REDIS_URL" in capsys.readouterr().err


def test_worker_process_is_ready_and_exits_cleanly_on_sigterm(redis_server: RedisServer, tmp_path: Path):
    port = free_port()
    env = {
        **os.environ,
        "GITHUB_APP_ID": "1",
        "GITHUB_WEBHOOK_SECRET": "s",
        "GITHUB_PRIVATE_KEY": app_key_pair().private_pem,
        "GITHUB_API_URL": "http://127.0.0.1:9",
        "REDIS_URL": redis_server.url,
        "METRICS_PORT": str(port),
        "PORT": str(free_port()),
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from bot.cli import main; raise SystemExit(main())",
            "worker",
            "--host",
            "127.0.0.1",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + WAIT
        status = 0
        while status != 200:
            assert worker.poll() is None, worker.stderr.read().decode()[-2000:] if worker.stderr else ""
            assert time.monotonic() < deadline, "the worker never became ready"
            with contextlib.suppress(OSError):
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/ready", timeout=2) as response:
                    status = response.status
            time.sleep(0.05)
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=WAIT) == 0
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
