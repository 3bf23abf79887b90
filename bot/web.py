"""The aiohttp application: the webhook endpoint, health, and the review workers' lifetime."""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import resource
import signal
from collections.abc import AsyncIterator
from typing import Literal

import aiohttp
from aiohttp import web
from gidgethub import routing
from opentelemetry.sdk.trace import TracerProvider

from analyzers.pool import pool_lifetime
from bot.agents.config import AgentConfig
from bot.api import setup_api
from bot.config import MAX_WEBHOOK_BYTES, Settings
from bot.context import USER_AGENT, BotContext, build_context
from bot.delivery import route, route_intake
from bot.github.client import RetryPolicy
from bot.live import setup_live
from bot.observability import bind_log_context, current_traceparent, tracer_of, tracer_provider_from_env
from bot.queue import InProcessQueue, ReviewQueue
from bot.queue.redis_intake import IntakeFull, RedisIntake, consumer_name
from bot.redis_client import UNAVAILABLE, connect, describe, reachable, stop_tasks
from bot.webhook_intake import BodyBudget, IntakeError, read_signed_body, routing_part
from bot.webhook_intake import signature_matches as signature_matches
from bot.worker import WorkerPool
from handlers import checks, comments, installation, ping, pull_request

log = logging.getLogger(__name__)

SETTINGS = web.AppKey("settings", Settings)
QUEUE = web.AppKey("queue", ReviewQueue)
ROUTER = web.AppKey("router", routing.Router)
CONTEXT = web.AppKey("context", BotContext)
RETRY = web.AppKey("retry", RetryPolicy)
AGENT_CONFIG = web.AppKey("agent_config", AgentConfig)
BUDGET = web.AppKey("body_budget", BodyBudget)
WORKERS = web.AppKey("workers", int)  # how many review workers this process runs
POOL = web.AppKey("pool", WorkerPool)
RECONCILE: web.AppKey[asyncio.Task[None]] = web.AppKey("reconcile")  # the loop of bot/reconcile.py
ROLE = web.AppKey("role", str)
TRACER_PROVIDER = web.AppKey("tracer_provider", TracerProvider)  # tests pass an in-memory exporter
INTAKE = web.AppKey("intake", RedisIntake)  # with a Redis queue: receivers append, workers route
INTAKE_ROUTER: web.AppKey[asyncio.Task[None]] = web.AppKey("intake_router")  # a worker's route_intake

Role = Literal["all", "receiver", "worker"]


def problem(
    status: int, message: str, *, close: bool = False, retry_after: int | None = None
) -> web.Response:
    response = web.json_response({"error": message}, status=status)
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    if close:  # the body was not read to its end: this connection cannot carry another request
        response.force_close()
    return response


async def webhook(request: web.Request) -> web.Response:
    """One delivery, counted by event and answer, in a span the review it queues joins."""
    event_name = request.headers.get("X-GitHub-Event")
    delivery_id = request.headers.get("X-GitHub-Delivery")
    ctx = request.app[CONTEXT]
    bind_log_context(delivery_id=delivery_id, event=event_name)
    attributes = {"github.event": str(event_name)[:100], "github.delivery": str(delivery_id)[:100]}
    with ctx.tracer.start_as_current_span("webhook receive", attributes=attributes) as span:
        response = await receive(request, event_name, delivery_id)
        span.set_attribute("http.status_code", response.status)
    ctx.metrics.count_delivery(event_name, response.status)
    return response


async def receive(request: web.Request, event_name: str | None, delivery_id: str | None) -> web.Response:
    """Verify one delivery, then route it here (the single process) or append it to the intake
    for the workers (a receiver); answer before any review work starts."""
    settings = request.app[SETTINGS]
    if not event_name or not delivery_id:
        return problem(400, "missing X-GitHub-Event or X-GitHub-Delivery header", close=True)
    signature = request.headers.get("X-Hub-Signature-256")
    if not signature:
        return problem(401, "missing X-Hub-Signature-256", close=True)
    try:
        body = await read_signed_body(
            request,
            signature,
            secret=settings.webhook_secret or "",
            budget=request.app[BUDGET],
            timeout=settings.webhook_read_timeout,
            limit=MAX_WEBHOOK_BYTES,
        )
    except IntakeError as exc:
        return problem(exc.status, exc.message, close=exc.close, retry_after=exc.retry_after)
    intake = request.app.get(INTAKE)
    if intake is not None and event_name != "ping":
        return await append(intake, event_name, delivery_id, body)
    routed = await route(request.app[ROUTER], request.app[CONTEXT], event_name, delivery_id, body)
    if routed.status == 200:
        return web.json_response({"msg": routed.message})
    if routed.status == 202:
        return web.json_response({"accepted": delivery_id}, status=202)
    return problem(routed.status, routed.message, retry_after=routed.retry_after)


async def append(intake: RedisIntake, event_name: str, delivery_id: str, body: bytearray) -> web.Response:
    """A receiver's delivery: checked to be a JSON object, then what its handler reads of it in the
    intake (or refused)."""
    try:
        part = routing_part(event_name, body)
    except IntakeError as exc:
        return problem(exc.status, exc.message)
    try:
        await intake.append(event_name, delivery_id, part, current_traceparent())
    except IntakeFull as exc:
        log.warning("delivery %s (%s): %s", delivery_id, event_name, exc)
        return problem(503, "too many deliveries wait to be routed; redeliver later", retry_after=60)
    except UNAVAILABLE as exc:  # nothing was appended: never 202-and-lose
        log.warning("delivery %s (%s): no Redis for the intake (%s)", delivery_id, event_name, describe(exc))
        return problem(503, "the review queue is unavailable; redeliver later", retry_after=30)
    return web.json_response({"accepted": delivery_id}, status=202)


async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def ready(request: web.Request) -> web.Response:
    """200 when this process can do its job: Redis answers (if configured), the App's key is
    loaded, its workers (if any) are running; else 503 with the reasons."""
    return await ready_response(request.app)


async def ready_response(app: web.Application) -> web.Response:
    settings = app[SETTINGS]
    reasons = []
    ctx = app.get(CONTEXT)
    if ctx is None:
        reasons.append("not started")
    elif ctx.redis is not None and not await reachable(ctx.redis):
        reasons.append("Redis is unreachable")
    if not (settings.app_id and settings.private_key):
        reasons.append("the App's private key is not loaded")
    pool = app.get(POOL)
    if app[WORKERS] and (pool is None or not pool.running()):
        reasons.append("the review workers are not running")
    intake_router = app.get(INTAKE_ROUTER)
    if intake_router is not None and intake_router.done():
        reasons.append("the webhook intake is not being routed")
    if reasons:
        return web.json_response({"status": "not ready", "reasons": reasons}, status=503)
    return web.json_response({"status": "ready"})


async def metrics(request: web.Request) -> web.Response:
    return await metrics_response(request.app)


async def metrics_response(app: web.Application) -> web.Response:
    ctx = app[CONTEXT]
    await ctx.metrics.refresh(ctx.queue, ctx.cache, ctx.app_client.breaker, app.get(INTAKE))
    body = ctx.metrics.render()
    return web.Response(body=body, headers={"Content-Type": "text/plain; version=0.0.4; charset=utf-8"})


def metrics_app(app: web.Application) -> web.Application:
    """/metrics, /health and /ready of ``app``, for the private METRICS_PORT: the public port then
    serves no /metrics (a scrape may cost Redis calls and tells anyone how busy the bot is)."""
    private = web.Application()

    async def metrics_of_app(request: web.Request) -> web.Response:
        return await metrics_response(app)

    async def ready_of_app(request: web.Request) -> web.Response:
        return await ready_response(app)

    private.router.add_get("/metrics", metrics_of_app)
    private.router.add_get("/health", health)
    private.router.add_get("/ready", ready_of_app)
    return private


async def context_ctx(app: web.Application) -> AsyncIterator[None]:
    """One ClientSession (and, with REDIS_URL, one Redis client) for the App's life, and the
    context built on them."""
    settings = app[SETTINGS]
    redis = connect(settings.redis_url) if settings.redis_url else None
    if QUEUE not in app:
        from bot.queue.redis import RedisQueueOptions, RedisReviewQueue  # saq only where it is used

        assert redis is not None  # noqa: S101 - create_app sets a queue when there is no Redis
        options = RedisQueueOptions(
            heartbeat_interval=settings.queue_heartbeat_interval,
            heartbeat_timeout=settings.queue_heartbeat_timeout,
            sweep_interval=settings.queue_sweep_interval,
            per_installation=settings.per_installation_concurrency,
        )
        app[QUEUE] = RedisReviewQueue(redis, options)
    intake_of = getattr(app[QUEUE], "intake", None)  # a Redis queue: receivers and workers meet there
    if intake_of is not None and app[ROLE] != "all":
        app[INTAKE] = intake_of()
    timeout = aiohttp.ClientTimeout(total=60, connect=10)
    try:
        async with aiohttp.ClientSession(timeout=timeout, headers={"User-Agent": USER_AGENT}) as session:
            app[CONTEXT] = build_context(
                settings,
                session,
                app[QUEUE],
                retry=app.get(RETRY),
                agent_config=app.get(AGENT_CONFIG),
                redis=redis,
            )
            app[CONTEXT].tracer = tracer_of(app.get(TRACER_PROVIDER))
            yield
            await app[CONTEXT].cancel_background()  # slash-command work still running
    finally:
        if redis is not None:
            await redis.aclose()


async def history_ctx(app: web.Application) -> AsyncIterator[None]:
    """The review history (bot/history/store.py), imported here only when an app starts."""
    from bot.history.store import history_ctx as open_history

    async for _ in open_history(app):
        yield


async def workers_ctx(app: web.Application) -> AsyncIterator[None]:
    """Start the review workers with the app; on shutdown stop them gracefully (WorkerPool.stop:
    running reviews get the grace period, then are handed back) and close the queue."""
    pool = WorkerPool(app[CONTEXT], app[WORKERS], app[SETTINGS].shutdown_grace)
    app[POOL] = pool
    pool.start()
    # The warm analyzer pool (analyzers/pool.py) is created by the first review, never in a
    # receiver; it is shut down once the last app of this process has stopped its workers.
    with pool_lifetime(receiver=app[ROLE] == "receiver"):
        yield
        await pool.stop()
    queue = app[QUEUE]
    aclose = getattr(queue, "aclose", None)
    if aclose is not None:
        await aclose()
    close = getattr(queue, "close", None)
    if close is not None:
        close()


async def intake_ctx(app: web.Application) -> AsyncIterator[None]:
    """A worker routes the deliveries the receivers appended to the intake (bot/delivery.py);
    on shutdown it finishes the batch in hand, and what it read and did not acknowledge is
    routed by another worker (redis_intake.py)."""
    intake = app.get(INTAKE)
    if intake is None or app[ROLE] != "worker":
        yield
        return
    stopping = asyncio.Event()
    consumer = consumer_name()
    coro = route_intake(app[CONTEXT], app[ROUTER], intake, consumer, stopping)
    task = app[INTAKE_ROUTER] = asyncio.get_running_loop().create_task(coro, name="intake")
    yield
    stopping.set()
    try:
        await asyncio.wait_for(asyncio.shield(task), timeout=app[SETTINGS].shutdown_grace)
    except TimeoutError:
        await stop_tasks(task)


async def reconcile_ctx(app: web.Application) -> AsyncIterator[None]:
    """Where workers run, the reconcile pass (bot/reconcile.py): on start and every
    ``reconcile_interval`` seconds, open PRs whose webhook was lost are queued."""
    settings = app[SETTINGS]
    task = None
    if app[WORKERS] and settings.reconcile_interval > 0 and settings.app_id and settings.private_key:
        from bot.reconcile import reconcile_forever

        # Not ctx.spawn: that set is the webhook work in flight, which this loop never finishes.
        coro = reconcile_forever(app[CONTEXT], settings.reconcile_interval)
        task = app[RECONCILE] = asyncio.get_running_loop().create_task(coro, name="reconcile")
    yield
    if task is not None:
        await stop_tasks(task)  # a cancellation lost in a client library would leave it running


def create_app(
    settings: Settings,
    *,
    queue: ReviewQueue | None = None,
    retry: RetryPolicy | None = None,
    agent_config: AgentConfig | None = None,
    role: Role | None = None,
    tracer_provider: TracerProvider | None = None,
) -> web.Application:
    """The App: POST /webhook, GET /health and /ready, and the workers behind them.

    ``role`` (default: "all" without REDIS_URL, "receiver" with it): "all" receives and reviews
    in this process (the embedded default); "receiver" only verifies, dedupes and appends each
    delivery to the intake on Redis; "worker" routes the intake's deliveries into the review
    queue and runs ``settings.workers`` reviews from it, serving only /health, /ready and /metrics.
    """
    role = role or ("receiver" if settings.redis_url else "all")
    app = web.Application(client_max_size=MAX_WEBHOOK_BYTES)
    app[SETTINGS] = settings
    app[WORKERS] = 0 if role == "receiver" else settings.workers
    if queue is not None:
        app[QUEUE] = queue
    elif not settings.redis_url:
        app[QUEUE] = InProcessQueue(per_installation=settings.per_installation_concurrency)
    app[BUDGET] = BodyBudget(settings.webhook_max_bodies, settings.webhook_max_bytes)
    app[ROUTER] = routing.Router(
        pull_request.router, checks.router, comments.router, installation.router, ping.router
    )
    if retry is not None:
        app[RETRY] = retry
    if agent_config is not None:
        app[AGENT_CONFIG] = agent_config
    app[ROLE] = role
    tracer_provider = tracer_provider or tracer_provider_from_env(os.environ)
    if tracer_provider is not None:  # OTEL_EXPORTER_OTLP_ENDPOINT, or a test's in-memory exporter
        app[TRACER_PROVIDER] = tracer_provider
    app.cleanup_ctx.append(context_ctx)
    app.cleanup_ctx.append(history_ctx)  # before the workers: they record into it
    app.cleanup_ctx.append(workers_ctx)
    app.cleanup_ctx.append(intake_ctx)  # after the workers: stopped first, while the queue is open
    app.cleanup_ctx.append(reconcile_ctx)
    # Live sessions (bot/live/): the bridge from this process's review events in every role, the
    # WebSocket and the /ui/ page where clients connect.
    setup_live(app, serve=role != "worker")
    if role != "worker":  # the REST API under /api/v1 (bot/api/): the receivers and the single process
        from bot.analysis.service import analysis_ctx

        app.cleanup_ctx.append(analysis_ctx)  # after context_ctx and history_ctx: it uses both
        setup_api(app, settings)
    app.router.add_get("/health", health)
    app.router.add_get("/ready", ready)
    if role != "worker":
        app.router.add_post("/webhook", webhook)
    # The worker serves only its private port; a receiver with METRICS_PORT gets metrics_app there.
    if role == "worker" or settings.metrics_port in (None, settings.port):
        app.router.add_get("/metrics", metrics)
    if tracer_provider is not None:
        app.on_cleanup.append(lambda _app: _shutdown_tracing(tracer_provider))
    return app


async def _shutdown_tracing(provider: TracerProvider) -> None:
    """Export the spans still buffered before the process ends (bounded by the exporter's timeout)."""
    await asyncio.to_thread(provider.shutdown)


def server_options(settings: Settings) -> dict[str, object]:
    """aiohttp's per-connection options for ``serve`` (and the benchmark that floods it)."""
    return {
        "access_log": None,
        # aiohttp starts this timer when a connection opens: a client that never completes its
        # request headers (slow-loris) is closed after it, as is an idle keep-alive connection.
        "keepalive_timeout": settings.keepalive_timeout,
        # GitHub never compresses deliveries, and the signature covers the bytes as sent: an
        # unauthenticated client gets no decompression done for it.
        "auto_decompress": False,
        "max_line_size": 8190,
        "max_field_size": 8190,
        "max_headers": 64,
        "lingering_time": 0,  # never keep reading the rest of a refused body
    }


def cap_connections(server: web.Server, limit: int) -> None:
    """Keep at most ``limit`` open connections: a new one closes the oldest.

    Without a cap, slow clients hold file descriptors up to the process limit and then not even
    /health can connect. Closing the oldest (not refusing the newest) lets a health check or a
    GitHub delivery in even while a flood holds every slot; each flooder is then closed in turn.
    aiohttp has no public hook for this, so the server's own ``connection_made`` is wrapped.
    """
    made = server.connection_made

    def connection_made(handler: web.RequestHandler, transport: asyncio.Transport) -> None:
        made(handler, transport)
        live = [h for h in server.connections if h.transport is not None]  # oldest first
        for old in live[: max(0, len(live) - limit)]:
            old.force_close()

    server.connection_made = connection_made  # type: ignore[method-assign]


def connection_limit(wanted: int) -> int:
    """``wanted``, lowered to leave file descriptors for the process's own files, sockets and git."""
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return wanted
    return max(16, min(wanted, soft - 128))


async def start_server(
    app: web.Application, settings: Settings, host: str, port: int, *, reuse_port: bool = False
) -> web.AppRunner:
    """Start ``app`` on host:port with the connection limits; the caller cleans the runner up."""
    runner = web.AppRunner(app, **server_options(settings))  # type: ignore[arg-type]
    await runner.setup()
    assert runner.server is not None  # noqa: S101 - setup() made it
    cap_connections(runner.server, connection_limit(settings.max_connections))
    await web.TCPSite(runner, host, port, backlog=512, reuse_port=reuse_port or None).start()
    return runner


async def serve(app: web.Application, settings: Settings, host: str, port: int) -> None:
    """``review-bot serve``: run until SIGINT or SIGTERM, then shut down cleanly."""
    # Only the public port is shared: each receiver keeps a metrics port of its own to be scraped.
    runner = await start_server(app, settings, host, port, reuse_port=settings.reuse_port)
    log.info("listening on %s:%s", host, port)
    private: web.AppRunner | None = None
    if settings.metrics_port is not None and app[ROLE] != "worker" and settings.metrics_port != port:
        private = await start_server(metrics_app(app), settings, host, settings.metrics_port)
        log.info("metrics, health and readiness on %s:%s", host, settings.metrics_port)
    # Everything built at start-up (routes, models, the OpenAPI document, SQLAlchemy, clients)
    # lives as long as the process: moved out of the collector's reach, a full collection no
    # longer walks it. Measured on a receiver at 500 deliveries/s: full collections of 90-105 ms,
    # each one a stall of every delivery in flight, gone with this.
    gc.freeze()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        if private is not None:
            await private.cleanup()
        await runner.cleanup()
