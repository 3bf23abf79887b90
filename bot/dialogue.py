"""The agent dialogue inside a review: run it, then fold what it settled into the review.

The dialogue never decides whether a PR passes (the check run concludes from the analyzers
alone), never approves or requests changes, and everything the agents wrote is sanitised
before it is posted. What it can do: keep a dismissed finding out of the inline comments (it
is still listed, with the reason), and add problems the analyzers cannot see.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from unidiff import PatchSet
from unidiff.errors import UnidiffParseError

from analyzers import Finding, with_fingerprints
from analyzers.diff import FileDiff, filter_findings
from bot.agent_config import AgentConfig
from bot.agent_sanitize import sanitize_agent_text
from bot.agents import AgentReview, run_agent_review
from bot.events import EventChannel

AGENT_TOOL = "agents"
AGENT_RULE = "ai-review"


@dataclass
class Discussion:
    """The dialogue's outcome, ready for publishing."""

    review: AgentReview
    added_in_diff: list[Finding] = field(default_factory=list)  # become inline comments
    added_elsewhere: list[Finding] = field(default_factory=list)  # not on the diff: summary only
    dismissed: dict[str, str] = field(default_factory=dict)  # finding fingerprint -> the agents' reason

    @property
    def ran(self) -> bool:
        return self.review.skipped is None


def patches_from_diff(text: str) -> dict[str, str]:
    """Each file's hunks (as GitHub's ``patch`` field holds them) from a ``git diff``."""
    try:
        patch_set = PatchSet(text)
    except UnidiffParseError:
        return {}
    patches = {}
    for patched in patch_set:
        if patched.is_removed_file or patched.is_binary_file:
            continue
        path = patched.path
        patches[path] = "".join(str(hunk) for hunk in patched)
    return patches


def agent_findings(
    review: AgentReview, read_lines: Callable[[str], Sequence[str]], repo_url: str | None
) -> list[Finding]:
    """The problems the agents added, as findings (their text sanitised, their lines fingerprinted)."""
    raw = [
        Finding(
            tool=AGENT_TOOL,
            rule_id=AGENT_RULE,
            severity=problem.severity,
            path=problem.path,
            line=problem.line,
            end_line=problem.line,
            message=sanitize_agent_text(problem.message, repo_url=repo_url),
        )
        for problem in review.added
    ]
    return with_fingerprints(raw, read_lines)


async def discuss(
    config: AgentConfig | None,
    *,
    findings: Sequence[Finding],
    diffs: Mapping[str, FileDiff],
    patches: Mapping[str, str],
    title: str,
    body: str | None,
    read_lines: Callable[[str], Sequence[str]],
    repo_url: str | None = None,
    events: EventChannel | None = None,
    topic: str = "",
) -> Discussion:
    """Run the dialogue over the diff and the findings; never raises, never blocks the review."""
    review = await run_agent_review(
        config, title=title, body=body, patches=patches, findings=findings, events=events, topic=topic
    )
    if review.skipped is not None:
        return Discussion(review)
    added = agent_findings(review, read_lines, repo_url)
    # An inline comment may sit on any line of the diff's hunks, added or context.
    in_diff = filter_findings(added, diffs, mode="diff_context")
    elsewhere = [f for f in added if f not in in_diff]
    dismissed = {
        v.fingerprint: sanitize_agent_text(v.reason, repo_url=repo_url)
        for v in review.verdicts
        if v.status == "dismissed"
    }
    return Discussion(review, added_in_diff=in_diff, added_elsewhere=elsewhere, dismissed=dismissed)
