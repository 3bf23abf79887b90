"""Scale-out on a real redis-server against the strict GitHub double: many deliveries to two
receivers reviewed by two workers give one review per head; a worker SIGKILLed mid-review leaves
a job another worker process finishes within the queue's takeover bound; a /pause on one replica
racing a publish on another survives. Analyzers: ruff only, to keep each review cheap."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Hashable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from analyzers.registry import analyzer_names
from bot.cli import WORKER_NICENESS
from bot.github.pr_state import PRState, pr_scope
from bot.keyed_locks import PRLock
from bot.queue.redis import RedisQueueOptions, RedisReviewQueue
from bot.text.render import fingerprints_in
from bot.web import CONTEXT, QUEUE, Role, create_app
from tests.e2e import (
    APP_ID,
    FAST_RETRY,
    INSTALLATION,
    OWNER,
    REPO,
    SECRET,
    bot_settings,
    pull_request_payload,
)
from tests.ghdouble import GitHubDouble, commit, make_repo
from tests.ghdouble.keys import app_key_pair
from tests.redis_server import RedisServer, free_port
from tests.test_roles import FAST, WAIT, until
from tests.webhooks import delivery_headers, load_payload

ONLY_RUFF = tuple(name for name in analyzer_names() if name != "ruff")
BASE = {"app/__init__.py": "", "app/core.py": "def answer():\n    return 42\n"}
WRITER = "alice"
SUMMARY_PATCH = r"/repos/[^/]+/[^/]+/issues/comments/\d+$"


def unused_import(n: int) -> str:
    """A small file with one ruff finding (F401) on an added line: one inline comment each."""
    return f'"""Module {n}."""\n\nimport os\n\nVALUE = {n}\n'


@dataclass
class Cluster:
    github: GitHubDouble
    redis: RedisServer
    repo_path: Path
    receivers: list[TestClient]
    workers: list[TestClient]

    def push(self, number: int, files: dict[str, str]) -> str:
        """Commit on the PR's branch (creating the PR on its first push); the new head sha."""
        commit(self.repo_path, files, branch=f"pr{number}", message=f"push to #{number}")
        if (OWNER.lower(), REPO.lower(), number) in self.github.pulls:
            return str(self.github.update_pull(OWNER, REPO, number)["head"]["sha"])
        return str(self.github.add_pull(OWNER, REPO, number, base="main", head=f"pr{number}")["head"]["sha"])

    def pull_payload(self, number: int, action: str) -> dict[str, Any]:
        return pull_request_payload(self.github, action, number)

    def comment_payload(self, number: int, body: str, login: str) -> dict[str, Any]:
        data = load_payload("issue_comment", "created")
        stored = self.github.add_issue_comment(OWNER, REPO, number, login, body)
        user = {**data["comment"]["user"], "login": login, "type": "User"}
        data["comment"].update(id=stored["id"], body=body, user=user, html_url=stored["html_url"])
        data["issue"]["number"] = number
        pr_api = f"{self.github.base_url}/repos/{OWNER}/{REPO}/pulls/{number}"
        data["issue"]["pull_request"] = {
            "url": pr_api,
            "html_url": pr_api,
            "diff_url": pr_api,
            "patch_url": pr_api,
        }
        data["repository"] = self.pull_payload(number, "opened")["repository"]
        data["installation"] = {"id": INSTALLATION, "node_id": "x"}
        return data

    async def deliver(self, receiver: int, event: str, payload: dict[str, Any], delivery: str = "") -> int:
        body = json.dumps(payload).encode()
        headers = delivery_headers(event, body, SECRET, delivery or str(uuid.uuid4()))
        response = await self.receivers[receiver].post("/webhook", data=body, headers=headers)
        return response.status

    def check_runs(self) -> list[dict[str, Any]]:
        return self.github.check_runs.get((OWNER, REPO), [])

    def completed_heads(self) -> set[str]:
        return {r["head_sha"] for r in self.check_runs() if r["status"] == "completed"}

    def reviews(self, number: int) -> list[dict[str, Any]]:
        return self.github.reviews.get((OWNER, REPO, number), [])

    def summaries(self, number: int) -> list[dict[str, Any]]:
        comments = self.github.issue_comments.get((OWNER, REPO, number), [])
        return [c for c in comments if "review-bot:summary" in c["body"]]

    def state(self, number: int) -> PRState:
        [found] = self.summaries(number)
        key = self.receivers[0].app[CONTEXT].state_key
        return PRState.from_body(found["body"], key, pr_scope(OWNER, REPO, number))

    async def settled(self) -> bool:
        """Nothing waiting in any lane, no worker holding a job, no command running."""
        queues = [w.app[QUEUE] for w in self.workers]
        assert all(isinstance(q, RedisReviewQueue) for q in queues)
        depth = await queues[0].depth()  # type: ignore[attr-defined]
        # Slash-commands run where their delivery is routed: in a worker.
        busy = any(not c.app[CONTEXT].background_idle() for c in [*self.receivers, *self.workers])
        return not any(depth.values()) and all(q.idle() for q in queues) and not busy  # type: ignore[attr-defined]


@pytest.fixture
def repo_path(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "org-repo", BASE)


async def start_cluster(
    aiohttp_client: Any,
    github: GitHubDouble,
    redis: RedisServer,
    repo_path: Path,
    receivers: int,
    workers: int,
) -> Cluster:
    github.add_repo(OWNER, REPO, repo_path)
    github.add_installation(INSTALLATION, repos=[f"{OWNER}/{REPO}"])
    settings = replace(
        bot_settings(github.base_url, disabled_analyzers=ONLY_RUFF), redis_url=redis.url, shutdown_grace=5.0
    )

    async def start(role: Role, count: int) -> TestClient:
        queue = RedisReviewQueue.from_url(redis.url, FAST)
        app = create_app(replace(settings, workers=count), queue=queue, retry=FAST_RETRY, role=role)
        return await aiohttp_client(app)

    return Cluster(
        github,
        redis,
        repo_path,
        [await start("receiver", 0) for _ in range(receivers)],
        [await start("worker", 1) for _ in range(workers)],
    )


# --- 1. 120 deliveries, two receivers, two workers ------------------------------------------------

PULLS = (11, 12, 13, 14)
HEADS_PER_PULL = 3
DELIVERIES_PER_HEAD = 5  # each sent to one receiver and redelivered to the other: 4 x 3 x 5 x 2 = 120


async def test_many_deliveries_and_pushes_give_one_review_per_head(
    aiohttp_client, github_double: GitHubDouble, redis_server: RedisServer, repo_path: Path
):
    cluster = await start_cluster(aiohttp_client, github_double, redis_server, repo_path, 2, 2)
    heads: dict[int, list[str]] = {number: [] for number in PULLS}
    rng = random.Random(10)
    sent = 0
    for round_ in range(HEADS_PER_PULL):  # no waiting between rounds: pushes land mid-review
        sends = []
        for number in PULLS:
            heads[number].append(cluster.push(number, {f"app/m{number}_{round_}.py": unused_import(round_)}))
            payload = cluster.pull_payload(number, "opened" if round_ == 0 else "synchronize")
            for _ in range(DELIVERIES_PER_HEAD):
                delivery, first = str(uuid.uuid4()), rng.randrange(2)
                sends += [(first, payload, delivery), (1 - first, payload, delivery)]
        rng.shuffle(sends)  # a redelivery may even reach its receiver before the first delivery
        statuses = await asyncio.gather(*(cluster.deliver(r, "pull_request", p, d) for r, p, d in sends))
        assert set(statuses) == {202}
        sent += len(sends)
    assert sent == 120

    latest = {number: shas[-1] for number, shas in heads.items()}

    async def done() -> bool:
        return set(latest.values()) <= cluster.completed_heads() and await cluster.settled()

    await until(done)
    runs = Counter(r["head_sha"] for r in cluster.check_runs())
    assert max(runs.values()) == 1, runs  # no head reviewed twice
    assert all(r["status"] == "completed" for r in cluster.check_runs())  # none left spinning
    every_head = {sha for shas in heads.values() for sha in shas}
    assert set(runs) <= every_head
    for number in PULLS:
        reviewed = [sha for sha in heads[number] if sha in runs]
        assert reviewed[-1] == latest[number]  # the latest head of every PR was reviewed
        commits = [r["commit_id"] for r in cluster.reviews(number)]
        assert len(commits) == len(set(commits)) and set(commits) <= set(reviewed)
        inline = [
            (c["path"], c.get("line"), c["body"])
            for c in github_double.review_comments.get((OWNER, REPO, number), [])
        ]
        assert inline and len(inline) == len(set(inline)), inline  # no comment said twice
        said = [
            fp
            for c in github_double.review_comments.get((OWNER, REPO, number), [])
            for fp in fingerprints_in(c["body"])
        ]
        assert len(said) == len(set(said))
        assert len(cluster.summaries(number)) == 1
        assert cluster.state(number).last_reviewed_head == latest[number]


# --- 2. SIGKILL a worker process mid-review -------------------------------------------------------

KILL_OPTIONS = RedisQueueOptions(heartbeat_interval=0.5, heartbeat_timeout=2, sweep_interval=1)
REVIEW_TIME = 30.0  # the review itself after the takeover (seconds on a loaded machine): a deadline


def worker_config(path: Path) -> Path:
    off = "\n".join(f"    - {name}" for name in ONLY_RUFF)
    path.write_text(
        "server:\n"
        "  workers: 1\n"
        "  shutdown_grace: 2.0\n"
        f"  queue_heartbeat_interval: {KILL_OPTIONS.heartbeat_interval}\n"
        f"  queue_heartbeat_timeout: {KILL_OPTIONS.heartbeat_timeout}\n"
        f"  queue_sweep_interval: {KILL_OPTIONS.sweep_interval}\n"
        "rate_limiting:\n"
        "  mutation_interval_seconds: 0.02\n"
        "  job_retry_delay_seconds: 0.1\n"
        f"review:\n  disabled_analyzers:\n{off}\n"
    )
    return path


@dataclass
class WorkerProcess:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]


@contextlib.contextmanager
def worker_processes() -> Iterator[list[WorkerProcess]]:
    started: list[WorkerProcess] = []
    try:
        yield started
    finally:
        for worker in started:
            if worker.process.poll() is None:
                worker.process.kill()
            worker.process.wait(timeout=WAIT)


async def start_worker(started: list[WorkerProcess], env: dict[str, str], tmp_path: Path) -> WorkerProcess:
    """A `review-bot worker` process, once its /ready says 200 (polled without blocking the loop
    the GitHub double runs on)."""
    port = free_port()
    log = tmp_path / f"worker-{len(started)}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: ASYNC220 - started once; waited for below by polling
            [
                sys.executable,
                "-c",
                "from bot.cli import main; raise SystemExit(main())",
                "worker",
                "--host",
                "127.0.0.1",
            ],
            env={**env, "METRICS_PORT": str(port), "PORT": str(free_port())},
            stdout=subprocess.DEVNULL,
            stderr=out,
            start_new_session=True,  # as a service manager starts it: the leader of its own session
        )
    worker = WorkerProcess(process, port, log)
    started.append(worker)

    async def ready() -> bool:
        assert process.poll() is None, worker.tail()
        with contextlib.suppress(aiohttp.ClientError, asyncio.TimeoutError):
            async with aiohttp.ClientSession() as session:
                async with session.get(
                    f"http://127.0.0.1:{port}/ready", timeout=aiohttp.ClientTimeout(2)
                ) as r:
                    return r.status == 200
        return False

    await until(ready)
    return worker


async def test_a_worker_killed_mid_review_leaves_one_review_done_by_another_within_the_bound(
    aiohttp_client, github_double: GitHubDouble, redis_server: RedisServer, repo_path: Path, tmp_path: Path
):
    github_double.add_repo(OWNER, REPO, repo_path)
    github_double.add_installation(INSTALLATION, repos=[f"{OWNER}/{REPO}"])
    settings = replace(
        bot_settings(github_double.base_url, disabled_analyzers=ONLY_RUFF), redis_url=redis_server.url
    )
    # The receiver stamps each job with its heartbeat timeout: the same short one as the workers'.
    queue = RedisReviewQueue.from_url(redis_server.url, KILL_OPTIONS)
    receiver = await aiohttp_client(create_app(settings, queue=queue, retry=FAST_RETRY, role="receiver"))
    cluster = Cluster(github_double, redis_server, repo_path, [receiver], [])
    head = cluster.push(21, {"app/killed.py": unused_import(1)})
    env = {
        **os.environ,
        "GITHUB_APP_ID": str(APP_ID),
        "GITHUB_PRIVATE_KEY": app_key_pair().private_pem,
        "GITHUB_WEBHOOK_SECRET": SECRET,
        "GITHUB_API_URL": github_double.base_url,
        "REDIS_URL": redis_server.url,
        "REVIEW_BOT_CONFIG": str(worker_config(tmp_path / "service.yml")),
        "LOG_LEVEL": "INFO",
    }
    hold = github_double.hold_next("GET", r"/pulls/21/files")  # a read, after the check run started
    with worker_processes() as started:
        try:
            doomed = await start_worker(started, env, tmp_path)  # alone: it takes the job
            # A worker runs below the receiver's priority (bot/cli.py WORKER_NICENESS).
            expected_nice = min(19, os.getpriority(os.PRIO_PROCESS, 0) + WORKER_NICENESS)
            assert os.getpriority(os.PRIO_PROCESS, doomed.process.pid) == expected_nice
            autogroup = Path(f"/proc/{doomed.process.pid}/autogroup")
            if autogroup.exists():  # Linux shares the CPU by session first: its session is lowered too
                assert autogroup.read_text().split()[-1] == str(WORKER_NICENESS)
            assert await cluster.deliver(0, "pull_request", cluster.pull_payload(21, "opened")) == 202
            await asyncio.wait_for(hold.arrived.wait(), WAIT)
            assert [r["status"] for r in cluster.check_runs()] == ["in_progress"]
            survivor = await start_worker(started, env, tmp_path)
            doomed.process.send_signal(signal.SIGKILL)
            await until(lambda: _true(doomed.process.poll() is not None))
            assert doomed.process.returncode == -signal.SIGKILL

            async def reviewed() -> bool:
                assert survivor.process.poll() is None, survivor.tail()
                # The summary is the publish step's last write: the review is done once it names the head.
                summaries = cluster.summaries(21)
                return bool(summaries) and cluster.state(21).last_reviewed_head == head

            # Taken over after no heartbeat for heartbeat_timeout and a sweep, then reviewed.
            await until(reviewed, timeout=KILL_OPTIONS.takeover_bound + REVIEW_TIME)
        finally:
            hold.release()  # the dead worker's request: answered to nobody
        assert len(cluster.reviews(21)) == 1
        assert len(cluster.summaries(21)) == 1
        [run] = cluster.check_runs()  # the run the killed worker started, completed by the other
        assert run["status"] == "completed" and run["head_sha"] == head
        assert "handed out again, no heartbeat" in survivor.log.read_text(errors="replace")  # the sweep
        survivor.process.send_signal(signal.SIGTERM)
        assert await asyncio.to_thread(survivor.process.wait, WAIT) == 0


async def _true(value: bool) -> bool:
    return value


# --- 3. /pause on one replica against a publish on another ----------------------------------------


class WatchedLocks:
    """A worker's PR locks (Redis), counting who asked for one: the test knows the /pause is at
    the lock, waiting for the publishing review, without a sleep."""

    def __init__(self, inner: PRLock) -> None:
        self.inner = inner
        self.asked = 0

    @contextlib.asynccontextmanager
    async def hold(self, key: Hashable) -> AsyncIterator[None]:
        self.asked += 1
        async with self.inner.hold(key):
            yield


async def test_a_pause_on_one_replica_survives_a_publish_on_another(
    aiohttp_client, github_double: GitHubDouble, redis_server: RedisServer, repo_path: Path
):
    # Two workers: the /pause runs on the one that routes it (the intake's router), the review on
    # either; the PR's lock is Redis's, whichever process holds it.
    cluster = await start_cluster(aiohttp_client, github_double, redis_server, repo_path, 1, 2)
    github_double.permissions[OWNER, REPO, WRITER] = "write"
    number = 31
    cluster.push(number, {"app/first.py": unused_import(1)})
    assert await cluster.deliver(0, "pull_request", cluster.pull_payload(number, "opened")) == 202
    await until(lambda: _true(len(cluster.completed_heads()) == 1))
    await until(cluster.settled)
    assert not cluster.state(number).paused

    head = cluster.push(number, {"app/second.py": unused_import(2)})
    watched = []
    for worker in cluster.workers:
        worker_ctx = worker.app[CONTEXT]
        watched.append(WatchedLocks(worker_ctx.state_locks))
        worker_ctx.state_locks = watched[-1]  # type: ignore[assignment]
    hold = github_double.hold_next("PATCH", SUMMARY_PATCH)  # the worker's write of the summary
    try:
        assert await cluster.deliver(0, "pull_request", cluster.pull_payload(number, "synchronize")) == 202
        await asyncio.wait_for(hold.arrived.wait(), WAIT)  # the worker holds the PR's lock, writing
        since = len(github_double.requests)
        pause = cluster.comment_payload(number, "/pause", WRITER)
        assert await cluster.deliver(0, "issue_comment", pause) == 202

        def pause_wrote() -> bool:
            edits = github_double.requests[since:]
            return any(m == "PATCH" and "/issues/comments/" in p and s == 200 for m, p, s in edits)

        # Either the pause wrote the summary while the worker's write was in flight (the race),
        # or it is at the PR's lock, which the worker on the other replica holds (the fix).
        await until(lambda: _true(pause_wrote() or sum(w.asked for w in watched) > 0))
    finally:
        hold.release()
    await until(lambda: _true(head in cluster.completed_heads()))
    await until(cluster.settled)

    state = cluster.state(number)
    assert state.paused and state.paused_by == WRITER  # the pause survived the publish
    assert state.last_reviewed_head == head  # and the review's own part is in too
    [second] = [r for r in cluster.reviews(number) if r["commit_id"] == head]
    new = {fp for c in second["comments"] for fp in fingerprints_in(c["body"])}
    assert new and new <= set(state.said)
    assert len(cluster.summaries(number)) == 1
