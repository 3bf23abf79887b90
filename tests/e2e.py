"""The bot and the GitHub double wired together: one world per test."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient

from bot.config import ReviewSettings, Settings
from bot.github.client import RetryPolicy
from bot.queue import InProcessQueue
from bot.web import CONTEXT, create_app
from tests.ghdouble import GitHubDouble
from tests.ghdouble.keys import app_key_pair
from tests.webhooks import delivery_headers, load_payload

SECRET = "end-to-end webhook secret"
OWNER, REPO, NUMBER, INSTALLATION = "Codertocat", "Hello-World", 2, 1
APP_ID = 12345
FAST_RETRY = RetryPolicy(
    attempts=10, initial=0.01, max_backoff=0.05, max_wait=5.0, request_timeout=20.0, secondary_min_wait=1.0
)


def bot_settings(api_url: str, *, job_attempts: int = 5, **review: Any) -> Settings:
    return Settings(
        app_id=str(APP_ID),
        private_key=app_key_pair().private_pem,
        webhook_secret=SECRET,
        api_url=api_url,
        workers=2,
        mutation_interval=0.02,  # 1 s in production; the spacing itself is tested in test_github_client
        job_attempts=job_attempts,
        job_retry_delay=0.05,
        breaker_reset=0.2,
        reconcile_interval=0.0,  # no pass on start unless a test asks (tests/test_reconcile.py)
        review=ReviewSettings(**review),
    )


@dataclass
class World:
    github: GitHubDouble
    bot: TestClient
    queue: InProcessQueue
    repo_path: Path

    @property
    def key(self) -> tuple[str, str, int]:
        return (OWNER, REPO, NUMBER)

    def payload(self, action: str) -> dict[str, Any]:
        """A real payload of that action, pointed at the double's repository and pull request."""
        return pull_request_payload(self.github, action)

    async def deliver(self, event: str, payload: dict[str, Any], delivery: str | None = None) -> int:
        body = json.dumps(payload).encode()
        headers = delivery_headers(event, body, SECRET, delivery or str(uuid.uuid4()))
        response = await self.bot.post("/webhook", data=body, headers=headers)
        return response.status

    async def settle(self, timeout: float = 120.0) -> None:
        """Wait until the bot has nothing queued, running or scheduled for retry, and no webhook
        work (slash-commands) still running in the background."""
        ctx = self.bot.app[CONTEXT]
        await until(lambda: self.queue.idle() and ctx.background_idle(), timeout)

    def reviews(self) -> list[dict[str, Any]]:
        return self.github.reviews.get(self.key, [])

    def summaries(self) -> list[dict[str, Any]]:
        return [c for c in self.github.issue_comments.get(self.key, []) if "review-bot:summary" in c["body"]]

    def check_runs(self) -> list[dict[str, Any]]:
        return self.github.check_runs.get((OWNER, REPO), [])


async def until(predicate: Callable[[], bool], timeout: float = 60.0) -> None:
    """Poll with a deadline (no fixed sleeps): fail clearly if it never becomes true."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"condition not met within {timeout:g} s")
        await asyncio.sleep(0.02)


async def make_world(
    aiohttp_client, github: GitHubDouble, repo_path: Path, *, job_attempts: int = 5, **review: Any
) -> World:
    github.add_repo(OWNER, REPO, repo_path)
    github.add_installation(INSTALLATION, repos=[f"{OWNER}/{REPO}"])
    github.add_pull(OWNER, REPO, NUMBER, base="main", head="feature")
    queue = InProcessQueue()
    settings = bot_settings(github.base_url, job_attempts=job_attempts, **review)
    app = create_app(settings, queue=queue, retry=FAST_RETRY)
    return World(github=github, bot=await aiohttp_client(app), queue=queue, repo_path=repo_path)


def reject_next_review(world: World) -> None:
    """Make GitHub refuse the next review with its whole-review 422, as for a line outside the diff."""
    world.github.fail_next(
        "POST",
        r"/repos/.*/pulls/\d+/reviews$",
        422,
        body={"message": "Unprocessable Entity", "errors": ["Line could not be resolved"]},
    )


def pull_request_payload(github: GitHubDouble, action: str, number: int = NUMBER) -> dict[str, Any]:
    """A real ``pull_request`` payload of that action, pointed at the double's repository and PR."""
    data = load_payload("pull_request", action)
    pull = github.pulls[OWNER.lower(), REPO.lower(), number].data
    data["number"] = number
    data["pull_request"]["number"] = number
    data["pull_request"]["head"]["sha"] = pull["head"]["sha"]
    data["pull_request"]["base"]["sha"] = pull["base"]["sha"]
    data["pull_request"]["draft"] = False
    data["repository"]["clone_url"] = github.git_url(OWNER, REPO)
    data["installation"] = {"id": INSTALLATION, "node_id": "x"}
    if action == "synchronize":
        data["after"] = pull["head"]["sha"]
    return data
