"""The analysis service: bounded concurrency by priority, timeouts, live events, the history,
records shared through Redis."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.agents.config import load_agent_config
from bot.agents.team import DEFAULT_BREAKER
from bot.analysis.models import Analysis
from bot.analysis.runner import RunResult
from bot.analysis.service import ANALYSES, LOST, STOPPED, AnalysisBusy, AnalysisService, analysis_ctx
from bot.analysis.store import PREFIX, RedisAnalysisStore
from bot.config import AnalysisSettings, Settings
from bot.redis_client import connect
from bot.web import CONTEXT, create_app
from tests.openai_stub import OpenAIStub
from tests.redis_server import redis_server  # noqa: F401 (fixture)
from tests.test_agents_e2e import CODER_SAYS, REVIEWER_ANSWER, agent_config_file
from tests.test_analysis_support import Who, demo_repo, finished, make_service, request, wait_until


class Gate:
    """A runner that records the order analyses start in and holds them until released."""

    def __init__(self) -> None:
        self.started: list[str] = []
        self.release = asyncio.Event()

    async def __call__(self, analysis: Analysis, service: AnalysisService) -> RunResult:
        self.started.append(analysis.request.tags[0])
        await self.release.wait()
        return RunResult({"findings": [], "incomplete": []}, {"runs": []}, "0" * 40)


@pytest.fixture
def root(tmp_path: Path) -> AnalysisSettings:
    demo_repo(tmp_path / "root")
    return AnalysisSettings(roots=(str(tmp_path / "root"),), concurrency=2)


async def test_at_most_concurrency_analyses_run_and_high_priority_goes_first(root):
    gate = Gate()
    service = make_service(root, runner=gate)
    service.start()
    try:

        async def submit(tag: str, priority: str) -> str:
            return (await service.submit(request("demo", tags=[tag], priority=priority), Who())).id

        ids = [await submit("low0", "low"), await submit("low1", "low")]
        await wait_until(lambda: service.running == 2)
        ids += [await submit("low2", "low"), await submit("high", "high")]
        await asyncio.sleep(0)  # an idle worker would take one now: none is idle
        statuses = [(await service.get(i)).status for i in ids]
        assert statuses == ["running", "running", "queued", "queued"]
        gate.release.set()
        for analysis_id in ids:
            assert (await finished(service, analysis_id)).status == "done"
    finally:
        await service.stop()
    assert service.peak_running == 2
    assert gate.started == ["low0", "low1", "high", "low2"]


async def test_a_full_queue_says_busy(root):
    gate = Gate()
    service = make_service(AnalysisSettings(roots=root.roots, concurrency=1, max_pending=2), runner=gate)
    service.start()
    try:
        await service.submit(request("demo", tags=["a"]), Who())
        await service.submit(request("demo", tags=["b"]), Who())
        with pytest.raises(AnalysisBusy):
            await service.submit(request("demo", tags=["c"]), Who())
        gate.release.set()
    finally:
        await service.stop()


async def test_an_analysis_past_its_timeout_fails_saying_so(root):
    gate = Gate()  # never released
    service = make_service(AnalysisSettings(roots=root.roots, timeout=0.2), runner=gate)
    service.start()
    try:
        analysis = await service.submit(request("demo", tags=["slow"]), Who())
        ended = await finished(service, analysis.id)
    finally:
        await service.stop()
    assert ended.status == "failed" and ended.error == "the analysis did not finish within 0.2 s"


async def test_an_unexpected_failure_names_only_its_kind(root):
    async def broken(analysis: Analysis, service: AnalysisService) -> RunResult:
        raise ValueError("https://user:hunter2@example.com/secret")

    service = make_service(root, runner=broken)
    service.start()
    try:
        ended = await finished(service, (await service.submit(request("demo"), Who())).id)
    finally:
        await service.stop()
    assert ended.status == "failed" and ended.error == "the analysis failed unexpectedly (ValueError)"


async def test_the_app_runs_an_analysis_with_live_events_and_history(tmp_path, aiohttp_client):
    demo_repo(tmp_path / "root")
    settings = Settings(
        analysis=AnalysisSettings(roots=(str(tmp_path / "root"),)),
        database_url=str(tmp_path / "history.db"),
        workers=0,
        reconcile_interval=0,
    )
    app = create_app(settings)
    app.cleanup_ctx.append(analysis_ctx)
    client = await aiohttp_client(app)
    service = client.app[ANALYSES]
    analysis = await service.submit(request("demo"), Who())
    with client.app[CONTEXT].events.subscribe(f"analysis:{analysis.id}", queue_size=10_000) as events:
        ended = await finished(service, analysis.id)
        assert ended.status == "done", ended.error
        seen: list[dict] = []
        async for event in events:
            seen.append(event)
            if event["type"] in ("result", "error"):
                break
    kinds = [e["type"] for e in seen]
    assert kinds[0] == "analysis_started" and kinds[-1] == "result"
    assert "analyzer_started" in kinds and "analyzer_finished" in kinds
    findings = [e["finding"] for e in seen if e["type"] == "finding"]
    assert [f["fingerprint"] for f in findings] == [f["fingerprint"] for f in ended.result["findings"]]
    assert kinds.count("result") == 1 and seen[-1]["status"] == "done"
    assert seen[-1]["findings_total"] == len(findings) and seen[-1]["analysis_id"] == analysis.id
    assert all(e["analysis_id"] == analysis.id for e in seen)
    sarif = await service.sarif(analysis.id)
    assert sarif is not None and sum(len(r.get("results", [])) for r in sarif["runs"]) == len(findings)
    from bot.history.store import HISTORY

    trends = await client.app[HISTORY].trends("demo")  # recorded before the "result" event
    assert sum(p.reviews for p in trends.points) == 1
    assert sum(p.findings for p in trends.points) == len(findings)


async def test_any_replica_sees_an_analysis_through_redis_and_a_lost_one_fails(root, redis_server):  # noqa: F811
    gate = Gate()
    clients = [connect(redis_server.url), connect(redis_server.url)]
    stores = [RedisAnalysisStore(c, retention_seconds=3600) for c in clients]
    runner_a = make_service(root, store=stores[0], runner=gate)
    replica_b = make_service(root, store=stores[1], runner=gate)
    runner_a.start()
    try:
        analysis = await runner_a.submit(request("demo", tags=["shared"]), Who())
        await wait_until(lambda: runner_a.running == 1)
        assert (await replica_b.get(analysis.id)).status == "running"  # its lease is held by runner_a
        gate.release.set()
        ended = await finished(replica_b, analysis.id)
        assert ended.status == "done" and await replica_b.sarif(analysis.id) == {"runs": []}
        mine, total = await replica_b.list(Who(), page=1, per_page=10)
        assert total == 1 and [a.id for a in mine] == [analysis.id]
        assert await replica_b.list(Who(user="bob"), page=1, per_page=10) == ([], 0)

        gate.release.clear()
        lost = await runner_a.submit(request("demo", tags=["lost"]), Who())
        await wait_until(lambda: runner_a.running == 1)
        await runner_a.stop(fail_unfinished=False)  # the process is killed: nobody renews the lease ...
        await clients[1].delete(f"{PREFIX}{lost.id}:lease")  # ... until it lapses
        failed = await replica_b.get(lost.id)
        assert failed.status == "failed" and failed.error == LOST
    finally:
        await runner_a.stop()
        for client in clients:
            await client.aclose()


async def test_the_agents_messages_are_live_events_of_the_analysis(root, tmp_path, aiohttp_server):
    DEFAULT_BREAKER.__init__()  # the model's circuit starts closed
    stub = OpenAIStub(script=[CODER_SAYS, REVIEWER_ANSWER], default=REVIEWER_ANSWER)
    server = await aiohttp_server(stub.app())
    agents = load_agent_config(agent_config_file(tmp_path, str(server.make_url("/v1"))))
    service = make_service(root, agents=agents)
    service.start()
    try:
        analysis = await service.submit(request("demo"), Who())
        assert service.events is not None
        with service.events.subscribe(f"analysis:{analysis.id}", queue_size=10_000) as events:
            ended = await finished(service, analysis.id)
            seen = []
            async for event in events:
                seen.append(event)
                if event["type"] in ("result", "error"):
                    break
    finally:
        await service.stop()
    assert ended.status == "done", ended.error
    assert ended.result["agents"]["verdict"].startswith("Fix the shell call")
    messages = [e for e in seen if e["type"] == "agent_message"]
    assert messages and any(CODER_SAYS in str(m.get("content")) for m in messages)


async def test_a_stopping_service_records_its_unfinished_analyses_failed(root):
    gate = Gate()
    service = make_service(AnalysisSettings(roots=root.roots, concurrency=1), runner=gate)
    service.start()
    running = await service.submit(request("demo", tags=["running"]), Who())
    queued = await service.submit(request("demo", tags=["queued"]), Who())
    await wait_until(lambda: service.running == 1)
    await service.stop()
    for analysis_id in (running.id, queued.id):
        ended = await service.get(analysis_id)
        assert ended is not None and ended.status == "failed" and ended.error == STOPPED
