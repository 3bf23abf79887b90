"""Observable: /metrics (on its own port when METRICS_PORT is set), JSON log lines that carry the
delivery, and one trace from the receiver through the worker (the SDK's in-memory exporter)."""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import logging
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from prometheus_client.parser import text_string_to_metric_families

from bot.demo import BASE_FILES, HEAD_FILES
from bot.observability import LogContextFilter, current_traceparent, log_context, tracer_of
from bot.queue import LANES, InProcessQueue, ReviewJob
from bot.text.printable import JsonFormatter
from bot.web import create_app, metrics_app
from tests.e2e import FAST_RETRY, INSTALLATION, NUMBER, OWNER, REPO, World, bot_settings
from tests.ghdouble import GitHubDouble, commit, make_repo
from tests.ghdouble.keys import app_key_pair
from tests.redis_server import free_port

DELIVERY = "7a1c0ffe-0000-4000-8000-000000000001"


@pytest.fixture
def demo_repo(tmp_path: Path) -> Path:
    path = make_repo(tmp_path / "hello", BASE_FILES)
    commit(path, HEAD_FILES, branch="feature", message="introduce problems")
    return path


async def start_world(
    aiohttp_client: Any,
    github: GitHubDouble,
    repo_path: Path,
    *,
    settings: Any = None,
    tracer_provider: TracerProvider | None = None,
) -> World:
    github.add_repo(OWNER, REPO, repo_path)
    github.add_installation(INSTALLATION, repos=[f"{OWNER}/{REPO}"])
    github.add_pull(OWNER, REPO, NUMBER, base="main", head="feature")
    queue = InProcessQueue()
    app = create_app(
        settings or bot_settings(github.base_url),
        queue=queue,
        retry=FAST_RETRY,
        tracer_provider=tracer_provider,
    )
    return World(github=github, bot=await aiohttp_client(app), queue=queue, repo_path=repo_path)


async def review_once(world: World) -> None:
    assert await world.deliver("pull_request", world.payload("opened"), delivery=DELIVERY) == 202
    await world.settle()
    assert len(world.reviews()) == 1


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(found: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str) -> float:
    return found[(name, frozenset(labels.items()))]


async def test_metrics_after_one_review(aiohttp_client, github_double: GitHubDouble, demo_repo: Path):
    world = await start_world(aiohttp_client, github_double, demo_repo)
    await review_once(world)
    response = await world.bot.get("/metrics")
    assert response.status == 200
    found = samples(await response.text())
    names = {name for name, _ in found}
    # prometheus-client's own collectors, registered on the app's registry
    assert {"process_cpu_seconds_total", "python_info", "python_gc_objects_collected_total"} <= names
    assert value(found, "review_bot_webhook_deliveries_total", event="pull_request", result="accepted") == 1
    for lane in LANES:  # the in-process queue reports each priority lane, as the Redis one does
        assert value(found, "review_bot_queue_depth", priority=lane) == 0
    for stage in ("fetch", "analyze", "publish"):
        assert value(found, "review_bot_job_stage_seconds_count", stage=stage) == 1
    no_agents = ("review_bot_job_stage_seconds_count", frozenset({("stage", "dialogue")}))
    assert no_agents not in found
    assert value(found, "review_bot_github_calls_total", status="200") > 0
    assert value(found, "review_bot_github_rate_limit_remaining", resource="core") >= 0
    assert 0 <= value(found, "review_bot_analysis_cache_hit_ratio", level="all") <= 1
    host = github_double.base_url.split("://", 1)[1].split("/", 1)[0]
    assert value(found, "review_bot_github_breaker_state", host=host) == 0  # closed
    assert value(found, "review_bot_reviews_total", result="published") == 1


async def test_unknown_event_names_do_not_grow_the_metric(
    aiohttp_client, github_double: GitHubDouble, demo_repo: Path
):
    world = await start_world(aiohttp_client, github_double, demo_repo)
    response = await world.bot.post("/webhook", data=b"{}", headers={"X-GitHub-Event": "x" * 50})
    assert response.status == 400
    found = samples(await (await world.bot.get("/metrics")).text())
    assert value(found, "review_bot_webhook_deliveries_total", event="other", result="malformed") == 1


async def test_metrics_port_moves_metrics_off_the_public_port(
    aiohttp_client, github_double: GitHubDouble, demo_repo: Path
):
    settings = dataclasses.replace(bot_settings(github_double.base_url), metrics_port=9187)
    world = await start_world(aiohttp_client, github_double, demo_repo, settings=settings)
    assert (await world.bot.get("/metrics")).status == 404
    assert (await world.bot.get("/health")).status == 200
    await review_once(world)

    private = await aiohttp_client(metrics_app(world.bot.app))
    response = await private.get("/metrics")
    assert response.status == 200
    found = samples(await response.text())
    assert value(found, "review_bot_reviews_total", result="published") == 1
    assert (await private.get("/health")).status == 200
    assert (await private.get("/ready")).status == 200
    assert (await private.post("/webhook", data=b"{}")).status in (404, 405)


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """The root logger also writes JSON lines, with the context filter, into a buffer."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(LogContextFilter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


async def test_json_log_lines_carry_the_delivery(
    aiohttp_client, github_double: GitHubDouble, demo_repo: Path, json_log: io.StringIO
):
    world = await start_world(aiohttp_client, github_double, demo_repo)
    await review_once(world)
    events = [json.loads(line) for line in json_log.getvalue().splitlines()]
    assert events and all({"time", "level", "logger", "message"} <= set(e) for e in events)
    ours = [e for e in events if e.get("delivery_id") == DELIVERY]
    receiver = [e for e in ours if e["logger"] == "handlers.pull_request"]
    assert receiver and all(e["repo"] == f"{OWNER}/{REPO}" and e["pr"] == str(NUMBER) for e in receiver)
    worker = [e for e in ours if e["logger"] == "bot.worker"]
    head = world.github.pulls[OWNER.lower(), REPO.lower(), NUMBER].data["head"]["sha"]
    assert worker and all(e["head_sha"] == head and e["job_id"].endswith(head) for e in worker)


def test_json_log_line_escapes_control_characters():
    text = "a\nb\x1b[2J\u202ec"
    record = logging.LogRecord("bot.x", logging.WARNING, __file__, 1, "file %s", (text,), None)
    with log_context(repo="o/r\nforged"):
        LogContextFilter().filter(record)
        line = JsonFormatter().format(record)
    assert "\n" not in line and "\x1b" not in line and "\u202e" not in line
    event = json.loads(line)
    assert event["message"] == "file a\nb\x1b[2J\u202ec"
    assert event["repo"] == "o/r\nforged"
    assert event["level"] == "WARNING" and event["time"].endswith("Z")


async def test_one_delivery_is_one_trace_through_receiver_and_worker(
    aiohttp_client, github_double: GitHubDouble, demo_repo: Path
):
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    world = await start_world(aiohttp_client, github_double, demo_repo, tracer_provider=provider)
    await review_once(world)

    spans = exporter.get_finished_spans()
    [receive] = [s for s in spans if s.name == "webhook receive"]
    [review] = [s for s in spans if s.name == "review"]
    assert receive.context is not None and review.context is not None and review.parent is not None
    assert review.context.trace_id == receive.context.trace_id
    assert review.parent.span_id == receive.context.span_id
    assert receive.attributes is not None and receive.attributes["github.delivery"] == DELIVERY
    stages = {s.name: s for s in spans if s.name.startswith("review.")}
    assert set(stages) == {"review.fetch", "review.analyze", "review.publish"}
    for span in stages.values():
        assert span.parent is not None and span.parent.span_id == review.context.span_id


def test_traceparent_travels_in_the_job_json():
    provider = TracerProvider()
    with tracer_of(provider).start_as_current_span("receive") as span:
        job = ReviewJob(1, "o", "r", 2, "a" * 40, "b" * 40, "main", "https://example/o/r.git")
        assert job.traceparent == current_traceparent()  # taken from the span open where it is built
    assert f"{span.get_span_context().trace_id:032x}" in job.traceparent
    assert ReviewJob.from_json(job.to_json()).traceparent == job.traceparent
    outside = ReviewJob(1, "o", "r", 2, "a" * 40, "b" * 40, "main", "https://example/o/r.git")
    assert outside.traceparent == "" and outside == job  # not part of the job's identity


def get_status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - a local test server
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def test_serve_process_puts_metrics_on_its_own_port_and_logs_json(tmp_path: Path):
    public, private = free_port(), free_port()
    env = {
        **os.environ,
        "GITHUB_APP_ID": "1",
        "GITHUB_WEBHOOK_SECRET": "s",
        "GITHUB_PRIVATE_KEY": app_key_pair().private_pem,
        "GITHUB_API_URL": "http://127.0.0.1:9",
        "PORT": str(public),
        "METRICS_PORT": str(private),
        "LOG_FORMAT": "json",
    }
    for name in ("REDIS_URL", "OTEL_EXPORTER_OTLP_ENDPOINT", "REVIEW_BOT_CONFIG"):
        env.pop(name, None)
    server = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from bot.cli import main; raise SystemExit(main())",
            "serve",
            "--host",
            "127.0.0.1",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120.0
        while True:
            assert server.poll() is None, server.stderr.read().decode()[-2000:] if server.stderr else ""
            assert time.monotonic() < deadline, "the server never answered on its metrics port"
            with contextlib.suppress(OSError):
                if get_status(f"http://127.0.0.1:{private}/metrics") == 200:
                    break
            time.sleep(0.05)
        assert get_status(f"http://127.0.0.1:{public}/metrics") == 404
        assert get_status(f"http://127.0.0.1:{public}/health") == 200
        assert get_status(f"http://127.0.0.1:{private}/health") == 200
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=120.0) == 0
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    assert server.stderr is not None
    lines = server.stderr.read().decode().splitlines()
    events = [json.loads(line) for line in lines]  # every line is one JSON event
    assert any(e["message"] == f"listening on 127.0.0.1:{public}" for e in events)


def test_otlp_endpoint_builds_an_exporting_provider_without_calling_it():
    from bot.observability import tracer_provider_from_env

    assert tracer_provider_from_env({}) is None
    provider = tracer_provider_from_env({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:9"})
    assert isinstance(provider, TracerProvider)
    provider.shutdown()  # nothing recorded: nothing to send


async def test_queue_depth_per_lane_from_redis_and_a_scrape_survives_redis_down(redis_server):
    from analyzers.cache_redis import TwoLevelCache
    from bot.metrics import Metrics
    from bot.queue.redis import RedisReviewQueue
    from bot.redis_client import connect

    redis = connect(redis_server.url)
    queue = RedisReviewQueue(redis)
    cache = TwoLevelCache(redis)
    try:
        job = ReviewJob(1, "o", "r", 2, "a" * 40, "b" * 40, "main", "https://example/o/r.git", priority=1)
        assert await queue.enqueue(job)
        assert await cache.get("absent") is None
        metrics = Metrics()
        await metrics.refresh(queue, cache, None)
        found = samples(metrics.render().decode())
        assert value(found, "review_bot_queue_depth", priority="high") == 1
        assert value(found, "review_bot_queue_depth", priority="low") == 0
        assert value(found, "review_bot_analysis_cache_hit_ratio", level="l2") == 0

        redis_server.stop()
        await metrics.refresh(queue, cache, None)  # no exception: the depth is left as it was
        assert b"review_bot_queue_depth" in metrics.render()
    finally:
        await queue.aclose()
        await redis.aclose()
