"""One analysis from start to end: the checked target, the one pipeline (bot/pipeline/run.py),
the CLI's JSON as the result, SARIF beside it, and a safe error when it fails. Live events go to
``analysis:{id}`` as the work happens (the pipeline announces them: ``announce=True``)."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from bot.analysis.models import Analysis
from bot.analysis.source import RepositorySource
from bot.analysis.targets import TargetRejected, check_request
from bot.events import EventChannel
from bot.pipeline.checkout import CheckoutError
from bot.pipeline.run import Change, run_review
from bot.pipeline.terminal import format_json, format_sarif
from bot.text.printable import printable

if TYPE_CHECKING:
    from pathlib import Path

    from bot.analysis.service import AnalysisService

log = logging.getLogger(__name__)
MAX_ERROR_CHARS = 500


@dataclass
class RunResult:
    result: dict[str, Any]  # the CLI's JSON
    sarif: dict[str, Any]
    head_sha: str = ""
    summary: dict[str, Any] = field(default_factory=dict)  # run_review's result event: counts


@dataclass
class Finished:
    analysis: Analysis
    sarif: dict[str, Any] | None = None
    head_sha: str = ""
    duration_s: float = 0.0
    tokens: tuple[int, int] = (0, 0)
    summary: dict[str, Any] = field(default_factory=dict)


@dataclass
class RememberingSource:
    """The analysis source, remembering the change it opened (its head commit, for the history)."""

    inner: RepositorySource
    change: Change | None = None

    async def open(self, workdir: Path) -> Change:
        self.change = await self.inner.open(workdir)
        return self.change


class AnalysisEvents(EventChannel):
    """What the pipeline announces (bot/pipeline/run.py: analyzers, findings, agent messages),
    passed on to the app's channel with the analysis id, except its "result": the service
    announces that itself once the record says done, so a client told "result" finds it so."""

    def __init__(self, inner: EventChannel, analysis_id: str, summary: dict[str, Any]) -> None:
        super().__init__()
        self.inner = inner
        self.analysis_id = analysis_id
        self.summary = summary

    def publish(self, topic: str, event: dict[str, Any]) -> None:
        if event.get("type") == "result":
            self.summary.update({k: v for k, v in event.items() if k != "type"})
        else:
            self.inner.publish(topic, {"analysis_id": self.analysis_id, **event})


async def run_analysis(analysis: Analysis, service: AnalysisService) -> RunResult:
    """Check the target again (DNS answers may have changed since submit), then review it."""
    request = analysis.request
    target = await check_request(request, service.settings, service.resolver)
    source = RememberingSource(
        RepositorySource(
            target,
            request.base,
            request.head,
            service.review,
            fetch_timeout=service.settings.fetch_timeout,
            want_words=service.agents is not None,
        )
    )
    summary: dict[str, Any] = {}
    events = AnalysisEvents(service.events or EventChannel(), analysis.id, summary)
    outcome = await run_review(
        source,
        cache=service.cache,
        agents=service.agents,
        events=events,
        topic=f"analysis:{analysis.id}",
        announce=True,
    )
    head = source.change.head_sha if source.change is not None else ""
    return RunResult(json.loads(format_json(outcome)), json.loads(format_sarif(outcome)), head, summary)


def safe_error(exc: BaseException, timeout: float) -> str:
    """What went wrong, for the caller: git's and the target check's own words (they never hold
    credentials: URLs with any are refused), else only the kind of failure."""
    if isinstance(exc, TimeoutError):
        return f"the analysis did not finish within {timeout:g} s"
    if isinstance(exc, TargetRejected | CheckoutError):
        return printable(str(exc))[:MAX_ERROR_CHARS]
    return f"the analysis failed unexpectedly ({type(exc).__name__})"


async def finish(analysis: Analysis, service: AnalysisService) -> Finished:
    """Run the analysis within its timeout; the record as it ended, done or failed."""
    started = time.monotonic()
    timeout = service.settings.timeout
    try:
        async with asyncio.timeout(timeout):
            run = await service.runner(analysis, service)
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        if not isinstance(exc, TargetRejected | CheckoutError | TimeoutError):
            log.exception("analysis %s failed", analysis.id)
        failed = analysis.model_copy(
            update={"status": "failed", "error": safe_error(exc, timeout), "finished_at": datetime.now(UTC)}
        )
        return Finished(failed, duration_s=time.monotonic() - started)
    done = analysis.model_copy(
        update={"status": "done", "result": run.result, "finished_at": datetime.now(UTC)}
    )
    tokens = (run.result.get("agents") or {}).get("tokens") or {}
    return Finished(
        done,
        run.sarif,
        run.head_sha,
        time.monotonic() - started,
        (int(tokens.get("prompt") or 0), int(tokens.get("completion") or 0)),
        run.summary,
    )


def history_record(finished: Finished) -> Any:
    """The history row of a finished analysis (bot/history's ReviewRecord)."""
    from bot.history.models import ReviewRecord

    analysis = finished.analysis
    findings = (analysis.result or {}).get("findings") or []
    return ReviewRecord(
        kind="analysis",
        repo=analysis.request.repository[:1000],
        number=None,
        head_sha=finished.head_sha[:200],
        actor=analysis.user[:200],
        org=analysis.org[:200],
        started_at=analysis.started_at or analysis.created_at,
        finished_at=analysis.finished_at or datetime.now(UTC),
        duration_s=max(0.0, finished.duration_s),
        conclusion=analysis.status,
        findings_total=len(findings),
        by_severity=dict(Counter(str(f.get("severity")) for f in findings)),
        by_tool=dict(Counter(str(f.get("tool")) for f in findings)),
        by_rule=dict(Counter(f"{f.get('tool')}:{f.get('rule_id')}" for f in findings)),
        prompt_tokens=finished.tokens[0],
        completion_tokens=finished.tokens[1],
        analysis_id=analysis.id,
    )
