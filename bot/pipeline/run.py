"""The one review pipeline: a source -> analyze -> (agent dialogue) -> a reporter.

Every door composes this: the CLI (a local git source, a terminal reporter), the App's worker
(a GitHub PR source, the GitHub reporter: review, check run, summary), and later the Action and
the REST API. A door chooses a source and a reporter; none re-implements the steps between.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import aiohttp

from analyzers.cache import AnalysisCache
from analyzers.diff import FileDiff
from bot.github.client import CircuitOpenError, GitHubHTTPError
from bot.observability import Stage, no_stage
from bot.pipeline.analyze import ReviewOutcome, analyze_changes, discuss_outcome
from bot.pipeline.checkout import CheckoutError
from bot.pipeline.policy import build_analyzers, write_rule_files
from bot.pipeline.repo_config import RepoPolicy

if TYPE_CHECKING:  # the dialogue pulls in autogen (0.6 s of imports): only when it runs
    from bot.agents.config import AgentConfig
    from bot.agents.dialogue import Discussion
    from bot.events import EventChannel

log = logging.getLogger(__name__)

# Failures of the world around a review (GitHub, git, the network): they end the run so that the
# door can retry it. Anything else inside the analysis is a bug or an input nobody foresaw:
# retrying cannot help, so the review is still reported, incomplete, saying why.
TRANSIENT = (
    GitHubHTTPError,
    CheckoutError,
    CircuitOpenError,
    aiohttp.ClientError,
    asyncio.TimeoutError,
    OSError,
)


@dataclass
class Change:
    """What a source hands the pipeline: where the head commit is, what changed, and the policy."""

    git_dir: Path
    head_sha: str
    diffs: Mapping[str, FileDiff]
    policy: RepoPolicy
    env: Mapping[str, str] = field(default_factory=dict)
    fetch_missing: bool = False  # blobs not yet in git_dir are fetched (a partial clone of a PR head)
    title: str = ""  # the change's words for the agents: a PR's title and body, a commit message
    body: str | None = None
    patches: Mapping[str, str] = field(default_factory=dict)  # path -> hunks, for the agents
    repo_url: str | None = None  # links the agents write may point inside this repository only
    scope: str = ""  # what range was reviewed, in words, when it is not the whole change
    incomplete: list[str] = field(default_factory=list)  # what the source already knows it left out
    skipped: dict[str, str] = field(default_factory=dict)


class Source(Protocol):
    """Where a change comes from: a local repository, a pull request, an Actions event, an API call."""

    async def open(self, workdir: Path) -> Change:
        """Make the head commit's files reachable under ``workdir`` (kept until the review ends)."""
        ...


class Reporter(Protocol):
    """Where a review goes: a terminal format, GitHub (review, check run, summary), an API result."""

    async def start(self) -> None:
        """Before any work: e.g. a check run "in progress"."""
        ...

    async def report(self, outcome: ReviewOutcome, change: Change) -> None: ...


class NoReporter:
    """For callers that only want the outcome (the CLI prints it itself, in the format asked)."""

    async def start(self) -> None:
        return None

    async def report(self, outcome: ReviewOutcome, change: Change) -> None:
        return None


async def run_review(
    source: Source,
    reporter: Reporter | None = None,
    *,
    cache: AnalysisCache | None = None,
    agents: AgentConfig | None = None,
    events: EventChannel | None = None,
    topic: str = "",
    stage: Stage = no_stage,
    announce: bool = False,
) -> ReviewOutcome:
    """Review one change from ``source`` and hand the outcome to ``reporter``; ``stage`` opens a
    context around each step (the worker's times it and traces it: bot/observability.py).
    ``announce``: publish each analyzer's start and end, each finding and the result on ``topic``
    too (the agent messages always are), for live viewers of a PR (bot/live/)."""
    reporter = reporter or NoReporter()
    live = events if announce else None
    await reporter.start()
    with tempfile.TemporaryDirectory(prefix="review-bot-") as tmp:
        workdir = Path(tmp)
        with stage("fetch"):
            change = await source.open(workdir)
        settings = change.policy.settings
        analyzers = build_analyzers(
            settings, write_rule_files(workdir / "repo-rules", change.policy.rule_files)
        )
        for analyzer in analyzers:  # live viewers (bot/live/) see the review advance
            publish_event(live, topic, {"type": "analyzer_started", "tool": analyzer.name})
        try:
            with stage("analyze"):
                outcome = await analyze_changes(
                    change.git_dir,
                    change.head_sha,
                    change.diffs,
                    env=change.env,
                    fetch_missing=change.fetch_missing,
                    settings=settings,
                    workdir=workdir,
                    analyzers=analyzers,
                    cache=cache,
                )
        except TRANSIENT:
            raise
        except Exception as exc:  # still reported: incomplete (never a pass), saying why
            log.exception("%s: the analysis failed", change.head_sha[:7])
            outcome = ReviewOutcome(findings=[], results=[], diffs=dict(change.diffs))
            outcome.incomplete.append(
                f"The analysis failed unexpectedly ({type(exc).__name__}); no file was analyzed."
            )
        outcome.skipped.update(change.skipped)
        outcome.incomplete += change.incomplete
        announce_analysis(live, topic, outcome)
        if agents is not None:  # while the head files are still on disk
            with stage("dialogue"):
                outcome.discussion = await discuss(outcome, change, agents, events=events, topic=topic)
    with stage("publish"):
        await reporter.report(outcome, change)
    publish_event(live, topic, result_event(outcome))
    return outcome


MAX_LIVE_FINDINGS = 500  # findings sent to live viewers one by one; the result event counts them all


def publish_event(events: EventChannel | None, topic: str, event: dict[str, object]) -> None:
    if events is not None and topic:
        events.publish(topic, event)


def announce_analysis(events: EventChannel | None, topic: str, outcome: ReviewOutcome) -> None:
    """Each analyzer's end and each finding, for live viewers (never blocks: bot/events.py)."""
    if events is None or not topic:
        return
    for result in outcome.results:
        finished = {"tool": result.tool, "findings": len(result.findings), "error": result.error}
        publish_event(
            events, topic, {"type": "analyzer_finished", **finished, "duration_s": round(result.duration, 3)}
        )
    for finding in outcome.findings[:MAX_LIVE_FINDINGS]:  # the shape bot/analysis/runner.py sends too
        publish_event(events, topic, {"type": "finding", "finding": finding.to_dict()})


def result_event(outcome: ReviewOutcome) -> dict[str, object]:
    by_severity: dict[str, int] = {}
    for finding in outcome.findings:
        by_severity[finding.severity] = by_severity.get(finding.severity, 0) + 1
    return {
        "type": "result",
        "findings_total": len(outcome.findings),
        "by_severity": by_severity,
        "files_analyzed": outcome.files_analyzed,
        "incomplete": bool(outcome.incomplete),
    }


async def discuss(
    outcome: ReviewOutcome,
    change: Change,
    agents: AgentConfig,
    *,
    events: EventChannel | None,
    topic: str,
) -> Discussion:
    """The agent dialogue over the outcome; a failure loses the model's part, never the findings."""
    try:
        return await discuss_outcome(
            outcome,
            agents,
            title=change.title,
            body=change.body,
            patches=change.patches,
            fail_on=change.policy.settings.fail_on,
            repo_url=change.repo_url,
            events=events,
            topic=topic,
        )
    except Exception as exc:
        log.exception("%s: the agent dialogue failed", change.head_sha[:7])
        return dialogue_failed(f"the dialogue failed unexpectedly ({type(exc).__name__})")


def dialogue_failed(reason: str) -> Discussion:
    """A dialogue that did not happen, saying why (the summary shows it like any skipped dialogue)."""
    from bot.agents.dialogue import Discussion
    from bot.agents.team import AgentReview

    return Discussion(AgentReview(skipped=reason))
